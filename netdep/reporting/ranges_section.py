"""The report's ranges (issue 15): the closing note on the main dependencies on Russia and a section with the
ranged dependencies and the largest mirror gaps. Every figure is computed from the tables and the
``alternatives`` / ``mirror_gaps`` views (netdep.alternatives, netdep.metrics.ranges).

>>> from netdep.store import load
>>> from netdep.reporting.compute import build_report
>>> rep = build_report(load(), year=2023, compare_year=2021)
>>> any(n.startswith("Ranges over the alternative figures") for n in rep.notes)
True
"""

from __future__ import annotations

from ..alternatives import ALTERNATIVES_FILE, alternatives_views_sql
from ..metrics.ranges import range_text
from ..store import Data
from .headlines import COMMODITY, short_name

__all__ = ["MAIN_DEPENDENCIES", "range_notes", "ranges_section", "mirror_gaps"]

#: (commodity, supplier, importer): the EU's and China's main dependencies on Russia
MAIN_DEPENDENCIES = (("natural_gas", "RUS", "EU27"), ("crude_oil", "RUS", "CHN"), ("pipeline_gas", "RUS", "CHN"),
                     ("natural_gas", "RUS", "CHN"), ("lng", "RUS", "EU27"))


def _dep(rep, year: int | None, c: str, o: str, d: str) -> dict | None:
    return next((r for r in rep.tables.get("dependencies", []) if r["year"] == year and r["commodity"] == c
                 and r["origin"] == o and r["destination"] == d), None)


def _sources(data: Data, year: int, c: str, d: str) -> list[str]:
    """Sources of the applied alternatives among ``d``'s imports of ``c`` (or of the fuel's members): the
    figures that move its import shares."""
    from ..alternatives import applied_alternatives

    return sorted({a["source_id"] for a in applied_alternatives(data) if a["year"] == year
                   and a["destination"] == d and (a["commodity"] == c or COMMODITY_OF.get(a["commodity"]) == c)})


COMMODITY_OF = {"lng": "natural_gas", "pipeline_gas": "natural_gas", "crude_oil": "oil", "oil_products": "oil"}


def range_notes(data: Data, rep) -> list[str]:
    """One closing note: Russia's share of the EU's and China's imports of their main Russian fuels, each with
    its range over the alternative figures, in the report year (and the latest energy year)."""
    parts = []
    for y in [x for x in (rep.year, rep.latest_energy_year) if x is not None]:
        for c, o, d in MAIN_DEPENDENCIES:
            r = _dep(rep, y, c, o, d)
            if r is None or r.get("share_in") is None or "share_in_low" not in r:
                continue
            parts.append(f"Russia's share of {short_name(data, d)}'s {COMMODITY.get(c, c)} imports {y}: "
                         f"{range_text(r['share_in'], r['share_in_low'], r['share_in_high'])}"
                         + ("" if r["share_in_low"] != r["share_in_high"] else " (no alternative figure)"))
    if not parts:
        return []
    return ["Ranges over the alternative figures (low–high over every combination of the sources' figures for "
            "the flows of the same graph; netdep.metrics.ranges): " + "; ".join(parts) + "."]


def mirror_gaps(data: Data, limit: int = 10) -> list[dict]:
    """The largest mirror gaps (``mirror_gaps`` view), by absolute gap; ``[]`` without alternatives."""
    if data.path is None or not (data.path / ALTERNATIVES_FILE).is_file():
        return []
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(alternatives_views_sql(data.path))
        rel = con.execute("SELECT * FROM mirror_gaps LIMIT ?", [limit])
        cols = [c[0] for c in rel.description]
        return [dict(zip(cols, row)) for row in rel.fetchall()]
    finally:
        con.close()


def ranges_section(data: Data, rep) -> dict | None:
    """A section: the main dependencies with their ranges and the alternative sources, and the largest mirror
    gaps. None when the data has no alternatives."""
    gaps = mirror_gaps(data)
    rows = []
    for y in [x for x in (rep.compare_year, rep.year, rep.latest_energy_year) if x is not None]:
        for c, o, d in MAIN_DEPENDENCIES:
            r = _dep(rep, y, c, o, d)
            if r is None or "share_in_low" not in r or r.get("share_in") is None:
                continue
            rows.append([y, f"{short_name(data, o)} → {short_name(data, d)}", COMMODITY.get(c, c),
                         range_text(r["value"], r["low"], r["high"], lambda v: f"{v:,.1f}") + f" {r['unit']}",
                         range_text(r["share_in"], r["share_in_low"], r["share_in_high"]),
                         r["range_method"], ", ".join(_sources(data, y, c, d)) or "–"])
    if not rows and not gaps:
        return None
    items: list[tuple] = [("p", "Each figure as point [low–high] over the alternative figures of the flows in the "
                                "same graph (alternatives.parquet, status 'applied'); a point alone has no "
                                "alternative. An alternative replaces its own flow only, so the importer's total "
                                "moves with it.")]
    if rows:
        items.append(("table", ["year", "pair", "commodity", "flow", "share of imports", "method",
                                "alternative figures among the importer's imports"], rows))
    if gaps:
        items.append(("p", "Largest mirror gaps (`mirror_gaps` view): the importer's and the exporter's own figures "
                           "for the same flow; relative gap = (importer − exporter) / exporter."))
        items.append(("table", ["year", "commodity", "exporter → importer", "exporter-reported",
                                "importer-reported", "gap", "relative gap"],
                      [[g["year"], g["commodity"], f"{short_name(data, g['origin'])} → "
                        f"{short_name(data, g['destination'])}", f"{g['exporter_reported']:,.1f} {g['unit']}",
                        f"{g['importer_reported']:,.1f} {g['unit']}", f"{g['gap']:+,.1f}",
                        f"{g['relative_gap']:+.1%}"] for g in gaps]))
    return {"title": "Ranges: how much the figures depend on the source", "items": items}
