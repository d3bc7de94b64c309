"""Geography rules, in one place: layers, the main actors, the EU-or-Europe rule, overlap and coarsening.

The sources do not share one geography. The Statistical Review reports crude oil, oil products and coal
between *regions* (its Europe, ``REG_EUROPE`` = the EU27 plus Norway, the UK, Turkey and the rest of
non-EU Europe) and drops intra-area movements; gas (pipeline and LNG), goods and FDI come per country
with the EU as one bloc (``EU27``). Three rules follow, and every module applies them from here:

* **Which actor stands for "Europe"** (:func:`europe_actor`, :func:`europe_in`, :func:`as_present`): the
  EU27 in gas, goods and FDI graphs; the Statistical Review's Europe in crude, products and coal graphs and
  in every aggregate energy or cross-layer graph (where those commodities are folded in).
* **Overlap** (:func:`overlap_set`): two actors of one (year, commodity) graph may not cover a country in
  common (EU27 with DEU, or with REG_EUROPE), or flows are counted twice; ``netdep validate`` checks it.
* **Coarsening** (:func:`coarsen`): in an aggregate graph (a layer, or all layers) an actor inside a larger
  region also present is folded into it (EU27, NOR, GBR, TUR → REG_EUROPE), as the Review itself folds them.

Layers and actor kinds are data of :mod:`netdep.schema` (``LAYERS``, ``KINDS``); this module only orders
and groups them. It sits in the foundation layer (it imports :mod:`netdep.schema` only) and works on actor
rows (``actors.parquet`` records), so the store, graphs, measures, scenarios and documents all call it.

>>> europe_actor("energy", "crude_oil"), europe_actor("energy", "lng"), europe_actor("trade")
('REG_EUROPE', 'EU27', 'EU27')
>>> all_layers(("energy", "trade", "investment")), cross_layer(("energy", "investment"))
(True, False)
>>> actors = {"EU27": {"actor": "EU27", "kind": "bloc", "members": ["DEU", "FRA"]},
...           "REG_EUROPE": {"actor": "REG_EUROPE", "kind": "region", "members": ["DEU", "FRA", "NOR"]},
...           "NOR": {"actor": "NOR", "kind": "country", "members": []}}
>>> coarsen(actors, ["EU27", "NOR", "REG_EUROPE"])
{'EU27': 'REG_EUROPE', 'NOR': 'REG_EUROPE', 'REG_EUROPE': 'REG_EUROPE'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .schema import KINDS, LAYERS

__all__ = ["LAYERS", "LAYER_ORDER", "DISPLAY_LAYER_ORDER", "LAYER_WORD", "CROSS_LAYERS", "ALL", "EU", "EUROPE",
           "EU_CODES", "MAIN_ACTORS", "MAIN_AND_EUROPE", "REGION_COMMODITIES", "GROUP_KINDS", "all_layers",
           "cross_layer", "layers_in_order", "europe_actor", "region_only", "europe_in", "as_present", "overlap_set",
           "countries", "coarsen"]

#: the order graphs, tables and sweeps are built in (energy first): every layer of ``schema.LAYERS``
LAYER_ORDER: tuple[str, ...] = ("energy", "investment", "trade")
#: the order documents show layers in (goods before FDI), then the cross-layer graph
DISPLAY_LAYER_ORDER: tuple[str, ...] = ("energy", "trade", "investment", "all")
#: each layer in words (documents): goods trade, energy, FDI positions
LAYER_WORD: dict[str, str] = {"energy": "energy", "trade": "goods", "investment": "FDI"}
assert set(LAYER_WORD) == set(LAYERS)
#: the layers the cross-layer graph (``layer = "all"``) is built from: goods ex-energy plus energy, both annual
#: flows in US$ (FDI stocks are positions, not flows; see :mod:`netdep.graph`)
CROSS_LAYERS: tuple[str, ...] = ("trade", "energy")
#: the layer name of the cross-layer graph
ALL = "all"
assert set(LAYER_ORDER) == set(LAYERS), "LAYER_ORDER must list every layer of netdep.schema.LAYERS"

EU = "EU27"  # the EU as one bloc (members folded in, intra-EU flows dropped)
EUROPE = "REG_EUROPE"  # the Statistical Review's Europe region
#: the EU bloc, or the Statistical Review's Europe where oil and coal force it
EU_CODES: tuple[str, ...] = (EU, EUROPE)
#: the four actors every report and scenario speaks of
MAIN_ACTORS: tuple[str, ...] = ("RUS", "CHN", EU, "USA")
#: the main actors with both forms of Europe, in the order documents list them
MAIN_AND_EUROPE: tuple[str, ...] = ("RUS", "CHN", EU, EUROPE, "USA")
#: commodities the Statistical Review reports between regions only (Europe, not the EU)
REGION_COMMODITIES: tuple[str, ...] = ("crude_oil", "oil_products", "coal")
#: actor kinds with a fixed membership (``schema.KINDS``): they cover their members
GROUP_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k in ("bloc", "region"))


def all_layers(layers: Iterable[str]) -> bool:
    """True when ``layers`` holds every layer of ``schema.LAYERS`` (not: when there are three of them)."""
    return set(LAYERS) <= set(layers)


def cross_layer(layers: Iterable[str]) -> bool:
    """True when ``layers`` holds the layers of the cross-layer graph (:data:`CROSS_LAYERS`)."""
    return set(CROSS_LAYERS) <= set(layers)


def layers_in_order(layers: Iterable[str], order: tuple[str, ...] = LAYER_ORDER) -> tuple[str, ...]:
    """``layers`` in ``order`` (default :data:`LAYER_ORDER`), each once."""
    have = set(layers)
    return tuple(x for x in order if x in have)


def europe_actor(layer: str, commodity: str = "*") -> str:
    """The actor that stands for Europe in the ``(layer, commodity)`` graph: the Statistical Review's Europe for
    crude oil, oil products, coal and every aggregate energy or cross-layer graph (``commodity = "*"``); the EU27
    for gas, goods and FDI."""
    if layer in ("energy", ALL) and (commodity == "*" or commodity in REGION_COMMODITIES):
        return EUROPE
    return EU


def region_only(commodities: Iterable[str]) -> bool:
    """True when every one of ``commodities`` is reported between regions only (:data:`REGION_COMMODITIES`), so
    the EU27 has no trade of them of its own (its oil balance, for one).

    >>> region_only(("crude_oil", "oil_products")), region_only(("pipeline_gas", "lng"))
    (True, False)
    """
    cs = tuple(commodities)
    return bool(cs) and all(c in REGION_COMMODITIES for c in cs)


def europe_in(nodes: Iterable[str]) -> str:
    """Europe as a graph has it: ``REG_EUROPE`` when the graph holds it (the EU was folded in), else ``EU27``."""
    return EUROPE if EUROPE in set(nodes) else EU


def as_present(actor: str, present: Iterable[str]) -> str:
    """``actor``, or the Europe region when ``actor`` is the EU27 and only the region is ``present``."""
    p = set(present)
    return EUROPE if actor == EU and EU not in p and EUROPE in p else actor


def overlap_set(actor: Mapping) -> frozenset[str] | None:
    """What an actor row covers, for the overlap rule: a country itself; a bloc or region its members and its own
    code; None for a remainder aggregate (what is not listed separately overlaps nothing)."""
    if actor["kind"] == "aggregate":
        return None
    if actor["kind"] == "country":
        return frozenset({actor["actor"]})
    return frozenset(actor["members"] or []) | {actor["actor"]}


def countries(actor: Mapping) -> frozenset[str] | None:
    """The countries an actor row stands for (its members for a bloc or region); None for a remainder."""
    if overlap_set(actor) is None:
        return None
    return frozenset(actor["members"]) if actor["kind"] in GROUP_KINDS else frozenset({actor["actor"]})


def coarsen(actors: Mapping[str, Mapping], present: Iterable[str]) -> dict[str, str]:
    """Map each actor of ``present`` that lies inside a larger bloc or region also present to the largest such
    one (``actors``: actor code -> its ``actors.parquet`` row); the others map to themselves."""
    present = sorted(set(present))
    sets = {a: countries(actors[a]) for a in present}
    out = {}
    for a in present:
        best = a
        for r in present:
            if r == a or sets[a] is None or sets[r] is None or actors[r]["kind"] not in GROUP_KINDS:
                continue
            if sets[a] < sets[r] and (best == a or len(sets[r]) > len(sets[best])):
                best = r
        out[a] = best
    return out
