"""``reroute``: move part of an exporter's flow of one commodity from one buyer to another.

Fields: ``origin``, ``commodity``, ``from``, ``to``, ``share`` (0–1) | ``amount`` (≥ 0), ``route``?,
``on_excess``? (``"stay"`` | ``"drop"``).

requested r = share × V or ``amount`` (V: the flow origin → from, routes summed); moved
m = min(r, V, route capacity, supply systems, law) — the bound that bit is reported
(``exporter_volume``, ``route_capacity``, ``no_connection``, ``deliverability``, ``legal``).
The moved volume is valued at the new buyer's price (:func:`..engine.price_of`: a ``set_price``
of the scenario, else the most specific ``prices`` row), so a reroute is not revenue-neutral.
"""

from __future__ import annotations

from ..engine import (
    Move,
    _add,
    _check_actor,
    _check_commodity,
    _check_route,
    _limit,
    _shrink,
    _unit_value,
    bounded,
    legal_room,
    price_of,
)
from ..systems import Systems, system_add, system_limit
from . import OpType


def check(op) -> None:
    f = op.fields
    if ("share" in f) == ("amount" in f):
        raise op.error("share", "give exactly one of share (0–1) or amount (≥ 0)")
    if "share" in f and not 0.0 <= float(f["share"]) <= 1.0:
        raise op.error("share", f"{f['share']} is outside 0–1")
    if "amount" in f and float(f["amount"]) < 0:
        raise op.error("amount", f"{f['amount']} is negative; amounts are ≥ 0")
    if f.get("on_excess", "stay") not in ("stay", "drop"):
        raise op.error("on_excess", f"'{f['on_excess']}' is not 'stay' or 'drop'")
    if f["from"] == f["to"]:
        raise op.error("to", f"equals from ('{f['from']}'); a reroute moves volume to another buyer")


def apply(op, i: int, ctx, state) -> None:
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
    sy = Systems.of(ctx.data)
    *sys_limit, take = system_limit(sy, state, c, o, f, t, route, total)
    moved, bound, detail = bounded(avail, _limit(state, c, o, t, route, from_keys, total), tuple(sys_limit),
                                   legal_room(ctx, state, c, o, t, route))
    if bound == "none" and req > total:
        bound, detail = "exporter_volume", f"{o} exports only {total:.4g} {com['unit']} of {c} to {f}; " + detail
    drop = (avail - moved) if op.fields.get("on_excess", "stay") == "drop" else 0.0
    rows = [state.rows[k] for k in from_keys]
    new_price = price_of(ctx, state, c, o, t, route)
    price = new_price if new_price is not None else _unit_value(rows)
    template = max(rows, key=lambda r: r["value"])
    _shrink(state, from_keys, moved + drop, total)
    system_add(sy, state, take, moved, drop, total, c, f, t, route)
    note = f"scenario '{ctx.name}': operations[{i}] moved {moved:.6g} {com['unit']} from {o}→{f}"
    _add(state, (com["layer"], c, o, t, route), moved, None if price is None else moved * price, template, note)
    state.moves.append(Move(i, "reroute", c, o, f, t, route, req, moved, drop, bound, detail, com["unit"]))


OP = OpType("reroute", ("origin", "commodity", "from", "to"), ("share", "amount", "route", "on_excess"),
            check, apply, sweepable=("share", "amount"), own_commodity=True,
            summary="move part of an exporter's flow from one buyer to another, within capacity, supply and law")
