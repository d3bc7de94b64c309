"""Dependency as sensitivity (Keohane & Nye, *Power and Interdependence*, 1977).

For a flow o -> d of one commodity in one year (routes summed):

* ``share_in``  = w(o→d) / Σ_x w(x→d) — the destination's import share from the origin;
* ``share_out`` = w(o→d) / Σ_y w(o→y) — the origin's export share to the destination;
* ``share_of_consumption`` = w(o→d) / consumption(d) where ``balances`` gives the
  consumption of the commodity's ``balance_of`` (e.g. LNG -> natural gas);
* ``coverage_in`` / ``coverage_out`` — how much of the destination's imports / the origin's exports the
  named partners account for, ``None`` where the world total is unknown (:mod:`.coverage`): then
  ``share_in`` / ``share_out`` are shares of the listed partners only, not of the whole.

>>> import networkx as nx
>>> G = nx.DiGraph(); G.add_edge("A", "C", value=3.0); G.add_edge("B", "C", value=1.0)
>>> [(r["origin"], r["share_in"], r["share_out"]) for r in dependency_records(G)]
[('A', 0.75, 1.0), ('B', 0.25, 1.0)]
"""

from __future__ import annotations

import networkx as nx

from .coverage import coverage

__all__ = ["dependency_records", "shares"]


def shares(G: nx.DiGraph, weight: str = "value") -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """``(share_in, share_out)`` per edge; None where the total is zero."""
    inn = dict(G.in_degree(weight=weight))
    out = dict(G.out_degree(weight=weight))
    res = {}
    for o, d, w in G.edges(data=weight, default=0.0):
        res[(o, d)] = (w / inn[d] if inn[d] else None, w / out[o] if out[o] else None)
    return res


def dependency_records(G: nx.DiGraph, consumption: dict[str, float] | None = None,
                       weight: str = "value", remainders: set[str] = frozenset()) -> list[dict]:
    """One record per edge of ``G`` with ``value``, ``value_usd_bn`` (when the graph carries it), ``share_in``,
    ``share_out`` and ``share_of_consumption``.

    ``G.graph`` supplies ``year``, ``layer``, ``commodity`` and ``unit`` when present.
    ``consumption`` maps an actor to its consumption of the commodity, in the same unit; ``remainders`` are
    the remainder aggregates (for ``coverage_in`` / ``coverage_out``).
    """
    consumption = consumption or {}
    cov = coverage(G, remainders, weight)
    meta = {k: G.graph.get(k) for k in ("year", "layer", "commodity")}
    out = []
    for (o, d), (s_in, s_out) in shares(G, weight).items():
        w = G[o][d].get(weight, 0.0)
        c = consumption.get(d)
        out.append({**meta, "origin": o, "destination": d, "value": w, "unit": G.graph.get("unit"),
                    "value_usd_bn": G[o][d].get("value_usd_bn"), "share_in": s_in, "share_out": s_out,
                    "share_of_consumption": (w / c) if c else None,
                    "coverage_in": cov.get((d, "in")), "coverage_out": cov.get((o, "out"))})
    return out
