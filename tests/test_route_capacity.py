"""Issue 10: route capacity by year (route_capacity view, netdep.routes.capacity) and measured route use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from netdep import db
from netdep.capacity import build_route_capacity
from netdep.errors import SourceFormatError
from netdep.routes import capacity, measured_use, route_use
from netdep.store import load

ROOT = Path(__file__).resolve().parents[1]
GEM = ROOT.parent / "shared" / "reference" / "infrastructure" / "Europe-Gas-Tracker-2024-01.xlsx"


@pytest.fixture(scope="module")
def data():
    return load(ROOT / "data")


def test_capacity_by_year_and_fallback(data):
    assert capacity(data, "espo_china_spur", 2017).capacity == 15.0
    assert capacity(data, "espo_china_spur", 2018).capacity == 30.0  # second Mohe-Daqing line (Transneft)
    eu = [capacity(data, "eu_lng_regas", y).capacity for y in range(2017, 2026)]
    assert eu[0] == 162.8 and eu[6] == 223.3 and eu == sorted(eu)  # GEM: ~200+ by end-2023, growing
    ns = capacity(data, "nord_stream_1", 2022)
    assert (ns.status, ns.by_year, ns.source_id) == ("destroyed", True, "review_clateway_com_0ec09e")
    assert capacity(data, "ukraine_transit", 2025).status == "offline"
    blue = capacity(data, "blue_stream", 2021)  # no per-year row: routes.csv's single value, and it says so
    assert (blue.capacity, blue.by_year) == (16.0, False)
    with pytest.raises(KeyError):
        capacity(data, "no_such_route", 2021)


def test_route_capacity_view_one_row_per_route_and_year():
    con = db.connect(ROOT / "data")
    try:
        n_routes = con.execute("select count(*) from routes").fetchone()[0]
        n_years = con.execute("select count(distinct year) from flows where layer = 'energy'").fetchone()[0]
        rows = con.execute("select count(*), count(distinct (route, year)) from route_capacity").fetchone()
        cols = [r[0] for r in con.execute("describe route_capacity").fetchall()]
        cited = con.execute("select count(*) from route_capacity anti join sources using (source_id)").fetchone()[0]
    finally:
        con.close()
    assert rows == (n_routes * n_years, n_routes * n_years)
    assert cols[:5] == ["route", "year", "capacity", "status", "source_id"]
    assert cited == 0


def test_measured_use_against_the_iea_points(data):
    m = measured_use(data, 2023)
    assert m["ukraine_transit"] == 12.975  # IEA entry points UA->EU, 2023 (the allocation rule gave 18.5)
    assert "nord_stream_1" not in m  # destroyed: nothing measured
    assert measured_use(data, 2024) == {}  # the series ends 2024-01: no full year
    # where measured, the allocation rule is not needed: tagged flows from measured use are one query away
    assert route_use(data, 2023).use["ukraine_transit"] > m["ukraine_transit"]


def test_bad_capacity_rows(tmp_path):
    d = tmp_path / "src"
    shutil.copytree(ROOT / "data" / "src", d)
    with open(d / "route_capacity.csv", "a", encoding="utf-8") as f:
        f.write("yamal_europe,2017,1,operating,pledgetimes_com_dd8c04,dup\n")
    with pytest.raises(SourceFormatError, match=r"route_capacity.csv:\d+: year: yamal_europe 2017 is also given"):
        build_route_capacity(d)
    with open(d / "route_capacity_x.csv", "w", encoding="utf-8") as f:
        f.write("route,year,capacity,status,source_id,note\nnope,2017,1,operating,s,\n")
    (d / "route_capacity.csv").unlink()
    (d / "route_capacity_gem.csv").unlink()
    with pytest.raises(SourceFormatError, match=r"^route_capacity_x.csv:1: route: 'nope' is not in routes.csv"):
        build_route_capacity(d, routes={"yamal_europe"})


@pytest.mark.slow
def test_gem_import_equals_the_committed_csv(tmp_path):
    if not GEM.is_file():
        pytest.skip("GEM workbook not present (never committed)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("irc", ROOT / "scripts" / "import_route_capacity.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "route_capacity_gem.csv"
    assert mod.main(["--gem", str(GEM), "--out", str(out)]) == 0
    assert out.read_bytes() == (ROOT / "data" / "src" / "route_capacity_gem.csv").read_bytes()
