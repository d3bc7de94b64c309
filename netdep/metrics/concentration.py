"""Concentration of suppliers and buyers: the Herfindahl–Hirschman index.

HHI(a, side) = Σ_p s_p², with s_p partner p's share of a's imports (side ``in``)
or exports (side ``out``) — Hirschman, *National Power and the Structure of
Foreign Trade* (1945); Herfindahl (1950). 1 means a single partner. The EU's
strategic-dependency screen (European Commission, *Strategic dependencies and
capacities*, SWD(2021) 352) and the JRC GeoDep flag HHI > 0.4.

Remainder aggregates (``ROW``, "Other Asia Pacific", …: actors of kind
``aggregate``) stand for many partners too small to list; they count in the
total but add nothing to the sum of squares, which makes the index a lower
bound, and they are never the top partner. ``unattributed_share`` says how
much of the total they hold.

>>> hhi([0.5, 0.5])
0.5
>>> hhi([1.0])
1.0
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

__all__ = ["hhi", "concentration_records", "STRATEGIC_HHI"]

STRATEGIC_HHI = 0.4


def hhi(shares: Iterable[float]) -> float:
    """Σ s² of the given shares."""
    return float(sum(s * s for s in shares))


def concentration_records(G: nx.DiGraph, remainders: set[str] = frozenset(), weight: str = "value") -> list[dict]:
    """HHI, top partner and its share for every actor of ``G`` with a non-zero total, both sides."""
    meta = {k: G.graph.get(k) for k in ("year", "layer", "commodity")}
    out = []
    for actor in G.nodes:
        for side, edges in (("in", G.in_edges(actor, data=weight, default=0.0)),
                            ("out", G.out_edges(actor, data=weight, default=0.0))):
            partners = [(d if side == "out" else o, w) for o, d, w in edges]
            total = sum(w for _, w in partners)
            if not partners or total <= 0:
                continue
            named = [(p, w / total) for p, w in partners if p not in remainders]
            top = min(named, key=lambda pw: (-pw[1], pw[0])) if named else (None, None)
            out.append({**meta, "actor": actor, "side": side, "hhi": hhi(s for _, s in named),
                        "top_partner": top[0], "top_share": top[1],
                        "unattributed_share": sum(w for p, w in partners if p in remainders) / total,
                        "partners": len(partners)})
    return out
