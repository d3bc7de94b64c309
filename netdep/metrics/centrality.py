"""Centrality of actors in a weighted flow graph (edge i→j: i supplies j; weight ``value``).

Measures (the ``measure`` names of :func:`centrality_records`):

* ``in_strength`` / ``out_strength`` — Σ of incoming / outgoing weights (Barrat et al. 2004, PNAS 101:3747).
* ``pagerank`` — **importer-side** PageRank: as :func:`networkx.pagerank` with its defaults
  (alpha = 0.85), ``weight = "value"`` (Brin & Page 1998; computed by :func:`pagerank_array`,
  networkx's iteration in NumPy, tested against networkx). On exporter→importer edges rank flows
  towards big importers, buyers of buyers.
* ``pagerank_exporter`` — **exporter-side** PageRank: the same on the reversed graph (edge j→i for
  every flow i→j), so rank flows towards big suppliers, suppliers of suppliers (:func:`pagerank_exporter`).
* ``eigenvector`` — as :func:`networkx.eigenvector_centrality` (Bonacich 1972; computed by
  :func:`eigenvector_array`, the same iteration in NumPy, tested against networkx), only where the
  graph (its positive-weight edges) is strongly connected: elsewhere it is ill-defined (~0 for every
  pure exporter). There, or where the power iteration does not converge, ``katz`` instead: as
  :func:`networkx.katz_centrality_numpy` (:func:`katz_array`) with alpha = 0.9 / ρ(A), beta = 1
  (Katz 1953), which gives every node a base score. The record's measure name says which one was computed.
* ``betweenness`` — :func:`networkx.betweenness_centrality`, normalised, with distance = 1/weight,
  so heavy flows are short paths (Brandes 2001); edges of zero weight (or so small that 1/weight
  overflows) are ignored.
* ``supply_dependence`` — how much others depend on an actor **as their supplier**:
  SD(j) = Σ_i w(j→i) / Σ_k w(k→i), the sum over named importers i (not remainders) of the share of
  i's imports that j supplies — the column sums of Keohane & Nye's (1977) sensitivity matrix on the
  import side (compare Hirschman 1945, ch. 2, on the "influence effect" of trade). SD = 2.5 means as
  much dependence as 2.5 importers supplied wholly by j. :func:`supply_dependence`.
* ``market_dependence`` — how much others depend on an actor **as their buyer**:
  MD(j) = Σ_i w(i→j) / Σ_k w(i→k) over named exporters i, the share of i's exports that j buys.
  :func:`market_dependence`.

Not in the records any more: Bonacich power with β < 0 (its negative scores have no reading here) and
the former ``dependency_centrality``, which averaged supplier and buyer dependence — two sides that rank
actors in opposite orders. :func:`bonacich_power` and :func:`dependency_centrality` stay callable.

>>> import networkx as nx
>>> G = nx.DiGraph(); G.add_edge("A", "B", value=2.0); G.add_edge("B", "A", value=1.0)
>>> strength(G, "out")
{'A': 2.0, 'B': 1.0}
"""

from __future__ import annotations

import networkx as nx
import numpy as np

__all__ = [
    "MEASURES",
    "strength",
    "pagerank",
    "pagerank_exporter",
    "pagerank_array",
    "supply_dependence",
    "market_dependence",
    "strongly_connected",
    "eigenvector_array",
    "katz_array",
    "eigenvector_or_katz",
    "betweenness",
    "bonacich_power",
    "dependency_graph",
    "dependency_centrality",
    "centrality_records",
]

MEASURES = ("in_strength", "out_strength", "pagerank", "pagerank_exporter", "eigenvector", "katz", "betweenness",
            "supply_dependence", "market_dependence")


def strength(G: nx.DiGraph, side: str, weight: str = "value") -> dict[str, float]:
    """Weighted in- (``side="in"``) or out-strength of every node."""
    deg = G.in_degree(weight=weight) if side == "in" else G.out_degree(weight=weight)
    return {n: float(v) for n, v in deg}


def pagerank_array(A: np.ndarray, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6) -> np.ndarray:
    """PageRank of the weighted adjacency ``A`` (A_ij = w(i→j)) with networkx's exact iteration.

    Same as :func:`networkx.pagerank` with ``personalization=None``, ``dangling=None``: rows are
    normalised to sum to 1, dangling nodes spread their mass uniformly, the start vector is
    uniform, and iteration stops when Σ|x − x_last| < N·tol (raising after ``max_iter``).
    """
    n = A.shape[0]
    S = A.sum(axis=1)
    inv = np.zeros(n)
    nz = S != 0
    inv[nz] = 1.0 / S[nz]
    P = A * inv[:, None]
    p = np.full(n, 1.0 / n)
    dangling = ~nz
    x = p.copy()
    for _ in range(max_iter):
        xlast = x
        x = alpha * (x @ P + x[dangling].sum() * p) + (1 - alpha) * p
        if np.abs(x - xlast).sum() < n * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def pagerank(G: nx.DiGraph, weight: str = "value") -> dict[str, float]:
    """PageRank with networkx's defaults (alpha = 0.85) on ``weight``.

    Computed by :func:`pagerank_array` (dense NumPy, the same iteration as :func:`networkx.pagerank`,
    which the tests use as the oracle) to avoid importing SciPy for graphs of tens of nodes.
    """
    nodes = list(G.nodes)
    if not nodes:
        return {}
    x = pagerank_array(nx.to_numpy_array(G, nodelist=nodes, weight=weight))
    return {v: float(c) for v, c in zip(nodes, x)}


def pagerank_exporter(G: nx.DiGraph, weight: str = "value") -> dict[str, float]:
    """Exporter-side PageRank: :func:`pagerank` of ``G.reverse()`` (rank flows from buyers to suppliers).

    >>> G = nx.DiGraph(); G.add_edge("X", "A", value=1.0); G.add_edge("X", "B", value=1.0)
    >>> p = pagerank_exporter(G); p["X"] > p["A"] == p["B"]
    True
    """
    return pagerank(G.reverse(copy=True), weight)


def _dependence(G: nx.DiGraph, side: str, remainders: set[str], weight: str) -> dict[str, float]:
    tot = dict(G.in_degree(weight=weight)) if side == "supply" else dict(G.out_degree(weight=weight))
    out = {n: 0.0 for n in G.nodes if n not in remainders}
    for o, d, w in G.edges(data=weight, default=0.0):
        i, j = (d, o) if side == "supply" else (o, d)  # i depends on j
        if j in out and i not in remainders and tot[i]:
            out[j] += w / tot[i]
    return out


def supply_dependence(G: nx.DiGraph, remainders: set[str] = frozenset(), weight: str = "value") -> dict[str, float]:
    """SD(j) = Σ_i w(j→i) / in(i) over named importers i: others' dependence on j as their supplier.

    >>> G = nx.DiGraph(); G.add_edge("R", "C", value=3.0); G.add_edge("R", "E", value=1.0)
    >>> G.add_edge("N", "E", value=1.0)
    >>> supply_dependence(G)["R"]  # all of C's imports, half of E's
    1.5
    """
    return _dependence(G, "supply", set(remainders), weight)


def market_dependence(G: nx.DiGraph, remainders: set[str] = frozenset(), weight: str = "value") -> dict[str, float]:
    """MD(j) = Σ_i w(i→j) / out(i) over named exporters i: others' dependence on j as their buyer.

    >>> G = nx.DiGraph(); G.add_edge("R", "C", value=3.0); G.add_edge("R", "E", value=1.0)
    >>> market_dependence(G)["C"]  # three quarters of R's exports
    0.75
    """
    return _dependence(G, "market", set(remainders), weight)


def strongly_connected(G: nx.DiGraph, weight: str = "value") -> bool:
    """Whether the positive-weight edges of ``G`` connect every node to every other (both ways)."""
    H = nx.DiGraph()
    H.add_nodes_from(G.nodes)
    H.add_edges_from((o, d) for o, d, w in G.edges(data=weight, default=0.0) if w and w > 0)
    return H.number_of_nodes() > 0 and nx.is_strongly_connected(H)


def eigenvector_array(A: np.ndarray, max_iter: int = 100, tol: float = 1.0e-6) -> np.ndarray:
    """Eigenvector centrality with networkx's exact power iteration (x ← (I + Aᵀ) x, L2-normalised,
    stop when Σ|x − x_last| < N·tol), raising :class:`networkx.PowerIterationFailedConvergence`."""
    n = A.shape[0]
    x = np.full(n, 1.0 / n)
    AT = A.T
    for _ in range(max_iter):
        xlast = x
        x = xlast + AT @ xlast
        norm = float(np.sqrt((x ** 2).sum())) or 1.0
        x = x / norm
        if np.abs(x - xlast).sum() < n * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def _spectral_radius(A: np.ndarray) -> float:
    if A.size == 0:
        return 0.0
    rho = float(np.max(np.abs(np.linalg.eigvals(A))))
    if rho < 1e-12:  # nilpotent (acyclic): fall back to the largest singular value
        rho = float(np.linalg.norm(A, 2))
    return rho


def eigenvector_or_katz(G: nx.DiGraph, weight: str = "value") -> tuple[str, dict[str, float]]:
    """``("eigenvector", values)`` on a strongly connected graph, else (or where eigenvector centrality fails to
    converge) ``("katz", values)``."""
    if G.number_of_nodes() == 0:
        return "eigenvector", {}
    nodes = list(G.nodes)
    A = nx.to_numpy_array(G, nodelist=nodes, weight=weight)
    if strongly_connected(G, weight):
        try:
            x = eigenvector_array(A)
            if np.all(np.isfinite(x)):
                return "eigenvector", {v: float(c) for v, c in zip(nodes, x)}
        except nx.PowerIterationFailedConvergence:
            pass
    rho = _spectral_radius(A)
    alpha = 0.9 / rho if rho > 0 else 0.1
    return "katz", {v: float(c) for v, c in zip(nodes, katz_array(A, alpha))}


def katz_array(A: np.ndarray, alpha: float, beta: float = 1.0) -> np.ndarray:
    """Katz centrality as :func:`networkx.katz_centrality_numpy` (normalised): x = (I − α Aᵀ)⁻¹ β 1,
    divided by sign(Σx)·‖x‖ — solved with NumPy, without importing SciPy."""
    n = A.shape[0]
    x = np.linalg.solve(np.eye(n) - alpha * A.T, np.full(n, beta))
    norm = float(np.sign(x.sum()) * np.linalg.norm(x))
    return x / norm if norm else x


def betweenness(G: nx.DiGraph, weight: str = "value") -> dict[str, float]:
    """Normalised betweenness with distance = 1/weight (positive-weight edges only)."""
    H = nx.DiGraph()
    H.add_nodes_from(G.nodes)
    for o, d, w in G.edges(data=weight, default=0.0):
        if w and w > 0 and np.isfinite(1.0 / float(w)):  # a subnormal weight has no finite distance: no path
            H.add_edge(o, d, distance=1.0 / float(w))
    return nx.betweenness_centrality(H, weight="distance", normalized=True)


def bonacich_power(G: nx.DiGraph, weight: str = "value", beta: float | None = None) -> dict[str, float]:
    """Bonacich power c = α (I − βA)⁻¹ A 1, β = −½/ρ(A) by default, scaled so Σ c² = n (Bonacich 1987,
    *American Journal of Sociology* 92:1170). Not in the report: with β < 0 a score says that supplying
    partners with few other ties confers power, and negative scores have no reading on a flow graph."""
    nodes = list(G.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    A = nx.to_numpy_array(G, nodelist=nodes, weight=weight)
    if beta is None:
        rho = _spectral_radius(A)
        beta = -0.5 / rho if rho > 0 else 0.0
    raw = np.linalg.solve(np.eye(n) - beta * A, A @ np.ones(n))
    norm = float(np.sqrt((raw ** 2).sum()))
    scale = np.sqrt(n) / norm if norm > 0 else 0.0
    return {v: float(c * scale) for v, c in zip(nodes, raw)}


def dependency_graph(G: nx.DiGraph, remainders: set[str] = frozenset(), weight: str = "value") -> nx.DiGraph:
    """The dependency graph D of a flow graph.

    Nodes: the actors of G that are not remainder aggregates. Edge i→j carries
    i's dependence on j, d_ij = ½ (share of i's imports supplied by j + share of
    i's exports bought by j) — Keohane & Nye's sensitivity, as a supplier and as
    a buyer. Each node also keeps a self-loop i→i of weight 1 − Σ_j d_ij: the part
    of its trade that depends on no listed actor (on ``ROW`` and other remainders,
    or nothing at all when it has no trade on a side).

    >>> G = nx.DiGraph(); G.add_edge("R", "C", value=3.0); G.add_edge("R", "E", value=1.0)
    >>> D = dependency_graph(G)
    >>> D["R"]["C"]["dependence"], D["C"]["R"]["dependence"], D["R"]["R"]["dependence"]
    (0.375, 0.5, 0.5)
    """
    inn = dict(G.in_degree(weight=weight))
    out = dict(G.out_degree(weight=weight))
    nodes = sorted(n for n in G.nodes if n not in remainders)
    D = nx.DiGraph(**G.graph)
    D.add_nodes_from(nodes)
    dep: dict[tuple[str, str], float] = {}
    for o, d, w in G.edges(data=weight, default=0.0):
        if not w:
            continue
        if d in D and o in D and inn[d]:
            dep[(d, o)] = dep.get((d, o), 0.0) + 0.5 * w / inn[d]  # d depends on o as a supplier
        if o in D and d in D and out[o]:
            dep[(o, d)] = dep.get((o, d), 0.0) + 0.5 * w / out[o]  # o depends on d as a buyer
    for (i, j) in sorted(dep):
        D.add_edge(i, j, dependence=dep[(i, j)])
    for i in nodes:
        own = 1.0 - sum(dep.get((i, j), 0.0) for j in nodes)
        if own > 1e-12:
            D.add_edge(i, i, dependence=own)
    return D


def dependency_centrality(G: nx.DiGraph, remainders: set[str] = frozenset(), weight: str = "value") -> dict[str, float]:
    """PageRank (alpha = 0.85) of the :func:`dependency_graph` weighted by dependence. Not in the report any
    more: it averages supplier and buyer dependence (see :func:`supply_dependence`, :func:`market_dependence`).

    Why: an actor gains score from every actor that depends on it, in proportion
    to how heavily (d_ij) and to how central the dependent actor itself is; an
    actor that depends on no one keeps its own score (the self-loop). So an
    actor many others depend on, heavily, ranks high — the question "who holds
    leverage over whom" that Keohane & Nye's asymmetric interdependence asks, in
    the recursive form of Brin & Page (1998); compare DebtRank (Battiston et al.
    2012, *Scientific Reports* 2:541) for dependence propagating through a network.
    """
    D = dependency_graph(G, remainders, weight)
    return pagerank(D, weight="dependence")


def centrality_records(G: nx.DiGraph, remainders: set[str] = frozenset(), weight: str = "value",
                       measures: tuple[str, ...] = MEASURES) -> list[dict]:
    """Every measure for every actor of G: records ``{year, layer, commodity, actor, measure, value}``."""
    meta = {k: G.graph.get(k) for k in ("year", "layer", "commodity")}
    results: list[tuple[str, dict[str, float]]] = []
    if "in_strength" in measures:
        results.append(("in_strength", strength(G, "in", weight)))
    if "out_strength" in measures:
        results.append(("out_strength", strength(G, "out", weight)))
    if "pagerank" in measures:
        results.append(("pagerank", pagerank(G, weight)))
    if "pagerank_exporter" in measures:
        results.append(("pagerank_exporter", pagerank_exporter(G, weight)))
    if "eigenvector" in measures or "katz" in measures:
        results.append(eigenvector_or_katz(G, weight))
    if "betweenness" in measures:
        results.append(("betweenness", betweenness(G, weight)))
    if "supply_dependence" in measures:
        results.append(("supply_dependence", supply_dependence(G, remainders, weight)))
    if "market_dependence" in measures:
        results.append(("market_dependence", market_dependence(G, remainders, weight)))
    if "bonacich" in measures:
        results.append(("bonacich", bonacich_power(G, weight)))
    if "dependency_centrality" in measures:
        results.append(("dependency_centrality", dependency_centrality(G, remainders, weight)))
    return [{**meta, "actor": a, "measure": m, "value": float(v)}
            for m, values in results for a, v in sorted(values.items())]
