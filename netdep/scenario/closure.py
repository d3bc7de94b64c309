"""Market closure: after a scenario's operations, how each affected market rebalances.

The operations (:mod:`.engine`) move or add volume; a closure says what the rest of the market does.
It runs per commodity group — ``gas`` (pipeline gas and LNG: a buyer that loses pipeline gas can bid
for LNG), ``crude``, ``coal``, ``oil_products`` — in the energy layer (trade and FDI values are left as
the operations set them). The scenario file's top-level ``closure`` picks the mode; every output
states it:

``additive``
    today's behaviour, kept for comparison: nothing else changes, so an importer can import more or
    less than it uses.
``proportional``
    each affected importer's total is held at its base-year level D (unless an operation changes its
    demand: a ``scale`` with a ``destination`` and no ``origin``). Added supply E = after − D displaces
    the importer's other suppliers (the flows no operation set) pro rata; lost supply is replaced pro
    rata from freed seaborne supply (LNG, crude, coal, products displaced elsewhere in this closure),
    up to the spare capacity of the importer's open import gates; what is still short is bid away
    from the other buyers of seaborne supply, so the shortfall is shared by all buyers of that
    commodity pro rata to their imports (a buyer that loses pipeline gas bids for LNG; the buyers it
    outbids get ``unmet`` with bound ``outbid``). What no supply covers is ``unmet`` (no supplier
    in the data has known spare capacity); freed supply no deficit takes is ``unplaced`` (its
    exporter sells less, or to buyers outside the modelled demand).
``merit`` (the default)
    as ``proportional``, but displacement follows a stated order, tier by tier (pro rata within a
    tier): by default spot-priced LNG first, then pipeline gas (:data:`DEFAULT_MERIT`); override per
    importer and group in the file, e.g. ``[merit]`` ``EU27.gas = ["lng:USA", "lng", "pipeline_gas"]``
    (an entry is a commodity, or ``commodity:ORIGIN`` for one supplier).
``optimal``
    a linear programme over every importer and supplier of the group (:func:`_lp`): flows x ≥ 0 on
    every existing arc and on new seaborne arcs; each supplier sends at most what it sent after the
    operations (no new production); pipeline arcs can only shrink; each importer's imports plus unmet
    demand u minus excess v equal D; LNG and other gated imports stay within the importer's open
    import gates. Objective: minimise the change from the post-operation flows,
    Σ (1 + 0.01·tier)·|x − x₀| + 1000·Σ (u + v) — *change*, not cost, because netdep has no
    marginal supply costs it could cite, and the least-change solution is what an analyst reads as
    "who is displaced"; the tier term makes its ties follow the merit order. Solved with
    ``scipy.optimize.linprog`` (HiGHS). Where merit displacement needs no re-placement across
    importers the two agree (``tests/test_scenario_closure.py``).

Every closed mode keeps mass balance at every affected importer: after + unmet − excess = D.
No route is pushed above capacity (volume is only removed, or added through import gates up to
their spare) and no supply system above its deliverability (supplier totals never grow).

>>> from netdep.store import load
>>> import netdep.scenario as sc
>>> s = sc.load(sc.bundled_path("power_of_siberia_2"))
>>> st = s.state(load())
>>> st.closure.mode, sorted({r["importer"] for r in st.closure.records if r["kind"] == "balance"})
('merit', ['CHN', 'EU27'])
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..routes import import_gates, route_use
from ..store import Data
from .systems import Systems, route_capacity, scale_system_flows

__all__ = ["MODES", "DEFAULT_MODE", "GROUPS", "FUNGIBLE", "DEFAULT_MERIT", "Closure", "close"]

MODES = ("additive", "proportional", "merit", "optimal")
DEFAULT_MODE = "merit"
GROUPS: dict[str, tuple[str, ...]] = {"gas": ("pipeline_gas", "lng"), "crude": ("crude_oil",), "coal": ("coal",),
                                      "oil_products": ("oil_products",)}
#: commodities traded by sea: volume displaced from one buyer can go to another
FUNGIBLE = ("lng", "crude_oil", "coal", "oil_products")
#: displacement order per group (any importer); spot LNG is the marginal supply of gas importers
DEFAULT_MERIT: dict[str, tuple[str, ...]] = {"gas": ("lng", "pipeline_gas"), "crude": ("crude_oil",),
                                             "coal": ("coal",), "oil_products": ("oil_products",)}
_TOL = 1e-9
_PENALTY = 1000.0


@dataclass
class Closure:
    """What the closure did: its mode and one record per importer balance, supplier change and freed volume.

    ``kind``: ``balance`` (importer, group, demand, base, after_ops, after, unmet, excess, bound),
    ``supplier`` (importer, group, commodity, supplier, base, after_ops, after; every supplier whose flow
    changed from the base year), ``freed`` (supplier, commodity, freed, placed = {importer: volume}, unplaced).
    """

    mode: str
    records: list[dict[str, Any]] = field(default_factory=list)


def _group_of(c: str) -> str | None:
    return next((g for g, cs in GROUPS.items() if c in cs), None)


def _demand_set(spec) -> dict[str, set[str]]:
    """Importers whose demand an operation sets: a ``scale`` with a destination and no origin."""
    out: dict[str, set[str]] = defaultdict(set)
    for op in spec.operations:
        f = op.fields
        if op.type == "scale" and "destination" in f and "origin" not in f:
            for g, cs in GROUPS.items():
                if "commodity" not in f or f["commodity"] in cs:
                    out[g].add(f["destination"])
    return out


def _tiers(mode: str, importer: str, group: str, merit: dict) -> list[tuple[str, ...]]:
    if mode == "proportional":
        return [tuple(GROUPS[group])]
    order = merit.get(importer, {}).get(group) or DEFAULT_MERIT[group]
    return [(e,) for e in order]


def _match(entry: str, c: str, o: str) -> bool:
    com, _, origin = entry.partition(":")
    return com == c and (not origin or origin == o)


def _totals(rows: dict, cs: tuple[str, ...]) -> dict[str, float]:
    t: dict[str, float] = defaultdict(float)
    for k, r in rows.items():
        if k[0] == "energy" and k[1] in cs:
            t[k[3]] += r["value"]
    return t


def _arcs(rows: dict, cs: tuple[str, ...]) -> dict[tuple[str, str, str], float]:
    """(commodity, origin, importer) -> volume, routes summed."""
    a: dict[tuple[str, str, str], float] = defaultdict(float)
    for k, r in rows.items():
        if k[0] == "energy" and k[1] in cs:
            a[(k[1], k[2], k[3])] += r["value"]
    return a


_BASE_ARCS: list = [None, None]


def _group_arcs(state) -> dict[str, dict[tuple[str, str, str], float]]:
    """Per group: (commodity, origin, importer) -> volume over the energy rows, in one pass (the base state's
    cached while the same base is closed against, e.g. every step of a sweep)."""
    if _BASE_ARCS[0] is state:
        return _BASE_ARCS[1]
    group = {c: g for g, cs in GROUPS.items() for c in cs}
    out: dict[str, dict[tuple[str, str, str], float]] = defaultdict(lambda: defaultdict(float))
    for k, r in state.rows.items():
        g = group.get(k[1])
        if g is not None and k[0] == "energy":
            out[g][(k[1], k[2], k[3])] += r["value"]
    return {g: dict(a) for g, a in out.items()}


def _arc_totals(arcs: dict[tuple[str, str, str], float]) -> dict[str, float]:
    t: dict[str, float] = defaultdict(float)
    for a, v in arcs.items():
        t[a[2]] += v
    return t


def _gate_spare(state, c: str, importer: str) -> float:
    """Spare capacity of the importer's open import gates for ``c`` (inf when it has none in the data)."""
    gates = import_gates(list(state.routes.values()), c, importer, state.year)
    if not gates:
        return float("inf")
    if _USE[0] is not state:  # the state is not changed while it is closed: one allocation per close()
        _USE[:] = [state, route_use(None, state.year, list(state.rows.values()),  # type: ignore[arg-type]
                                    list(state.routes.values()))]
    use = _USE[1]
    return sum(max(route_capacity(r, state.year) - use.use.get(r["route"], 0.0), 0.0) for r in gates)


_USE: list = [None, None]
_LEGAL: dict[tuple[str, str, str], bool] = {}  # (commodity, supplier, importer) -> may grow, for one close()
_ACTORS: list = [None, {}]  # [data, actors by code]


def _legal(state, c: str, o: str, i: str) -> bool:
    """May more of ``c`` go ``o → i`` under the state's law (its ``policy`` rows)? A closure never places volume,
    nor lets a buyer bid it, where a volume limit is reached or binds only part of a region (see
    :func:`.engine.legal_room`)."""
    key = (c, o, i)
    if key not in _LEGAL:
        from ..prices import legal_limit

        ll = legal_limit(None, c, o, i, state.year, policy=state.policy, actors=_ACTORS[1])
        ok = ll is None or ll.limit is None
        if not ok and ll.coverage == "full":
            now = sum(r["value"] for k, r in state.rows.items() if k[1] == c and k[2] == o and k[3] == i)
            ok = ll.limit - now > _TOL * max(1.0, ll.limit)
        _LEGAL[key] = ok
    return _LEGAL[key]


def _set_arc(state, sy: Systems, c: str, o: str, i: str, new: float, unit_usd: dict) -> None:
    """Set the arc's volume: existing rows scaled pro rata (routes kept); a new arc is an unrouted row."""
    keys = [k for k in state.rows if k[0] == "energy" and k[1] == c and k[2] == o and k[3] == i]
    old = sum(state.rows[k]["value"] for k in keys)
    if keys and old > 0:
        f = new / old
        scale_system_flows(sy, state, keys[:1], f)
        for k in keys:
            r = state.rows[k]
            if new <= _TOL:
                del state.rows[k]
            else:
                state.rows[k] = {**r, "value": r["value"] * f,
                                 "value_usd_bn": None if r["value_usd_bn"] is None else r["value_usd_bn"] * f}
            state.changed.add(k)
    elif new > _TOL:
        k = ("energy", c, o, i, None)
        price = unit_usd.get((c, o))
        state.rows[k] = {"year": state.year, "layer": "energy", "commodity": c, "origin": o, "destination": i,
                         "route": None, "value": new, "value_usd_bn": None if price is None else new * price,
                         "source_id": "scenario", "note": f"market closure: {o}'s freed {c} placed with {i}"}
        state.scenario_source = True
        state.changed.add(k)
        for s in sy.of_actor(o, c, state.year):  # freed Russian volume keeps its systems (gates serve any buyer)
            part = sum(v for kk, v in state.sys.items() if kk[0] == c and kk[1] == s)
            tot = sum(v for kk, v in state.sys.items() if kk[0] == c and kk[1] in sy.systems
                      and sy.systems[kk[1]]["actor"] == o)
            if tot > 0 and part > 0:
                state.sys[(c, s, i, None)] = new * part / tot
    if hasattr(state, "_present"):
        state.__dict__.pop("_present", None)


def _unit_usd(rows: dict) -> dict[tuple[str, str], float]:
    v: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for k, r in rows.items():
        if r["value_usd_bn"] is not None and r["value"] > 0:
            v[(k[1], k[2])][0] += r["value_usd_bn"]
            v[(k[1], k[2])][1] += r["value"]
    return {k: a / b for k, (a, b) in v.items() if b > 0}


def _heuristic(state, g: str, cs: tuple[str, ...], demand: dict[str, float], affected: list[str], fixed: set,
               mode: str, merit: dict) -> tuple[dict, dict, dict, dict]:
    """proportional / merit: target arc volumes, unmet, excess, bound per importer, and freed placement."""
    arcs = dict(_arcs(state.rows, cs))
    total = _totals(state.rows, cs)
    unmet: dict[str, float] = {}
    excess: dict[str, float] = {}
    bound: dict[str, str] = {}
    pool: dict[tuple[str, str], float] = defaultdict(float)
    for i in affected:
        e = total.get(i, 0.0) - demand[i]
        if e <= _TOL * max(1.0, demand[i]):
            continue
        for tier in _tiers(mode, i, g, merit):
            cand = sorted(a for a in arcs if a[2] == i and a not in fixed and arcs[a] > 0
                          and any(_match(t, a[0], a[1]) for t in tier))
            avail = sum(arcs[a] for a in cand)
            take = min(e, avail)
            if take <= 0:
                continue
            for a in cand:
                x = take * arcs[a] / avail
                arcs[a] -= x
                if a[0] in FUNGIBLE:
                    pool[(a[0], a[1])] += x
            e -= take
            if e <= _TOL * max(1.0, demand[i]):
                break
        if e > _TOL * max(1.0, demand[i]):
            excess[i] = e
            bound[i] = "no_supplier_to_displace"
        else:
            bound[i] = "demand"
    placed: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    short: dict[str, float] = {}  # buyers whose cargoes a short importer bid away
    for i in affected:
        d = demand[i] - total.get(i, 0.0)
        if d <= _TOL * max(1.0, demand[i]):
            continue
        got = 0.0
        for c in cs:
            if c not in FUNGIBLE:
                continue
            offers = sorted((k, v) for k, v in pool.items() if k[0] == c and k[1] != i and v > _TOL
                            and _legal(state, c, k[1], i))
            avail = sum(v for _, v in offers)
            room = _gate_spare(state, c, i)
            take = min(d - got, avail, room)
            if take <= 0:
                if avail > 0 and room <= 0:
                    bound[i] = "route_capacity"
                continue
            for k, v in offers:
                x = take * v / avail
                pool[k] -= x
                arcs[(c, k[1], i)] = arcs.get((c, k[1], i), 0.0) + x
                placed[k][i] = placed[k].get(i, 0.0) + x
            got += take
            if take < min(d, avail) and room < d:
                bound[i] = "route_capacity"
        for c in cs:  # still short: bid seaborne cargoes away from the other buyers (the shortfall is shared)
            rem = d - got
            if c not in FUNGIBLE or rem <= _TOL * max(1.0, demand[i]):
                continue
            others = sorted(a for a in arcs if a[0] == c and a[2] != i and a[1] != i and a not in fixed
                            and arcs[a] > 0 and _legal(state, c, a[1], i))
            mine = sum(v for a, v in arcs.items() if a[0] == c and a[2] == i)
            lo = sum(arcs[a] for a in others)
            if lo <= 0 or mine <= 0:
                continue
            take = min(rem * lo / (lo + mine), lo, _gate_spare(state, c, i) - got)
            if take <= 0:
                bound[i] = "route_capacity"
                continue
            for a in others:
                x = take * arcs[a] / lo
                arcs[a] -= x
                arcs[(c, a[1], i)] = arcs.get((c, a[1], i), 0.0) + x
                short[a[2]] = short.get(a[2], 0.0) + x
            got += take
        if d - got > _TOL * max(1.0, demand[i]):
            unmet[i] = d - got
            bound.setdefault(i, "no_spare_supply")
        else:
            bound.setdefault(i, "demand")
    for j, x in short.items():
        unmet[j] = unmet.get(j, 0.0) + x
        if bound.get(j, "demand") == "demand":
            bound[j] = "outbid"
        demand.setdefault(j, _totals(state.rows, cs).get(j, 0.0))
    return arcs, unmet, excess, bound


def _lp(state, g: str, cs: tuple[str, ...], demand: dict[str, float], fixed: set, merit: dict
        ) -> tuple[dict, dict, dict, dict]:
    """optimal: the linear programme of the module docstring (HiGHS through scipy)."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    x0 = _arcs(state.rows, cs)
    importers = sorted(demand)
    supply: dict[tuple[str, str], float] = defaultdict(float)
    for a, v in x0.items():
        supply[(a[0], a[1])] += v
    buys = {(a[0], a[2]) for a in x0}  # importer already takes this commodity
    arcs = sorted(x0)
    for (c, o), s in sorted(supply.items()):
        if c in FUNGIBLE and s > 0:
            arcs += [(c, o, i) for i in importers if (c, i) in buys and (c, o, i) not in x0 and o != i
                     and _legal(state, c, o, i)]
    arcs = sorted(set(arcs))
    free = [a for a in arcs if a not in fixed]
    fix_in: dict[str, float] = defaultdict(float)
    for a in arcs:
        if a in fixed:
            fix_in[a[2]] += x0.get(a, 0.0)
    nf, ni = len(free), len(importers)
    # variables: p (increase) and n (decrease) per free arc, then u (unmet) and v (excess) per importer
    cost = np.empty(2 * nf + 2 * ni)
    ub: list[float | None] = []
    for j, a in enumerate(free):
        tier = _tier_rank(a, merit, g)
        cost[j] = 1.0 + (0.001 if a not in x0 else 0.0)
        cost[nf + j] = 1.0 + 0.01 * tier
    for a in free:  # pipeline arcs only shrink; no arc grows where the law stops it
        ub.append(None if a[0] in FUNGIBLE and _legal(state, a[0], a[1], a[2]) else 0.0)
    for a in free:
        ub.append(x0.get(a, 0.0))
    cost[2 * nf:] = _PENALTY
    bounds = [(0.0, u) for u in ub] + [(0.0, None)] * (2 * ni)
    ii = {i: k for k, i in enumerate(importers)}
    rows_e, cols_e, vals_e, b_eq = [], [], [], []
    free_in: dict[str, float] = defaultdict(float)
    for a in free:
        free_in[a[2]] += x0.get(a, 0.0)
    for i in importers:  # Σ x0 + p − n + u − v = D
        b_eq.append(demand[i] - fix_in.get(i, 0.0) - free_in[i])
    for j, a in enumerate(free):
        r = ii[a[2]]
        rows_e += [r, r]
        cols_e += [j, nf + j]
        vals_e += [1.0, -1.0]
    for k in range(ni):
        rows_e += [k, k]
        cols_e += [2 * nf + k, 2 * nf + ni + k]
        vals_e += [1.0, -1.0]
    rows_u, cols_u, vals_u, b_ub = [], [], [], []
    sup = {k: r for r, k in enumerate(sorted({(a[0], a[1]) for a in free}))}
    for j, a in enumerate(free):  # Σ_i (p − n) over the supplier's free arcs ≤ 0: no new production
        r = sup[(a[0], a[1])]
        rows_u += [r, r]
        cols_u += [j, nf + j]
        vals_u += [1.0, -1.0]
    b_ub += [0.0] * len(sup)
    into: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, a in enumerate(free):
        into[(a[0], a[2])].append(j)
    gate_rows: dict[int, tuple[str, str]] = {}
    for c in cs:
        if c not in FUNGIBLE:
            continue
        for i in importers:
            spare = _gate_spare(state, c, i)
            js = into.get((c, i), [])
            if spare == float("inf") or not js:
                continue
            r = len(b_ub)
            gate_rows[r] = (c, i)
            for j in js:
                rows_u += [r, r]
                cols_u += [j, nf + j]
                vals_u += [1.0, -1.0]
            b_ub.append(spare)
    nv = 2 * nf + 2 * ni
    A_eq = coo_matrix((vals_e, (rows_e, cols_e)), shape=(ni, nv)).tocsr()
    A_ub = coo_matrix((vals_u, (rows_u, cols_u)), shape=(len(b_ub), nv)).tocsr() if b_ub else None
    res = linprog(cost, A_ub=A_ub, b_ub=b_ub or None, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:
        from ..errors import ScenarioError

        raise ScenarioError(f"optimal closure of {g}: the LP failed ({res.message})")
    z = res.x
    out = {a: v for a, v in x0.items()}
    for j, a in enumerate(free):
        out[a] = max(x0.get(a, 0.0) + z[j] - z[nf + j], 0.0)
    unmet = {i: z[2 * nf + k] for k, i in enumerate(importers) if z[2 * nf + k] > _TOL * max(1.0, demand[i])}
    excess = {i: z[2 * nf + ni + k] for k, i in enumerate(importers)
              if z[2 * nf + ni + k] > _TOL * max(1.0, demand[i])}
    bound = {i: ("no_spare_supply" if i in unmet else "no_supplier_to_displace" if i in excess else "demand")
             for i in importers}
    slack = res.slack if res.slack is not None else []
    for r, (_c, i) in gate_rows.items():
        if r < len(slack) and slack[r] <= 1e-9 * max(1.0, b_ub[r]) and i in unmet:
            bound[i] = "route_capacity"
    return out, unmet, excess, bound


def _tier_rank(a: tuple[str, str, str], merit: dict, g: str) -> int:
    order = merit.get(a[2], {}).get(g) or DEFAULT_MERIT[g]
    for k, e in enumerate(order):
        if e == a[0] or _match(e, a[0], a[1]):
            return k
    return len(order)


def close(data: Data, spec, state, base) -> Any:
    """``state`` after its operations, closed by ``spec.closure`` against ``base`` (the state before them).

    Returns a new state with ``.closure`` (:class:`Closure`); ``additive`` returns a copy with the balance
    records only.
    """
    mode = getattr(spec, "closure", None) or DEFAULT_MODE
    merit = getattr(spec, "merit", None) or {}
    _USE[:] = [None, None]
    if _ACTORS[0] is not data:
        _ACTORS[:] = [data, {a["actor"]: a for a in data.rows("actors")}]
    _LEGAL.clear()  # one close: the state's law and flows do not change while it runs
    if _BASE_ARCS[0] is not base:
        _BASE_ARCS[:] = [None, None]
        _BASE_ARCS[:] = [base, _group_arcs(base)]
    st = state.copy()
    clo = Closure(mode)
    st.closure = clo
    sy = Systems.of(data)
    fixed_keys = set(state.changed)
    dset = _demand_set(spec)
    arcs_b, arcs_a = _group_arcs(base), _group_arcs(state)
    for g, cs in GROUPS.items():
        base_arcs, ops_arcs = arcs_b.get(g, {}), arcs_a.get(g, {})
        tb, ta = _arc_totals(base_arcs), _arc_totals(ops_arcs)
        affected = sorted(i for i in set(tb) | set(ta)
                          if abs(ta.get(i, 0.0) - tb.get(i, 0.0)) > _TOL * max(1.0, tb.get(i, 0.0)))
        if not affected:
            continue
        demand = {i: (ta.get(i, 0.0) if i in dset[g] else tb.get(i, 0.0)) for i in affected}
        fixed = {(k[1], k[2], k[3]) for k in fixed_keys if k[0] == "energy" and k[1] in cs}
        if mode == "additive":
            final, unmet, excess, bound = dict(ops_arcs), {}, {}, {i: "additive" for i in affected}
        elif mode == "optimal":
            full = {i: (ta.get(i, 0.0) if i in dset[g] or i not in demand else demand[i]) for i in set(ta) | set(tb)}
            final, unmet, excess, bound = _lp(state, g, cs, full, fixed, merit)
        else:
            final, unmet, excess, bound = _heuristic(state, g, cs, demand, affected, fixed, mode, merit)
        _USE[:] = [None, None]
        usd: dict | None = None
        for a in sorted(set(final) | set(ops_arcs)):
            new, old = final.get(a, 0.0), ops_arcs.get(a, 0.0)
            if abs(new - old) > _TOL * max(1.0, old):
                usd = _unit_usd(state.rows) if usd is None else usd
                _set_arc(st, sy, a[0], a[1], a[2], new, usd)
        tf = _arc_totals(_group_arcs(st).get(g, {})) if mode != "additive" else ta
        touched = sorted(set(affected) | {a[2] for a in final if abs(final[a] - ops_arcs.get(a, 0.0)) > _TOL})
        for i in touched:
            d = demand.get(i, tb.get(i, 0.0))
            clo.records.append({"kind": "balance", "group": g, "importer": i, "demand": d,
                                "base": tb.get(i, 0.0), "after_ops": ta.get(i, 0.0), "after": tf.get(i, 0.0),
                                "unmet": unmet.get(i, 0.0), "excess": excess.get(i, 0.0),
                                "bound": bound.get(i, "demand"),
                                "russia_base": sum(v for a, v in base_arcs.items() if a[2] == i and a[1] == "RUS"),
                                "russia_after": sum(v for a, v in final.items() if a[2] == i and a[1] == "RUS")})
            for a in sorted(set(base_arcs) | set(final) | set(ops_arcs)):
                if a[2] != i:
                    continue
                b0, b1, b2 = base_arcs.get(a, 0.0), ops_arcs.get(a, 0.0), final.get(a, 0.0)
                if max(abs(b1 - b0), abs(b2 - b0)) > 1e-9 * max(1.0, b0):
                    clo.records.append({"kind": "supplier", "group": g, "importer": i, "commodity": a[0],
                                        "supplier": a[1], "base": b0, "after_ops": b1, "after": b2})
        freed: dict[tuple[str, str], float] = defaultdict(float)
        gained: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
        for a in sorted(set(final) | set(ops_arcs)):
            dv = final.get(a, 0.0) - ops_arcs.get(a, 0.0)
            if dv < -_TOL:
                freed[(a[0], a[1])] += -dv
            elif dv > _TOL:
                gained[(a[0], a[1])][a[2]] = dv
        for k in sorted(freed):
            placed = gained.get(k, {})
            clo.records.append({"kind": "freed", "group": g, "commodity": k[0], "supplier": k[1], "freed": freed[k],
                                "placed": placed, "unplaced": max(freed[k] - sum(placed.values()), 0.0)})
    return st
