"""Report section: Russia's energy export revenue by buyer, at each flow's most specific price (issue 13).

Returns plain data (title and items: ``("p", text)``, ``("table", columns, rows)``,
``("chart", name, svg, alt)``), so any renderer can place it.

>>> from netdep.store import load
>>> sec = revenue_section(load())
>>> sec["title"]
"Russia's energy export revenue by buyer, 2017–2025"
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..prices import revenue
from ..store import Data
from .figures import Chart

__all__ = ["revenue_section", "revenue_by_buyer"]

COMMODITIES = ("crude_oil", "oil_products", "pipeline_gas", "lng", "coal")
LABEL = {"crude_oil": "crude oil", "oil_products": "oil products", "pipeline_gas": "pipeline gas", "lng": "LNG",
         "coal": "coal"}
MIN_ROW = 1.0  # US$ bn: smaller buyer x commodity cells are summed into one line per year


def revenue_by_buyer(data: Data, exporter: str = "RUS") -> dict[int, dict[str, float]]:
    """{year: {buyer: revenue US$ bn}} for the years whose data cover all five energy commodities."""
    rows = revenue(data, exporter)
    have: dict[int, set] = defaultdict(set)
    out: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        have[r["year"]].add(r["commodity"])
        out[r["year"]][r["buyer"]] += r["revenue_usd_bn"]
    return {y: {b: round(v, 4) for b, v in out[y].items()} for y in sorted(out) if have[y] >= set(COMMODITIES)}


def revenue_section(data: Data, exporter: str = "RUS", year: int = 2023) -> dict[str, Any] | None:
    """The section as plain data, or None when the data have no priced exports of ``exporter``."""
    rows = revenue(data, exporter)
    if not rows:
        return None
    names = {a["actor"]: a["name"] for a in data.rows("actors")}
    by_year = revenue_by_buyer(data, exporter)
    years_all = sorted({r["year"] for r in rows})
    partial = [y for y in years_all if y not in by_year]
    items: list[tuple] = []
    items.append(("p", f"Gross export revenue = volume × price, each flow at the most specific price in the "
                       f"`prices` table (route > exporter and importer > exporter or importer > world benchmark; "
                       f"see `netdep.prices`). Export duties and transit fees are not deducted (not yet in the "
                       f"data). Years with flows of all five energy commodities: "
                       f"{', '.join(map(str, by_year)) or 'none'}"
                       + (f"; {', '.join(map(str, partial))} only partly covered, left out" if partial else "")
                       + "."
                       + (f" Years with no priced energy exports of {names.get(exporter, exporter)}: "
                          f"{', '.join(map(str, none))}." if (none := [y for y in data.years if y not in years_all])
                          else "")))
    if by_year:
        total = defaultdict(float)
        for b in by_year.values():
            for k, v in b.items():
                total[k] += v
        top = [b for b, _ in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:8]]
        cols = ["buyer"] + [str(y) for y in by_year]
        trows = [[names.get(b, b)] + [f"{by_year[y].get(b, 0.0):.1f}" for y in by_year] for b in top]
        trows.append(["others"] + [f"{sum(v for k, v in by_year[y].items() if k not in top):.1f}" for y in by_year])
        trows.append(["total"] + [f"{sum(by_year[y].values()):.1f}" for y in by_year])
        items.append(("table", cols, trows))
        ys = list(by_year)
        svg = Chart("revenue_by_buyer", "lines",
                    {"xs": [float(y) for y in ys], "xlabel": "year",
                     "series": {names.get(b, b): [by_year[y].get(b) for y in ys] for b in top[:6]}},
                    title=f"{names.get(exporter, exporter)}: energy export revenue by buyer (gross)",
                    unit="US$ bn", year=f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else ys[0],
                    source="Sources: flows (Energy Institute Statistical Review) valued with the prices table "
                           "(EI benchmarks; China customs and Eurostat Comext unit values; Russian ministry "
                           "export prices); see the sources list")
        items.append(("chart", "revenue_by_buyer", svg,
                      f"Line chart of {names.get(exporter, exporter)}'s energy export revenue by buyer, "
                      f"{', '.join(map(str, by_year))}, US$ bn; source: flows valued with the prices table."))
    cells = [r for r in rows if r["year"] == year]
    if cells:
        big = [r for r in cells if r["revenue_usd_bn"] >= MIN_ROW]
        small = [r for r in cells if r["revenue_usd_bn"] < MIN_ROW]
        big.sort(key=lambda r: (-r["revenue_usd_bn"], r["buyer"], r["commodity"]))
        items.append(("p", f"{year}, each figure with the price it used (US$ bn per commodity unit: Mt for oil, "
                           f"bcm for gas, EJ for coal) and that price's source:"))
        trows = [[names.get(r["buyer"], r["buyer"]), LABEL.get(r["commodity"], r["commodity"]),
                  f"{r['volume']:g}", f"{r['price']:.4f}", f"{r['revenue_usd_bn']:.2f}",
                  f"{r['price_basis']} ({r['price_match']})", r["price_source_id"]] for r in big]
        if small:
            trows.append([f"{len(small)} smaller flows", "", "", "", f"{sum(r['revenue_usd_bn'] for r in small):.2f}",
                          "", ", ".join(sorted({r['price_source_id'] for r in small}))])
        trows.append(["total", "", "", "", f"{sum(r['revenue_usd_bn'] for r in cells):.2f}", "", ""])
        items.append(("table", ["buyer", "commodity", "volume", "price", "revenue (US$ bn)", "price basis",
                                "price source"], trows))
    return {"title": f"{names.get(exporter, exporter)}'s energy export revenue by buyer, 2017–2025", "items": items}
