"""``set_price``: the price of one exporter's commodity to one buyer (or route) for the scenario — a contract.

Fields: ``commodity``, ``exporter``, ``price`` (≥ 0), ``importer``?, ``route``?, ``unit``? (default the
``prices`` table's ``USD_bn/<commodity unit>``; or the benchmark's unit: ``USD/bbl`` for crude and
products, ``USD/MMBtu`` for gas and LNG, ``USD/t`` for coal, converted with
:data:`netdep.build.VALUATION`). It overrides every ``prices`` row for the flows it matches, for
the flows already there and any volume the later operations move there, so "a more advantageous
contract" is a number a sweep can move (``--param N.price``). Only revenue changes: volumes and
every dependency measure stay as they are.
"""

from __future__ import annotations

from ...prices import PRICE_UNITS, to_table_price
from ..engine import SCENARIO_SOURCE, _check_actor, _check_commodity, _check_route
from . import OpType


def check(op) -> None:
    f = op.fields
    if float(f["price"]) < 0:
        raise op.error("price", f"{f['price']} is negative; prices are ≥ 0")
    if "unit" in f and not (f["unit"].startswith("USD_bn/") or f["unit"] in set(PRICE_UNITS.values())):
        units = sorted(set(PRICE_UNITS.values()))
        raise op.error("unit", f"'{f['unit']}' is not a price unit: use USD_bn/<the commodity's unit> or "
                               f"{', '.join(units)}")


def apply(op, i: int, ctx, state) -> None:
    com = _check_commodity(op, ctx)
    c = com["commodity"]
    if c not in ctx.priced:
        raise op.error("commodity", f"{c} has no prices in the data (priced: {', '.join(sorted(ctx.priced))}); "
                                    "its flows are valued as published")
    o = _check_actor(op, "exporter", ctx, state, c)
    t = _check_actor(op, "importer", ctx, state, c) if "importer" in op.fields else None
    route = None
    if "route" in op.fields:
        route = _check_route(op, ctx, state, c, o, t or state.routes.get(op.fields["route"], {}).get("destination"))
    unit = op.fields.get("unit", f"USD_bn/{com['unit']}")
    try:
        price = to_table_price(c, float(op.fields["price"]), unit, com["unit"])
    except ValueError as exc:
        raise op.error("unit", str(exc)) from None
    row = {"commodity": c, "year": state.year, "exporter": o, "importer": t, "route": route, "price": price,
           "unit": f"USD_bn/{com['unit']}", "basis": "scenario", "source_id": SCENARIO_SOURCE,
           "note": f"scenario '{ctx.name}': operations[{i}] set_price {op.fields['price']} {unit}"}
    state.prices = [*state.prices, row]
    for k, r in list(state.rows.items()):  # flows already there take the contract price
        if k[1] == c and k[2] == o and (t is None or k[3] == t) and (route is None or k[4] == route):
            state.rows[k] = {**r, "value_usd_bn": r["value"] * price}
            state.changed.add(k)


OP = OpType("set_price", ("commodity", "exporter", "price"), ("importer", "route", "unit"), check, apply,
            sweepable=("price",), summary="set a contract price for an exporter's commodity to a buyer or route")
