"""Monthly series: a table of its own (``series_monthly``) and the ``flows_monthly`` view.

The yearly ``flows`` table answers "how much in a year"; a monthly series answers
"when did it change". The bundled ``data/series_monthly.parquet`` is built by
``scripts/build_data.py`` from ``data/src/series_monthly.csv``, which
``scripts/import_monthly_series.py`` derives from three public datasets (paths as
arguments, never copied into the project):

* Eurostat ``nrg_ti_gasm`` / ``nrg_ti_oilm`` / ``nrg_122m`` (monthly imports by
  partner): summed over the 27 EU member reporters, intra-EU partners dropped, so
  each row is an **extra-EU27 import from a partner as Eurostat reports it** (the
  partner is often the transit neighbour: Russian gas entering through Ukraine or
  Belarus is reported under those partners). Gas: ``lng`` as reported (G3200) and
  ``pipeline_gas`` = all natural gas (G3000) less LNG; bcm from 2014-01 (m3), TJ
  (gross calorific value) before. Crude oil and oil products in Mt; coal in Mt
  (2008-2016).
* China customs (GACC) monthly imports from Russia: crude oil, LNG and pipeline
  gas volumes (Mt, as customs report weight), coal (Mt), and values (US$ mn).
* IEA Gas Trade Flows by entry point (mcm/month), for the points where gas
  leaves Russia, Belarus, Ukraine or Türkiye, each mapped to a route of
  ``routes.csv`` where one applies: the measured evidence for route use.

>>> SERIES_COLUMNS[:4]
('month', 'layer', 'commodity', 'origin')
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from .errors import SourceFormatError

__all__ = ["SERIES_COLUMNS", "SERIES_SCHEMA", "build_series", "series_views_sql", "SERIES_FILE", "write_series",
           "read_series"]

SERIES_FILE = "series_monthly.parquet"
SERIES_COLUMNS = ("month", "layer", "commodity", "origin", "destination", "route", "point", "value", "unit",
                  "source_id", "note")
SERIES_SCHEMA = pa.schema([
    pa.field("month", pa.string(), nullable=False),  # YYYY-MM
    pa.field("layer", pa.string(), nullable=False),
    pa.field("commodity", pa.string(), nullable=False),
    pa.field("origin", pa.string(), nullable=False),
    pa.field("destination", pa.string(), nullable=False),
    pa.field("route", pa.string()),
    pa.field("point", pa.string()),
    pa.field("value", pa.float64(), nullable=False),
    pa.field("unit", pa.string(), nullable=False),
    pa.field("source_id", pa.string(), nullable=False),
    pa.field("note", pa.string()),
])
KEY = ("source_id", "commodity", "unit", "origin", "destination", "point", "month")


def build_series(src_dir: str | Path, source_ids: set[str] | None = None) -> pa.Table | None:
    """Read ``series_monthly*.csv`` of ``src_dir`` into the sorted ``series_monthly`` table (None if absent).

    Bad input raises :class:`SourceFormatError` as ``FILE:ROW: column: what is wrong``; ``source_ids``,
    when given, is the set every row's ``source_id`` must belong to.
    """
    files = sorted(Path(src_dir).glob("series_monthly*.csv"))
    if not files:
        return None
    rows = []
    for p in files:
        with open(p, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = [c for c in SERIES_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise SourceFormatError(f"{p.name}:1: header: missing column(s) {', '.join(missing)}")
            for i, r in enumerate(reader, start=1):
                month = r["month"] or ""
                if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit() \
                        or not 1 <= int(month[5:]) <= 12:
                    raise SourceFormatError(f"{p.name}:{i}: month: '{month}' is not YYYY-MM")
                try:
                    value = float(r["value"])
                except ValueError:
                    raise SourceFormatError(f"{p.name}:{i}: value: '{r['value']}' is not a number") from None
                if value != value or value < 0:
                    raise SourceFormatError(f"{p.name}:{i}: value: {r['value']} must be a finite number >= 0")
                for col in ("layer", "commodity", "origin", "destination", "unit", "source_id"):
                    if not r[col]:
                        raise SourceFormatError(f"{p.name}:{i}: {col}: is empty but required")
                if source_ids is not None and r["source_id"] not in source_ids:
                    raise SourceFormatError(f"{p.name}:{i}: source_id: '{r['source_id']}' is not in sources.csv")
                rows.append({c: (r[c] or None) if c != "value" else value for c in SERIES_COLUMNS})
    table = pa.Table.from_pylist(rows, schema=SERIES_SCHEMA)
    return table.sort_by([(k, "ascending") for k in KEY])


def series_views_sql(data_dir: str | Path) -> str:
    """SQL for the ``series_monthly`` table view and the ``flows_monthly`` view ('' without the file)."""
    from importlib import resources

    path = Path(data_dir) / SERIES_FILE
    if not path.is_file():
        return ""
    quoted = str(path).replace("\\", "/").replace("'", "''")
    sql = resources.files("netdep").joinpath("sql/series_views.sql").read_text(encoding="utf-8")
    return sql.replace("@path", f"'{quoted}'")


def write_series(data_dir: str | Path, table: pa.Table, file: str = SERIES_FILE) -> Path:
    """Write ``file`` (default ``series_monthly.parquet``) atomically: temporary file, fsync, ``os.replace``."""
    import os
    import tempfile

    import pyarrow.parquet as pq

    d = Path(data_dir)
    d.mkdir(parents=True, exist_ok=True)
    target = d / file
    fd, tmp = tempfile.mkstemp(prefix=".netdep-tmp-series-", suffix=".parquet", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            pq.write_table(table, f, compression="zstd", write_statistics=True)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def read_series(data_dir: str | Path) -> pa.Table | None:
    """The bundled ``series_monthly`` table of ``data_dir`` (None when the folder has none)."""
    import pyarrow.parquet as pq

    path = Path(data_dir) / SERIES_FILE
    return pq.read_table(path, schema=SERIES_SCHEMA) if path.is_file() else None
