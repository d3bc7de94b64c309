"""The report's time-series section: Russia's share of EU gas imports, and China's imports from Russia, over time.

Every figure is computed here from the data folder:

* **yearly** (``flows``, Statistical Review matrices, one edition per data year): Russia's share of the EU27's
  gas imports = RUS -> EU27 (pipeline gas + LNG, bcm) / all -> EU27 (pipeline gas + LNG). Intra-EU flows are not
  imports. A year whose EU27 gas imports are not a full matrix (2024: LNG only, from press and EI totals) is
  shown as partial, with what it covers.
* **monthly** (``flows_monthly``, Eurostat ``nrg_ti_gasm``, bcm, 2014-01 to 2022-07): partner Russia / all
  extra-EU27 partners, summed over the 27 member reporters; and the same with Belarus and Ukraine (transit
  neighbours with no gas exports of their own) counted as Russian.
* China's imports from Russia: crude oil and pipeline gas per year from ``flows``; crude oil per month from
  ``flows_monthly`` (GACC).

>>> share_series([("2021-01", "RUS", 2.0), ("2021-01", "NOR", 6.0)], {"RUS"})
[('2021-01', 0.25)]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["timeseries_section", "share_series", "line_chart", "yearly_eu_gas", "yearly_russia_china"]

GAS = ("pipeline_gas", "lng")


def share_series(rows: list[tuple[str, str, float]], numerator: set[str]) -> list[tuple[str, float]]:
    """``(period, share)`` of the ``numerator`` origins in the total of each period, from ``(period, origin, value)``.

    share(t) = sum of value over origins in ``numerator`` at t / sum of value over all origins at t.
    """
    tot: dict[str, float] = {}
    num: dict[str, float] = {}
    for period, origin, value in rows:
        tot[period] = tot.get(period, 0.0) + value
        if origin in numerator:
            num[period] = num.get(period, 0.0) + value
    return [(p, num.get(p, 0.0) / tot[p]) for p in sorted(tot) if tot[p] > 0]


def _con(data_dir: Path):
    from .. import db

    return db.connect(data_dir, validate=False)


def yearly_eu_gas(con) -> list[dict[str, Any]]:
    """Per year: Russia's and all suppliers' gas (pipeline + LNG) to EU27, bcm, the share, and what is covered."""
    rows = con.execute("""
        select year, coalesce(sum(value) filter (where origin = 'RUS'), 0) ru, sum(value) total,
               count(distinct commodity) n_commodities,
               string_agg(distinct commodity, '+' order by commodity) covered,
               string_agg(distinct source_id, ', ' order by source_id) sources
        from flows where commodity in ('pipeline_gas', 'lng') and destination = 'EU27'
        group by year order by year""").fetchall()
    return [{"year": y, "russia_bcm": ru, "total_bcm": tot, "share": ru / tot if tot else None,
             "partial": n < 2, "covered": cov.replace("_", " "), "sources": src}
            for y, ru, tot, n, cov, src in rows]


def yearly_russia_china(con) -> list[dict[str, Any]]:
    """Per year: Russia -> China crude oil (Mt) and pipeline gas (bcm), with their sources."""
    rows = con.execute("""
        select year, sum(value) filter (where commodity = 'crude_oil') crude,
               sum(value) filter (where commodity = 'pipeline_gas') gas,
               string_agg(distinct source_id, ', ' order by source_id) sources
        from flows where origin = 'RUS' and destination = 'CHN' and commodity in ('crude_oil', 'pipeline_gas')
        group by year order by year""").fetchall()
    return [{"year": y, "crude_mt": c, "pipeline_gas_bcm": g, "sources": s} for y, c, g, s in rows]


def _has_series(con) -> bool:
    return bool(con.execute("select count(*) from duckdb_views() where view_name = 'flows_monthly'").fetchone()[0])


def _month_x(month: str) -> float:
    return int(month[:4]) + (int(month[5:7]) - 1) / 12


def line_chart(series: dict[str, list[tuple[float, float]]], title: str, ylabel: str, source: str,
               ymax: float | None = None, percent: bool = False, xlabel: str = "year"):
    """A line chart (:class:`netdep.reporting.figures.Chart`, drawn once as SVG and PNG) with the unit on the y
    axis, the year range in the title and the source line under it. ``series``: label -> [(x, y)], x a year or a
    fractional year for months."""
    from .figures import Chart

    xs = sorted({x for pts in series.values() for x, _ in pts})
    by = {label: dict(pts) for label, pts in series.items()}
    years = sorted({int(x) for x in xs})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else None)
    name = "timeseries_" + "".join(ch if ch.isalnum() else "_" for ch in title.lower())[:48]
    return Chart(name, "lines", {"xs": xs, "series": {k: [v.get(x) for x in xs] for k, v in by.items()},
                                 "xlabel": xlabel, "percent": percent},
                 title=title, unit=ylabel if not percent or "%" in ylabel else f"{ylabel} (%)", year=span,
                 source=source)


def timeseries_section(data_dir: str | Path) -> dict[str, Any] | None:
    """The section as ``{"title", "items"}`` (items: ("p", text), ("table", cols, rows), ("chart", name, svg, alt))."""
    con = _con(Path(data_dir))
    try:
        items: list[tuple] = []
        eu = yearly_eu_gas(con)
        if not eu:
            return None
        items.append(("p", "Russia's share of the EU27's gas imports (pipeline gas + LNG, bcm; flows between EU "
                           "members are not imports), from one Statistical Review edition per data year."))
        items.append(("table", ["year", "from Russia (bcm)", "all suppliers (bcm)", "Russia's share", "covers",
                                 "sources"],
                      [[r["year"], f"{r['russia_bcm']:.1f}", f"{r['total_bcm']:.1f}", f"{100 * r['share']:.1f}%",
                        r["covered"] + (" only (partial year: not comparable)" if r["partial"] else ""),
                        r["sources"]] for r in eu]))
        full = [r for r in eu if not r["partial"]]
        yearly_pts = [(float(r["year"]), r["share"]) for r in full]
        charts = {"EI matrices: Russia": yearly_pts}
        if _has_series(con):
            rows = con.execute("""select month, origin, sum(value) from flows_monthly
                where source_id = 'eurostat_nrg_ti_gasm' and unit = 'bcm' and destination = 'EU27'
                and commodity in ('pipeline_gas', 'lng') group by all order by 1, 2""").fetchall()
            direct = share_series(rows, {"RUS"})
            transit = share_series(rows, {"RUS", "BLR", "UKR"})
            if direct:
                yearly_rows = [(m[:4], o, v) for m, o, v in rows]
                ydirect = dict(share_series(yearly_rows, {"RUS"}))
                ytransit = dict(share_series(yearly_rows, {"RUS", "BLR", "UKR"}))
                charts["Eurostat: partner RU"] = [(float(y), s) for y, s in ydirect.items()]
                charts["Eurostat: RU + BY + UA"] = [(float(y), s) for y, s in ytransit.items()]
                items.append(("chart", "timeseries_eu_gas_yearly",
                              line_chart(charts, "Russia's share of EU27 gas imports, by year",
                                         "share of EU27 gas imports (bcm basis)",
                                         "Sources: Statistical Review of World Energy 2018-2026 editions (EI/bp); "
                                         "Eurostat nrg_ti_gasm", ymax=0.6, percent=True),
                              "Russia's share of EU27 gas imports by year: Statistical Review matrices and Eurostat "
                              "monthly imports summed by year"))
                items.append(("p", f"By month (Eurostat nrg_ti_gasm, {direct[0][0]} to {direct[-1][0]}; months "
                                   "with too few reporting members are left out): Eurostat records the "
                                   "partner a consignment came from, often the transit neighbour, so gas from "
                                   "Russia entering through Belarus or Ukraine appears under those partners; the "
                                   "second line counts them as Russian (neither exports gas of its own). Turkey "
                                   "is not counted: from 2020 it passes on both TurkStream gas and Azerbaijani "
                                   "gas."))
                items.append(("chart", "timeseries_eu_gas_monthly",
                              line_chart({"partner RU": [(_month_x(m), s) for m, s in direct],
                                          "RU + BY + UA": [(_month_x(m), s) for m, s in transit]},
                                         "Russia's share of EU27 extra-EU gas imports, by month",
                                         "share of extra-EU27 imports (bcm)",
                                         "Source: Eurostat nrg_ti_gasm (G3000 natural gas incl. G3200 LNG), 27 "
                                         "member reporters, intra-EU partners excluded", ymax=0.7, percent=True),
                              "Russia's monthly share of EU27 extra-EU gas imports, 2014-2022"))
                t = dict(transit)
                items.append(("p", "Monthly share, Russia + Belarus + Ukraine as partner, 2019-2022 (%, of "
                                   "extra-EU27 gas imports in bcm):"))
                items.append(("table", ["year", *[f"{m:02d}" for m in range(1, 13)]],
                              [[y, *[f"{100 * t[f'{y}-{m:02d}']:.0f}%" if f"{y}-{m:02d}" in t else "–"
                                     for m in range(1, 13)]] for y in range(2019, 2023)]))
        else:
            items.append(("chart", "timeseries_eu_gas_yearly",
                          line_chart(charts, "Russia's share of EU27 gas imports, by year",
                                     "share of EU27 gas imports (bcm basis)",
                                     "Source: Statistical Review of World Energy (EI/bp)", ymax=0.6, percent=True),
                          "Russia's share of EU27 gas imports by year"))
        cn = yearly_russia_china(con)
        if cn:
            items.append(("p", "China's imports from Russia by year (Statistical Review matrices; 2024 from customs "
                               "reports as cited)."))
            items.append(("table", ["year", "crude oil (Mt)", "pipeline gas (bcm)", "sources"],
                          [[r["year"], "–" if r["crude_mt"] is None else f"{r['crude_mt']:.1f}",
                            "–" if r["pipeline_gas_bcm"] is None else f"{r['pipeline_gas_bcm']:.2f}", r["sources"]]
                           for r in cn]))
        if _has_series(con):
            rows = con.execute("""select month, sum(value) from flows_monthly where source_id = 'gacc_monthly'
                and commodity = 'crude_oil' and unit = 'Mt' and month >= '2012-01' group by 1 order by 1""").fetchall()
            if rows:
                items.append(("chart", "timeseries_china_crude_monthly",
                              line_chart({"crude oil": [(_month_x(m), v) for m, v in rows]},
                                         "China's crude oil imports from Russia, by month", "Mt per month",
                                         "Source: General Administration of Customs of China (monthly imports by "
                                         "origin)"),
                              "China's monthly crude oil imports from Russia (Mt), GACC"))
        used = sorted({sid.strip() for r in eu + cn for sid in (r["sources"] or "").split(",")}
                      | ({"eurostat_nrg_ti_gasm", "gacc_monthly"} if _has_series(con) else set()))
        from .tiers import tier_text

        cur = con.execute("select * from sources where source_id in (select unnest(?)) order by source_id", [used])
        cols = [c[0] for c in cur.description]
        srcs = [dict(zip(cols, r)) for r in cur.fetchall()]  # plain rows: pandas is not a dependency
        items.append(("p", "Sources of this section (by id): " + "; ".join(
            f"{x['source_id']}: {x['title']} — {x['publisher']}, <{x['url']}>.{tier_text(x)}" for x in srcs)))
        return {"title": "Over time: Russia's share of EU gas imports, China's imports from Russia", "items": items}
    finally:
        con.close()
