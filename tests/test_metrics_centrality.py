"""Centrality measures against networkx (the oracle) and hand-computed examples, edge cases included."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest

from netdep.metrics.centrality import (
    betweenness,
    bonacich_power,
    centrality_records,
    dependency_centrality,
    dependency_graph,
    eigenvector_or_katz,
    pagerank,
    strength,
)


def random_graph(seed: int, n: int = 12, p: float = 0.3, zeros: bool = True) -> nx.DiGraph:
    rng = random.Random(seed)
    G = nx.DiGraph()
    G.add_nodes_from(f"n{i}" for i in range(n))
    for i in range(n):
        for j in range(n):
            if i != j and rng.random() < p:
                w = 0.0 if zeros and rng.random() < 0.1 else rng.lognormvariate(0, 1.5)
                G.add_edge(f"n{i}", f"n{j}", value=w)
    return G


@pytest.mark.parametrize("seed", range(25))
def test_pagerank_equals_networkx(seed):
    G = random_graph(seed)  # includes dangling nodes, zero weights, isolated nodes
    ours, oracle = pagerank(G), nx.pagerank(G, weight="value")
    assert ours.keys() == oracle.keys()
    assert max(abs(ours[n] - oracle[n]) for n in G) < 1e-12


@pytest.mark.parametrize("seed", range(25))
def test_eigenvector_equals_networkx_or_falls_back_to_katz(seed):
    G = random_graph(seed, p=0.35)
    kind, ours = eigenvector_or_katz(G)
    H = nx.DiGraph([(u, v) for u, v, w in G.edges(data="value") if w > 0])
    H.add_nodes_from(G)
    if not nx.is_strongly_connected(H):  # eigenvector centrality is ill-defined there: Katz, always
        assert kind == "katz"
        rho = max(abs(np.linalg.eigvals(nx.to_numpy_array(G, weight="value"))))
        oracle = nx.katz_centrality_numpy(G, alpha=0.9 / rho, beta=1.0, weight="value")
        assert max(abs(ours[n] - oracle[n]) for n in G) < 1e-9
        return
    try:
        oracle = nx.eigenvector_centrality(G, weight="value")
    except nx.PowerIterationFailedConvergence:
        assert kind == "katz"
        return
    assert kind == "eigenvector"
    assert max(abs(ours[n] - oracle[n]) for n in G) < 1e-12


def test_eigenvector_failure_gives_katz_and_says_so():
    # a directed path: the power iteration of (I + A^T) creeps towards the sink and does not converge in 100 steps
    G = nx.DiGraph()
    for a, b in [("A", "B"), ("B", "C"), ("C", "D")]:
        G.add_edge(a, b, value=1.0)
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.eigenvector_centrality(G, weight="value")
    kind, ours = eigenvector_or_katz(G)
    assert kind == "katz"
    rho = float(np.linalg.norm(nx.to_numpy_array(G, weight="value"), 2))  # A is nilpotent: singular value
    oracle = nx.katz_centrality_numpy(G, alpha=0.9 / rho, beta=1.0, weight="value")
    assert max(abs(ours[n] - oracle[n]) for n in G) < 1e-12
    records = centrality_records(G)
    assert {r["measure"] for r in records} >= {"katz", "pagerank", "pagerank_exporter", "supply_dependence",
                                              "market_dependence"}
    assert not {r["measure"] for r in records} & {"bonacich", "dependency_centrality"}  # dropped (issue 12)
    assert "eigenvector" not in {r["measure"] for r in records}


def test_strength_and_disconnected_actor():
    G = nx.DiGraph()
    G.add_edge("A", "B", value=2.0)
    G.add_edge("C", "B", value=0.0)  # zero-value flow
    G.add_node("Z")  # disconnected actor
    assert strength(G, "in") == {"A": 0.0, "B": 2.0, "C": 0.0, "Z": 0.0}
    assert strength(G, "out") == {"A": 2.0, "B": 0.0, "C": 0.0, "Z": 0.0}
    pr = pagerank(G)
    assert pr == pytest.approx(nx.pagerank(G, weight="value"), abs=1e-12)
    assert betweenness(G)["Z"] == 0.0
    records = centrality_records(G)
    assert {r["actor"] for r in records} == {"A", "B", "C", "Z"}


def test_betweenness_uses_inverse_weight_as_distance():
    # A->B->C heavy, A->C light: the shortest path A..C goes through B (distance 0.1 + 0.1 < 1)
    G = nx.DiGraph()
    G.add_edge("A", "B", value=10.0)
    G.add_edge("B", "C", value=10.0)
    G.add_edge("A", "C", value=1.0)
    b = betweenness(G)
    H = nx.DiGraph()
    for u, v, w in G.edges(data="value"):
        H.add_edge(u, v, d=1 / w)
    assert b == pytest.approx(nx.betweenness_centrality(H, weight="d", normalized=True))
    assert b["B"] == pytest.approx(0.5)  # B lies on the one shortest path A..C; normalised by (n-1)(n-2) = 2


def test_bonacich_hand_example():
    # star: hub H supplies L1 and L2 (weight 1 each); A = [[0,1,1],[0,0,0],[0,0,0]] (order H, L1, L2)
    # A is nilpotent, rho = largest singular value = sqrt(2); beta = -0.5/sqrt(2)
    # (I - beta A)^-1 A 1 = A 1 + beta A^2 1 + ... = A 1 = [2, 0, 0] (A^2 = 0); scaled so sum c^2 = n = 3
    G = nx.DiGraph()
    G.add_edge("H", "L1", value=1.0)
    G.add_edge("H", "L2", value=1.0)
    c = bonacich_power(G)
    assert c["H"] == pytest.approx(np.sqrt(3))
    assert c["L1"] == pytest.approx(0.0) and c["L2"] == pytest.approx(0.0)


@pytest.mark.parametrize("seed", range(10))
def test_bonacich_matches_katz_identity(seed):
    # (I - bA)^-1 A 1 = ((I - bA)^-1 1 - 1) / b, and networkx's Katz on the reversed graph gives (I - bA)^-1 1
    G = random_graph(seed, zeros=False)
    beta = -0.05
    ours = bonacich_power(G, beta=beta)
    k = nx.katz_centrality_numpy(G.reverse(), alpha=beta, beta=1.0, normalized=False, weight="value")
    raw = np.array([(k[n] - 1.0) / beta for n in G])
    scale = np.sqrt(len(raw)) / np.sqrt((raw ** 2).sum())
    assert np.allclose([ours[n] for n in G], raw * scale, atol=1e-9)


def test_dependency_graph_hand_example_and_pagerank_oracle():
    # R exports 3 to C and 1 to E; C imports only from R; E imports 1 from R and 1 from ROW (a remainder)
    G = nx.DiGraph()
    G.add_edge("R", "C", value=3.0)
    G.add_edge("R", "E", value=1.0)
    G.add_edge("ROW", "E", value=1.0)
    D = dependency_graph(G, remainders={"ROW"})
    assert "ROW" not in D
    assert D["C"]["R"]["dependence"] == pytest.approx(0.5 * 3 / 3)  # C's import share from R, halved
    assert D["E"]["R"]["dependence"] == pytest.approx(0.5 * 1 / 2)
    assert D["R"]["C"]["dependence"] == pytest.approx(0.5 * 3 / 4)  # R's export share to C, halved
    assert D["R"]["E"]["dependence"] == pytest.approx(0.5 * 1 / 4)
    assert D["E"]["E"]["dependence"] == pytest.approx(1 - 0.25)  # independence (incl. dependence on ROW)
    assert D["C"]["C"]["dependence"] == pytest.approx(0.5)
    oracle = nx.pagerank(D, weight="dependence")
    assert dependency_centrality(G, remainders={"ROW"}) == pytest.approx(oracle, abs=1e-12)
    # C and E both depend on R as a supplier, R depends on them as buyers: R ranks first
    dc = dependency_centrality(G, remainders={"ROW"})
    assert max(dc, key=dc.get) == "R"


def test_empty_graph():
    G = nx.DiGraph()
    assert pagerank(G) == {} and bonacich_power(G) == {} and dependency_centrality(G) == {}
    assert centrality_records(G) == []
