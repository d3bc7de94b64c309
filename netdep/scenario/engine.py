"""Apply a scenario's operations to the flows of its base year, bounded by capacity, supply systems and law.

The state is the base year's flow rows (keyed ``(layer, commodity, origin, destination,
route)``), the routes table, the legal limits in force (``policy``) and the scenario's contract
prices; operations run in order, each on the state the previous ones left (``set_policy``, which
states the scenario's law, first). Each operation type is a module of :mod:`.ops`; this module
holds the state and what they share: the capacity limit (:func:`_limit`), the legal room
(:func:`legal_room`) and the buyer's price (:func:`price_of`).

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
* moved m = min(r, V, L, S, G) with S the supply systems' limit (:mod:`.systems`) and G the
  legal room (:func:`legal_room`); the bound that bit is ``none``, ``exporter_volume`` (r > V),
  ``route_capacity``, ``no_connection``, ``deliverability`` or ``legal``;
* the rows origin → from shrink by m (``on_excess = "drop"``: by min(r, V), the excess lost),
  each in proportion to its value, and m goes onto the row origin → to (with the route when
  named), valued in US$ at the new buyer's price (:func:`price_of`; the old flow's unit value
  where no price exists).

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
from ..store import Data
from .spec import Operation, ScenarioSpec, _hint
from .systems import SysKey, Systems

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
    policy: list[dict] = field(default_factory=list)  # the legal limits in force (set_policy changes them)
    prices: list[dict] = field(default_factory=list)  # the scenario's contract prices (set_price), over ``prices``

    def copy(self) -> State:
        return State(self.year, dict(self.rows), dict(self.routes), set(self.changed), list(self.moves),
                     self.scenario_source, dict(self.sys), policy=list(self.policy), prices=list(self.prices))


def _key(f: dict) -> Key:
    return (f["layer"], f["commodity"], f["origin"], f["destination"], f["route"])


def initial_state(data: Data, year: int) -> State:
    """The state before any operation: ``year``'s flows and every route."""
    rows = {_key(f): f for f in data.rows("flows") if f["year"] == year}
    from ..routes import routes_in_year  # capacity and status as they stood in the base year

    return State(year, rows, {r["route"]: r for r in routes_in_year(data, year)},
                 sys=Systems.of(data).initial(year, rows), policy=_table_rows(data, "policy"))


def _table_rows(data: Data, name: str) -> list[dict]:
    return data.rows(name) if name in data.tables else []


class _Ctx:
    """Lookups shared by the operations of one run."""

    def __init__(self, data: Data, name: str):
        self.data = data
        self.name = name
        self.actors = {a["actor"]: a for a in data.rows("actors")}
        self.commodities = {c["commodity"]: c for c in data.rows("commodities")}
        self.sources = {s["source_id"] for s in data.rows("sources")}
        self.prices: dict[tuple[str, int], list[dict]] = {}
        for p in _table_rows(data, "prices"):
            self.prices.setdefault((p["commodity"], p["year"]), []).append(p)
        self.priced = {k[0] for k in self.prices}


def legal_room(ctx: _Ctx, state: State, c: str, o: str, t: str, route: str | None) -> tuple[float, str]:
    """How much more of ``c`` may legally flow ``o → t`` (on ``route``) in the state's year, and why.

    From the state's ``policy`` rows (:func:`netdep.prices.legal_limit`): no measure or a price cap
    only → ∞; a volume limit L on a buyer the measure covers whole → max(L − what already flows
    under it, 0) (flows on an exempt route do not count); a buyer region that only partly falls
    under the measure (the Statistical Review's Europe holds the 27 EU members bound by an EU27
    embargo and others that are not) → 0, since netdep cannot tell which members a move would reach.
    """
    from ..prices import legal_limit

    ll = legal_limit(ctx.data, c, o, t, state.year, route=route, policy=state.policy, actors=ctx.actors)
    if ll is None or ll.limit is None:
        return math.inf, ""
    acts = "; ".join(f"{p['kind']} {p['origin']}→{p['destination'] or 'any buyer'} from {p['year_from']} "
                     f"({p['source_id']})" for p in ll.rows if p["kind"] != "price_cap")
    if ll.coverage == "partial":
        return 0.0, (f"{acts} covers only part of {t}: netdep cannot tell which members a move would reach, so "
                     f"nothing more may go to {t} while it is in force (lift it with set_policy)")
    now = 0.0
    for k, f in state.rows.items():
        if k[1] == c and k[2] == o and k[3] == t:
            g = legal_limit(ctx.data, c, o, t, state.year, route=k[4], policy=state.policy, actors=ctx.actors)
            if g is not None and g.limit is not None:
                now += f["value"]
    room = max(ll.limit - now, 0.0)
    return room, (f"{acts}: limit {ll.limit:g} a year, {now:.4g} already flows (lift or relax it with "
                  "set_policy)")


def bounded(want: float, routes: tuple[float, str, str], systems: tuple[float, str, str],
            law: tuple[float, str]) -> tuple[float, str, str]:
    """moved = min(want, route limit, supply-system limit, legal room), and the bound that bit with its detail.

    ``routes`` and ``systems`` are (limit, bound, detail), ``law`` (room, detail) — what :func:`_limit`,
    :func:`.systems.system_limit` and :func:`legal_room` return. When several bind, the law is named first,
    then the supply systems, then the routes; when none binds the bound is ``none``.
    """
    (lim, _, detail), (sys_lim, sys_bound, sys_detail), (room, law_detail) = routes, systems, law
    moved = min(want, lim, sys_lim, room)
    if moved >= want:  # a route limit beyond what moved is not "at capacity"
        return moved, "none", detail.replace(" at capacity after ", " would reach capacity only after ")
    if room <= min(lim, sys_lim):
        return moved, "legal", law_detail
    if sys_lim <= lim:
        return moved, sys_bound, sys_detail
    return moved, "route_capacity", detail


def price_of(ctx: _Ctx, state: State, c: str, o: str, t: str, route: str | None) -> float | None:
    """The price (US$ bn per unit) of ``c`` sold ``o → t``: the scenario's ``set_price`` rows first (the last
    matching one wins), else the most specific ``prices`` row (:func:`netdep.prices.best_price`), else None."""
    from ..prices import best_price

    own = best_price([dict(p, basis="scenario") for p in state.prices[::-1]], c, state.year, o, t, route)
    if own is not None:
        return own["price"]
    p = best_price(ctx.prices.get((c, state.year), []), c, state.year, o, t, route)
    return None if p is None else p["price"]


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
        if lo <= 1e-9 * max(1.0, top):  # bisection noise: nothing can move
            lo = 0.0
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


_CTX: dict[tuple[int, str], _Ctx] = {}


def run_operations(data: Data, spec: ScenarioSpec, year: int, state: State | None = None,
                   start: int = 0) -> State:
    """Run ``spec.operations[start:]`` on ``state`` (default: the base year's data); return the new state.

    Declarative operations (``set_policy``: the law of the scenario's world) are applied once, to the
    base year's state, before every other operation, whatever their place in the file; given a
    ``state``, they are taken to be in it already.
    """
    ctx = _CTX.get((id(data), spec.name))
    if ctx is None or ctx.data is not data:
        ctx = _Ctx(data, spec.name)
        _CTX.clear()
        _CTX[(id(data), spec.name)] = ctx
    from .ops import OPERATIONS  # the operation modules import this one

    if state is None:  # the scenario's law first: set_policy operations hold whatever their place in the file
        state = initial_state(data, year)
        for i, op in enumerate(spec.operations):
            if OPERATIONS[op.type].declarative:
                OPERATIONS[op.type].apply(op, i, ctx, state)
    else:
        state = state.copy()
    for i, op in enumerate(spec.operations[start:], start):
        if not OPERATIONS[op.type].declarative:
            OPERATIONS[op.type].apply(op, i, ctx, state)
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
