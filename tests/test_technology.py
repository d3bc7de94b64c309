"""Technology dependence (issue 13): the 4 × 4 supplier shares for C26–C28, recomputed with pyarrow from the bundled
ICIO layers (the oracle), and shown in the report."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from netdep.bulk.icio_report import MUTUAL_INDUSTRIES, TECH_ACTORS, industry_section, industry_section_markdown

DATA = Path(__file__).resolve().parents[1] / "data"


def test_technology_shares_equal_a_direct_sum_over_the_layers():
    sec = industry_section(DATA)
    if sec is None:
        pytest.skip("no ICIO layers in data/")
    t = ds.dataset(DATA / "isic", partitioning="hive").to_table(
        columns=["commodity", "origin", "destination", "value"]).to_pylist()
    x: dict[tuple, float] = defaultdict(float)
    tot: dict[tuple, float] = defaultdict(float)
    for r in t:
        if r["commodity"] in MUTUAL_INDUSTRIES:
            x[(r["commodity"], r["origin"], r["destination"])] += r["value"]
            tot[(r["commodity"], r["destination"])] += r["value"]
    assert len(sec["technology"]) == len(MUTUAL_INDUSTRIES) * len(TECH_ACTORS)
    for rec in sec["technology"]:
        k, i = rec["commodity"], rec["importer"]
        assert rec["imports"] == pytest.approx(tot[(k, i)], rel=1e-12)
        for s in TECH_ACTORS:
            want = None if s == i else x[(k, s, i)] / tot[(k, i)]
            assert rec[s] == (None if want is None else pytest.approx(want, rel=1e-12))
        assert rec["others"] == pytest.approx(1 - sum(rec[s] or 0 for s in TECH_ACTORS), abs=1e-12)
    eu_c27 = next(r for r in sec["technology"] if r["commodity"] == "isic:C27" and r["importer"] == "EU27")
    assert eu_c27["CHN"] == pytest.approx(0.626, abs=5e-4)  # published: 62.6% (see README, issue 14)
    md = industry_section_markdown(sec)
    assert "Technology: who supplies whom" in md and "| C27 Manufacture of electrical equipment | EU27 |" in md
