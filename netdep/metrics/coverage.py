"""Coverage: how much of an actor's total the named partners account for, and whether that total is known.

A share is only as good as its denominator. In a (year, commodity) graph the total of actor ``a`` on one
side (its imports, side ``in``; its exports, side ``out``) is the world total when either

* a remainder aggregate (``ROW``, "Other Asia Pacific", …: kind ``aggregate``) is among a's partners on
  that side — the data gives "the rest" explicitly (for trade and FDI, the published world total minus the
  listed partners); or
* the graph is a **complete matrix**: it holds a flow between two remainder aggregates, which only a source
  that publishes its whole table has ("Other Africa → Other Asia Pacific" in the Statistical Review). Then
  every cell is in the data, and an actor without a remainder partner simply has none.

Otherwise the total is the sum over the listed partners only (Russia's goods imports in 2024: China and the
US), and a share of it is a share of the listed partners, not of the whole.

``coverage(a, side)`` = Σ named partners / total, where the total is known, else ``None``
(= 1 − ``unattributed_share`` where known).

>>> import networkx as nx
>>> G = nx.DiGraph(); G.add_edge("A", "C", value=3.0); G.add_edge("ROW", "C", value=1.0)
>>> G.add_edge("B", "D", value=2.0)
>>> coverage(G, {"ROW"})[("C", "in")], coverage(G, {"ROW"})[("D", "in")]
(0.75, None)
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

__all__ = ["is_complete_matrix", "coverage"]


def is_complete_matrix(G: nx.DiGraph, remainders: Iterable[str]) -> bool:
    """True when ``G`` holds an edge between two remainder aggregates (see the module docstring)."""
    rem = set(remainders)
    return any(o in rem and d in rem for o, d in G.edges)


def coverage(G: nx.DiGraph, remainders: Iterable[str] = frozenset(), weight: str = "value"
             ) -> dict[tuple[str, str], float | None]:
    """``{(actor, side): coverage}`` for every actor with a positive total on that side (``None``: the total
    is the listed partners' only, the world total is unknown)."""
    rem = set(remainders)
    complete = is_complete_matrix(G, rem)
    out: dict[tuple[str, str], float | None] = {}
    for a in G.nodes:
        for side, edges in (("in", G.in_edges(a, data=weight, default=0.0)),
                            ("out", G.out_edges(a, data=weight, default=0.0))):
            parts = [(o if side == "in" else d, w) for o, d, w in edges]
            total = sum(w for _, w in parts)
            if total <= 0:
                continue
            has_rem = any(p in rem for p, _ in parts)
            if complete or has_rem:
                out[(a, side)] = sum(w for p, w in parts if p not in rem) / total
            else:
                out[(a, side)] = None
    return out
