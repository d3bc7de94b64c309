"""One measure suite, every backend (issue 9; ibis runs one suite against each engine the same way).

The same small hand-checked data go through the three implementations of the measures: the reference
(``netdep.metrics`` on networkx graphs, via :func:`netdep.metrics.tables.core_tables`), the batched NumPy kernels
of the sweep path (:class:`netdep.scenario.fast.FastMeasures`) and the DuckDB views of ``netdep/sql/views.sql``.
Each test states the expected values by hand; every backend must give them. A backend that does not define a
measure says so (``pytest.skip`` with the reason), it is never silently left out.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest

from netdep.store import Data, table_from_rows

YEAR = 2023
# Pipeline gas: NOR → EU27 3, DZA → EU27 1, NOR → GBR 2, ROW (remainder) → GBR 2; LNG: USA → EU27 1.
FLOWS = [("pipeline_gas", "NOR", "EU27", 3.0), ("pipeline_gas", "DZA", "EU27", 1.0),
         ("pipeline_gas", "NOR", "GBR", 2.0), ("pipeline_gas", "ROW", "GBR", 2.0), ("lng", "USA", "EU27", 1.0)]


def tiny() -> Data:
    actors = [{"actor": a, "name": a, "kind": "aggregate" if a == "ROW" else "bloc" if a == "EU27" else "country",
               "members": []} for a in ("DZA", "EU27", "GBR", "NOR", "ROW", "USA")]
    rows = {
        "sources": [{"source_id": "s", "title": "t", "publisher": "p", "url": "https://example.org",
                     "published": None, "note": None}],
        "actors": actors,
        "commodities": [{"commodity": c, "layer": "energy", "unit": "bcm", "ej_per_unit": 0.036, "balance_of": None,
                         "description": c, "source_id": None} for c in ("pipeline_gas", "lng")],
        "routes": [],
        "flows": [{"year": YEAR, "layer": "energy", "commodity": c, "origin": o, "destination": d, "value": v,
                   "value_usd_bn": None, "route": None, "source_id": "s", "note": None} for c, o, d, v in FLOWS],
        "balances": [], "prices": [], "policy": [],
    }
    from netdep.schema import TABLE_ORDER

    return Data({n: table_from_rows(n, rows.get(n, [])) for n in TABLE_ORDER})


# --- the three backends: each returns {table: {key: {measure: value}}} ------------------------------------------

def reference(data: Data) -> dict:
    from netdep.metrics.tables import core_tables

    t = core_tables(data, YEAR, ("energy",))
    return _index(t.get("dependencies", []), t.get("concentration", []), t.get("centrality", []))


def batched(data: Data) -> dict:
    from netdep.scenario.fast import FastMeasures

    deps, conc, cent = {}, {}, {}
    for r in FastMeasures(data, YEAR).base_long.to_pylist():
        if r["table"] == "dependencies":
            deps.setdefault((r["commodity"], r["origin"], r["destination"]), {})[r["measure"]] = r["value"]
        elif r["table"] == "concentration":
            d = conc.setdefault((r["commodity"], r["actor"], r["side"]), {})
            d[r["measure"]] = r["value"]
            d["top_partner"] = r["top_partner"]
        elif r["table"] == "centrality":
            cent.setdefault((r["commodity"], r["actor"]), {})[r["measure"]] = r["value"]
    return {"dependencies": deps, "concentration": conc, "centrality": cent}


def sql(data: Data, folder: Path) -> dict:
    from netdep.db import connect

    for name, table in data.tables.items():
        pq.write_table(table, folder / f"{name}.parquet")
    con = connect(folder, validate=False)

    def records(q: str) -> list[dict]:
        cur = con.execute(q)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    return _index(records("SELECT * FROM dependencies"), records("SELECT * FROM concentration"), None)


def _index(deps: list[dict], conc: list[dict], cent: list[dict] | None) -> dict:
    out = {"dependencies": {(r["commodity"], r["origin"], r["destination"]): r for r in deps if r["year"] == YEAR},
           "concentration": {(r["commodity"], r["actor"], r["side"]): r for r in conc if r["year"] == YEAR}}
    if cent is not None:
        c: dict = {}
        for r in cent:
            if r["year"] == YEAR:
                c.setdefault((r["commodity"], r["actor"]), {})[r["measure"]] = r["value"]
        out["centrality"] = c
    return out


@pytest.fixture(params=["reference", "batched", "sql"])
def backend(request, tmp_path: Path) -> tuple[str, dict]:
    data = tiny()
    if request.param == "reference":
        return "reference", reference(data)
    if request.param == "batched":
        return "batched", batched(data)
    return "sql", sql(data, tmp_path)


def test_import_and_export_shares(backend) -> None:
    """share_in = w(o→d) / Σ_x w(x→d); share_out = w(o→d) / Σ_y w(o→y) (hand-computed)."""
    _, m = backend
    d = m["dependencies"]
    expected = {("pipeline_gas", "NOR", "EU27"): (0.75, 0.6), ("pipeline_gas", "DZA", "EU27"): (0.25, 1.0),
                ("pipeline_gas", "NOR", "GBR"): (0.5, 0.4), ("pipeline_gas", "ROW", "GBR"): (0.5, 1.0),
                ("lng", "USA", "EU27"): (1.0, 1.0)}
    for key, (s_in, s_out) in expected.items():
        assert d[key]["share_in"] == pytest.approx(s_in, abs=1e-12), key
        assert d[key]["share_out"] == pytest.approx(s_out, abs=1e-12), key


def test_supplier_hhi_and_top_partner(backend) -> None:
    """HHI = Σ s_i² over named partners; a remainder (ROW) adds nothing and is never the top partner."""
    _, m = backend
    c = m["concentration"]
    eu = c[("pipeline_gas", "EU27", "in")]
    assert eu["hhi"] == pytest.approx(0.75 ** 2 + 0.25 ** 2, abs=1e-12)
    assert eu["top_partner"] == "NOR"
    gb = c[("pipeline_gas", "GBR", "in")]
    assert gb["hhi"] == pytest.approx(0.25, abs=1e-12)  # NOR 0.5 named; ROW 0.5 is a remainder
    assert gb["top_partner"] == "NOR"
    nor = c[("pipeline_gas", "NOR", "out")]
    assert nor["hhi"] == pytest.approx(0.6 ** 2 + 0.4 ** 2, abs=1e-12)
    assert nor["top_partner"] == "EU27"


def test_remainder_share_is_reported_as_unattributed(backend) -> None:
    _, m = backend
    assert m["concentration"][("pipeline_gas", "GBR", "in")]["unattributed_share"] == pytest.approx(0.5, abs=1e-12)
    assert m["concentration"][("pipeline_gas", "EU27", "in")]["unattributed_share"] == pytest.approx(0.0, abs=1e-12)


def test_pagerank_both_sides_equal_networkx(backend) -> None:
    """Importer-side PageRank on exporter→importer edges; exporter-side on reversed edges (networkx oracle)."""
    name, m = backend
    if "centrality" not in m:
        pytest.skip(f"{name}: the SQL views define no centrality (PageRank runs in Python; see netdep.metrics)")
    G = nx.DiGraph()
    for c, o, d, v in FLOWS:
        if c == "pipeline_gas":
            G.add_edge(o, d, value=v)
    imp = nx.pagerank(G, weight="value")
    exp = nx.pagerank(G.reverse(copy=True), weight="value")
    got = m["centrality"]
    for a in G:
        assert got[("pipeline_gas", a)]["pagerank"] == pytest.approx(imp[a], abs=1e-9), a
        assert got[("pipeline_gas", a)]["pagerank_exporter"] == pytest.approx(exp[a], abs=1e-9), a


def test_strengths(backend) -> None:
    name, m = backend
    if "centrality" not in m:
        pytest.skip(f"{name}: the SQL views define no centrality (strengths are sums in pair_flows)")
    got = m["centrality"]
    assert got[("pipeline_gas", "NOR")]["out_strength"] == pytest.approx(5.0)
    assert got[("pipeline_gas", "EU27")]["in_strength"] == pytest.approx(4.0)
