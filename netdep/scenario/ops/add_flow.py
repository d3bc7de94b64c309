"""``add_flow``: add volume on a pair (a new contract, a new field), within capacity, supply systems and law.

Fields: ``origin``, ``destination``, ``commodity``, ``value`` (≥ 0), ``reason``, ``value_usd_bn``?,
``route``?, ``source_id``?. Valued at ``value_usd_bn`` when given, else at the buyer's price
(:func:`..engine.price_of`), else at the commodity's average unit value in the base year.
"""

from __future__ import annotations

from ..engine import (
    SCENARIO_SOURCE,
    Move,
    _add,
    _check_actor,
    _check_commodity,
    _check_route,
    _limit,
    _unit_value,
    bounded,
    legal_room,
    price_of,
)
from ..spec import _hint
from ..systems import Systems, system_add, system_limit
from . import OpType


def check(op) -> None:
    f = op.fields
    for k in ("value", "value_usd_bn"):
        if k in f and float(f[k]) < 0:
            raise op.error(k, f"{f[k]} is negative; values are ≥ 0")
    if not str(f["reason"]).strip():
        raise op.error("reason", "is empty; say why the flow is added")


def apply(op, i: int, ctx, state) -> None:
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
    sy = Systems.of(ctx.data)
    *sys_limit, take = system_limit(sy, state, c, o, None, t, route, value)
    moved, bound, detail = bounded(value, _limit(state, c, o, t, route, [], value), tuple(sys_limit),
                                   legal_room(ctx, state, c, o, t, route))
    system_add(sy, state, take, moved, 0.0, value, c, None, t, route)
    if "value_usd_bn" in op.fields:
        usd = float(op.fields["value_usd_bn"]) * (moved / value if value else 0.0)
    elif com["unit"] == "USD_bn":
        usd = moved
    else:
        price = price_of(ctx, state, c, o, t, route)
        if price is None:
            price = _unit_value([f for k, f in state.rows.items() if k[1] == c])
        usd = None if price is None else moved * price
    state.scenario_source |= src == SCENARIO_SOURCE
    template = {"source_id": src}
    _add(state, (com["layer"], c, o, t, route), moved, usd, template,
         f"scenario '{ctx.name}': operations[{i}] add_flow: {op.fields['reason']}")
    state.moves.append(Move(i, "add_flow", c, o, None, t, route, value, moved, 0.0, bound, detail, com["unit"]))


OP = OpType("add_flow", ("origin", "destination", "commodity", "value", "reason"),
            ("value_usd_bn", "route", "source_id"), check, apply, sweepable=("value", "value_usd_bn"),
            own_commodity=True, summary="add volume on a pair, within capacity, supply systems and law")
