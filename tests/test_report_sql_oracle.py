"""Recompute every share and HHI of `netdep report --format json` from flows.parquet with plain DuckDB SQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

# routes summed, plus the fuel level (gas = pipeline + LNG, oil = crude + products via commodities.balance_of) in
# years with flows of every member commodity
PAIRS = """
    WITH c AS (SELECT * FROM read_parquet($commodities)),
    base AS (SELECT year, commodity, origin, destination, sum(value) AS v FROM read_parquet($flows) GROUP BY ALL),
    fuel_years AS (
        SELECT b.year, c.balance_of AS fuel FROM base b JOIN c USING (commodity) WHERE c.balance_of IS NOT NULL
        GROUP BY ALL
        HAVING count(DISTINCT b.commodity) = (SELECT count(*) FROM c c2 WHERE c2.balance_of = c.balance_of)
    ),
    p AS (
        SELECT * FROM base
        UNION ALL
        SELECT b.year, c.balance_of, b.origin, b.destination, sum(b.v)
        FROM base b JOIN c USING (commodity) JOIN fuel_years f ON f.year = b.year AND f.fuel = c.balance_of
        GROUP BY ALL
    )
"""

SHARES = PAIRS + """
SELECT year, commodity, origin, destination,
       v / nullif(sum(v) OVER (PARTITION BY year, commodity, destination), 0) AS share_in,
       v / nullif(sum(v) OVER (PARTITION BY year, commodity, origin), 0) AS share_out
FROM p
"""

HHI = PAIRS + """, sides AS (
    SELECT year, commodity, destination AS actor, 'in' AS side, origin AS partner, v FROM p
    UNION ALL
    SELECT year, commodity, origin AS actor, 'out' AS side, destination AS partner, v FROM p
), s AS (
    SELECT sides.*, v / sum(v) OVER (PARTITION BY year, commodity, actor, side) AS share,
           a.kind = 'aggregate' AS remainder
    FROM sides JOIN (SELECT actor AS code, kind FROM read_parquet($actors)) a ON a.code = sides.partner
)
SELECT year, commodity, actor, side,
       sum(CASE WHEN remainder THEN 0 ELSE share * share END) AS hhi,
       max(CASE WHEN remainder THEN NULL ELSE share END) AS top_share
FROM s GROUP BY ALL
HAVING sum(v) > 0
"""


@pytest.fixture(scope="module")
def report_json() -> dict:
    out = subprocess.run([sys.executable, "-m", "netdep", "report", "--data", str(DATA), "--format", "json"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def test_every_share_equals_plain_sql(report_json):
    con = duckdb.connect()
    rows = con.execute(SHARES, {"flows": str(DATA / "flows.parquet"),
                                "commodities": str(DATA / "commodities.parquet")}).fetchall()
    sql = {(y, c, o, d): (si, so) for y, c, o, d, si, so in rows}
    deps = report_json["dependencies"]
    assert len(deps) > 1000
    years = {r["year"] for r in deps}
    assert len([k for k in sql if k[0] in years]) == len(deps)  # one record per pair, nothing missing or extra
    for r in deps:
        si, so = sql[(r["year"], r["commodity"], r["origin"], r["destination"])]
        assert r["share_in"] == pytest.approx(si, abs=1e-12) if si is not None else r["share_in"] is None
        assert r["share_out"] == pytest.approx(so, abs=1e-12) if so is not None else r["share_out"] is None


def test_every_hhi_equals_plain_sql(report_json):
    con = duckdb.connect()
    rows = con.execute(HHI, {"flows": str(DATA / "flows.parquet"), "actors": str(DATA / "actors.parquet"),
                             "commodities": str(DATA / "commodities.parquet")}).fetchall()
    sql = {(y, c, a, s): (h, t) for y, c, a, s, h, t in rows}
    conc = report_json["concentration"]
    assert len(conc) > 300
    years = {r["year"] for r in conc}
    assert len([k for k in sql if k[0] in years]) == len(conc)
    for r in conc:
        h, t = sql[(r["year"], r["commodity"], r["actor"], r["side"])]
        assert r["hhi"] == pytest.approx(h, abs=1e-12)
        assert (r["top_share"] is None and t is None) or r["top_share"] == pytest.approx(t, abs=1e-12)


def test_json_record_shapes(report_json):
    assert set(report_json["dependencies"][0]) >= {"year", "layer", "commodity", "origin", "destination", "value",
                                                   "unit", "share_in", "share_out"}
    assert set(report_json["concentration"][0]) >= {"year", "layer", "commodity", "actor", "side", "hhi",
                                                    "top_partner", "top_share"}
    assert set(report_json["centrality"][0]) == {"year", "layer", "commodity", "actor", "measure", "value",
                                                 "low", "high", "range_method"}  # issue 15: the value's range
    measures = {r["measure"] for r in report_json["centrality"]}
    assert measures >= {"pagerank", "pagerank_exporter", "in_strength", "out_strength", "betweenness",
                        "supply_dependence", "market_dependence"}
    assert not measures & {"bonacich", "dependency_centrality"}
    assert measures & {"eigenvector", "katz"}
    layers = {(r["layer"], r["commodity"]) for r in report_json["centrality"]}
    assert ("all", "*") in layers and ("energy", "*") in layers and ("energy", "crude_oil") in layers


def test_coverage_and_fuel_rows_equal_the_sql_views(report_json):
    """The `dependencies` and `concentration` views (netdep/sql/views.sql) give the same coverage and strategic
    flags as the report."""
    from netdep import db

    con = db.connect(str(DATA))
    dep = {tuple(r[:5]): r[5:] for r in con.execute(
        "SELECT year, layer, commodity, origin, destination, coverage_in, coverage_out FROM dependencies").fetchall()}
    conc = {tuple(r[:5]): r[5] for r in con.execute(
        "SELECT year, layer, commodity, actor, side, coverage FROM concentration").fetchall()}
    strategic = {tuple(r[:5]): r[5] for r in con.execute(
        "SELECT year, layer, commodity, actor, side, strategic FROM concentration").fetchall()}
    assert any(r["commodity"] == "natural_gas" for r in report_json["dependencies"])  # fuel level present
    nulls = 0
    for r in report_json["dependencies"]:
        ci, co = dep[(r["year"], r["layer"], r["commodity"], r["origin"], r["destination"])]
        for mine, theirs in ((r["coverage_in"], ci), (r["coverage_out"], co)):
            assert (mine is None) == (theirs is None)
            assert mine is None or mine == pytest.approx(theirs, abs=1e-12)
            nulls += mine is None
    assert nulls > 0  # some totals are unknown in the bundled data (e.g. Russia's goods imports 2024)
    for r in report_json["concentration"]:
        c = conc[(r["year"], r["layer"], r["commodity"], r["actor"], r["side"])]
        assert (r["coverage"] is None) == (c is None)
        assert c is None or r["coverage"] == pytest.approx(c, abs=1e-12)
        assert r["strategic"] is strategic[(r["year"], r["layer"], r["commodity"], r["actor"], r["side"])]
    flags = [r["strategic"] for r in report_json["concentration"]]
    assert flags.count(True) and flags.count(False) and flags.count(None)  # all three outcomes occur
