"""Headlines computed from what the data cover: qualified where coverage is partial, following the numbers
when the data are reversed, never printing a missing value as 0%."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from netdep.reporting.compute import build_report
from netdep.reporting.headlines import goods_sentence
from netdep.store import Data, load


@pytest.fixture(scope="module")
def data() -> Data:
    return load()


def _deps(*rows):
    """Dependency records (goods, year 2023) from (origin, destination, share_in, share_out, cov_in, cov_out)."""
    return {"dependencies": [{"year": 2023, "layer": "trade", "commodity": "goods", "origin": o, "destination": d,
                              "share_in": si, "share_out": so, "coverage_in": ci, "coverage_out": co}
                             for o, d, si, so, ci, co in rows]}


def test_goods_sentence_conclusion_follows_the_numbers(data):
    # RUS->CHN: 30% of Russia's exports, 5% of China's imports; CHN->RUS: 3% of China's exports, 40% of Russia's
    t = _deps(("RUS", "CHN", 0.05, 0.30, 0.9, 0.8), ("CHN", "RUS", 0.40, 0.03, 0.7, 0.9))
    s = goods_sentence(data, t, 2023)
    assert "Russia depends on China more than the reverse, as a buyer and as a supplier" in s
    # the same numbers with the roles swapped: the text swaps too
    r = _deps(("CHN", "RUS", 0.05, 0.30, 0.9, 0.8), ("RUS", "CHN", 0.40, 0.03, 0.7, 0.9))
    s2 = goods_sentence(data, r, 2023)
    assert "China depends on Russia more than the reverse, as a buyer and as a supplier" in s2
    # mixed: Russia needs China as a buyer, China needs Russia as a supplier: no overall verdict
    m = _deps(("RUS", "CHN", 0.50, 0.30, 0.9, 0.8), ("CHN", "RUS", 0.10, 0.03, 0.7, 0.9))
    s3 = goods_sentence(data, m, 2023)
    assert "more than the reverse" not in s3
    assert "as a buyer, Russia depends on China more (30.0% against 3.0%)" in s3
    assert "as a supplier, China depends on Russia more (50.0% against 10.0%)" in s3


def test_goods_sentence_with_partial_coverage_is_qualified(data):
    # Russia's imports known for listed partners only (coverage_in None on CHN->RUS): that share is qualified and
    # the supplier side is not compared
    t = _deps(("RUS", "CHN", 0.05, 0.30, 0.9, 0.8), ("CHN", "RUS", 0.995, 0.03, None, 0.9))
    s = goods_sentence(data, t, 2023)
    assert "99.5% (of listed partners only: no world total) of Russia's imports" in s
    assert "Russia depends on China more than the reverse, as a buyer" in s
    assert "as a supplier not compared: a share of listed partners only" in s


def test_report_2024_qualifies_partial_coverage_and_never_prints_missing_as_zero(data):
    rep = build_report(data, year=2024)
    text = "\n".join(rep.headlines)
    # goods: Russia's 2024 imports have no published world total (only China and the US listed)
    assert "of listed partners only: no world total) of Russia's imports" in text
    # energy 2024 is partial and says so; Europe's share of Russia's crude is unknown, not 0%
    assert "Energy data for 2024 are partial" in text
    crude = next(h for h in rep.headlines if h.startswith("China took") and "crude oil" in h)
    assert "Europe took 0.0%" not in crude and "not listed separately in 2024" in crude
    # gas: no pipeline data in 2024, so no "share of gas imports (pipeline and LNG)" from LNG alone
    assert "gas imports (pipeline and LNG) in 2024" not in text
    assert "its share of all gas imports cannot be computed" in text
    # the EU's LNG: Russia is the largest *listed* supplier, not "the top supplier", with 78.6% unlisted
    lng = next(h for h in rep.headlines if "supplier HHI for LNG" in h)
    assert "largest listed supplier Russia" in lng and "top supplier" not in lng
    assert not re.search(r"; \.$", text, re.M)  # no empty lists


def test_fdi_is_not_flagged_strategic_without_a_world_total(data):
    rep = build_report(data, year=2023)
    fdi = [r for r in rep.tables["concentration"] if r["commodity"] == "fdi_stock" and r["side"] == "in"
           and r["year"] == 2023 and r["actor"] in ("RUS", "USA")]
    assert fdi and all(r["hhi"] > 0.9 and r["coverage"] is None and r["strategic"] is None for r in fdi)


def _swap(data: Data, a: str, b: str, commodity: str) -> Data:
    """The data with actors a and b exchanged in every flow of ``commodity``."""
    flows = data["flows"].to_pylist()
    sw = {a: b, b: a}
    for f in flows:
        if f["commodity"] == commodity:
            f["origin"], f["destination"] = sw.get(f["origin"], f["origin"]), sw.get(f["destination"], f["destination"])
    return Data({**data.tables, "flows": pa.Table.from_pylist(flows, schema=data["flows"].schema)})


def test_reversed_goods_data_reverse_the_headline(data):
    rep = build_report(data, year=2023, layer="trade")
    line = next(h for h in rep.headlines if h.startswith("In goods trade"))
    assert "Russia depends on China more than the reverse" in line
    swapped = build_report(_swap(data, "RUS", "CHN", "goods"), year=2023, layer="trade")
    line2 = next(h for h in swapped.headlines if h.startswith("In goods trade"))
    assert "China depends on Russia more than the reverse" in line2
    # the figures swap with the roles: China now takes 3.3% ... of Russia's exports, Russia 30.4% of China's
    nums = re.findall(r"\d+\.\d%", line)
    nums2 = re.findall(r"\d+\.\d%", line2)
    assert nums2[:4] == [nums[1], nums[0], nums[3], nums[2]]


@pytest.mark.slow
def test_scenario_headline_reads_gas_at_fuel_level(data):
    """Russian gas returning to the EU lowers the EU's *pipeline* HHI (0.372 -> 0.349) while its gas HHI (pipeline +
    LNG) barely moves (0.189 -> 0.187): the headline must not call the first diversification."""
    from netdep import scenario as sc

    res = sc.run(sc.bundled_path("russian_energy_to_europe_half"), data=data)
    hhi = {(w, r["commodity"]): r["hhi"] for w, t in (("b", res.before), ("a", res.after))
           for r in t["concentration"] if r["side"] == "in" and r["actor"] == "EU27"}
    assert hhi[("a", "pipeline_gas")] < hhi[("b", "pipeline_gas")] - 0.02
    assert abs(hhi[("a", "natural_gas")] - hhi[("b", "natural_gas")]) < 0.005
    assert not any("HHI for pipeline gas" in h or "HHI for LNG" in h for h in res.headlines)
