"""Asymmetry of one relationship: who needs whom more (Keohane & Nye, *Power and Interdependence*, 1977).

For the relationship "s supplies b" (flow s→b of weight w in one graph):

* ``buyer_dependence`` = w / in(b): b's dependence on s as a supplier (the share of b's imports s supplies);
* ``supplier_dependence`` = w / out(s): s's dependence on b as a buyer (the share of s's exports b buys);
* ``asymmetry`` = buyer_dependence − supplier_dependence. Positive: the buyer needs this supplier more than
  the supplier needs this buyer (leverage lies with the supplier); negative: the reverse.

Both sides of one relationship are compared — not i's import share from j against j's import share
from i, which compares two different relationships. A pair of actors has up to two relationships (each
supplying the other); :func:`asymmetry` returns both.

``coverage_in`` / ``coverage_out`` (:mod:`.coverage`) qualify the two shares: ``None`` means the buyer's
imports or the supplier's exports are known for listed partners only.

>>> import networkx as nx
>>> G = nx.DiGraph(); G.add_edge("R", "C", value=8.0); G.add_edge("R", "E", value=2.0)
>>> G.add_edge("C", "R", value=1.0); G.add_edge("X", "C", value=9.0)
>>> [(r["supplier"], r["buyer"], r["buyer_dependence"], r["supplier_dependence"]) for r in asymmetry(G, "R", "C")]
[('C', 'R', 1.0, 1.0), ('R', 'C', 0.47058823529411764, 0.8)]
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import networkx as nx

from .coverage import coverage

__all__ = ["asymmetry", "asymmetry_records", "relationship"]


def relationship(G: nx.DiGraph, s: str, b: str, weight: str = "value", cov: dict | None = None) -> dict | None:
    """The record of "s supplies b" (``None`` when there is no positive flow s→b)."""
    if s not in G or b not in G or not G.has_edge(s, b):
        return None
    w = G[s][b].get(weight, 0.0) or 0.0
    tin, tout = G.in_degree(b, weight=weight), G.out_degree(s, weight=weight)
    if w <= 0 or not tin or not tout:
        return None
    bd, sd = w / tin, w / tout
    cov = cov if cov is not None else {}
    return {"supplier": s, "buyer": b, "value": w, "buyer_dependence": bd, "supplier_dependence": sd,
            "asymmetry": bd - sd, "coverage_in": cov.get((b, "in")), "coverage_out": cov.get((s, "out"))}


def asymmetry(G: nx.DiGraph, i: str, j: str, weight: str = "value", remainders: set[str] = frozenset()) -> list[dict]:
    """The relationships between i and j (j supplies i, i supplies j), in sorted (supplier, buyer) order."""
    cov = coverage(G, remainders, weight)
    recs = [relationship(G, s, b, weight, cov) for s, b in sorted([(i, j), (j, i)])]
    return [r for r in recs if r is not None]


def asymmetry_records(G: nx.DiGraph, actors: Iterable[str], weight: str = "value",
                      remainders: set[str] = frozenset()) -> list[dict]:
    """:func:`asymmetry` for every pair of ``actors`` present in ``G`` (sorted pairs), with the graph's year,
    layer and commodity."""
    meta = {k: G.graph.get(k) for k in ("year", "layer", "commodity")}
    cov = coverage(G, remainders, weight)
    present = sorted(a for a in set(actors) if a in G)
    out = []
    for i, j in combinations(present, 2):
        for s, b in ((i, j), (j, i)):
            r = relationship(G, s, b, weight, cov)
            if r is not None:
                out.append({**meta, **r})
    return out
