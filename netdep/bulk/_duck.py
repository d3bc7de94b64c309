"""DuckDB helpers for the bulk stage: a bounded connection, SQL files, and queries with a progress bar."""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["bulk_connection", "sql_file", "run_with_progress", "glob_sql", "arrow_reader", "arrow_table"]


def sql_file(name: str) -> str:
    """The text of ``netdep/bulk/sql/<name>``."""
    return resources.files("netdep.bulk").joinpath(f"sql/{name}").read_text(encoding="utf-8")


def bulk_connection(memory_limit: str = "2GB", threads: int | None = None, temp_dir: str | Path | None = None):
    """An in-memory DuckDB connection that spills beyond ``memory_limit`` instead of growing."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{memory_limit}'")  # a setting, not a value: SET takes no parameters
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if temp_dir is not None:
        quoted = str(temp_dir).replace("'", "''")
        con.execute(f"SET temp_directory = '{quoted}'")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")  # ours is drawn by run_with_progress
    con.execute("SET enable_progress_bar_print = false")
    return con


def glob_sql(table_dir: str | Path) -> str:
    """A quoted SQL string literal for ``<table_dir>/*/*.parquet`` (paths cannot be bound in a view)."""
    p = f"{str(table_dir).rstrip('/')}/*/*.parquet".replace("\\", "/")
    return "'" + p.replace("'", "''") + "'"


def run_with_progress(con, work: Callable[[], Any], description: str = "working", progress: bool = False) -> Any:
    """Call ``work()`` (which runs queries on ``con``); with ``progress``, draw DuckDB's progress as a rich bar."""
    if not progress:
        return work()
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn

    from ..progress import enabled
    from ..progress import progress as Progress  # on stderr, and only when stderr is a terminal

    if not enabled():
        return work()

    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), transient=False) as bar:
        task = bar.add_task(description, total=100)
        t.start()
        while t.is_alive():
            t.join(0.1)
            try:
                pct = con.query_progress()
            except Exception:  # noqa: BLE001 - progress is cosmetic
                pct = -1
            if pct is not None and pct >= 0:
                bar.update(task, completed=min(pct, 100))
        bar.update(task, completed=100)
    if "error" in box:
        raise box["error"]
    return box["result"]


def arrow_table(con, sql: str, params: dict[str, Any] | None = None):
    """Run ``sql`` with bound ``params`` and return a ``pyarrow.Table`` (no extra copy of the rows)."""
    rel = con.sql(sql, params=params or None)
    fn = getattr(rel, "to_arrow_table", None) or rel.arrow
    return fn()


def arrow_reader(cursor, batch_rows: int = 1 << 17):
    """A ``pyarrow.RecordBatchReader`` over a query's result (DuckDB 2 renamed ``fetch_record_batch``)."""
    fn = getattr(cursor, "to_arrow_reader", None) or cursor.fetch_record_batch
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "extra copy" note: batches are copied once either way
        return fn(batch_rows)
