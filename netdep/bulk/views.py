"""SQL for the views over the bulk product tables, for ``netdep.db.setup_sql`` (only the tables present).

>>> bulk_views_sql("/nonexistent")
''
"""

from __future__ import annotations

import re
from pathlib import Path

from ._duck import glob_sql, sql_file

__all__ = ["bulk_views_sql", "view_blocks"]

_BLOCK = re.compile(r"^-- @(table|file) (\w+) (\w+)\n", re.M)


def view_blocks() -> list[tuple[str, str, str, str]]:
    """``(kind, table, view, sql)`` for each block of ``netdep/bulk/sql/views.sql``, in file order."""
    parts = _BLOCK.split(sql_file("views.sql"))
    return [(parts[i], parts[i + 1], parts[i + 2], parts[i + 3].strip() + "\n") for i in range(1, len(parts), 4)]


def bulk_views_sql(data_dir: str | Path, only: tuple[str, ...] | None = None) -> str:
    """The view SQL for the bulk tables that exist under ``data_dir`` ('' when none).

    A partitioned table (``@table``) is present when it has at least one ``year=*/part-0.parquet``; a
    single file (``@file``) when ``<name>.parquet`` exists. ``only`` restricts to some views by name.
    """
    d = Path(data_dir)
    out = []
    for kind, name, view, sql in view_blocks():
        if only is not None and view not in only:
            continue
        if kind == "table":
            if not any((d / name).glob("year=*/part-0.parquet")):
                continue
            path = glob_sql(d / name)
        else:
            if not (d / f"{name}.parquet").is_file():
                continue
            path = "'" + str(d / f"{name}.parquet").replace("\\", "/").replace("'", "''") + "'"
        out.append(sql.replace("@path", path))
    return "\n".join(out)
