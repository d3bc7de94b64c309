"""Concentration of suppliers and buyers: the Herfindahl–Hirschman index, and the strategic screen.

HHI(a, side) = Σ_p s_p², with s_p partner p's share of a's imports (side ``in``)
or exports (side ``out``) — Hirschman, *National Power and the Structure of
Foreign Trade* (1945); Herfindahl (1950). 1 means a single partner.

Remainder aggregates (``ROW``, "Other Asia Pacific", …: actors of kind
``aggregate``) stand for many partners too small to list; they count in the
total but add nothing to the sum of squares, which makes the index a lower
bound, and they are never the top partner. ``unattributed_share`` (u) says how
much of the total they hold; the index lies in [HHI, HHI + u²] (u held by one
unlisted partner at most). ``coverage`` = 1 − u where the world total is known,
``None`` where it is not (:mod:`.coverage`): then every share, the HHI included,
is of the listed partners only.

**Strategic screen** (side ``in`` only), the three criteria of the European
Commission's *Strategic dependencies and capacities*, SWD(2021) 352, and the
JRC's GeoDep, applied to the actor's imports:

1. concentration: HHI > 0.4 (:data:`STRATEGIC_HHI`);
2. importance of imports in demand: the fuel's imports / its consumption > 0.5
   (:data:`IMPORT_IN_DEMAND`; the Commission uses extra-EU over total EU
   imports; here the consumption of ``balances``, the same question);
3. low substitutability: the fuel's imports above its exports (the Commission's
   ratio of extra-EU imports to EU exports > 1).

Criteria 2 and 3 are taken at the fuel level (gas = pipeline + LNG, oil = crude +
products: the commodity's ``balance_of``) — a net exporter of gas is not
dependent on one pipeline's imports. ``strategic`` is ``True`` when all three
hold, ``False`` when one fails, and ``None`` with ``strategic_reason`` saying
why when coverage is not known, no consumption figure exists, or the HHI's
bounds straddle 0.4.

>>> hhi([0.5, 0.5])
0.5
>>> strategic_screen(0.6, 0.6, imports=80.0, exports=5.0, exports_known=True, consumption=100.0)
(True, 'HHI 0.60 > 0.4; imports 80% of consumption > 50%; imports 80 > exports 5')
>>> strategic_screen(0.6, 0.6, imports=80.0, exports=150.0, exports_known=True, consumption=100.0)[0]
False
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from .coverage import coverage, is_complete_matrix

__all__ = ["hhi", "concentration_records", "strategic_screen", "fuel_balance", "STRATEGIC_HHI",
           "IMPORT_IN_DEMAND"]

STRATEGIC_HHI = 0.4
IMPORT_IN_DEMAND = 0.5


def hhi(shares: Iterable[float]) -> float:
    """Σ s² of the given shares."""
    return float(sum(s * s for s in shares))


def strategic_screen(hhi_low: float, hhi_high: float, imports: float | None, exports: float | None,
                     exports_known: bool, consumption: float | None) -> tuple[bool | None, str]:
    """``(flag, reason)`` of the three-criterion screen (module docstring) for one importer.

    ``hhi_low``/``hhi_high``: bounds of the HHI (equal where every partner is named); ``imports``/``exports``:
    the fuel's totals (world totals: pass ``None`` where unknown); ``exports_known``: whether ``exports`` is
    the world total (else it is a lower bound); ``consumption``: the fuel's consumption, or ``None``.
    """
    if imports is None:
        return None, "world total of imports unknown: shares are of the listed partners only"
    if hhi_low > STRATEGIC_HHI:
        c1, r1 = True, f"HHI {hhi_low:.2f} > {STRATEGIC_HHI}"
    elif hhi_high <= STRATEGIC_HHI:
        c1, r1 = False, f"HHI {hhi_high:.2f} <= {STRATEGIC_HHI}" if hhi_high == hhi_low else \
            f"HHI at most {hhi_high:.2f} <= {STRATEGIC_HHI}"
    else:
        c1, r1 = None, f"HHI between {hhi_low:.2f} and {hhi_high:.2f} (unlisted partners)"
    if not consumption:
        c2, r2 = None, "no consumption figure"
    else:
        ratio = imports / consumption
        c2 = ratio > IMPORT_IN_DEMAND
        r2 = f"imports {100 * ratio:.0f}% of consumption {'>' if c2 else '<='} {100 * IMPORT_IN_DEMAND:.0f}%"
    ex = exports or 0.0
    if imports <= ex:
        c3, r3 = False, f"imports {imports:.3g} <= exports {ex:.3g}" + ("" if exports_known else " (at least)")
    elif exports_known:
        c3, r3 = True, f"imports {imports:.3g} > exports {ex:.3g}"
    else:
        c3, r3 = None, f"exports unknown (listed {ex:.3g} < imports {imports:.3g})"
    crit = (c1, c2, c3)
    if False in crit:
        return False, "; ".join(r for c, r in zip(crit, (r1, r2, r3)) if c is False)
    if None in crit:
        return None, "; ".join(r for c, r in zip(crit, (r1, r2, r3)) if c is None)
    return True, "; ".join((r1, r2, r3))


def fuel_balance(F: nx.DiGraph, remainders: set[str] = frozenset(), consumption: dict[str, float] | None = None,
                 weight: str = "value") -> dict[str, dict]:
    """Per actor of the fuel graph ``F``: ``imports`` (``None`` where the world total is unknown),
    ``exports``, ``exports_known`` and ``consumption`` — the inputs of criteria 2 and 3."""
    cov = coverage(F, remainders, weight)
    complete = is_complete_matrix(F, remainders)
    consumption = consumption or {}
    out = {}
    for a in F.nodes:
        imp = F.in_degree(a, weight=weight)
        exp = F.out_degree(a, weight=weight)
        imp_known = imp > 0 and cov.get((a, "in")) is not None
        exp_known = cov.get((a, "out")) is not None if exp > 0 else complete  # no exports in a full matrix: 0
        out[a] = {"imports": float(imp) if imp_known else None, "exports": float(exp),
                  "exports_known": bool(exp_known), "consumption": consumption.get(a)}
    return out


def concentration_records(G: nx.DiGraph, remainders: set[str] = frozenset(), weight: str = "value",
                          fuel: dict[str, dict] | None = None) -> list[dict]:
    """HHI, top partner and its share, coverage and (side ``in``) the strategic screen for every actor of ``G``
    with a non-zero total, both sides. ``fuel``: :func:`fuel_balance` of the commodity's fuel graph (default:
    of ``G`` itself, without consumption)."""
    meta = {k: G.graph.get(k) for k in ("year", "layer", "commodity")}
    cov = coverage(G, remainders, weight)
    fuel = fuel if fuel is not None else fuel_balance(G, remainders, None, weight)
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
            h = hhi(s for _, s in named)
            u = sum(w for p, w in partners if p in remainders) / total
            c = cov.get((actor, side))
            if side == "in":
                f = fuel.get(actor)
                if c is None:
                    flag, why = None, "world total of imports unknown: shares are of the listed partners only"
                elif f is None:
                    flag, why = None, "no fuel balance"
                else:
                    flag, why = strategic_screen(h, h + u * u, f["imports"], f["exports"], f["exports_known"],
                                                 f["consumption"])
            else:
                flag, why = None, "the screen applies to imports"
            out.append({**meta, "actor": actor, "side": side, "hhi": h,
                        "top_partner": top[0], "top_share": top[1],
                        "unattributed_share": u, "partners": len(partners), "coverage": c,
                        "strategic": flag, "strategic_reason": why})
    return out
