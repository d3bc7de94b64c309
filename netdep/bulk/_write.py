"""Deterministic, atomic writing of Hive-partitioned Parquet tables (``<table>/year=YYYY/part-0.parquet``).

Same rows in, same bytes out: rows arrive sorted by the caller's ``ORDER BY``; row groups have a fixed
size (:data:`ROW_GROUP_ROWS`) whatever DuckDB's batch sizes; pyarrow writes no timestamp (its footer holds
the writer version and the Arrow schema only). The partition column (``year``) lives in the path, not in the
file, as Hive, Spark, pyarrow and DuckDB's ``hive_partitioning`` expect.

Each partition is written to a temporary folder beside the table and swapped in with ``os.replace``, so a
reader never sees half a file, and re-importing one year leaves the other years alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..store import TMP_PREFIX

__all__ = ["ROW_GROUP_ROWS", "write_partition", "partition_path", "partition_years"]

ROW_GROUP_ROWS = 1 << 20  # 1,048,576 rows per row group
PART = "part-0.parquet"


def partition_path(table_dir: str | Path, year: int) -> Path:
    """``<table_dir>/year=YYYY/part-0.parquet``."""
    return Path(table_dir) / f"year={int(year)}" / PART


def partition_years(table_dir: str | Path) -> list[int]:
    """Years that have a partition file under ``table_dir`` (sorted)."""
    d = Path(table_dir)
    if not d.is_dir():
        return []
    return sorted(int(p.parent.name.split("=", 1)[1]) for p in d.glob(f"year=*/{PART}"))


def _rebatch(reader: pa.RecordBatchReader, rows: int):
    """Yield tables of exactly ``rows`` rows (the last may be shorter) from any batch sizes."""
    buf: list[pa.RecordBatch] = []
    n = 0
    for batch in reader:
        while batch.num_rows:
            take = min(rows - n, batch.num_rows)
            buf.append(batch.slice(0, take))
            n += take
            batch = batch.slice(take)
            if n == rows:
                yield pa.Table.from_batches(buf)
                buf, n = [], 0
    if n:
        yield pa.Table.from_batches(buf)


def write_partition(reader: pa.RecordBatchReader, schema: pa.Schema, table_dir: str | Path, year: int,
                    row_group_rows: int = ROW_GROUP_ROWS) -> tuple[Path, int]:
    """Write the sorted rows of ``reader`` as ``table_dir/year=YYYY/part-0.parquet``; return (path, rows).

    ``schema`` fixes the column types (the reader's batches are cast to it). The partition folder is
    written under a temporary name and then swapped in.
    """
    table_dir = Path(table_dir)
    table_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}year={year}-", dir=table_dir))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the partition is data like any other
    rows = 0
    try:
        with open(tmp / PART, "wb") as f:
            with pq.ParquetWriter(f, schema, compression="zstd", compression_level=3, use_dictionary=True,
                                  write_statistics=True, write_page_index=False) as w:
                for t in _rebatch(reader, row_group_rows):
                    w.write_table(t.cast(schema), row_group_size=row_group_rows)
                    rows += t.num_rows
            f.flush()
            os.fsync(f.fileno())
        final = table_dir / f"year={int(year)}"
        old = None
        if final.exists():
            old = table_dir / f"{TMP_PREFIX}old-{final.name}-{os.getpid()}"
            os.replace(final, old)
        os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final / PART, rows
