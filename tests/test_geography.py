"""The geography rules live in one module (issue 9): netdep.geography, and nobody else spells them out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netdep import geography as geo
from netdep.schema import LAYERS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("layer, commodity, expected", [
    ("energy", "crude_oil", "REG_EUROPE"), ("energy", "oil_products", "REG_EUROPE"), ("energy", "coal", "REG_EUROPE"),
    ("energy", "*", "REG_EUROPE"), ("all", "*", "REG_EUROPE"), ("energy", "pipeline_gas", "EU27"),
    ("energy", "lng", "EU27"), ("trade", "goods", "EU27"), ("trade", "*", "EU27"), ("investment", "fdi_stock", "EU27"),
])
def test_europe_actor_per_graph(layer, commodity, expected):
    assert geo.europe_actor(layer, commodity) == expected


def test_europe_as_present_and_in_a_graph():
    assert geo.europe_in(["RUS", "REG_EUROPE"]) == "REG_EUROPE"
    assert geo.europe_in(["RUS", "EU27"]) == "EU27"
    assert geo.as_present("EU27", {"REG_EUROPE", "CHN"}) == "REG_EUROPE"
    assert geo.as_present("EU27", {"EU27", "REG_EUROPE"}) == "EU27"  # the EU itself wins where both are there
    assert geo.as_present("CHN", {"REG_EUROPE"}) == "CHN"


def test_all_layers_follows_the_schema_not_a_count():
    assert geo.all_layers(LAYERS) and geo.all_layers((*LAYERS, "all"))
    assert not geo.all_layers(("energy", "trade", "trade"))  # three names, not every layer
    assert set(geo.LAYER_ORDER) == set(LAYERS) and set(geo.DISPLAY_LAYER_ORDER) == {*LAYERS, "all"}
    assert geo.layers_in_order({"trade", "energy"}) == ("energy", "trade")


def test_coarsening_and_overlap_on_the_bundled_actors():
    from netdep.store import load

    actors = {a["actor"]: a for a in load().rows("actors")}
    m = geo.coarsen(actors, ["EU27", "NOR", "GBR", "TUR", "REG_EUROPE", "RUS", "ROW"])
    assert {a: m[a] for a in ("EU27", "NOR", "GBR", "TUR")} == dict.fromkeys(("EU27", "NOR", "GBR", "TUR"),
                                                                              "REG_EUROPE")
    assert m["RUS"] == "RUS" and m["ROW"] == "ROW" and m["REG_EUROPE"] == "REG_EUROPE"
    assert geo.coarsen(actors, ["EU27", "NOR"]) == {"EU27": "EU27", "NOR": "NOR"}  # no region: nothing folds
    assert geo.overlap_set(actors["EU27"]) & geo.overlap_set(actors["REG_EUROPE"])  # they overlap
    assert "DEU" in geo.overlap_set(actors["EU27"]) and geo.overlap_set(actors["ROW"]) is None
    assert geo.countries(actors["EU27"]) == frozenset(actors["EU27"]["members"])


# a copy of a rule: the two Europe codes spelled together, or a layer count standing for "every layer"
COPIES = [re.compile(r"""["']REG_EUROPE["']\s+if\b"""), re.compile(r"""["']EU27["'],\s*["']REG_EUROPE["']"""),
          re.compile(r"len\((rep\.)?layers\)\s*==\s*3"),
          re.compile(r"""\{["']trade["'],\s*["']energy["']\}\s*<="""),
          re.compile(r"""\(["']energy["'],\s*["']investment["'],\s*["']trade["']\)"""),
          re.compile(r"""["']investment["']:\s*["']FDI["']""")]


def test_no_module_spells_the_rules_out_again():
    """Every module takes the EU-or-Europe rule, "all layers" and the layer order from netdep.geography."""
    found = []
    for p in sorted((ROOT / "netdep").rglob("*.py")):
        if p.name == "geography.py" or "bulk" in p.parts:  # bulk: world-scale data, EU27 only (no regions)
            continue
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith(("#", ">>>")):
                continue
            if any(c.search(line) for c in COPIES):
                found.append(f"{p.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not found, "\n".join(found)
