"""Asymmetry of interdependence: who needs whom more (Keohane & Nye 1977).

For actors i and j in one graph:

* import side: ``dep_in(i, j)`` = i's import share from j; ``asym_in`` = dep_in(i, j) − dep_in(j, i);
* export side: ``dep_out(i, j)`` = i's export share to j; ``asym_out`` = dep_out(i, j) − dep_out(j, i).

A positive value means i needs j more than j needs i (as a supplier, or as a buyer).

>>> import networkx as nx
>>> G = nx.DiGraph(); G.add_edge("R", "C", value=8.0); G.add_edge("R", "E", value=2.0)
>>> G.add_edge("C", "R", value=1.0); G.add_edge("X", "C", value=9.0)
>>> a = asymmetry(G, "R", "C")
>>> round(a["dep_out_ij"], 2), round(a["dep_out_ji"], 2), round(a["asym_out"], 2)
(0.8, 1.0, -0.2)
>>> round(a["dep_in_ij"], 2), round(a["dep_in_ji"], 2)
(1.0, 0.47)
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import networkx as nx

__all__ = ["asymmetry", "asymmetry_records"]


def _share(G: nx.DiGraph, a: str, b: str, side: str, weight: str) -> float:
    if a not in G or b not in G:
        return 0.0
    if side == "in":
        total = G.in_degree(a, weight=weight)
        w = G[b][a].get(weight, 0.0) if G.has_edge(b, a) else 0.0
    else:
        total = G.out_degree(a, weight=weight)
        w = G[a][b].get(weight, 0.0) if G.has_edge(a, b) else 0.0
    return w / total if total else 0.0


def asymmetry(G: nx.DiGraph, i: str, j: str, weight: str = "value") -> dict:
    """Dependence of i on j and of j on i, both sides, and their differences."""
    r = {"i": i, "j": j}
    for side in ("in", "out"):
        ij, ji = _share(G, i, j, side, weight), _share(G, j, i, side, weight)
        r[f"dep_{side}_ij"], r[f"dep_{side}_ji"], r[f"asym_{side}"] = ij, ji, ij - ji
    return r


def asymmetry_records(G: nx.DiGraph, actors: Iterable[str], weight: str = "value") -> list[dict]:
    """:func:`asymmetry` for every pair of ``actors`` present in ``G`` (sorted pairs)."""
    meta = {k: G.graph.get(k) for k in ("year", "layer", "commodity")}
    present = sorted(a for a in set(actors) if a in G)
    return [{**meta, **asymmetry(G, i, j, weight)} for i, j in combinations(present, 2)]
