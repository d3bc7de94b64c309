"""Issue 12's measures on small hand-checked graphs: coverage, the strategic screen, fuel graphs, supply- and
market-side dependence, exporter-side PageRank, Katz where not strongly connected, the cross-layer graph and
its weight sensitivity, and vulnerability bounded by what other suppliers can offer."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from factories import tiny_data

from netdep.graph import cross_layer_graph, fuel_graph, graphs
from netdep.metrics import (
    concentration_records,
    coverage,
    dependency_records,
    eigenvector_or_katz,
    fuel_balance,
    is_complete_matrix,
    market_dependence,
    pagerank,
    pagerank_exporter,
    strategic_screen,
    supply_dependence,
    vulnerability_records,
)
from netdep.metrics.sensitivity import robust_ranking, sensitivity_records
from netdep.store import Data, table_from_rows

REM = {"ROW", "OTHER"}


def g(*edges, **graph) -> nx.DiGraph:
    G = nx.DiGraph(**graph)
    for o, d, w in edges:
        G.add_edge(o, d, value=w)
    return G


# ---- coverage ------------------------------------------------------------------------------------------------

def test_coverage_known_only_with_a_remainder_partner_or_a_complete_matrix():
    # C imports 6 from A and 2 from ROW (the rest of the world given): coverage 6/8
    # D imports 5 from B only, no remainder and no remainder->remainder cell: world total unknown
    G = g(("A", "C", 6.0), ("ROW", "C", 2.0), ("B", "D", 5.0))
    cov = coverage(G, REM)
    assert cov[("C", "in")] == pytest.approx(0.75)
    assert cov[("D", "in")] is None
    assert cov[("A", "out")] is None  # A's exports: only C listed, no remainder buyer
    assert not is_complete_matrix(G, REM)
    # a complete matrix (a remainder -> remainder cell exists): every total is the world total
    H = g(("A", "C", 6.0), ("ROW", "C", 2.0), ("B", "D", 5.0), ("ROW", "OTHER", 1.0))
    assert is_complete_matrix(H, REM)
    cov = coverage(H, REM)
    assert cov[("D", "in")] == 1.0 and cov[("A", "out")] == 1.0


def test_dependency_records_carry_both_coverages():
    G = g(("A", "C", 6.0), ("ROW", "C", 2.0), ("A", "ROW", 4.0), ("B", "D", 5.0))
    recs = {(r["origin"], r["destination"]): r for r in dependency_records(G, remainders=REM)}
    assert recs[("A", "C")]["coverage_in"] == pytest.approx(0.75)
    assert recs[("A", "C")]["coverage_out"] == pytest.approx(0.6)  # A: 6 of 10 exports to a named buyer
    assert recs[("B", "D")]["coverage_in"] is None and recs[("B", "D")]["share_in"] == 1.0  # listed partners only


# ---- strategic screen ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, flag, why", [
    ((0.6, 0.6, 80.0, 5.0, True, 100.0), True, "HHI 0.60 > 0.4"),
    ((0.3, 0.3, 80.0, 5.0, True, 100.0), False, "HHI 0.30 <= 0.4"),            # criterion 1 fails
    ((0.6, 0.6, 30.0, 5.0, True, 100.0), False, "imports 30% of consumption"),  # criterion 2 fails
    ((0.6, 0.6, 80.0, 150.0, True, 100.0), False, "imports 80 <= exports 150"),  # net exporter: criterion 3
    ((0.35, 0.45, 80.0, 5.0, True, 100.0), None, "HHI between 0.35 and 0.45"),  # bounds straddle 0.4
    ((0.6, 0.6, 80.0, 5.0, False, 100.0), None, "exports unknown"),
    ((0.6, 0.6, 80.0, 5.0, True, None), None, "no consumption figure"),
    ((0.6, 0.6, None, 5.0, True, 100.0), None, "world total of imports unknown"),
])
def test_strategic_screen_truth_table(args, flag, why):
    got, reason = strategic_screen(*args)
    assert got is flag
    assert why in reason


def test_net_exporter_pipeline_imports_are_not_strategic():
    # US-like: imports pipeline gas from CAN only (HHI 1), but exports more gas (pipeline to MEX + LNG) than it
    # imports: the fuel-level criterion 3 fails. A remainder cell makes the matrices complete.
    pipe = g(("CAN", "USA", 80.0), ("USA", "MEX", 60.0), ("ROW", "OTHER", 1.0), year=2023, commodity="pipeline_gas")
    fuel = g(("CAN", "USA", 80.0), ("USA", "MEX", 60.0), ("USA", "ROW", 110.0), ("ROW", "OTHER", 1.0))
    fb = fuel_balance(fuel, REM, {"USA": 900.0})
    assert fb["USA"] == {"imports": 80.0, "exports": 170.0, "exports_known": True, "consumption": 900.0}
    (r,) = [r for r in concentration_records(pipe, REM, fuel=fb) if r["actor"] == "USA" and r["side"] == "in"]
    assert r["hhi"] == 1.0 and r["coverage"] == 1.0
    assert r["strategic"] is False and "imports 80 <= exports 170" in r["strategic_reason"]


def test_strategic_is_null_where_coverage_is_unknown():
    # FDI-like: only one partner listed, no world total: HHI 1 but no verdict
    G = g(("EU27", "RUS", 200.0))
    (r,) = [r for r in concentration_records(G, REM) if r["actor"] == "RUS" and r["side"] == "in"]
    assert r["hhi"] == 1.0 and r["coverage"] is None
    assert r["strategic"] is None and "world total of imports unknown" in r["strategic_reason"]


def test_hhi_bounds_use_the_unattributed_share():
    # C: A 0.5, B 0.2, ROW 0.3 -> HHI in [0.29, 0.29 + 0.09 = 0.38] <= 0.4: criterion 1 decided False
    G = g(("A", "C", 5.0), ("B", "C", 2.0), ("ROW", "C", 3.0))
    fb = {"C": {"imports": 10.0, "exports": 0.0, "exports_known": True, "consumption": 12.0}}
    (r,) = [r for r in concentration_records(G, REM, fuel=fb) if r["actor"] == "C" and r["side"] == "in"]
    assert r["hhi"] == pytest.approx(0.29) and r["coverage"] == pytest.approx(0.7)
    assert r["strategic"] is False and "HHI at most 0.38" in r["strategic_reason"]


# ---- fuel graphs ----------------------------------------------------------------------------------------------

def test_fuel_graph_sums_modes_and_needs_every_mode():
    data = tiny_data(flows=[("pipeline_gas", "A", "C", 30.0, None), ("lng", "A", "C", 5.0, None),
                            ("lng", "B", "C", 10.0, None)], routes=[])
    # tiny_data's commodities have no balance_of: give them one (natural_gas) to form the fuel
    com = [dict(c, balance_of="natural_gas") for c in data.rows("commodities")]
    com.append({"commodity": "natural_gas", "layer": "energy", "unit": "bcm", "ej_per_unit": 0.036,
                "balance_of": None, "description": "gas", "source_id": None})
    d2 = Data({**data.tables, "commodities": table_from_rows("commodities", com)})
    F = fuel_graph(d2, 2023, "natural_gas")
    assert F["A"]["C"]["value"] == 35.0 and F["B"]["C"]["value"] == 10.0 and F.graph["commodity"] == "natural_gas"
    assert ("energy", "natural_gas") in graphs(d2, 2023)
    only_lng = Data({**d2.tables, "flows": table_from_rows("flows", [r for r in d2.rows("flows")
                                                                      if r["commodity"] == "lng"])})
    assert fuel_graph(only_lng, 2023, "natural_gas") is None  # LNG alone is not gas


# ---- two sides of dependence, PageRank on both sides, Katz ---------------------------------------------------

def test_supply_and_market_dependence_hand_example():
    # R supplies all of C's imports (3) and half of E's (1 of 2); N supplies the other half of E's.
    # R's exports: 3/4 to C, 1/4 to E; N's: all to E.
    G = g(("R", "C", 3.0), ("R", "E", 1.0), ("N", "E", 1.0), ("ROW", "E", 0.0))
    sd, md = supply_dependence(G, REM), market_dependence(G, REM)
    assert sd["R"] == pytest.approx(1.0 + 0.5) and sd["N"] == pytest.approx(0.5)
    assert md["C"] == pytest.approx(0.75) and md["E"] == pytest.approx(0.25 + 1.0)
    assert "ROW" not in sd and sd["C"] == 0.0  # remainders are not ranked; C supplies no one
    # the two sides rank R and E in opposite orders: averaging them (the old measure) hid this
    assert sd["R"] > sd["E"] and md["E"] > md["R"]


@pytest.mark.parametrize("seed", range(8))
def test_dependence_equals_share_matrix_column_sums(seed):
    rng = np.random.default_rng(seed)
    n = 7
    A = np.where(rng.random((n, n)) < 0.4, rng.lognormal(size=(n, n)), 0.0)
    np.fill_diagonal(A, 0.0)
    G = nx.from_numpy_array(A, create_using=nx.DiGraph, edge_attr="value")
    inn, out = A.sum(axis=0), A.sum(axis=1)
    S_in = np.divide(A, inn, out=np.zeros_like(A), where=inn > 0)  # S_in[j, i]: share of i's imports from j
    S_out = np.divide(A, out[:, None], out=np.zeros_like(A), where=out[:, None] > 0)  # share of i's exports to j
    sd, md = supply_dependence(G), market_dependence(G)
    assert [sd[i] for i in range(n)] == pytest.approx(S_in.sum(axis=1).tolist())
    assert [md[j] for j in range(n)] == pytest.approx(S_out.sum(axis=0).tolist())


def test_pagerank_exporter_is_networkx_on_reversed_edges_and_ranks_suppliers():
    # a pure exporter X feeding three importers: importer-side PageRank puts X at the floor, exporter-side on top
    G = g(("X", "A", 5.0), ("X", "B", 3.0), ("X", "C", 2.0), ("A", "B", 1.0))
    pe = pagerank_exporter(G)
    assert pe == pytest.approx(nx.pagerank(G.reverse(), weight="value"), abs=1e-12)
    assert max(pe, key=pe.get) == "X"
    assert min(pagerank(G), key=pagerank(G).get) == "X"


def test_katz_not_eigenvector_where_not_strongly_connected():
    # a cycle A<->B plus a pure exporter X: not strongly connected, eigenvector would give X ~0
    G = g(("A", "B", 1.0), ("B", "A", 1.0), ("X", "A", 2.0))
    kind, vals = eigenvector_or_katz(G)
    assert kind == "katz"
    rho = max(abs(np.linalg.eigvals(nx.to_numpy_array(G, weight="value"))))
    oracle = nx.katz_centrality_numpy(G, alpha=0.9 / rho, beta=1.0, weight="value")
    assert vals == pytest.approx(oracle, abs=1e-12)
    assert vals["X"] > 0.01  # Katz gives every node a base score (eigenvector: ~0 for a pure exporter)
    H = g(("A", "B", 1.0), ("B", "A", 1.0), ("B", "C", 1.0), ("C", "A", 2.0))  # strongly connected
    kind, vals = eigenvector_or_katz(H)
    assert kind == "eigenvector"
    assert vals == pytest.approx(nx.eigenvector_centrality(H, weight="value"), abs=1e-9)


# ---- cross-layer graph ------------------------------------------------------------------------------------------

def _mixed_data() -> Data:
    """R sells C goods worth 130 (of which energy), energy worth 90, and C holds an FDI stock of 500 in R."""
    sources = [{"source_id": "s", "title": "t", "publisher": "p", "url": "https://example.org"}]
    actors = [{"actor": a, "name": a, "kind": "aggregate" if a == "ROW" else "country", "members": []}
              for a in ("R", "C", "E", "ROW")]
    commodities = [
        {"commodity": "crude_oil", "layer": "energy", "unit": "Mt", "ej_per_unit": 0.04, "description": "crude"},
        {"commodity": "goods", "layer": "trade", "unit": "USD_bn", "description": "goods"},
        {"commodity": "fdi_stock", "layer": "investment", "unit": "USD_bn", "description": "fdi"}]
    fl = [("energy", "crude_oil", "R", "C", 100.0, 90.0), ("trade", "goods", "R", "C", 130.0, 130.0),
          ("trade", "goods", "C", "R", 110.0, 110.0), ("investment", "fdi_stock", "C", "R", 500.0, 500.0),
          ("energy", "crude_oil", "R", "E", 50.0, 45.0)]
    flows = [{"year": 2023, "layer": la, "commodity": c, "origin": o, "destination": d, "value": v,
              "value_usd_bn": u, "source_id": "s"} for la, c, o, d, v, u in fl]
    return Data({"sources": table_from_rows("sources", sources), "actors": table_from_rows("actors", actors),
                 "commodities": table_from_rows("commodities", commodities),
                 "routes": table_from_rows("routes", []), "flows": table_from_rows("flows", flows),
                 "balances": table_from_rows("balances", [])})


def test_cross_layer_graph_counts_energy_once_and_leaves_out_stocks():
    G = cross_layer_graph(_mixed_data(), 2023)
    assert G["R"]["C"]["value"] == pytest.approx(130.0)  # (130 - 90) goods ex-energy + 90 energy, not 220
    assert G["C"]["R"]["value"] == pytest.approx(110.0)  # goods only: the FDI stock of 500 is not a flow
    assert G["R"]["E"]["value"] == pytest.approx(45.0)  # energy without goods data
    H = cross_layer_graph(_mixed_data(), 2023, {"trade": 1.0, "energy": 2.0})
    assert H["R"]["C"]["value"] == pytest.approx(40.0 + 180.0) and H.graph["weights"]["energy"] == 2.0
    E = cross_layer_graph(_mixed_data(), 2023, {"trade": 0.0, "energy": 1.0})
    assert E["C"]["R"]["value"] == 0.0 and E["R"]["C"]["value"] == pytest.approx(90.0)


def test_sensitivity_table_and_robustness():
    recs = sensitivity_records(_mixed_data(), 2023, grid=((1.0, 0.0), (0.0, 1.0)), measures=("supply_dependence",))
    by = {(r["w_trade"], r["w_energy"], r["actor"]): r for r in recs}
    # goods ex-energy only: R supplies all of C's imports (40), C all of R's (110): both 1.0; ties by code -> C
    assert by[(1.0, 0.0, "R")]["value"] == pytest.approx(1.0) and by[(1.0, 0.0, "C")]["rank"] == 1
    # energy only: R supplies all of C's and E's imports: 2.0, first
    assert by[(0.0, 1.0, "R")]["value"] == pytest.approx(2.0) and by[(0.0, 1.0, "R")]["rank"] == 1
    stable, tops = robust_ranking(recs, "supply_dependence", top=1)
    assert not stable and tops == {(1.0, 0.0): ["C"], (0.0, 1.0): ["R"]}


# ---- vulnerability --------------------------------------------------------------------------------------------

def test_vulnerability_ignores_a_link_whose_supplier_offer_is_unknown():
    # C loses A's pipeline gas (30). B has a pipeline B->C with 40 spare but no known export capacity (no B->ROW
    # gate): spare pipe is not gas on offer, so it does not count. Only C's regas terminal (cap 10) does.
    data = tiny_data(flows=[("pipeline_gas", "A", "C", 30.0, None), ("pipeline_gas", "B", "C", 5.0, None)],
                     routes=[("b_c", "pipeline", "pipeline_gas", "B", "C", 45.0),
                             ("regas_c", "lng", "lng", "ROW", "C", 10.0)])
    (r,) = vulnerability_records(data, 2023, [("C", "A", "pipeline_gas")])
    assert r["replaceable"] == pytest.approx(10.0) and r["unreplaceable"] == pytest.approx(20.0)
    assert "not counted: b_c" in r["basis"]
    # with B's export gate known (spare 12), the link counts up to that offer
    data2 = tiny_data(flows=[("pipeline_gas", "A", "C", 30.0, None), ("pipeline_gas", "B", "C", 5.0, None)],
                      routes=[("b_c", "pipeline", "pipeline_gas", "B", "C", 45.0),
                              ("b_exports", "pipeline", "pipeline_gas", "B", "ROW", 17.0),
                              ("regas_c", "lng", "lng", "ROW", "C", 10.0)])
    (r2,) = vulnerability_records(data2, 2023, [("C", "A", "pipeline_gas")])
    # B's 5 to C fill its link first (netdep.routes), so its export gate is unused: 17 on offer, 40 spare on the link
    assert r2["replaceable"] == pytest.approx(10.0 + 17.0)
    assert "b_c (+17, B's export gates spare)" in r2["basis"]


def test_vulnerability_seaborne_capacity_unknown_is_not_zero():
    # C imports LNG from A and B; no regas terminal is known: seaborne capacity unknown, so the share that
    # could not be replaced is unknown (None), not 100%
    data = tiny_data(flows=[("lng", "A", "C", 30.0, None), ("lng", "B", "C", 5.0, None)], routes=[])
    (r,) = vulnerability_records(data, 2023, [("C", "A", "lng")])
    assert r["replaceable"] is None and r["unreplaceable_share"] is None
    assert r["replaceable_known"] == 0.0
    assert r["basis"].startswith("seaborne import capacity into C unknown")
