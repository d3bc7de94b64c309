"""``set_policy``: lift, relax, tighten or add a legal limit (a row of the ``policy`` table) for the scenario.

Fields: ``commodity``, ``origin``, ``limit`` (``"none"`` lifts the measure; a number ≥ 0 sets the volume
limit, or the price cap for ``kind = "price_cap"``), ``destination``?, ``kind``? (embargo | cap | phase_out
| price_cap), ``route``?, ``reason``?.

It states the law of the scenario's world, so it applies before every other operation whatever its
place in the file (a file that extends another can lift a measure its parent's reroutes meet).
The measures it changes are the ``policy`` rows in force in the base year with this commodity and
origin, and, when given, this destination, kind and route. ``"none"`` removes them (sanctions relief);
a number sets their limit; a number that matches no row adds a measure (``embargo`` when the limit is
0, else ``cap``, unless ``kind`` says otherwise). Later operations and the market closure then see
the changed law: a reroute or add_flow is bounded by :func:`..engine.legal_room` and reports the
bound ``legal`` when the law is what stops it.
"""

from __future__ import annotations

from ...schema import POLICY_KINDS
from ..engine import SCENARIO_SOURCE, _check_actor, _check_commodity, _check_route
from . import OpType


def check(op) -> None:
    f = op.fields
    lim = f["limit"]
    if isinstance(lim, str):
        if lim.lower() != "none":
            raise op.error("limit", f"'{lim}' is not a number; write \"none\" to lift the measure")
    elif float(lim) < 0:
        raise op.error("limit", f"{lim} is negative; limits are ≥ 0")
    if "kind" in f and f["kind"] not in POLICY_KINDS:
        raise op.error("kind", f"'{f['kind']}' is not one of {', '.join(POLICY_KINDS)}")


def _matches(p: dict, f: dict, year: int) -> bool:
    if p["commodity"] != f["commodity"] or p["origin"] != f["origin"]:
        return False
    if year < p["year_from"] or (p["year_to"] is not None and year > p["year_to"]):
        return False
    return all(p[k] == f[k] for k in ("destination", "kind", "route") if k in f)


def apply(op, i: int, ctx, state) -> None:
    f = op.fields
    com = _check_commodity(op, ctx)
    c = com["commodity"]
    _check_actor(op, "origin", ctx, state, None)
    if "destination" in f:
        _check_actor(op, "destination", ctx, state, None)
    if "route" in f:
        _check_route(op, ctx, state, c, f["origin"], f.get("destination") or state.routes.get(f["route"], {}).get(
            "destination"))
    hit = [p for p in state.policy if _matches(p, f, state.year)]
    lift = isinstance(f["limit"], str)
    if lift:
        if not hit:
            inforce = sorted({f"{p['kind']} {p['origin']}→{p['destination'] or 'any'} ({p['source_id']})"
                              for p in state.policy if p["commodity"] == c and p["year_from"] <= state.year
                              and (p["year_to"] is None or state.year <= p["year_to"])})
            raise op.error(None, f"no measure on {f['origin']} {c} in force in {state.year} matches; in force: "
                                 f"{'; '.join(inforce) or 'none'}")
        state.policy = [p for p in state.policy if p not in hit]
        return
    limit = float(f["limit"])
    if hit:
        state.policy = [({**p, "limit": limit} if p in hit else p) for p in state.policy]
        return
    kind = f.get("kind", "embargo" if limit == 0 else "cap")
    state.policy = [*state.policy, {
        "commodity": c, "origin": f["origin"], "destination": f.get("destination"), "route": f.get("route"),
        "via": None, "except_route": None, "year_from": state.year, "year_to": state.year, "kind": kind,
        "limit": limit, "unit": "USD/bbl" if kind == "price_cap" else com["unit"], "source_id": SCENARIO_SOURCE,
        "note": f"scenario '{ctx.name}': operations[{i}] set_policy{': ' + f['reason'] if 'reason' in f else ''}"}]


OP = OpType("set_policy", ("commodity", "origin", "limit"), ("destination", "kind", "route", "reason"), check,
            apply, sweepable=("limit",), summary="lift, relax, tighten or add a legal limit", declarative=True)
