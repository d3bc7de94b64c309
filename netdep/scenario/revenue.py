"""An exporter's energy export revenue before and after a scenario, each flow at its own price.

revenue = Σ volume × price over the exporter's flows, the price being the flow's most specific
``prices`` row (:func:`netdep.prices.value_rows`) — after the scenario, a ``set_price`` of the
scenario wins where it matches. A moved volume therefore earns the new buyer's price, and a
reroute is revenue-neutral only when both buyers pay the same. Gross revenue: export duties and
transit fees are not in the ``prices`` table, so nothing is deducted.

>>> import netdep.scenario as sc
>>> from netdep.store import load
>>> data = load()
>>> res = sc.load("russian_energy_to_europe_half").run(data)
>>> r = next(r for r in res.revenue if r["commodity"] == "*" and r["buyer"] == "*")
>>> r["exporter"], r["delta"] == round(r["after"] - r["before"], 4)
('RUS', True)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..prices import value_rows
from ..store import Data

__all__ = ["revenue_records", "GROUP_OF", "EXPORTERS"]

#: the fuels a headline speaks of
GROUP_OF = {"pipeline_gas": "gas", "lng": "gas", "crude_oil": "oil", "oil_products": "oil", "coal": "coal"}
EXPORTERS = ("RUS",)


def revenue_records(data: Data, year: int, base_rows: list[dict], after_rows: list[dict],
                    overrides: list[dict] = (), exporters: tuple[str, ...] = EXPORTERS) -> list[dict[str, Any]]:
    """Per exporter: revenue (US$ bn) by commodity and buyer before and after, with totals (``"*"``).

    Records: exporter, commodity (or ``"*"``), buyer (or ``"*"``), volume_before, volume_after,
    before, after, delta, price_before, price_after (US$ bn per unit; None on totals), basis_after
    and price_source_after (where the after price came from).
    """
    prices = data.rows("prices") if "prices" in data.tables else []
    b = value_rows([r for r in base_rows if r["layer"] == "energy" and r["origin"] in exporters], prices)
    a = value_rows([r for r in after_rows if r["layer"] == "energy" and r["origin"] in exporters], prices,
                   list(overrides))
    acc: dict[tuple, dict] = defaultdict(lambda: {"volume_before": 0.0, "volume_after": 0.0, "before": 0.0,
                                                  "after": 0.0, "basis": set(), "src": set()})
    for side, rows in (("before", b), ("after", a)):
        for r in rows:
            usd = r["value_usd_bn"] or 0.0
            for key in ((r["origin"], r["commodity"], r["destination"]), (r["origin"], r["commodity"], "*"),
                        (r["origin"], "*", "*")):
                x = acc[key]
                x[side] += usd
                if key[1] != "*":
                    x["volume_" + side] += r["value"]
                if side == "after" and key[2] != "*":
                    x["basis"].add(r["price_basis"])
                    x["src"].add(r["price_source_id"] or "")
    out = []
    for (e, c, buyer), x in sorted(acc.items(), key=lambda kv: tuple(kv[0])):
        vb, va = x["volume_before"], x["volume_after"]
        one = c != "*" and buyer != "*"
        out.append({"year": year, "exporter": e, "commodity": c, "buyer": buyer,
                    "volume_before": vb if c != "*" else None, "volume_after": va if c != "*" else None,
                    "before": round(x["before"], 4), "after": round(x["after"], 4),
                    "delta": round(x["after"] - x["before"], 4),
                    "price_before": x["before"] / vb if one and vb > 0 else None,
                    "price_after": x["after"] / va if one and va > 0 else None,
                    "basis_after": "+".join(sorted(x["basis"])) if one else None,
                    "price_source_after": "+".join(sorted(s for s in x["src"] if s)) if one else None})
    return out


def by_group(records: list[dict], exporter: str = "RUS") -> dict[str, tuple[float, float]]:
    """(before, after) revenue per fuel group (gas, oil, coal) and ``"all"`` for one exporter."""
    out: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in records:
        if r["exporter"] != exporter or r["buyer"] != "*":
            continue
        if r["commodity"] == "*":
            out["all"][0] += r["before"]
            out["all"][1] += r["after"]
        else:
            g = GROUP_OF.get(r["commodity"], r["commodity"])
            out[g][0] += r["before"]
            out[g][1] += r["after"]
    return {k: (v[0], v[1]) for k, v in out.items()}
