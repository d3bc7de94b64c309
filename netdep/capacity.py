"""Route capacity by year (issue 10): ``route_capacity.parquet`` and the ``route_capacity`` view.

``routes.csv`` keeps one capacity per route (its latest known state); ``data/src/route_capacity*.csv``
give capacity and status per route and year, each row cited (hand-entered from agency and company
sources, and ``route_capacity_gem.csv`` derived from GEM's Europe Gas Tracker by
``scripts/import_route_capacity.py``). The ``route_capacity`` view has one row per route and data year:
the year's row where there is one (``basis = 'by year'``), else the route's single value
(``basis = 'routes (all years)'``).

>>> CAPACITY_COLUMNS
('route', 'year', 'capacity', 'status', 'source_id', 'note')
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from .errors import SourceFormatError
from .schema import STATUSES

__all__ = ["CAPACITY_COLUMNS", "CAPACITY_FILE", "build_route_capacity", "capacity_views_sql", "capacity_by_year"]

CAPACITY_FILE = "route_capacity.parquet"
CAPACITY_COLUMNS = ("route", "year", "capacity", "status", "source_id", "note")
SCHEMA = pa.schema([
    pa.field("route", pa.string(), nullable=False), pa.field("year", pa.int64(), nullable=False),
    pa.field("capacity", pa.float64(), nullable=False), pa.field("status", pa.string(), nullable=False),
    pa.field("source_id", pa.string(), nullable=False), pa.field("note", pa.string()),
])


def build_route_capacity(src_dir: str | Path, routes: set[str] | None = None,
                         sources: set[str] | None = None) -> pa.Table | None:
    """Read ``route_capacity*.csv`` into a table sorted by (route, year); None when there are none.

    Errors are ``FILE:ROW: column: what is wrong``: unknown route or source, a bad number or status,
    or a (route, year) given twice.
    """
    files = sorted(Path(src_dir).glob("route_capacity*.csv"))
    if not files:
        return None
    rows, seen = [], {}
    for p in files:
        with open(p, newline="", encoding="utf-8-sig") as f:
            for i, r in enumerate(csv.DictReader(f), start=1):
                where = f"{p.name}:{i}"
                if routes is not None and r["route"] not in routes:
                    raise SourceFormatError(f"{where}: route: '{r['route']}' is not in routes.csv")
                if sources is not None and r["source_id"] not in sources:
                    raise SourceFormatError(f"{where}: source_id: '{r['source_id']}' is not in sources.csv")
                try:
                    year, cap = int(r["year"]), float(r["capacity"])
                except ValueError:
                    raise SourceFormatError(f"{where}: year/capacity: '{r['year']}', '{r['capacity']}' "
                                            "are not numbers") from None
                if not cap >= 0:
                    raise SourceFormatError(f"{where}: capacity: {r['capacity']} must be >= 0")
                if r["status"] not in STATUSES:
                    raise SourceFormatError(f"{where}: status: '{r['status']}' is not one of {', '.join(STATUSES)}")
                if (r["route"], year) in seen:
                    first = seen[(r["route"], year)]
                    raise SourceFormatError(f"{where}: year: {r['route']} {year} is also given at {first}")
                seen[(r["route"], year)] = where
                rows.append({"route": r["route"], "year": year, "capacity": cap, "status": r["status"],
                             "source_id": r["source_id"], "note": r.get("note") or None})
    return pa.Table.from_pylist(rows, schema=SCHEMA).sort_by([("route", "ascending"), ("year", "ascending")])


def capacity_views_sql(data_dir: str | Path) -> str:
    """SQL for ``route_capacity_by_year`` (the cited rows) and ``route_capacity`` ('' without the file)."""
    path = Path(data_dir) / CAPACITY_FILE
    if not path.is_file():
        return ""
    q = "'" + str(path).replace("\\", "/").replace("'", "''") + "'"
    return f"""
-- Route capacity by year (netdep/capacity.py): the cited per-year rows, and one row per route and data year.
CREATE OR REPLACE VIEW route_capacity_by_year AS SELECT * FROM read_parquet({q});
CREATE OR REPLACE VIEW route_capacity AS
WITH years AS (SELECT DISTINCT year FROM flows WHERE layer = 'energy')
SELECT r.route, y.year, coalesce(c.capacity, r.capacity) AS capacity, coalesce(c.status, r.status) AS status,
       coalesce(c.source_id, r.source_id) AS source_id,
       CASE WHEN c.route IS NULL THEN 'routes (all years)' ELSE 'by year' END AS basis,
       coalesce(c.note, r.note) AS note
FROM routes r CROSS JOIN years y
LEFT JOIN route_capacity_by_year c ON c.route = r.route AND c.year = y.year;
"""


def capacity_by_year(data_dir: str | Path) -> dict[tuple[str, int], dict]:
    """``{(route, year): row}`` from ``route_capacity.parquet`` ({} when the folder has none)."""
    import pyarrow.parquet as pq

    path = Path(data_dir) / CAPACITY_FILE
    if not path.is_file():
        return {}
    return {(r["route"], r["year"]): r for r in pq.read_table(path).to_pylist()}
