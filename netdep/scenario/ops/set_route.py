"""``set_route``: change a route's status, capacity or opening years for the scenario.

Fields: ``route`` and at least one of ``status``?, ``capacity``?, ``open_from``?, ``open_to``?
(``"none"`` clears a year).
"""

from __future__ import annotations

from ...schema import STATUSES
from ..spec import _hint
from . import OpType


def check(op) -> None:
    f = op.fields
    if not any(k in f for k in ("status", "capacity", "open_from", "open_to")):
        raise op.error(None, "set_route needs at least one of status, capacity, open_from, open_to")
    if "capacity" in f and float(f["capacity"]) < 0:
        raise op.error("capacity", f"{f['capacity']} is negative; capacities are ≥ 0")
    for k in ("open_from", "open_to"):
        if isinstance(f.get(k), str) and f[k].lower() != "none":
            raise op.error(k, f"'{f[k]}' is not a year; write \"none\" to clear it")


def apply(op, i: int, ctx, state) -> None:
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


OP = OpType("set_route", ("route",), ("status", "capacity", "open_from", "open_to"), check, apply,
            sweepable=("capacity",), summary="change a route's status, capacity or opening years")
