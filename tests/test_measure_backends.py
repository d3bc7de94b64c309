"""One measure suite, every backend (issue 9; ibis runs one suite against each engine the same way).

The same small hand-checked data go through the three implementations of the measures: the reference
(``netdep.metrics`` on networkx graphs, via :func:`netdep.metrics.tables.core_tables`), the batched NumPy kernels
of the sweep path (:class:`netdep.scenario.fast.FastMeasures`) and the DuckDB views of ``netdep/sql/views.sql``.
Each test states the expected values by hand; every backend must give them. A backend that does not define a
measure says so (``pytest.skip`` with the reason), it is never silently left out.

The registry (:mod:`netdep.metrics.registry`) drives the main suite: every registered measure × every backend its
entry declares runs against the oracle below (``ORACLE``: hand-computed values, or networkx's own functions for
PageRank, eigenvector/Katz and betweenness). A registered measure without a backend or an oracle fails.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest

from netdep.store import Data, table_from_rows

YEAR = 2023
# Pipeline gas: NOR → EU27 3, DZA → EU27 1, NOR → GBR 2, ROW (remainder) → GBR 2; LNG: USA → EU27 1.
# Crude oil: a cycle NOR → EU27 2 → GBR 1 → NOR 1 (strongly connected: eigenvector). Coal: USA → EU27 3, USA → ROW 1
# (a remainder buyer: USA's export total is known). Gas (pipeline + LNG) is one fuel; EU27 consumes 10 bcm of it.
FLOWS = [("pipeline_gas", "NOR", "EU27", 3.0), ("pipeline_gas", "DZA", "EU27", 1.0),
         ("pipeline_gas", "NOR", "GBR", 2.0), ("pipeline_gas", "ROW", "GBR", 2.0), ("lng", "USA", "EU27", 1.0),
         ("crude_oil", "NOR", "EU27", 2.0), ("crude_oil", "EU27", "GBR", 1.0), ("crude_oil", "GBR", "NOR", 1.0),
         ("coal", "USA", "EU27", 3.0), ("coal", "USA", "ROW", 1.0)]
#: unit and energy content (EJ per unit) of each commodity; gas and LNG are balanced as natural gas
COMMODITIES = {"pipeline_gas": ("bcm", 0.036, "natural_gas"), "lng": ("bcm", 0.036, "natural_gas"),
               "natural_gas": ("bcm", 0.036, None), "crude_oil": ("Mt", 0.042, None), "coal": ("Mt", 0.025, None)}
EU_GAS_CONSUMPTION = 10.0


def tiny() -> Data:
    actors = [{"actor": a, "name": a, "kind": "aggregate" if a == "ROW" else "bloc" if a == "EU27" else "country",
               "members": []} for a in ("DZA", "EU27", "GBR", "NOR", "ROW", "USA")]
    rows = {
        "sources": [{"source_id": "s", "title": "t", "publisher": "p", "url": "https://example.org",
                     "published": None, "note": None}],
        "actors": actors,
        "commodities": [{"commodity": c, "layer": "energy", "unit": u, "ej_per_unit": k, "balance_of": b,
                         "description": c, "source_id": None} for c, (u, k, b) in COMMODITIES.items()],
        "routes": [],
        "flows": [{"year": YEAR, "layer": "energy", "commodity": c, "origin": o, "destination": d, "value": v,
                   "value_usd_bn": None, "route": None, "source_id": "s", "note": None} for c, o, d, v in FLOWS],
        "balances": [{"actor": "EU27", "year": YEAR, "commodity": "natural_gas", "production": None,
                      "consumption": EU_GAS_CONSUMPTION, "source_id": "s", "note": None}],
        "prices": [], "policy": [],
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


# --- the registry-driven suite: every registered measure × every backend it declares ----------------------------

from netdep.metrics.registry import MEASURES, centrality_names, kernel, measures_of  # noqa: E402
from netdep.schema import OUTPUT_RECORDS  # noqa: E402

_LONG_KEY = ("table", "measure", "layer", "commodity", "origin", "destination", "actor", "side")


def _long_index(t) -> dict[tuple, float | None]:
    cols = {c: t.column(c).to_pylist() for c in (*_LONG_KEY, "value", "year")}
    out = {}
    for i in range(t.num_rows):
        if cols["year"][i] == YEAR:
            out[tuple(cols[c][i] for c in _LONG_KEY)] = cols["value"][i]
    return out


def long_reference(data: Data, folder: Path):
    from netdep.scenario.measures import long_table, measure_tables

    return long_table(measure_tables(data, YEAR, ("energy",)), "reference")


def long_batched(data: Data, folder: Path):
    from netdep.scenario.fast import FastMeasures

    fm = FastMeasures(data, YEAR, ("energy",))
    return fm.long([fm.base_state], "batched")


def long_sql(data: Data, folder: Path):
    from netdep.db import connect
    from netdep.scenario.measures import long_table

    for name, table in data.tables.items():
        pq.write_table(table, folder / f"{name}.parquet")
    con = connect(folder, validate=False)

    def records(view: str) -> list[dict]:
        cur = con.execute(f"SELECT * FROM {view}")  # noqa: S608 (a view name of the registry, not input)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    return long_table({"dependencies": records("dependencies"), "concentration": records("concentration")}, "sql")


LONG = {"reference": long_reference, "batched": long_batched, "sql": long_sql}
_cache: dict[str, dict] = {}


def long_of(backend: str, tmp_path_factory) -> dict[tuple, float | None]:
    if backend not in _cache:
        _cache[backend] = _long_index(LONG[backend](tiny(), tmp_path_factory.mktemp(backend)))
    return _cache[backend]


def _graph(commodity: str) -> nx.DiGraph:
    G = nx.DiGraph()
    for c, o, d, v in FLOWS:
        if c == commodity:
            G.add_edge(o, d, value=G.get_edge_data(o, d, {"value": 0.0})["value"] + v)
    return G


def _dependence(G: nx.DiGraph, side: str) -> dict[str, float]:
    """SD(j) = Σ_i w(j→i) / in(i), MD(j) = Σ_i w(i→j) / out(i), over named i (hand-written, not netdep's)."""
    out = {n: 0.0 for n in G if n != "ROW"}
    for o, d, w in G.edges(data="value"):
        i, j = (d, o) if side == "supply" else (o, d)
        tot = G.in_degree(i, weight="value") if side == "supply" else G.out_degree(i, weight="value")
        if j in out and i != "ROW":
            out[j] += w / tot
    return out


def _eigenvector_or_katz(G: nx.DiGraph) -> tuple[str, dict[str, float]]:
    if nx.is_strongly_connected(G):
        return "eigenvector", nx.eigenvector_centrality(G, weight="value")
    A = nx.to_numpy_array(G, weight="value")
    import numpy as np

    rho = float(np.max(np.abs(np.linalg.eigvals(A)))) or float(np.linalg.norm(A, 2))  # acyclic: largest sing. value
    return "katz", nx.katz_centrality_numpy(G, alpha=0.9 / rho, beta=1.0, weight="value")


def _betweenness(G: nx.DiGraph) -> dict[str, float]:
    H = nx.DiGraph()
    H.add_nodes_from(G)
    H.add_weighted_edges_from(((o, d, 1.0 / w) for o, d, w in G.edges(data="value")), weight="distance")
    return nx.betweenness_centrality(H, weight="distance", normalized=True)


def _centrality_oracle() -> dict[str, dict[tuple, tuple[str, float]]]:
    """measure id -> {(commodity, actor): (record measure name, value)} from networkx on each commodity graph."""
    out: dict[str, dict] = {m.id: {} for m in measures_of("centrality")}
    for c in ("pipeline_gas", "lng", "crude_oil", "coal"):
        G = _graph(c)
        ek_name, ek = _eigenvector_or_katz(G)
        per = {"in_strength": ("in_strength", dict(G.in_degree(weight="value"))),
               "out_strength": ("out_strength", dict(G.out_degree(weight="value"))),
               "pagerank": ("pagerank", nx.pagerank(G, weight="value")),
               "pagerank_exporter": ("pagerank_exporter", nx.pagerank(G.reverse(copy=True), weight="value")),
               "eigenvector_or_katz": (ek_name, ek), "betweenness": ("betweenness", _betweenness(G)),
               "supply_dependence": ("supply_dependence", _dependence(G, "supply")),
               "market_dependence": ("market_dependence", _dependence(G, "market"))}
        for m, (name, vals) in per.items():
            out[f"centrality.{m}"].update({(c, a): (name, v) for a, v in vals.items()})
    return out


# energy aggregate (EJ) for the asymmetry USA → EU27: LNG 1 bcm and coal 3 Mt
_US_EU = 1 * 0.036 + 3 * 0.025
_EU_IN = (3 + 1 + 1) * 0.036 + 2 * 0.042 + 3 * 0.025  # NOR, DZA pipeline + USA LNG; NOR crude; USA coal
_US_OUT = _US_EU + 1 * 0.025  # + coal to ROW
PG, NG = "pipeline_gas", "natural_gas"
#: measure id -> {compact key: expected}; keys: dependencies (commodity, origin, destination); concentration
#: (commodity, actor, side); asymmetry (commodity, supplier, buyer); vulnerability (commodity, actor, partner)
ORACLE: dict[str, dict[tuple, float | None]] = {
    "dependencies.share_in": {(PG, "NOR", "EU27"): 0.75, (PG, "DZA", "EU27"): 0.25, (PG, "NOR", "GBR"): 0.5,
                              (PG, "ROW", "GBR"): 0.5, ("lng", "USA", "EU27"): 1.0, ("crude_oil", "NOR", "EU27"): 1.0,
                              ("coal", "USA", "ROW"): 1.0, (NG, "NOR", "EU27"): 0.6, (NG, "USA", "EU27"): 0.2},
    "dependencies.share_out": {(PG, "NOR", "EU27"): 0.6, (PG, "NOR", "GBR"): 0.4, (PG, "DZA", "EU27"): 1.0,
                               ("coal", "USA", "EU27"): 0.75, ("coal", "USA", "ROW"): 0.25, (NG, "NOR", "EU27"): 0.6},
    "dependencies.share_of_consumption": {(PG, "NOR", "EU27"): 3 / 10, (PG, "DZA", "EU27"): 1 / 10,
                                          ("lng", "USA", "EU27"): 1 / 10, (NG, "NOR", "EU27"): 3 / 10,
                                          (PG, "NOR", "GBR"): None, ("coal", "USA", "EU27"): None},
    "dependencies.coverage_in": {(PG, "NOR", "GBR"): 0.5, (PG, "NOR", "EU27"): None, ("coal", "USA", "EU27"): None},
    "dependencies.coverage_out": {("coal", "USA", "EU27"): 0.75, (PG, "NOR", "EU27"): None},
    "concentration.hhi": {(PG, "EU27", "in"): 0.75 ** 2 + 0.25 ** 2, (PG, "GBR", "in"): 0.25,
                          (PG, "NOR", "out"): 0.6 ** 2 + 0.4 ** 2, ("coal", "USA", "out"): 0.75 ** 2,
                          (NG, "EU27", "in"): 0.6 ** 2 + 0.2 ** 2 + 0.2 ** 2},
    "concentration.top_share": {(PG, "EU27", "in"): 0.75, (PG, "GBR", "in"): 0.5, ("coal", "USA", "out"): 0.75},
    "concentration.unattributed_share": {(PG, "GBR", "in"): 0.5, (PG, "EU27", "in"): 0.0,
                                         ("coal", "USA", "out"): 0.25},
    "concentration.partners": {(PG, "EU27", "in"): 2, (PG, "GBR", "in"): 2, ("coal", "USA", "out"): 2},
    "concentration.coverage": {(PG, "GBR", "in"): 0.5, ("coal", "USA", "out"): 0.75, (PG, "EU27", "in"): None},
    "asymmetry.buyer_dependence": {("*", "USA", "EU27"): _US_EU / _EU_IN},
    "asymmetry.supplier_dependence": {("*", "USA", "EU27"): _US_EU / _US_OUT},
    "asymmetry.asymmetry": {("*", "USA", "EU27"): _US_EU / _EU_IN - _US_EU / _US_OUT},
    "asymmetry.coverage_in": {("*", "USA", "EU27"): None},  # EU27 has no remainder supplier: total unknown
    "asymmetry.coverage_out": {("*", "USA", "EU27"): _US_EU / _US_OUT},  # ROW buys the rest: total known
    # no routes in the tiny data: nothing is known to replace a partner, and unknown stays unknown (None), not 0
    "vulnerability.at_risk": {(PG, "EU27", "NOR"): 3.0, (PG, "EU27", "DZA"): 1.0, ("lng", "EU27", "USA"): 1.0,
                              ("crude_oil", "EU27", "NOR"): 2.0, ("coal", "EU27", "USA"): 3.0},
    "vulnerability.share_in": {(PG, "EU27", "NOR"): 0.75, (PG, "EU27", "DZA"): 0.25, ("coal", "EU27", "USA"): 1.0},
    "vulnerability.replaceable": {(PG, "EU27", "NOR"): None, ("lng", "EU27", "USA"): None},
    "vulnerability.replaceable_known": {(PG, "EU27", "NOR"): 0.0, ("lng", "EU27", "USA"): 0.0},
    "vulnerability.unreplaceable": {(PG, "EU27", "NOR"): None, ("coal", "EU27", "USA"): None},
    "vulnerability.unreplaceable_share": {(PG, "EU27", "NOR"): None, ("coal", "EU27", "USA"): None},
}
CENTRALITY = _centrality_oracle()


def _long_key(m, key: tuple, name: str) -> tuple:
    """The long-table key of an oracle entry of measure ``m`` (see :func:`netdep.scenario.measures.long_table`)."""
    if m.record == "dependencies":
        c, o, d = key
        return ("dependencies", name, "energy", c, o, d, None, None)
    if m.record == "concentration":
        c, a, side = key
        return ("concentration", name, "energy", c, None, None, a, side)
    if m.record == "centrality":
        c, a = key
        return ("centrality", name, "energy", c, None, None, a, None)
    if m.record == "asymmetry":
        c, s, b = key
        return ("asymmetry", name, "energy", c, s, b, None, None)
    c, a, p = key  # vulnerability: partner in origin, actor in destination
    return ("vulnerability", name, "energy", c, p, a, None, None)


CASES = [pytest.param(mid, b, id=f"{mid}-{b}") for mid, m in MEASURES.items() for b in m.backends]


@pytest.mark.parametrize("measure, backend", CASES)
def test_registered_measure_on_its_backend(measure: str, backend: str, tmp_path_factory) -> None:
    m = MEASURES[measure]
    got = long_of(backend, tmp_path_factory)
    assert callable(kernel(measure, backend)) or backend == "sql"
    emitted = {k for k in got if k[0] == m.record and k[1] in m.record_names}
    assert emitted, f"{backend} declares {measure} but gives no {m.record} row for it"
    if m.record == "centrality":
        expected = {key: v for key, v in CENTRALITY[measure].items()}
        for key, (name, v) in expected.items():
            k = _long_key(m, key, name)
            assert k in got, f"{backend}: no {name} for {key}"
            assert got[k] == pytest.approx(v, abs=1e-6), (backend, key, name)
        return
    for key, v in ORACLE[measure].items():
        k = _long_key(m, key, m.name)
        assert k in got, f"{backend}: no {measure} record for {key}"
        if v is None:
            assert got[k] is None, (backend, key, got[k])
        else:
            assert got[k] == pytest.approx(v, abs=1e-12), (backend, key)


def test_every_registered_measure_has_a_backend_and_an_oracle() -> None:
    for mid, m in MEASURES.items():
        assert m.backends, f"{mid} declares no backend"
        assert "reference" in m.backends, f"{mid} has no reference kernel"
        assert mid in ORACLE or mid in CENTRALITY, f"{mid} has no oracle in this suite"
        assert m.formula and m.reference, mid


def test_registry_and_record_specs_name_the_same_measures() -> None:
    """Every numeric field of a record (except the flow itself, ``value``) is a registered measure, and back."""
    from netdep.metrics.centrality import MEASURES as CENTRALITY_NAMES

    for name, rec in OUTPUT_RECORDS.items():
        registered = {m.name for m in measures_of(name)}
        if name == "centrality":
            assert set(centrality_names()) == set(CENTRALITY_NAMES)
        else:
            assert registered == set(rec.measures) - {"value"}, name
