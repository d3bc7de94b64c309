"""How a cross-layer ranking moves as the layer weights move.

The cross-layer graph (:func:`netdep.graph.cross_layer_graph`) weighs goods trade ex-energy and energy
flows together: w_trade · goods_ex_energy + w_energy · energy, in US$ bn. Nothing in the data fixes the
weights, so any ranking on that graph is a claim about them. :func:`sensitivity_records` recomputes the
ranking measures for each weighting of :data:`WEIGHT_GRID`; :func:`robust_ranking` says whether the
top of a ranking stays the same across all of them — only then does the report state it.

>>> from netdep.store import load
>>> recs = sensitivity_records(load(), 2023, measures=("supply_dependence",))
>>> sorted({(r["w_trade"], r["w_energy"]) for r in recs})[:2]
[(0.0, 1.0), (1.0, 0.0)]
"""

from __future__ import annotations

from ..graph import cross_layer_graph
from ..store import Data
from .centrality import market_dependence, pagerank_exporter, supply_dependence

__all__ = ["WEIGHT_GRID", "RANKED", "sensitivity_records", "robust_ranking"]

#: (w_trade, w_energy): goods ex-energy only, energy down-weighted, equal, energy up-weighted, energy only
WEIGHT_GRID = ((1.0, 0.0), (1.0, 0.5), (1.0, 1.0), (1.0, 2.0), (0.0, 1.0))
RANKED = ("supply_dependence", "market_dependence", "pagerank_exporter")


def sensitivity_records(data: Data, year: int, grid: tuple[tuple[float, float], ...] = WEIGHT_GRID,
                        measures: tuple[str, ...] = RANKED) -> list[dict]:
    """``{year, w_trade, w_energy, measure, actor, value, rank}`` for the named actors of each weighting
    (rank 1 = highest; ties by actor code)."""
    rem = {a["actor"] for a in data.rows("actors") if a["kind"] == "aggregate"}
    out = []
    for wt, we in grid:
        G = cross_layer_graph(data, year, {"trade": wt, "energy": we})
        G.remove_edges_from([(o, d) for o, d, w in G.edges(data="value") if not w])
        funcs = {"supply_dependence": lambda H: supply_dependence(H, rem),
                 "market_dependence": lambda H: market_dependence(H, rem),
                 "pagerank_exporter": pagerank_exporter}
        for m in measures:
            v = {a: x for a, x in funcs[m](G).items() if a not in rem}
            for k, a in enumerate(sorted(v, key=lambda a: (-v[a], a))):
                out.append({"year": year, "w_trade": wt, "w_energy": we, "measure": m, "actor": a,
                            "value": float(v[a]), "rank": k + 1})
    return out


def robust_ranking(records: list[dict], measure: str, top: int = 3) -> tuple[bool, dict[tuple[float, float], list]]:
    """``(same top-``top`` order under every weighting, {weights: top actors})`` for ``measure``."""
    by: dict[tuple[float, float], list] = {}
    for r in sorted(records, key=lambda r: r["rank"]):
        if r["measure"] == measure and r["rank"] <= top:
            by.setdefault((r["w_trade"], r["w_energy"]), []).append(r["actor"])
    orders = {tuple(v) for v in by.values()}
    return len(orders) == 1 and bool(by), by
