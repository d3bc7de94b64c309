"""Issue 10: the monthly series table (series_monthly), its flows_monthly view and its importer."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import pytest

from netdep import db
from netdep.errors import SourceFormatError
from netdep.series import build_series, read_series

ROOT = Path(__file__).resolve().parents[1]
SERIES = ROOT.parent / "shared" / "reference" / "series"


def _script():
    path = ROOT / "scripts" / "import_monthly_series.py"
    spec = importlib.util.spec_from_file_location("import_monthly_series", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def con():
    c = db.connect(ROOT / "data")
    yield c
    c.close()


def test_bundled_parquet_is_built_from_the_csv():
    assert read_series(ROOT / "data").equals(build_series(ROOT / "data" / "src"))


def test_flows_monthly_columns_and_sources(con):
    cols = [r[0] for r in con.execute("describe flows_monthly").fetchall()]
    assert cols[:7] == ["month", "year", "layer", "commodity", "origin", "destination", "route"]
    assert {"value", "unit", "source_id"} <= set(cols)
    sids = {r[0] for r in con.execute("select distinct source_id from flows_monthly").fetchall()}
    assert sids == {"eurostat_nrg_ti_gasm", "eurostat_nrg_ti_oilm", "eurostat_nrg_122m", "gacc_monthly",
                    "iea_gtf_2024_03"}
    # every source is cited
    assert not con.execute("select 1 from flows_monthly f anti join sources s using (source_id)").fetchall()
    first, last = con.execute("select min(month), max(month) from flows_monthly "
                              "where source_id like 'eurostat%'").fetchone()
    assert first == "2008-01" and last == "2022-07"  # 2022-08: too few reporters, dropped


def test_eurostat_russian_gas_2021_matches_the_reference_sum(con):
    """EU27 gas (pipeline + LNG) from partner Russia 2021 = 86.7 bcm (the reference folder's recomputed check)."""
    v = con.execute("""select sum(value) from flows_monthly where source_id = 'eurostat_nrg_ti_gasm' and unit = 'bcm'
                       and origin = 'RUS' and destination = 'EU27' and year = 2021""").fetchone()[0]
    assert round(v, 1) == 86.7
    # pipeline gas is all gas less LNG: both present, nothing negative
    assert con.execute("select count(*) from flows_monthly where value < 0").fetchone()[0] == 0


def test_china_crude_from_russia_2021(con):
    v = con.execute("""select sum(value) from flows_monthly where source_id = 'gacc_monthly' and unit = 'Mt'
                       and commodity = 'crude_oil' and year = 2021""").fetchone()[0]
    assert round(v, 1) == 79.6  # GACC, as the reference folder's check: 79.6 Mt


def test_iea_points_mapped_to_routes(con):
    got = dict(con.execute("""select year, round(sum(value) / 1000, 1) from flows_monthly
        where source_id = 'iea_gtf_2024_03' and origin = 'RUS'
        and destination in ('DEU', 'FIN', 'EST', 'LVA') group by year""").fetchall())
    assert got[2018] == 61.2 and got[2021] == 59.0 and got[2022] == 29.8  # reference: exit Russia into the EU
    routes = {r[0] for r in con.execute("select distinct route from flows_monthly where route is not null").fetchall()}
    assert {"nord_stream_1", "yamal_europe", "ukraine_transit", "turkstream_europe"} <= routes


def test_importer_on_a_small_example(tmp_path):
    eu = tmp_path / "eu.csv.gz"
    with gzip.open(eu, "wt", encoding="utf-8") as f:
        f.write("reporter,partner,commodity,month,value,unit,eurostat_dataset,eurostat_product_code\n"
                "Germany,Russia,gas_all,2021-01,5000000000,m3,nrg_ti_gasm,G3000\n"
                "Italy,Russia,gas_all,2021-01,2000000000,m3,nrg_ti_gasm,G3000\n"
                "Italy,Russia,lng,2021-01,500000000,m3,nrg_ti_gasm,G3200\n"
                "Italy,Austria,gas_all,2021-01,9000000000,m3,nrg_ti_gasm,G3000\n"  # intra-EU: dropped
                "Norway,Russia,gas_all,2021-01,1000000000,m3,nrg_ti_gasm,G3000\n"  # not an EU reporter
                "Italy,Narnia,crude_oil,2021-01,3000000,tonne,nrg_ti_oilm,O4100_TOT\n")
    cn = tmp_path / "cn.csv"
    cn.write_text("month,reporter,partner,commodity,measure,value,unit,series_name,source\n"
                  "2021-01,China,Russia,crude_oil,volume,7000000000,kg,x,GACC\n"
                  "2021-01,China,World,lng_hs271111,value,5,USD,x,GACC\n", encoding="utf-8")
    iea = tmp_path / "iea.csv"
    iea.write_text("borderpoint,exit,entry,max_flow_mcm_per_h,month,value_mcm,unit\n"
                   "Nord Stream,Russia,Germany,6.7,2021-01,5000,mcm\n"
                   "Zeebrugge,Belgium,United Kingdom,1,2021-01,100,mcm\n", encoding="utf-8")
    out = tmp_path / "s.csv"
    assert _script().main(["--eurostat", str(eu), "--china", str(cn), "--iea", str(iea), "--out", str(out)]) == 0
    import csv
    rows = {(r["source_id"], r["commodity"], r["origin"]): (float(r["value"]), r["unit"], r["route"])
            for r in csv.DictReader(open(out, encoding="utf-8"))}
    assert rows[("eurostat_nrg_ti_gasm", "pipeline_gas", "RUS")] == (6.5, "bcm", "")  # 7 - 0.5 LNG
    assert rows[("eurostat_nrg_ti_gasm", "lng", "RUS")] == (0.5, "bcm", "")
    assert rows[("eurostat_nrg_ti_oilm", "crude_oil", "ROW")] == (3.0, "Mt", "")
    assert rows[("gacc_monthly", "crude_oil", "RUS")] == (7.0, "Mt", "")
    assert rows[("iea_gtf_2024_03", "pipeline_gas", "RUS")] == (5000.0, "mcm", "nord_stream_1")
    assert len(rows) == 5


def test_importer_missing_file_exits_1(tmp_path, capsys):
    assert _script().main(["--eurostat", str(tmp_path / "no.csv"), "--china", "x", "--iea", "y"]) == 1
    assert "no such file" in capsys.readouterr().err


def test_bad_month_is_file_row_column(tmp_path):
    (tmp_path / "series_monthly.csv").write_text(
        "month,layer,commodity,origin,destination,route,point,value,unit,source_id,note\n"
        "2021-01,energy,lng,RUS,EU27,,,1,bcm,s,\n2021-13,energy,lng,RUS,EU27,,,1,bcm,s,\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"^series_monthly.csv:2: month: '2021-13' is not YYYY-MM"):
        build_series(tmp_path)


@pytest.mark.slow
def test_real_import_equals_the_committed_csv(tmp_path):
    files = [SERIES / "eurostat_monthly_energy_imports_by_partner.csv.gz",
             SERIES / "china_customs_monthly_imports_from_russia.csv",
             SERIES / "iea_gas_trade_flows_monthly_by_borderpoint.csv"]
    if not all(f.is_file() for f in files):
        pytest.skip("reference series not present (never committed)")
    out = tmp_path / "series_monthly.csv"
    assert _script().main(["--eurostat", str(files[0]), "--china", str(files[1]), "--iea", str(files[2]),
                           "--out", str(out)]) == 0
    assert out.read_bytes() == (ROOT / "data" / "src" / "series_monthly.csv").read_bytes()
