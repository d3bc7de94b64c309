"""Issue 10: every source has a tier and, for press and reprints, the original publisher; bad tier rows fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from netdep import db
from netdep.build import build_tables
from netdep.errors import SourceFormatError
from netdep.schema import TIERS

ROOT = Path(__file__).resolve().parents[1]


def test_every_bundled_source_has_a_tier():
    con = db.connect(ROOT / "data")
    try:
        rows = con.execute("select source_id, tier, original_publisher from sources").fetchall()
        by_tier = dict(con.execute("select tier, count(*) from flows join sources using (source_id) "
                                   "group by tier").fetchall())
        monthly = dict(con.execute("select tier, count(*) from flows_monthly join sources using (source_id) "
                                   "group by tier").fetchall())
    finally:
        con.close()
    assert rows and all(t in TIERS for _, t, _ in rows)
    assert all(o for _, t, o in rows if t in ("press", "reprint"))  # the original is named
    tiers = {s: t for s, t, _ in rows}
    assert tiers["ei_sr_2024"] == "agency" and tiers["eurostat_nrg_ti_gasm"] == "primary"
    assert tiers["balticnews_com_835a73"] == "reprint" and tiers["tass_com_5e528a"] == "press"
    assert by_tier["agency"] > by_tier.get("press", 0) + by_tier.get("reprint", 0)
    assert set(monthly) == {"primary", "agency"}


def _copy_src(tmp_path: Path) -> Path:
    d = tmp_path / "src"
    shutil.copytree(ROOT / "data" / "src", d)
    return d


def test_bad_tier_is_file_row_column(tmp_path):
    d = _copy_src(tmp_path)
    with open(d / "source_tiers.csv", "a", encoding="utf-8") as f:
        f.write("ei_sr_2024,blog,x\n")
    n = sum(1 for _ in open(d / "source_tiers.csv", encoding="utf-8")) - 1
    with pytest.raises(SourceFormatError, match=rf"^source_tiers.csv:{n}: tier: 'blog' is not one of primary"):
        build_tables(d)


def test_unknown_source_in_tiers(tmp_path):
    d = _copy_src(tmp_path)
    with open(d / "source_tiers.csv", "a", encoding="utf-8") as f:
        f.write("nope,press,x\n")
    with pytest.raises(SourceFormatError, match=r"source_id: 'nope' is not in sources.csv"):
        build_tables(d)


def test_report_source_list_shows_the_tier(tmp_path):
    from netdep.reporting.tiers import tier_text

    assert tier_text({"tier": "reprint", "original_publisher": "Eurostat", "publisher": "balticnews.com"}) == \
        " Tier: reprint (original: Eurostat)."
