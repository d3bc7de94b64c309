"""Apply a scenario's operations to the flows of its base year, with capacity-bounded reroutes.

The state is the base year's flow rows (keyed ``(layer, commodity, origin, destination,
route)``) and the routes table; operations run in order, each on the state the
previous ones left.

**Reroute** ``origin``'s ``commodity`` exports from ``from`` to ``to``:

* requested r = share × V or ``amount``, where V is the base-year flow origin → from
  (routes summed; it must exist);
* capacity limit L: the most that can move before a route would carry more than its
  capacity, found by bisection on :func:`netdep.routes.route_use` (its allocation rule, not a
  copy of it), counting only routes whose use the move raises. With a named ``route`` the
  moved volume rides that route (a named export gate is also bounded by the receiver's
  open import gates, e.g. regasification); without one, it is an unrouted flow origin → to,
  which fills the open links joining the pair and then the export gates at the origin and
  the import gates at the receiver (capacity freed by the old flow counts). Where no route
  joins the pair for that commodity, L = ∞ and the result says the capacity is unknown;
* moved m = min(r, V, L); the bound that bit is ``none``, ``exporter_volume`` (r > V)
  or ``route_capacity``;
* the rows origin → from shrink by m (``on_excess = "drop"``: by min(r, V), the excess lost),
  each in proportion to its value, and m goes onto the row origin → to (with the route when
  named), valued in US$ at the old flow's unit value.

So the origin's exports of the commodity change by exactly −(dropped) and no route is
pushed above its capacity (routes already above it in the data are not pushed further).

**scale**, **set_route** and **add_flow** change rows and routes directly; ``add_flow`` over
a known route is capped at its spare capacity like a reroute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..checks import member_set, route_mismatch
from ..routes import export_gates, import_gates, is_open, links, route_use
from ..schema import LAYERS, STATUSES
from ..store import Data
from .spec import Operation, ScenarioSpec, _hint
from .systems import SysKey, Systems, scale_system_flows, system_add, system_limit

__all__ = ["State", "Move", "initial_state", "run_operations", "state_to_data", "SCENARIO_SOURCE"]

Key = tuple[str, str, str, str, str | None]
SCENARIO_SOURCE = "scenario"
_TOL = 1e-12


@dataclass
class Move:
    """What one reroute or add_flow did: requested and moved volume, and the bound that bit."""

    op: int
    type: str
    commodity: str
    origin: str
    from_: str | None
    to: str
    route: str | None
    requested: float
    moved: float
    dropped: float
    bound: str  # none | exporter_volume | route_capacity | no_connection | deliverability
    detail: str
    unit: str = ""

    def record(self) -> dict[str, Any]:
        return {"op": self.op, "type": self.type, "commodity": self.commodity, "origin": self.origin,
                "from": self.from_, "to": self.to, "route": self.route, "requested": self.requested,
                "moved": self.moved, "dropped": self.dropped, "bound": self.bound, "detail": self.detail,
                "unit": self.unit}


@dataclass
class State:
    """Base-year flows and routes as a scenario changes them (rows are replaced, never mutated)."""

    year: int
    rows: dict[Key, dict]
    routes: dict[str, dict]
    changed: set[Key] = field(default_factory=set)
    moves: list[Move] = field(default_factory=list)
    scenario_source: bool = False
    sys: dict[SysKey, float] = field(default_factory=dict)  # flows attributed to supply systems (.systems)
    closure: Any = None  # what the market closure did (.closure.Closure), set by .closure.close

    def copy(self) -> State:
        return State(self.year, dict(self.rows), dict(self.routes), set(self.changed), list(self.moves),
                     self.scenario_source, dict(self.sys))


def _key(f: dict) -> Key:
    return (f["layer"], f["commodity"], f["origin"], f["destination"], f["route"])


def initial_state(data: Data, year: int) -> State:
    """The state before any operation: ``year``'s flows and every route."""
    rows = {_key(f): f for f in data.rows("flows") if f["year"] == year}
    from ..routes import routes_in_year  # capacity and status as they stood in the base year

    return State(year, rows, {r["route"]: r for r in routes_in_year(data, year)},
                 sys=Systems.of(data).initial(year, rows))


class _Ctx:
    """Lookups shared by the operations of one run."""

    def __init__(self, data: Data, name: str):
        self.data = data
        self.name = name
        self.actors = {a["actor"]: a for a in data.rows("actors")}
        self.commodities = {c["commodity"]: c for c in data.rows("commodities")}
        self.sources = {s["source_id"] for s in data.rows("sources")}


def _present(state: State, commodity: str) -> set[str]:
    """Actors in the state's flows of ``commodity`` (cached until a row is added or removed)."""
    cache = state.__dict__.setdefault("_present", {})
    if commodity not in cache:
        cache[commodity] = {a for k in state.rows if k[1] == commodity for a in (k[2], k[3])}
    return cache[commodity]


def _rows_changed(state: State) -> None:
    state.__dict__.pop("_present", None)


def _check_commodity(op: Operation, ctx: _Ctx, name: str = "commodity") -> dict:
    c = op.fields[name]
    if c not in ctx.commodities:
        raise op.error(name, f"unknown commodity '{c}'{_hint(c, list(ctx.commodities))}; commodities are "
                             f"{', '.join(sorted(ctx.commodities))}")
    return ctx.commodities[c]


def _check_actor(op: Operation, name: str, ctx: _Ctx, state: State, commodity: str | None) -> str:
    a = op.fields[name]
    if a not in ctx.actors:
        raise op.error(name, f"unknown actor '{a}'{_hint(a, list(ctx.actors))}; actors are listed in "
                             "actors.parquet (`netdep sql -c 'select actor, name from actors'`)")
    if commodity is None or a == "ROW":
        return a
    mine = member_set(ctx.actors[a])
    if mine is None:
        return a
    for p in sorted(_present(state, commodity) - {a}):
        theirs = member_set(ctx.actors[p])
        if theirs is not None and mine & theirs:
            raise op.error(name, f"'{a}' overlaps '{p}' ({ctx.actors[p]['name']}) in the {state.year} {commodity} "
                                 f"graph: {commodity} flows use '{p}' (their source's geography), so write "
                                 f"{name} = \"{p}\"")
    return a


def _check_route(op: Operation, ctx: _Ctx, state: State, commodity: str, origin: str, dest: str) -> str | None:
    r = op.fields.get("route")
    if r is None:
        return None
    if r not in state.routes:
        raise op.error("route", f"unknown route '{r}'{_hint(r, list(state.routes))}; routes are listed in "
                                "routes.parquet")
    why = route_mismatch(state.routes[r], commodity, origin, dest)
    if why:
        raise op.error("route", f"route '{r}' {why}")
    return r


def _relevant(state: State, c: str, o: str, t: str, names: set[str]) -> list[dict]:
    return [f for k, f in state.rows.items() if k[1] == c and (k[2] == o or k[3] == t or k[4] in names)]


_LIMITS: dict[tuple, tuple[float, str, str]] = {}


def _limit(state: State, c: str, o: str, t: str, route: str | None, from_keys: list[Key], hi: float
           ) -> tuple[float, str, str]:
    """Largest volume (≤ ``hi``) that can move to ``o → t`` (taken from ``from_keys``): (limit, bound, detail)."""
    y = state.year
    routes = [r for r in state.routes.values() if r["commodity"] == c]
    if route is not None:
        cand = [state.routes[route]]
        if not is_open(cand[0], y):
            st = cand[0]["status"]
            return 0.0, "route_capacity", f"route {route} is not open in {y} (status {st}); reopen it with set_route"
    else:
        cand = links(routes, c, o, t, y) + export_gates(routes, c, o, y) + import_gates(routes, c, t, y)
    if not cand:
        return math.inf, "none", f"capacity unknown: no route joins {o} and {t} for {c}"
    names = {r["route"] for r in cand}
    flows = _relevant(state, c, o, t, names)
    key = (y, c, o, t, route, tuple(from_keys), hi,
           tuple(sorted((_key(f), f["value"]) for f in flows)),
           tuple(sorted((r["route"], r["origin"], r["destination"], r["capacity"], r["status"], r["open_from"],
                         r["open_to"]) for r in routes)))
    if key in _LIMITS:
        return _LIMITS[key]
    base = route_use(None, y, flows, routes)  # type: ignore[arg-type]
    total = sum(state.rows[k]["value"] for k in from_keys)
    new_key = ("", c, o, t, route)

    def use_at(x: float):
        fl, added = [], False
        for f in flows:
            k = _key(f)
            if k in from_keys and total > 0:
                f = {**f, "value": f["value"] - x * f["value"] / total}
            elif k[1:] == new_key[1:]:
                f, added = {**f, "value": f["value"] + x}, True
            fl.append(f)
        if not added:
            fl.append({"year": y, "commodity": c, "origin": o, "destination": t, "route": route, "value": x})
        return route_use(None, y, fl, routes)  # type: ignore[arg-type]

    def over(x: float) -> list[str]:
        u = use_at(x)
        bad = []
        for r in cand:
            n, cap = r["route"], r["capacity"]
            if u.use.get(n, 0.0) > max(cap, base.use.get(n, 0.0)) + _TOL * max(1.0, cap):
                bad.append(n)
        if u.unrouted.get((c, o, t), 0.0) > base.unrouted.get((c, o, t), 0.0) + _TOL * max(1.0, x):
            bad.append(f"no further route {o}→{t}")
        return bad

    extra = math.inf
    gates_in: list[dict] = []
    if route is not None and cand[0]["destination"] == "ROW":  # a named export gate: the receiver's terminals
        gates_in = import_gates(routes, c, t, y)
        if gates_in:
            extra = sum(base.spare(r["route"]) for r in gates_in)
    top = min(hi, extra)
    bad = over(top)
    if not bad:
        lim = top
        if top < hi:
            res = (lim, "route_capacity", "import gates " + ", ".join(r["route"] for r in gates_in)
                   + f" (spare {extra:.4g})")
        else:
            res = (lim, "none", "routes " + ", ".join(sorted(names)))
    else:
        lo, up = 0.0, top
        for _ in range(60):
            mid = (lo + up) / 2
            if over(mid):
                up = mid
            else:
                lo = mid
            if up - lo <= 1e-13 * max(1.0, up):
                break
        res = (lo, "route_capacity", ", ".join(bad) + f" at capacity after {lo:.6g} moved")
    if len(_LIMITS) > 4096:
        _LIMITS.clear()
    _LIMITS[key] = res
    return res


def _unit_value(rows: list[dict]) -> float | None:
    v = sum(r["value"] for r in rows)
    if v <= 0 or any(r["value_usd_bn"] is None for r in rows):
        return None
    return sum(r["value_usd_bn"] for r in rows) / v


def _add(state: State, key: Key, amount: float, usd: float | None, template: dict, note: str) -> None:
    if amount <= 0:
        return
    old = state.rows.get(key)
    if old is None:
        _rows_changed(state)
        state.rows[key] = {**template, "year": state.year, "layer": key[0], "commodity": key[1], "origin": key[2],
                           "destination": key[3], "route": key[4], "value": amount, "value_usd_bn": usd,
                           "note": note}
    else:
        ousd = old["value_usd_bn"]
        state.rows[key] = {**old, "value": old["value"] + amount,
                           "value_usd_bn": None if ousd is None or usd is None else ousd + usd}
    state.changed.add(key)


def _shrink(state: State, keys: list[Key], amount: float, total: float) -> None:
    if amount <= 0:
        return
    for k in keys:
        f = state.rows[k]
        new = f["value"] - amount * f["value"] / total
        if new <= 1e-12 * max(1.0, total):
            del state.rows[k]
            _rows_changed(state)
        else:
            r = new / f["value"]
            state.rows[k] = {**f, "value": new,
                             "value_usd_bn": None if f["value_usd_bn"] is None else f["value_usd_bn"] * r}
        state.changed.add(k)


def _reroute(op: Operation, i: int, ctx: _Ctx, state: State) -> None:
    com = _check_commodity(op, ctx)
    c = com["commodity"]
    o = _check_actor(op, "origin", ctx, state, c)
    f = _check_actor(op, "from", ctx, state, c)
    t = _check_actor(op, "to", ctx, state, c)
    route = _check_route(op, ctx, state, c, o, t)
    from_keys = [k for k in state.rows if k[1] == c and k[2] == o and k[3] == f]
    total = sum(state.rows[k]["value"] for k in from_keys)
    if not from_keys or total <= 0:
        buyers = sorted({k[3] for k in state.rows if k[1] == c and k[2] == o})
        raise op.error("from", f"no {c} flow {o} → {f} in {state.year} to reroute; {o}'s {c} buyers in "
                               f"{state.year}: {', '.join(buyers) or 'none'}")
    req = total * float(op.fields["share"]) if "share" in op.fields else float(op.fields["amount"])
    avail = min(req, total)
    lim, bound, detail = _limit(state, c, o, t, route, from_keys, total)
    sy = Systems.of(ctx.data)
    sys_lim, sys_bound, sys_detail, take = system_limit(sy, state, c, o, f, t, route, total)
    moved = min(avail, lim, sys_lim)
    if moved < avail and sys_lim <= lim:
        bound, detail = sys_bound, sys_detail
    elif moved < avail:
        bound = "route_capacity"
    elif req > total:
        bound, detail = "exporter_volume", f"{o} exports only {total:.4g} {com['unit']} of {c} to {f}; " + detail
    else:
        bound = "none"
    drop = (avail - moved) if op.fields.get("on_excess", "stay") == "drop" else 0.0
    rows = [state.rows[k] for k in from_keys]
    price = _unit_value(rows)
    template = max(rows, key=lambda r: r["value"])
    _shrink(state, from_keys, moved + drop, total)
    system_add(sy, state, take, moved, drop, total, c, f, t, route)
    note = f"scenario '{ctx.name}': operations[{i}] moved {moved:.6g} {com['unit']} from {o}→{f}"
    _add(state, (com["layer"], c, o, t, route), moved, None if price is None else moved * price, template, note)
    state.moves.append(Move(i, "reroute", c, o, f, t, route, req, moved, drop, bound, detail, com["unit"]))


def _scale(op: Operation, i: int, ctx: _Ctx, state: State) -> None:
    flt = op.fields
    if "layer" in flt and flt["layer"] not in LAYERS:
        raise op.error("layer", f"'{flt['layer']}' is not one of {', '.join(LAYERS)}")
    c = _check_commodity(op, ctx)["commodity"] if "commodity" in flt else None
    for name in ("origin", "destination"):
        if name in flt:
            _check_actor(op, name, ctx, state, c)
    idx = {"layer": 0, "commodity": 1, "origin": 2, "destination": 3}
    keys = [k for k in state.rows if all(k[idx[n]] == flt[n] for n in idx if n in flt)]
    if not keys:
        what = ", ".join(f"{n} = {flt[n]!r}" for n in idx if n in flt)
        raise op.error(None, f"matches no flow in {state.year} ({what})")
    factor = float(flt["factor"])
    scale_system_flows(Systems.of(ctx.data), state, keys, factor)
    for k in keys:
        f = state.rows[k]
        if factor == 0.0:
            del state.rows[k]
            _rows_changed(state)
        else:
            state.rows[k] = {**f, "value": f["value"] * factor,
                             "value_usd_bn": None if f["value_usd_bn"] is None else f["value_usd_bn"] * factor}
        state.changed.add(k)


def _set_route(op: Operation, i: int, ctx: _Ctx, state: State) -> None:
    r = op.fields["route"]
    if r not in state.routes:
        raise op.error("route", f"unknown route '{r}'{_hint(r, list(state.routes))}; routes are listed in "
                                "routes.parquet")
    new = dict(state.routes[r])
    if "status" in op.fields:
        if op.fields["status"] not in STATUSES:
            raise op.error("status", f"'{op.fields['status']}' is not one of {', '.join(STATUSES)}")
        new["status"] = op.fields["status"]
    if "capacity" in op.fields:
        new["capacity"] = float(op.fields["capacity"])
    for k in ("open_from", "open_to"):
        if k in op.fields:
            v = op.fields[k]
            new[k] = None if isinstance(v, str) else int(v)
    if new["open_from"] is not None and new["open_to"] is not None and new["open_from"] > new["open_to"]:
        raise op.error("open_to", f"{new['open_to']} is before open_from {new['open_from']}")
    state.routes[r] = new


def _add_flow(op: Operation, i: int, ctx: _Ctx, state: State) -> None:
    com = _check_commodity(op, ctx)
    c = com["commodity"]
    o = _check_actor(op, "origin", ctx, state, c)
    t = _check_actor(op, "destination", ctx, state, c)
    if o == t:
        raise op.error("destination", "equals origin")
    route = _check_route(op, ctx, state, c, o, t)
    src = op.fields.get("source_id", SCENARIO_SOURCE)
    if src != SCENARIO_SOURCE and src not in ctx.sources:
        raise op.error("source_id", f"unknown source '{src}'{_hint(src, list(ctx.sources))}; use a source_id of "
                                    f"sources.parquet or '{SCENARIO_SOURCE}'")
    value = float(op.fields["value"])
    lim, bound, detail = _limit(state, c, o, t, route, [], value)
    sy = Systems.of(ctx.data)
    sys_lim, sys_bound, sys_detail, take = system_limit(sy, state, c, o, None, t, route, value)
    moved = min(value, lim, sys_lim)
    if moved < value and sys_lim <= lim:
        bound, detail = sys_bound, sys_detail
    else:
        bound = "route_capacity" if moved < value else "none"
    system_add(sy, state, take, moved, 0.0, value, c, None, t, route)
    if "value_usd_bn" in op.fields:
        usd = float(op.fields["value_usd_bn"]) * (moved / value if value else 0.0)
    elif com["unit"] == "USD_bn":
        usd = moved
    else:
        price = _unit_value([f for k, f in state.rows.items() if k[1] == c])
        usd = None if price is None else moved * price
    state.scenario_source |= src == SCENARIO_SOURCE
    template = {"source_id": src}
    _add(state, (com["layer"], c, o, t, route), moved, usd, template,
         f"scenario '{ctx.name}': operations[{i}] add_flow: {op.fields['reason']}")
    state.moves.append(Move(i, "add_flow", c, o, None, t, route, value, moved, 0.0, bound, detail, com["unit"]))


_CTX: dict[tuple[int, str], _Ctx] = {}
_OPS = {"reroute": _reroute, "scale": _scale, "set_route": _set_route, "add_flow": _add_flow}


def run_operations(data: Data, spec: ScenarioSpec, year: int, state: State | None = None,
                   start: int = 0) -> State:
    """Run ``spec.operations[start:]`` on ``state`` (default: the base year's data); return the new state."""
    ctx = _CTX.get((id(data), spec.name))
    if ctx is None or ctx.data is not data:
        ctx = _Ctx(data, spec.name)
        _CTX.clear()
        _CTX[(id(data), spec.name)] = ctx
    state = initial_state(data, year) if state is None else state.copy()
    for i, op in enumerate(spec.operations[start:], start):
        _OPS[op.type](op, i, ctx, state)
    return state


def state_to_data(data: Data, state: State, name: str = "") -> Data:
    """A copy of ``data`` with the state's base-year flows and routes (and the 'scenario' source if used)."""
    from ..store import canonical, table_from_rows

    rows = [f for f in data.rows("flows") if f["year"] != state.year] + list(state.rows.values())
    tables = {"flows": canonical("flows", table_from_rows("flows", rows)),
              "routes": canonical("routes", table_from_rows("routes", state.routes.values()))}
    if state.scenario_source and SCENARIO_SOURCE not in {s["source_id"] for s in data.rows("sources")}:
        src = {"source_id": SCENARIO_SOURCE, "title": f"netdep scenario: {name}" if name else "netdep scenario",
               "publisher": "netdep", "url": "https://netdep.invalid/scenario",
               "note": "Flows added by a scenario's add_flow operation; see the scenario file for the reason."}
        tables["sources"] = canonical("sources", table_from_rows("sources", [*data.rows("sources"), src]))
    return data.replace(**tables)
