"""Read, validate and write the Parquet tables of a data folder.

>>> data = load()                      # ./data, else the data shipped with netdep
>>> sorted(data.tables)[:3]
['actors', 'balances', 'commodities']
>>> data.rows("commodities")[0]["commodity"]
'coal'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import ValidationError
from .schema import TABLE_ORDER, TABLES, arrow_schema

__all__ = ["Data", "load", "read_tables", "default_data_dir", "write_table", "write_tables", "TMP_PREFIX"]

TMP_PREFIX = ".netdep-tmp-"


def default_data_dir() -> Path:
    """``./data`` when it holds netdep tables, else the data shipped inside the package."""
    here = Path.cwd() / "data"
    if (here / "flows.parquet").exists():
        return here
    packaged = Path(__file__).resolve().parent / "_data"
    if (packaged / "flows.parquet").exists():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"  # editable install from a checkout


@dataclass
class Data:
    """The tables of one data folder, as Arrow tables (validated when built by :func:`load`)."""

    tables: dict[str, pa.Table]
    path: Path | None = None
    _rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]

    def rows(self, name: str) -> list[dict[str, Any]]:
        """The table as a list of dicts (cached)."""
        if name not in self._rows:
            self._rows[name] = self.tables[name].to_pylist()
        return self._rows[name]

    def df(self, name: str):  # -> pandas.DataFrame; pandas imported only when asked
        """The table as a pandas DataFrame."""
        return self.tables[name].to_pandas()

    def replace(self, **tables: pa.Table) -> Data:
        """A copy with some tables replaced (not validated)."""
        new = dict(self.tables)
        new.update(tables)
        return Data(new, self.path)

    @property
    def years(self) -> list[int]:
        return sorted(set(self.tables["flows"].column("year").to_pylist()))


def _read_one(path: Path, name: str) -> tuple[pa.Table | None, list[str]]:
    file = f"{name}.parquet"
    if not path.exists():
        return None, [f"{file}: file is missing from {path.parent}"]
    if path.stat().st_size == 0:
        return None, [f"{file}: file is empty (0 bytes); restore it or rebuild with scripts/build_data.py"]
    try:
        # ParquetFile.read avoids pyarrow.dataset (and with it a pandas import): faster start-up
        return pq.ParquetFile(path).read(), []
    except (pa.ArrowInvalid, OSError) as exc:
        reason = str(exc).splitlines()[0]
        return None, [f"{file}: not a readable Parquet file ({reason}); restore it from git "
                      f"or rebuild with scripts/build_data.py"]


def read_tables(data_dir: str | Path | None = None) -> tuple[dict[str, pa.Table], list[str]]:
    """Read every table of ``data_dir`` without validating; return tables and read problems."""
    d = Path(data_dir) if data_dir is not None else default_data_dir()
    tables, problems = {}, []
    for name in TABLE_ORDER:
        table, errs = _read_one(d / f"{name}.parquet", name)
        problems += errs
        if table is not None:
            tables[name] = table
    return tables, problems


def load(data_dir: str | Path | None = None, validate: bool = True) -> Data:
    """Read and validate the tables of ``data_dir`` (default: :func:`default_data_dir`).

    Raises :class:`~netdep.errors.ValidationError` listing every problem as
    ``FILE:ROW: column: what is wrong``.
    """
    from .checks import check_tables  # local: checks imports store's Data

    d = Path(data_dir) if data_dir is not None else default_data_dir()
    if not d.is_dir():
        raise ValidationError([f"{d}: no such data folder (pass --data DIR)"])
    tables, problems = read_tables(d)
    if problems:
        raise ValidationError(problems)
    if validate:
        tables, problems = check_tables(tables)
        if problems:
            raise ValidationError(problems)
    return Data(tables, d)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_table(data_dir: str | Path, name: str, table: pa.Table) -> Path:
    """Write one table atomically: a temporary file in the same folder, fsync, ``os.replace``.

    Rows are written in key order so the same data gives the same bytes.
    """
    d = Path(data_dir)
    d.mkdir(parents=True, exist_ok=True)
    table = canonical(name, table)
    target = d / f"{name}.parquet"
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{name}-", suffix=".parquet", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            pq.write_table(table, f, compression="zstd", write_statistics=True)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; data files are meant to be shared
        os.replace(tmp, target)
        _fsync_dir(d)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def write_tables(data_dir: str | Path, tables: dict[str, pa.Table]) -> None:
    """Write several tables, each atomically (sources first, flows last)."""
    for name in TABLE_ORDER:
        if name in tables:
            write_table(data_dir, name, tables[name])


def canonical(name: str, table: pa.Table) -> pa.Table:
    """Cast to the spec's Arrow schema, columns in spec order, rows sorted by key."""
    schema = arrow_schema(name)
    table = table.select([f.name for f in schema]).cast(schema)
    keys = [(k, "ascending") for k in TABLES[name].key]
    return table.sort_by(keys)


def clean_stray_temporaries(data_dir: str | Path, older_than_s: float = 0.0) -> list[Path]:
    """Remove temporary files left by interrupted writes; return what was removed."""
    import time

    removed = []
    for p in Path(data_dir).glob(f"{TMP_PREFIX}*"):
        try:
            if time.time() - p.stat().st_mtime >= older_than_s:
                p.unlink()
                removed.append(p)
        except FileNotFoundError:
            pass
    return removed


def table_from_rows(name: str, rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Build a table of ``name`` from dicts (missing optional columns become null)."""
    schema = arrow_schema(name)
    rows = list(rows)
    cols = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.table(cols, schema=schema)
