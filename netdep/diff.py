"""Review changes to the tables: rows added, removed and changed, matched by each table's key.

``diff(old, new)`` takes two Parquet files or two data folders. A row whose key
(:attr:`netdep.schema.Table.key`) is in both but whose other cells differ is
*changed*, with ``old -> new`` for each column that differs; NaN equals NaN and
row order does not matter.

>>> import pyarrow as pa
>>> old = pa.table({"source_id": ["a", "b"], "title": ["A", "B"]})
>>> new = pa.table({"source_id": ["b", "c"], "title": ["B2", "C"]})
>>> d = diff_tables("sources", old, new)
>>> d.summary()
'sources.parquet: 1 added, 1 removed, 1 changed'
>>> d.changed[0].changes
{'title': ('B', 'B2')}

:func:`textconv` prints one Parquet file as stable text, one row per line in
key order, for ``git diff`` (see the README: ``*.parquet diff=parquet``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import ValidationError
from .schema import TABLE_ORDER, TABLES

__all__ = ["RowChange", "TableDiff", "FileDiff", "ROW_DIFF_LIMIT", "diff", "diff_tables", "read_parquet",
           "table_name", "textconv", "diff_rows", "diff_json", "DIFF_COLUMNS"]


@dataclass
class RowChange:
    """One row present on both sides whose non-key cells differ: ``changes[column] = (old, new)``."""

    key: dict[str, Any]
    changes: dict[str, tuple[Any, Any]]


@dataclass
class TableDiff:
    """The difference between two versions of one table."""

    table: str
    key: tuple[str, ...]
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def summary(self) -> str:
        return (f"{self.table}.parquet: {len(self.added)} added, {len(self.removed)} removed, "
                f"{len(self.changed)} changed")

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "key": list(self.key), "added": self.added, "removed": self.removed,
                "changed": [{"key": c.key, "changes": {k: {"old": o, "new": n} for k, (o, n) in c.changes.items()}}
                            for c in self.changed]}


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b  # 2024 == 2024.0: a change of type alone is not a changed value


def _sort_key(v: Any) -> tuple:
    """Order any cell value: nulls last, NaN after numbers, lists by their text."""
    if v is None:
        return (3, "")
    if isinstance(v, float) and math.isnan(v):
        return (2, "")
    if isinstance(v, (int, float)):
        return (0, v)
    return (1, json.dumps(v, ensure_ascii=False) if isinstance(v, list) else str(v))


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _keyed(rows: list[dict], key: Sequence[str]) -> dict[tuple, dict]:
    out: dict[tuple, dict] = {}
    for r in rows:
        k = tuple(_hashable(r.get(c)) for c in key)
        n = 0
        while (k, n) in out:  # duplicate keys (invalid data) still diff, matched in order
            n += 1
        out[(k, n)] = r
    return out


def _order(item: tuple[tuple, int]) -> list:
    k, n = item
    return [_sort_key(list(v) if isinstance(v, tuple) else v) for v in k] + [n]


def diff_tables(name: str, old: pa.Table, new: pa.Table, key: Sequence[str] | None = None) -> TableDiff:
    """Rows of ``new`` added, removed and changed compared with ``old``, matched by ``key``.

    ``key`` defaults to the table's key in :data:`netdep.schema.TABLES`; for an
    unknown table every column is the key (so rows are only added or removed).
    """
    if key is None:
        key = TABLES[name].key if name in TABLES else tuple(new.column_names)
    key = tuple(k for k in key if k in old.column_names or k in new.column_names)
    d = TableDiff(name, tuple(key))
    if old.schema.equals(new.schema) and old.equals(new):
        return d
    columns = list(dict.fromkeys([*new.column_names, *old.column_names]))
    a, b = _keyed(old.to_pylist(), key), _keyed(new.to_pylist(), key)
    for k in sorted(b.keys() - a.keys(), key=_order):
        d.added.append(b[k])
    for k in sorted(a.keys() - b.keys(), key=_order):
        d.removed.append(a[k])
    for k in sorted((k for k in a.keys() & b.keys() if a[k] != b[k]), key=_order):
        ra, rb = a[k], b[k]
        changes = {c: (ra.get(c), rb.get(c)) for c in columns if c not in key and not _same(ra.get(c), rb.get(c))}
        if changes:
            d.changed.append(RowChange({c: rb.get(c) for c in key}, changes))
    return d


def table_name(path: str | Path, table: pa.Table | None = None) -> str:
    """The netdep table a Parquet file holds: from its name (``flows.parquet``, git's ``XXXXXX_flows.parquet``)
    or, failing that, from its columns; else the file's stem."""
    stem = Path(path).name.removesuffix(".parquet")
    if stem in TABLES:
        return stem
    for name in TABLES:
        if stem.endswith(f"_{name}") or stem.endswith(f"-{name}"):
            return name
    if table is not None:
        for name, spec in TABLES.items():
            if set(table.column_names) == {c.name for c in spec.columns}:
                return name
    return stem


def read_parquet(path: str | Path) -> pa.Table:
    """Read one Parquet file, or raise :class:`ValidationError` naming the file."""
    p = Path(path)
    if not p.is_file():
        raise ValidationError([f"{p}: no such file"])
    if p.stat().st_size == 0:
        raise ValidationError([f"{p}: file is empty (0 bytes)"])
    try:
        return pq.read_table(p)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValidationError([f"{p}: not a readable Parquet file ({str(exc).splitlines()[0]})"]) from None


@dataclass
class FileDiff(TableDiff):
    """A large Parquet file outside the six tables (e.g. ``hs6/year=2022/part-0.parquet``) that differs.

    Row-level matching would cost more than it tells; the summary gives the row counts.
    """

    old_rows: int = 0
    new_rows: int = 0

    def __bool__(self) -> bool:
        return True

    def summary(self) -> str:
        return f"{self.table}.parquet: differs ({self.old_rows} rows -> {self.new_rows} rows)"

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "differs": True, "old_rows": self.old_rows, "new_rows": self.new_rows}


#: files with more rows than this are compared as a whole (:class:`FileDiff`), not row by row
ROW_DIFF_LIMIT = 200_000


def _parquet_files(d: Path) -> dict[str, Path]:
    """Every Parquet file under ``d`` (partitions included) by relative path without '.parquet'; no temporaries."""
    out = {}
    for p in d.rglob("*.parquet"):
        rel = p.relative_to(d)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        out[rel.as_posix().removesuffix(".parquet")] = p
    return out


def _diff_files(name: str, fo: Path | None, fn: Path | None) -> TableDiff:
    if fo is not None and fn is not None and fo.read_bytes() == fn.read_bytes():
        return TableDiff(name, ())
    to = read_parquet(fo) if fo is not None else None
    tn = read_parquet(fn) if fn is not None else None
    if to is None:
        to = tn.schema.empty_table()
    if tn is None:
        tn = to.schema.empty_table()
    if name not in TABLES and max(to.num_rows, tn.num_rows) > ROW_DIFF_LIMIT:
        if to.schema.equals(tn.schema) and to.equals(tn):
            return TableDiff(name, ())
        return FileDiff(name, (), old_rows=to.num_rows, new_rows=tn.num_rows)
    return diff_tables(table_name(f"{name}.parquet", tn) if name in TABLES else name, to, tn)


def diff(old: str | Path, new: str | Path) -> list[TableDiff]:
    """Differences between two Parquet files or two data folders (one :class:`TableDiff` per file).

    Folders are compared file by file: the six tables by their keys, other Parquet files (product
    tables, ``hs6/year=*/part-*.parquet`` partitions) by all their columns, or -- beyond
    :data:`ROW_DIFF_LIMIT` rows -- as a whole (:class:`FileDiff`). A file missing on one side counts
    as all rows added or removed. Two folders without any Parquet file are an error, not "no differences".
    """
    o, n = Path(old), Path(new)
    for p in (o, n):
        if not p.exists():
            raise ValidationError([f"{p}: no such file or folder"])
    if o.is_dir() != n.is_dir():
        raise ValidationError([f"{o} and {n}: compare two Parquet files or two data folders, not one of each"])
    if not o.is_dir():
        tn = read_parquet(n)
        name = table_name(n, tn)
        return [diff_tables(name, read_parquet(o), tn)]
    files_o, files_n = _parquet_files(o), _parquet_files(n)
    if not files_o and not files_n:
        raise ValidationError([f"{o} and {n}: neither folder holds a Parquet file (TABLE.parquet or "
                               "partitions such as hs6/year=2022/part-0.parquet); nothing to compare"])
    order = [t for t in TABLE_ORDER if t in files_o or t in files_n]
    order += sorted((set(files_o) | set(files_n)) - set(order))
    return [_diff_files(name, files_o.get(name), files_n.get(name)) for name in order]


def _text(v: Any) -> str:
    """A cell as stable, unambiguous text (strings quoted only when they need it)."""
    if v is None:
        return "null"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, str):
        if (v == "" or v != v.strip() or v in ("null", "NaN") or " | " in v or "\n" in v or "\r" in v
                or v.startswith(('"', "["))):
            return json.dumps(v, ensure_ascii=False)
        return v
    return str(v)


def textconv(path: str | Path) -> str:
    """One Parquet file as stable text for ``git diff``: a header, then one line per row in key order.

    Cells are separated by `` | ``; nulls print as ``null``; floats print exactly (``repr``).
    """
    t = read_parquet(path)
    name = table_name(path, t)
    key = [k for k in (TABLES[name].key if name in TABLES else t.column_names) if k in t.column_names]
    rows = sorted(t.to_pylist(), key=lambda r: [_sort_key(r[k]) for k in key] + [_sort_key(_text(r[c]))
                                                                                  for c in t.column_names])
    lines = [f"# {name}.parquet: {t.num_rows} rows; key: {', '.join(key)}",
             "# " + " | ".join(t.column_names)]
    lines += [" | ".join(_text(r[c]) for c in t.column_names) for r in rows]
    return "\n".join(lines) + "\n"


def _key_text(key: dict[str, Any]) -> str:
    return " ".join(f"{k}={_text(v)}" for k, v in key.items())


DIFF_COLUMNS = ["file", "change", "key", "column", "old", "new"]


def diff_rows(diffs: Sequence[TableDiff]) -> list[list[str]]:
    """The differences as rows of :data:`DIFF_COLUMNS`: one per changed cell, added or removed row."""
    rows: list[list[str]] = []
    for d in diffs:
        for r in d.added:
            rest = ", ".join(f"{c}={_text(v)}" for c, v in r.items() if c not in d.key)
            rows.append([f"{d.table}.parquet", "added", _key_text({k: r.get(k) for k in d.key}), "", "", rest])
        for r in d.removed:
            rest = ", ".join(f"{c}={_text(v)}" for c, v in r.items() if c not in d.key)
            rows.append([f"{d.table}.parquet", "removed", _key_text({k: r.get(k) for k in d.key}), "", rest, ""])
        if isinstance(d, FileDiff):
            rows.append([f"{d.table}.parquet", "differs", "", "", f"{d.old_rows} rows", f"{d.new_rows} rows"])
        for c in d.changed:
            for col, (o, n) in c.changes.items():
                rows.append([f"{d.table}.parquet", "changed", _key_text(c.key), col, _text(o), _text(n)])
    return rows


def diff_json(diffs: Sequence[TableDiff]) -> str:
    """The differences as JSON: one object per table that differs."""
    return json.dumps([d.to_dict() for d in diffs if d], ensure_ascii=False, indent=1, default=str)
