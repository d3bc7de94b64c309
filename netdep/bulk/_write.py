"""Deterministic, atomic writing of Hive-partitioned Parquet tables (``<table>/year=YYYY/part-0.parquet``).

Same rows in, same bytes out: rows arrive sorted by the caller's ``ORDER BY``; row groups have a fixed
size (:data:`ROW_GROUP_ROWS`) whatever DuckDB's batch sizes; pyarrow writes no timestamp (its footer holds
the writer version and the Arrow schema only). The partition column (``year``) lives in the path, not in the
file, as Hive, Spark, pyarrow and DuckDB's ``hive_partitioning`` expect.

Several partitions (and top-level files) are written as one unit by :class:`Unit`: each file is staged next
to its target (``<table>/year=YYYY/.netdep-tmp-part-0-*.staged``, a name no ``*.parquet`` glob matches) and
the unit is committed under the data folder's lock by :func:`netdep.store.commit_files` -- the journal that
also makes edits of several tables atomic. So readers see every partition of an import old or every one
new, and re-importing one year leaves the other years alone.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..store import TMP_PREFIX, clean_stray_temporaries, commit_files, committing, recover, remove_empty_dirs

__all__ = ["ROW_GROUP_ROWS", "write_partition", "partition_path", "partition_years", "Unit", "unit"]

ROW_GROUP_ROWS = 1 << 20  # 1,048,576 rows per row group
PART = "part-0.parquet"
STAGED_SUFFIX = ".staged"


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


class Unit:
    """Files staged in the data folder ``d``, committed as one unit (:meth:`commit`) or dropped (:meth:`abort`).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with unit(d) as u:
    ...     _ = u.partition(pa.table({"a": [1]}).to_reader(), pa.schema([("a", pa.int64())]), "t", 2022)
    ...     _ = u.file("t_codes", pa.table({"code": ["x"]}))
    >>> sorted(str(p.relative_to(d)) for p in d.rglob("*.parquet"))
    ['t/year=2022/part-0.parquet', 't_codes.parquet']
    """

    def __init__(self, data_dir: str | Path) -> None:
        self.d = Path(data_dir)
        self.staged: dict[str, Path] = {}
        self.remove: set[str] = set()
        self.created: list[str] = []

    def _folder(self, rel: str) -> Path:
        """Make ``d/rel`` (and its parents) if missing, recording what was made."""
        made = []
        p = self.d / rel
        while not p.exists() and p != self.d:
            made.append(p)
            p = p.parent
        for q in reversed(made):
            q.mkdir()
            os.chmod(q, 0o755)
            self.created.append(q.relative_to(self.d).as_posix())
        return self.d / rel

    def _stage(self, target: str, write: Callable[[object], None]) -> Path:
        folder = self._folder(str(Path(target).parent)) if "/" in target else self.d
        stem = Path(target).stem
        fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{stem}-", suffix=STAGED_SUFFIX, dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)  # mkstemp creates 0600; data files are meant to be shared
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        old = self.staged.pop(target, None)
        if old is not None:
            old.unlink(missing_ok=True)
        self.staged[target] = Path(tmp)
        self.remove.discard(target)
        return Path(tmp)

    def partition(self, reader: pa.RecordBatchReader, schema: pa.Schema, table: str, year: int,
                  row_group_rows: int = ROW_GROUP_ROWS) -> tuple[Path, int]:
        """Stage the sorted rows of ``reader`` as ``table/year=YYYY/part-0.parquet``; return (target, rows)."""
        rows = 0

        def write(f) -> None:
            nonlocal rows
            with pq.ParquetWriter(f, schema, compression="zstd", compression_level=3, use_dictionary=True,
                                  write_statistics=True, write_page_index=False) as w:
                for t in _rebatch(reader, row_group_rows):
                    w.write_table(t.cast(schema), row_group_size=row_group_rows)
                    rows += t.num_rows

        target = f"{table}/year={int(year)}/{PART}"
        self._stage(target, write)
        return self.d / target, rows

    def file(self, name: str, table: pa.Table) -> Path:
        """Stage ``table`` as the top-level file ``name.parquet``; return the target."""
        self._stage(f"{name}.parquet", lambda f: pq.write_table(table, f, compression="zstd"))
        return self.d / f"{name}.parquet"

    def drop_partition(self, table: str, year: int) -> None:
        """Remove ``table/year=YYYY`` in the same unit (when it exists and nothing is staged for it)."""
        target = f"{table}/year={int(year)}/{PART}"
        if target not in self.staged and (self.d / target).exists():
            self.remove.add(target)

    def changes(self, table: str, year: int) -> bool:
        """Whether committing changes ``table/year=YYYY`` (staged bytes differ from the file, or it goes)."""
        import filecmp

        target = f"{table}/year={int(year)}/{PART}"
        if target in self.remove:
            return True
        if target not in self.staged:
            return False
        old = self.d / target
        return not (old.is_file() and filecmp.cmp(self.staged[target], old, shallow=False))

    def source(self, table: str, year: int) -> Path:
        """The file a reader of this unit uses for ``table/year=YYYY``: the staged one, else the committed one."""
        target = f"{table}/year={int(year)}/{PART}"
        return self.staged.get(target, self.d / target)

    def years(self, table: str) -> list[int]:
        """Years of ``table`` as they will be once committed (staged or committed, minus removals)."""
        have = set(partition_years(self.d / table))
        have |= {int(t.split("/")[1][5:]) for t in self.staged if t.startswith(f"{table}/year=")}
        have -= {int(t.split("/")[1][5:]) for t in self.remove if t.startswith(f"{table}/year=")}
        return sorted(have)

    def commit(self) -> int:
        """Swap every staged file in and make the removals, as one unit (the caller holds the lock)."""
        try:
            gen = commit_files(self.d, self.staged, remove=self.remove, created=self.created)
        except BaseException:
            if committing(self.d, self.staged):  # stopped half-way: the journal and its files stay, and the
                self.staged, self.remove, self.created = {}, set(), []  # next netdep command completes it
            else:
                self.abort()
            raise
        self.staged, self.remove, self.created = {}, set(), []
        return gen

    def abort(self) -> None:
        """Drop the staged files and the folders made for them."""
        for p in self.staged.values():
            p.unlink(missing_ok=True)
        remove_empty_dirs(self.d, self.created)
        self.staged, self.remove, self.created = {}, set(), []


@contextmanager
def unit(data_dir: str | Path, wait: float | None = None, locked: bool = False) -> Iterator[Unit]:
    """A :class:`Unit` on ``data_dir``, committed when the ``with`` block ends normally, else dropped.

    Unless ``locked`` (the caller already holds it), the data folder's lock is held for the whole block:
    a bulk write is one writer, like an edit (others wait ``wait`` seconds, default
    :data:`netdep.lock.DEFAULT_WAIT`). A journal a killed writer left is completed first, and temporaries
    left by interrupted writes are removed.
    """
    from ..lock import DEFAULT_WAIT, data_lock

    d = Path(data_dir)
    d.mkdir(parents=True, exist_ok=True)
    if locked:
        u = Unit(d)
        try:
            yield u
        except BaseException:
            u.abort()
            raise
        u.commit()
        return
    recover(d, wait=DEFAULT_WAIT if wait is None else wait)
    with data_lock(d, wait=DEFAULT_WAIT if wait is None else wait):
        clean_stray_temporaries(d)  # under the lock every temporary is an interrupted write's
        with unit(d, locked=True) as u:
            yield u


def write_partition(reader: pa.RecordBatchReader, schema: pa.Schema, table_dir: str | Path, year: int,
                    row_group_rows: int = ROW_GROUP_ROWS) -> tuple[Path, int]:
    """Write the sorted rows of ``reader`` as ``table_dir/year=YYYY/part-0.parquet``; return (path, rows).

    ``schema`` fixes the column types (the reader's batches are cast to it). The file is staged next to
    its target and committed under the lock of ``table_dir``'s parent (the data folder), as a
    :class:`Unit` of one partition.
    """
    table_dir = Path(table_dir)
    with unit(table_dir.parent) as u:
        path, rows = u.partition(reader, schema, table_dir.name, year, row_group_rows)
    return path, rows
