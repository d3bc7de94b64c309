"""Compute every table of the dependency report (no rendering here).

>>> from netdep.store import load
>>> r = build_report(load(), year=2023, compare_year=2021)
>>> sorted(r.tables)[:3]
['asymmetry', 'centrality', 'concentration']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..geography import EU_CODES, LAYER_ORDER, cross_layer
from ..graph import graphs
from ..metrics.sensitivity import sensitivity_records
from ..metrics.tables import MAIN_ACTORS, core_tables, default_years, relationship_tables  # noqa: F401
from ..store import Data

__all__ = ["Report", "build_report", "default_years", "MAIN_ACTORS", "EU_CODES"]



@dataclass
class Report:
    """The report's tables (lists of records) and its metadata."""

    year: int
    compare_year: int | None
    layers: tuple[str, ...]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    headlines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    latest_energy_year: int | None = None

    def table(self, name: str):
        """A table as a pyarrow Table (pandas: ``.to_pandas()``)."""
        import pyarrow as pa

        return pa.Table.from_pylist(self.tables[name])


def year_tables(data: Data, year: int, layers: tuple[str, ...]) -> dict[str, list[dict]]:
    """dependencies, concentration, centrality (:func:`netdep.metrics.tables.core_tables`), asymmetry and
    vulnerability (:func:`netdep.metrics.tables.relationship_tables`) and the cross-layer weight sensitivity for
    one year."""
    t = core_tables(data, year, layers)
    t["dependencies"] = [r for r in t["dependencies"] if r["commodity"] != "*"]  # per commodity and fuel only
    t.update(relationship_tables(data, year, layers))
    sens = sensitivity_records(data, year) if cross_layer(layers) and \
        ("all", "*") in graphs(data, year) else []
    return {**t, "cross_layer_sensitivity": sens}


def build_report(data: Data, year: int | None = None, compare_year: int | None = None,
                 layer: str | None = None, ranges: bool = True) -> Report:
    """Compute the report for ``year`` (default: :func:`default_years`) against ``compare_year``; ``ranges``:
    give dependencies, concentration and centrality their low/high over the alternative figures (issue 15,
    :mod:`netdep.metrics.ranges`)."""
    from ..errors import NetdepError

    dy, dc = default_years(data)
    year = year if year is not None else dy
    compare_year = compare_year if compare_year is not None else (dc if dc != year else None)
    if year not in data.years:
        raise NetdepError(f"no flows in {year}; years with data: {', '.join(map(str, data.years))}")
    if compare_year is not None and compare_year not in data.years:
        raise NetdepError(f"no flows in {compare_year}; years with data: {', '.join(map(str, data.years))}")
    layers = (layer,) if layer else LAYER_ORDER
    rep = Report(year=year, compare_year=compare_year, layers=layers)
    years = [y for y in (compare_year, year) if y is not None]
    energy_years = sorted({f["year"] for f in data.rows("flows") if f["layer"] == "energy"})
    if "energy" in layers and energy_years and energy_years[-1] > year:
        rep.latest_energy_year = energy_years[-1]
        years.append(energy_years[-1])
    tables: dict[str, list[dict]] = {}
    for y in years:
        lay = layers if y in (year, compare_year) else ("energy",)
        yt = year_tables(data, y, lay)
        if ranges:
            from ..metrics.ranges import add_ranges

            add_ranges(data, yt, [y], lay)
        for name, rows in yt.items():
            tables.setdefault(name, []).extend(rows)
    tables["sources"] = _sources(data, years, layers)
    rep.tables = tables
    from .headlines import headlines, notes

    rep.headlines = headlines(data, rep)
    rep.notes = notes(data, rep)
    if ranges:
        from .ranges_section import range_notes

        rep.notes += range_notes(data, rep)
    return rep


def _sources(data: Data, years: list[int], layers: tuple[str, ...]) -> list[dict]:
    used: dict[str, int] = {}
    for f in data.rows("flows"):
        if f["year"] in years and f["layer"] in layers:
            used[f["source_id"]] = used.get(f["source_id"], 0) + 1
    for r in data.rows("routes"):
        used.setdefault(r["source_id"], 0)
    for b in data.rows("balances"):
        if b["year"] in years:
            used.setdefault(b["source_id"], 0)
    rows = [s for s in data.rows("sources") if s["source_id"] in used]
    rows.sort(key=lambda s: (-used[s["source_id"]], s["source_id"]))
    return [{"n": i + 1, **s, "rows": used[s["source_id"]]} for i, s in enumerate(rows)]
