"""Balance check per importer and fuel (issue 10): does trade add up against production and consumption?

For an actor, a year and a fuel of ``balances`` (natural gas: pipeline gas + LNG; oil: crude + products)::

    residual = production + imports - exports - consumption

where imports and exports are the actor's flows in ``flows`` (bcm or Mt). The residual is stock change,
losses, statistical difference — and any trade the matrices miss; a large one says the year's trade rows
are incomplete or on another basis. It is reported (``netdep validate`` prints it as a warning) and never
changes the exit status. Oil for the EU27 is skipped: the Statistical Review's oil trade has a Europe region,
not the EU.

>>> r = residual_row({"production": 10.0, "consumption": 50.0}, imports=45.0, exports=3.0)
>>> round(r["residual"], 1), round(r["residual_pct"], 1)
(2.0, 4.0)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .geography import EU, region_only
from .store import Data

__all__ = ["BALANCE_FUELS", "balance_residuals", "residual_row", "balance_warnings", "WARN_SHARE"]

BALANCE_FUELS = {"natural_gas": ("pipeline_gas", "lng"), "oil": ("crude_oil", "oil_products")}
WARN_SHARE = 0.10  # residual above 10 % of consumption: warn


def residual_row(balance: dict[str, Any], imports: float, exports: float) -> dict[str, Any]:
    """The residual and its share of consumption for one balance row."""
    prod = balance.get("production") or 0.0
    cons = balance.get("consumption") or 0.0
    res = prod + imports - exports - cons
    return {"production": prod, "imports": imports, "exports": exports, "consumption": cons, "residual": res,
            "residual_pct": 100 * res / cons if cons else None}


def balance_residuals(data: Data, actors: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """One row per (actor, year, fuel) with a consumption figure and trade rows in that year."""
    imp: dict[tuple, float] = defaultdict(float)
    exp: dict[tuple, float] = defaultdict(float)
    years_with_trade: dict[str, set[int]] = defaultdict(set)
    fuel_of = {c: f for f, cs in BALANCE_FUELS.items() for c in cs}
    commodities: dict[tuple, set[str]] = defaultdict(set)
    for f in data.rows("flows"):
        fuel = fuel_of.get(f["commodity"])
        if fuel is None:
            continue
        imp[(f["destination"], f["year"], fuel)] += f["value"]
        exp[(f["origin"], f["year"], fuel)] += f["value"]
        commodities[(f["year"], fuel)].add(f["commodity"])
        years_with_trade[fuel].add(f["year"])
    out = []
    for b in sorted(data.rows("balances"), key=lambda b: (b["actor"], b["commodity"], b["year"])):
        fuel, actor, year = b["commodity"], b["actor"], b["year"]
        if fuel not in BALANCE_FUELS or (actors and actor not in actors) or b.get("consumption") is None:
            continue
        # the EU has no oil trade of its own: crude and products are reported for the Europe region only
        if year not in years_with_trade[fuel] or (actor == EU and region_only(BALANCE_FUELS[fuel])):
            continue
        row = residual_row(b, imp[(actor, year, fuel)], exp[(actor, year, fuel)])
        complete = commodities[(year, fuel)] >= set(BALANCE_FUELS[fuel])
        out.append({"actor": actor, "year": year, "fuel": fuel, **row,
                    "trade_coverage": "full matrices" if complete else
                    "partial: " + "+".join(sorted(commodities[(year, fuel)]))})
    return out


def balance_warnings(data: Data, actors: tuple[str, ...] = ("EU27", "CHN")) -> list[str]:
    """Warning lines for ``netdep validate``: every residual of ``actors``, flagged when above :data:`WARN_SHARE`."""
    lines = []
    for r in balance_residuals(data, actors):
        unit = "bcm" if r["fuel"] == "natural_gas" else "Mt"
        pct = "" if r["residual_pct"] is None else f" ({r['residual_pct']:+.1f}% of consumption)"
        flag = "" if r["residual_pct"] is not None and abs(r["residual_pct"]) <= 100 * WARN_SHARE else " LARGE"
        lines.append(f"balance {r['actor']} {r['fuel']} {r['year']}: production {r['production']:.1f} + imports "
                     f"{r['imports']:.1f} - exports {r['exports']:.1f} - consumption {r['consumption']:.1f} = "
                     f"residual {r['residual']:+.1f} {unit}{pct}{flag} [trade: {r['trade_coverage']}]")
    return lines
