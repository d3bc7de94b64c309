"""OECD ICIO industry layers: import (hand-computed and on the real table), the bundled 2022 layers
(published sizes, measures = pandas, PageRank = networkx), bad input, and the report's industry section."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from netdep.bulk.codes import EU27
from netdep.bulk.icio import (
    ICIO_ECONOMIES,
    ICIO_NOTE,
    ICIO_SECTORS,
    ICIO_SOURCE_ID,
    icio_measures,
    import_icio,
)
from netdep.bulk.icio_report import industry_section, industry_section_markdown
from netdep.bulk.measures import measures_pandas
from netdep.cli import run
from netdep.errors import SourceFormatError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REF = Path("/work/shared/reference/sectors/icio_2022_bilateral_intermediate.csv.gz")
needs_ref = pytest.mark.skipif(not REF.is_file(), reason="reference ICIO table not here (/work/shared/reference)")
HEAD = "exporter,sector,importer,value_usd_mn,domestic\n"
PART = "year=2022/part-0.parquet"


def _flows(d: Path) -> pd.DataFrame:
    t = pq.read_table(d / "isic" / PART).to_pandas()
    for c in ("layer", "commodity", "origin", "destination", "source_id"):
        t[c] = t[c].astype(str)
    return t


# --- hand-computed example -------------------------------------------------------------------------------------

TINY = (HEAD
        + "CHN,C27,DEU,3000,false\n"   # CHN -> EU27 3 + 1 = 4 bn (DEU and FRA folded)
        + "CHN,C27,FRA,1000,false\n"
        + "USA,C27,DEU,1000,false\n"   # USA -> EU27 1 bn
        + "DEU,C27,FRA,500,false\n"    # intra-EU: dropped from flows, 0.5 bn in isic_intra_eu
        + "CHN,C27,CHN,9000,true\n"    # domestic: not trade, 9 bn in isic_domestic
        + "DEU,C27,DEU,2000,true\n"    # EU27 domestic 2 + 1 = 3 bn
        + "FRA,C27,FRA,1000,true\n"
        + "DEU,C27,USA,0.0001234567891,false\n"  # 13 decimals, kept exactly
        + "RUS,C28,CHN,250,false\n")


def test_tiny_import_hand_computed(tmp_path):
    f = tmp_path / "icio.csv"
    f.write_text(TINY)
    r = import_icio(f, tmp_path)
    assert (r.rows_in, r.rows_out, r.intra_eu_rows, r.domestic_rows) == (9, 4, 1, 2)
    t = _flows(tmp_path)
    got = {(c, o, d): v for c, o, d, v in zip(t.commodity, t.origin, t.destination, t.value)}
    assert got == {("isic:C27", "CHN", "EU27"): 4.0, ("isic:C27", "EU27", "USA"): 0.0001234567891 / 1000,
                   ("isic:C27", "USA", "EU27"): 1.0, ("isic:C28", "RUS", "CHN"): 0.25}
    assert (t.value == t.value_usd_bn).all() and set(t.layer) == {"trade"}
    assert set(t.source_id) == {ICIO_SOURCE_ID} and set(t.note) == {ICIO_NOTE}
    assert t.quantity_t.isna().all() and t.route.isna().all()
    intra = pq.read_table(tmp_path / "isic_intra_eu" / PART).to_pylist()
    assert intra == [{"commodity": "isic:C27", "value": 0.5, "quantity_t": None, "flows": 1}]
    dom = pq.read_table(tmp_path / "isic_domestic" / PART).to_pylist()
    assert dom == [{"commodity": "isic:C27", "actor": "CHN", "value": 9.0},
                   {"commodity": "isic:C27", "actor": "EU27", "value": 3.0}]
    m = pq.read_table(tmp_path / "isic_measures" / PART).to_pandas().set_index(["importer", "commodity"])
    eu = m.loc[("EU27", "isic:C27")]
    assert eu.import_value == 5.0 and eu.top_supplier == "CHN" and eu.top_share == pytest.approx(0.8)
    assert eu.hhi == pytest.approx(0.8**2 + 0.2**2) and eu.suppliers == 2
    assert eu.intra_eu_value == 0.5 and eu.ec_extra_share == pytest.approx(5 / 5.5)
    pr = pq.read_table(tmp_path / "isic_pagerank" / PART).to_pandas()
    c28 = pr[pr.commodity == "isic:C28"].set_index("actor").pagerank
    ref = nx.pagerank(nx.DiGraph([("RUS", "CHN")]))
    assert c28.to_dict() == pytest.approx(ref, abs=1e-12)


def test_no_eu_bloc_keeps_members(tmp_path):
    f = tmp_path / "icio.csv"
    f.write_text(TINY)
    r = import_icio(f, tmp_path, eu_bloc=False, measures=False)
    t = _flows(tmp_path)
    assert r.rows_out == 6 and "EU27" not in set(t.origin) | set(t.destination)
    assert ("DEU", "FRA") in set(zip(t.origin, t.destination))
    assert not (tmp_path / "isic_intra_eu" / "year=2022").exists()


def test_reimport_is_byte_identical(tmp_path):
    f = tmp_path / "icio.csv"
    f.write_text(TINY)
    import_icio(f, tmp_path / "a")
    import_icio(f, tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.parquet"))
    assert len(files) == 6
    for p in files:
        assert (tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes(), p


@pytest.mark.parametrize("body, message", [
    ("CHN,C27,XXX,1,false\n", ":3: importer: 'XXX' not one of the 80 ICIO economies"),
    ("ROW,C27,DEU,1,false\n", ":3: exporter: 'ROW' not one of the 80 ICIO economies"),
    ("CHN,C99,DEU,1,false\n", ":3: sector: 'C99' not an ICIO 2025 industry code"),
    ("CHN,C27,DEU,-1,false\n", ":3: value_usd_mn: '-1' not a non-negative number"),
    ("CHN,C27,DEU,abc,false\n", ":3: value_usd_mn: 'abc' not a non-negative number"),
    ("CHN,C27,DEU,1,true\n", ":3: domestic: 'true' must be true exactly when exporter = importer"),
    ("CHN,C27,FRA,1,false\n", ":3: exporter,sector,importer: (CHN, C27, FRA) already on line 2"),
])
def test_bad_rows_name_file_row_column(tmp_path, body, message):
    f = tmp_path / "icio.csv"
    f.write_text(HEAD + "CHN,C27,FRA,1,false\n" + body)
    with pytest.raises(SourceFormatError) as e:
        import_icio(f, tmp_path / "out")
    assert str(e.value).startswith(str(f)) and message in str(e.value)
    assert not (tmp_path / "out" / "isic").exists()


def test_cli_bad_file_exits_1_without_traceback(tmp_path, netdep_cmd):
    f = tmp_path / "bad.csv"
    f.write_text("t,i,j,k,v,q\n")
    p = subprocess.run([*netdep_cmd, "import", "icio", str(f), "--out", str(tmp_path / "o"), "--no-progress"],
                       capture_output=True, text=True)
    assert p.returncode == 1 and f"{f}:1: not an ICIO bilateral file" in p.stderr and "Traceback" not in p.stderr
    f.write_text(HEAD + "CHN,C27,DEU,1,maybe\n")
    p = subprocess.run([*netdep_cmd, "import", "icio", str(f), "--out", str(tmp_path / "o"), "--no-progress"],
                       capture_output=True, text=True)
    assert p.returncode == 1 and f"{f}:2: domestic: 'maybe'" in p.stderr and "Traceback" not in p.stderr


def test_cli_import_then_sql_views(tmp_path, capsys):
    f = tmp_path / "icio.csv"
    f.write_text(TINY)
    d = tmp_path / "d"
    d.mkdir()
    for p in DATA.glob("*.parquet"):
        shutil.copy2(p, d / p.name)
    assert run(["import", "icio", str(f), "--out", str(d), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "read 9 ICIO rows; wrote 4 industry flows for 2022" in out and "1 intra-EU rows dropped" in out
    assert run(["sql", "--data", str(d), "--format", "csv", "-c",
                "SELECT f.commodity, f.origin, round(f.value, 3) AS v, i.name, m.top_supplier FROM isic_flows f "
                "JOIN isic_industries i USING (commodity) JOIN isic_dependencies m ON m.importer = f.destination "
                "AND m.commodity = f.commodity WHERE f.destination = 'EU27' ORDER BY v DESC"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "commodity,origin,v,name,top_supplier",
        "isic:C27,CHN,4,Manufacture of electrical equipment,CHN",
        "isic:C27,USA,1,Manufacture of electrical equipment,CHN"]


# --- the bundled 2022 layers (no reference needed) -----------------------------------------------------------

@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return _flows(DATA)


def test_bundled_layers_shape_and_citation(bundled):
    t = bundled
    assert len(t) == 117_080
    assert set(t.commodity) <= {f"isic:{k}" for k in ICIO_SECTORS} and t.commodity.nunique() == 49
    actors = set(t.origin) | set(t.destination)
    assert "EU27" in actors and not actors & set(EU27) and len(actors) == 80 - 27 + 1
    assert actors <= set(ICIO_ECONOMIES) | {"EU27"}
    assert not (t.origin == t.destination).any() and (t.value > 0).all()
    assert set(t.source_id) == {ICIO_SOURCE_ID} and set(t.note) == {ICIO_NOTE}
    src = pq.read_table(DATA / "sources.parquet").to_pandas().set_index("source_id").loc[ICIO_SOURCE_ID]
    assert src.publisher == "OECD" and src.url.startswith("https://www.oecd.org/")
    size = sum(p.stat().st_size for p in DATA.glob("isic*/**/*.parquet"))
    assert size < 3_000_000  # a few MB at most


@pytest.mark.parametrize("industry, origin, share", [
    ("C27", "CHN", 0.626), ("C26", "CHN", 0.479),  # reference README's sanity checks, recomputed there
    ("C19", "RUS", 0.374), ("B06", "RUS", 0.158),
])
def test_bundled_published_sizes(bundled, industry, origin, share):
    eu = bundled[(bundled.destination == "EU27") & (bundled.commodity == f"isic:{industry}")]
    assert eu.loc[eu.origin == origin, "value"].sum() / eu.value.sum() == pytest.approx(share, abs=0.0005)


def test_bundled_measures_equal_pandas(tmp_path):
    # the pandas baseline reads <data>/hs6 and <data>/hs6_intra_eu: give it the industry layers under those names
    shutil.copytree(DATA / "isic", tmp_path / "hs6")
    shutil.copytree(DATA / "isic_intra_eu", tmp_path / "hs6_intra_eu")
    ref = measures_pandas(tmp_path, 2022)
    got = pq.read_table(DATA / "isic_measures" / PART).to_pandas()
    assert list(got.columns) == list(ref.columns) and len(got) == len(ref) == 2646
    for c in got.columns:
        if got[c].dtype.kind == "f":
            np.testing.assert_allclose(got[c].to_numpy(float), ref[c].to_numpy(float), rtol=1e-9, atol=0, err_msg=c)
        else:
            assert [None if pd.isna(v) else v for v in got[c]] == [None if pd.isna(v) else v for v in ref[c]], c
    # and the stored table is what icio_measures computes now
    shutil.copytree(DATA / "isic", tmp_path / "re" / "isic")
    shutil.copytree(DATA / "isic_intra_eu", tmp_path / "re" / "isic_intra_eu")
    icio_measures(tmp_path / "re")
    assert (tmp_path / "re" / "isic_measures" / PART).read_bytes() == (DATA / "isic_measures" / PART).read_bytes()


def test_bundled_pagerank_equals_networkx(bundled):
    pr = pq.read_table(DATA / "isic_pagerank" / PART).to_pandas()
    assert len(pr) == 2646 and pr.commodity.nunique() == 49
    rng = np.random.default_rng(14)
    layers = sorted(bundled.commodity.unique())
    sample = {"isic:C26", "isic:C27", "isic:C28", "isic:B06"} | set(rng.choice(layers, 8, replace=False))
    for k in sorted(sample):
        e = bundled[bundled.commodity == k]
        G = nx.DiGraph()
        G.add_weighted_edges_from(zip(e.origin, e.destination, e.value), weight="value")
        ref = nx.pagerank(G, alpha=0.85, weight="value")
        mine = pr[pr.commodity == k].set_index("actor").pagerank.to_dict()
        assert mine.keys() == ref.keys(), k
        assert max(abs(mine[a] - ref[a]) for a in ref) <= 1e-12, k


def test_industry_section_on_bundled_data():
    s = industry_section(DATA)
    assert s["year"] == 2022 and s["economies"] == 54
    blocks = {b["importer"]: b for b in s["importers"]}
    assert list(blocks) == ["EU27", "CHN", "USA", "RUS"]
    eu = blocks["EU27"]["rows"]
    assert (eu[0]["commodity"], eu[0]["top_supplier"]) == ("isic:C27", "CHN")
    assert eu[0]["top_share"] == pytest.approx(0.626, abs=0.0005)
    for b in blocks.values():
        hhis = [r["hhi"] for r in b["rows"]]
        assert len(hhis) == 8 and hhis == sorted(hhis, reverse=True)
        assert all(r["import_value"] >= 0.005 * b["total"] for r in b["rows"])
        assert all(0 < r["import_share_of_use"] <= 1 for r in b["rows"])
    ec = s["eu_china"]
    assert len(ec) == 10 and ec[0]["commodity"] == "isic:C27"
    assert [r["share"] for r in ec] == sorted((r["share"] for r in ec), reverse=True)
    mutual = {r["commodity"]: r for r in s["mutual"]}
    assert list(mutual) == ["isic:C28", "isic:C26", "isic:C27"]
    t = _flows(DATA)
    for k, r in mutual.items():  # recomputed from the flows with pandas
        rus = t[(t.commodity == k) & (t.destination == "RUS")]
        chn = t[(t.commodity == k) & (t.destination == "CHN")]
        assert r["chn_share_of_rus"] == pytest.approx(rus[rus.origin == "CHN"].value.sum() / rus.value.sum())
        assert r["rus_share_of_chn"] == pytest.approx(chn[chn.origin == "RUS"].value.sum() / chn.value.sum())
        ranked = chn.sort_values("value", ascending=False).origin.tolist()
        assert r["rus_rank_in_chn"] == ranked.index("RUS") + 1
    assert mutual["isic:C26"]["rus_top_supplier"] == "CHN"
    cen = {r["commodity"]: r for r in s["centrality"]}
    assert {"isic:C26", "isic:C27", "isic:C28"} <= set(cen) and len(cen) >= 10
    md = industry_section_markdown(s, "[1]")
    assert "intermediate use only" in md and "rest-of-world region is not in the table" in md
    assert "share of intermediate imports from the 53 other economies of the table" in md
    assert "| C27 | Manufacture of electrical equipment | 62.6% | 41.85 | 66.84 |" in md


def test_section_computes_measures_when_not_stored(tmp_path):
    f = tmp_path / "icio.csv"
    f.write_text(TINY)
    import_icio(f, tmp_path, measures=False)
    s = industry_section(tmp_path)
    eu = next(b for b in s["importers"] if b["importer"] == "EU27")
    assert eu["rows"][0]["top_supplier"] == "CHN" and eu["rows"][0]["top_share"] == pytest.approx(0.8)
    assert eu["rows"][0]["import_share_of_use"] == pytest.approx(5 / (5 + 0.5 + 3))
    assert s["eu_china"][0]["share"] == pytest.approx(0.8)
    assert industry_section(tmp_path / "none") is None


def test_report_shows_industry_section(tmp_path):
    from netdep.reporting.compute import build_report
    from netdep.reporting.render import document, to_markdown
    from netdep.store import load

    data = load(DATA)
    rep = build_report(data)
    md, _ = to_markdown(document(data, rep), rep)
    assert "## Industries where the EU, China, the US and Russia depend on one supplier, 2022" in md
    import re

    n = re.search(r"year 2022 \[(\d+)\]", md).group(1)  # the section cites the OECD release as [n] ...
    listed = next(line for line in md.splitlines() if "inter-country-input-output-tables" in line)
    assert listed.startswith(f"{n}. ")  # ... and [n] is the OECD entry of the report's numbered sources


# --- the real table (reference file) -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(REF, keep_default_na=False)


@needs_ref
def test_every_bundled_row_traced_to_reference(bundled, reference):
    r = reference.copy()
    eu = set(EU27)
    r["o"] = np.where(r.exporter.isin(eu), "EU27", r.exporter)
    r["d"] = np.where(r.importer.isin(eu), "EU27", r.importer)
    trade = r[(r.exporter != r.importer) & ~(r.exporter.isin(eu) & r.importer.isin(eu))]
    ref = (trade.groupby(["sector", "o", "d"]).value_usd_mn.sum() / 1000).rename("ref").reset_index()
    ref["commodity"] = "isic:" + ref.sector
    m = bundled.merge(ref, left_on=["commodity", "origin", "destination"], right_on=["commodity", "o", "d"],
                      how="outer", indicator=True)
    assert (m._merge == "both").all() and len(m) == len(bundled)
    np.testing.assert_allclose(m.value, m.ref, rtol=1e-12, atol=1e-15)
    intra = pq.read_table(DATA / "isic_intra_eu" / PART).to_pandas().set_index("commodity").value
    ref_intra = r[(r.exporter != r.importer) & r.exporter.isin(eu) & r.importer.isin(eu)].groupby("sector") \
        .value_usd_mn.sum() / 1000
    np.testing.assert_allclose(intra.to_numpy(), ref_intra.rename(lambda s: f"isic:{s}").loc[intra.index].to_numpy(),
                               rtol=1e-12)
    # every value of the reference is accounted for: trade + intra-EU + domestic
    dom = pq.read_table(DATA / "isic_domestic" / PART).to_pandas().value.sum()
    assert bundled.value.sum() + intra.sum() + dom == pytest.approx(r.value_usd_mn.sum() / 1000, rel=1e-12)


@needs_ref
def test_reimport_of_reference_reproduces_bundled_files(tmp_path):
    import_icio(REF, tmp_path)
    for name in ("isic", "isic_intra_eu", "isic_domestic", "isic_measures", "isic_pagerank", "isic_industries"):
        assert (tmp_path / name / PART).read_bytes() == (DATA / name / PART).read_bytes(), name


@needs_ref
def test_reference_readme_figures_without_folding(tmp_path):
    import_icio(REF, tmp_path, eu_bloc=False, measures=False)
    t = _flows(tmp_path)
    b06 = t[(t.commodity == "isic:B06") & (t.origin == "RUS")].set_index("destination").value
    # reference README: RUS B06 -> CHN 34,515, DEU 9,772 (US$ mn); RUS -> RUS 49,082 is domestic
    assert b06["CHN"] == pytest.approx(34.515, abs=0.0005) and b06["DEU"] == pytest.approx(9.772, abs=0.0005)
    dom = pq.read_table(tmp_path / "isic_domestic" / PART).to_pandas()
    got = dom[(dom.commodity == "isic:B06") & (dom.actor == "RUS")].value.iloc[0]
    assert got == pytest.approx(49.082, abs=0.0005)


def test_progress_bar_and_doctests(tmp_path, capsys):
    import doctest

    import netdep.bulk.icio as icio_mod
    import netdep.bulk.icio_report as report_mod

    f = tmp_path / "icio.csv"
    f.write_text(TINY)
    r = import_icio(f, tmp_path / "p", progress=True, measures=False)
    cap = capsys.readouterr()
    # netdep.progress draws on stderr only when stderr is a terminal (tests/test_progress.py shows the bar);
    # here it is not, so the import stays quiet and stdout stays clean
    assert r.rows_out == 4 and cap.out == "" and "Traceback" not in cap.err
    for mod in (icio_mod, report_mod):
        assert doctest.testmod(mod).failed == 0, mod.__name__
