"""``scale``: multiply the flows matching a filter by a factor.

Fields: ``factor`` (≥ 0) and at least one filter: ``layer``?, ``commodity``?, ``origin``?, ``destination``?.
A ``scale`` with a ``destination`` and no ``origin`` sets that importer's demand for the market closure.
"""

from __future__ import annotations

from ...schema import LAYERS
from ..engine import _check_actor, _check_commodity, _rows_changed
from ..systems import Systems, scale_system_flows
from . import OpType


def check(op) -> None:
    f = op.fields
    if float(f["factor"]) < 0:
        raise op.error("factor", f"{f['factor']} is negative; factors are ≥ 0")
    if not any(k in f for k in ("layer", "commodity", "origin", "destination")):
        raise op.error(None, "scale needs at least one filter: layer, commodity, origin or destination")


def apply(op, i: int, ctx, state) -> None:
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


OP = OpType("scale", ("factor",), ("layer", "commodity", "origin", "destination"), check, apply,
            sweepable=("factor",), summary="multiply matching flows by a factor")
