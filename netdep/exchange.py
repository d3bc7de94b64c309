"""CSV export and import for spreadsheet users, lossless both ways.

``export_csv(data, DIR)`` writes one ``TABLE.csv`` per table; ``import_csv(DIR,
data)`` reads them back, validates the result and replaces the tables under the
data folder's lock (see :mod:`netdep.edit`). The CSV dialect:

* UTF-8 with a byte-order mark on export, so Excel reads "€" and "Сила Сибири"
  (a file without one is accepted on import), comma-separated, ``\\n`` line
  endings on export (``\\r\\n`` accepted on import);
* rows are numbered as a spreadsheet numbers them: the header is row 1, so the
  first data row is row 2 in every message;
* ``netdep-export.json`` records each file's row count and SHA-256; on import a
  file that differs from the export *and* has fewer rows or lacks its final line
  break is refused as cut short (a full disk, an interrupted copy) unless
  ``allow_fewer_rows=True`` (``--allow-fewer-rows``) says the rows were deleted on purpose;
* the header names the columns in the order of ``netdep schema``;
* strings are always quoted, so an empty string is ``""`` and a missing value
  (null) is an empty, unquoted cell;
* floats are written with Python's shortest exact form (``repr``), so they read
  back to the same bits;
* list columns (``via``, ``members``) are JSON arrays, e.g. ``["AUT","BEL"]``
  (``AUT;BEL`` is accepted on import).

Files that cannot be read are refused with ``FILE:ROW: column: …`` messages:
a ``;`` or tab separator, rows with more or fewer fields than the header
(ragged rows), text that is not UTF-8, values of the wrong type.

>>> import tempfile
>>> out = tempfile.mkdtemp()
>>> [p.name for p in export_csv("data", out)][:2]
['sources.csv', 'actors.csv']
>>> read_csv_tables(out)["flows"].equals(read_tables("data")[0]["flows"])
True
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from .edit import EditResult, transact
from .errors import ValidationError
from .lock import DEFAULT_WAIT
from .schema import TABLE_ORDER, TABLES, arrow_schema
from .store import canonical, read_tables

__all__ = ["export_csv", "read_csv_tables", "import_csv", "to_csv_text", "MANIFEST", "BOM"]

MANIFEST = "netdep-export.json"
BOM = "\ufeff"


def _cell(v: Any, typ: str) -> str:
    if v is None:
        return ""
    if typ == "string":
        return '"' + v.replace('"', '""') + '"'
    if typ == "list<string>":
        return '"' + json.dumps(list(v), ensure_ascii=False, separators=(",", ":")).replace('"', '""') + '"'
    if typ == "float":
        return repr(float(v))
    return str(v)


def to_csv_text(name: str, table: pa.Table) -> str:
    """One table as netdep CSV text (rows in key order)."""
    spec = TABLES[name]
    table = canonical(name, table)
    cols = [(c.name, c.type) for c in spec.columns]
    lines = [",".join(c for c, _ in cols)]
    for r in table.to_pylist():
        lines.append(",".join(_cell(r[c], t) for c, t in cols))
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_csv(data_dir: str | Path | None, out_dir: str | Path, tables: list[str] | None = None) -> list[Path]:
    """Write ``TABLE.csv`` for each table of ``data_dir`` into ``out_dir``; return the files written.

    Each file is written whole or not at all (temporary file, fsync, rename); ``netdep-export.json``,
    written last, records each file's rows and SHA-256 so :func:`import_csv` can tell a file cut short.
    """
    current, problems = read_tables(data_dir)
    if problems:
        raise ValidationError(problems)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written, manifest = [], {}
    for name in tables or TABLE_ORDER:
        p = out / f"{name}.csv"
        data = (BOM + to_csv_text(name, current[name])).encode("utf-8")
        _write_atomic(p, data)
        manifest[p.name] = {"rows": current[name].num_rows, "sha256": hashlib.sha256(data).hexdigest()}
        written.append(p)
    old = _manifest(out)
    _write_atomic(out / MANIFEST, (json.dumps({"files": {**old, **manifest}}, indent=1, sort_keys=True) + "\n")
                  .encode("utf-8"))
    return written


def _manifest(d: Path) -> dict:
    try:
        m = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
        files = m.get("files", {}) if isinstance(m, dict) else {}
        return files if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}


def _check_complete(path: Path, data: bytes, rows: int, manifest: dict) -> list[str]:
    """A file that differs from its export and has fewer rows (or no final line break) was cut short."""
    entry = manifest.get(path.name)
    if not isinstance(entry, dict) or not isinstance(entry.get("rows"), int):
        return []
    if hashlib.sha256(data).hexdigest() == entry.get("sha256"):
        return []
    cut = not data.endswith(b"\n")
    if rows < entry["rows"] or cut:
        why = "does not end with a line break" if cut else f"has {rows} rows"
        return [f"{path.name}: {why} but `netdep export` wrote {entry['rows']} rows ({MANIFEST}); the file "
                "looks cut short (full disk or interrupted copy): export again, or pass --allow-fewer-rows "
                "if you deleted rows on purpose"]
    return []


# -- reading ----------------------------------------------------------------------------------------------


def _structure(path: Path, name: str, text: str) -> list[str]:
    """Separator, header and ragged-row problems, found with the csv module (rows counted over data rows)."""
    file = path.name
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # cells may be longer than the module's 131,072 default
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows, None)
    except csv.Error as exc:
        return [f"{file}:1: header: cannot be read as CSV ({exc})"]
    if not header:
        return [f"{file}: file is empty; it needs a header line ({','.join(c.name for c in TABLES[name].columns)})"]
    if len(header) == 1:
        for sep, what in ((";", "';'"), ("\t", "tabs")):
            if sep in header[0]:
                return [f"{file}: header: fields are separated by {what}, not commas; save the file as "
                        "comma-separated CSV (UTF-8)"]
    problems = []
    expected = [c.name for c in TABLES[name].columns]
    for col in expected:
        if col not in header:
            problems.append(f"{file}: {col}: column is missing (the header must be {','.join(expected)})")
    for col in header:
        if col not in expected:
            problems.append(f"{file}: {col}: unknown column; `netdep schema {name}` lists the columns")
    dups = sorted({c for c in header if header.count(c) > 1})
    for col in dups:
        problems.append(f"{file}: {col}: column appears more than once in the header")
    if problems:
        return problems
    try:
        for i, row in enumerate(rows, 2):  # spreadsheet rows: the header is row 1
            if len(row) != len(header) and row:
                problems.append(f"{file}:{i}: row has {len(row)} fields but the header has {len(header)}; "
                                "check for a missing or extra comma (quote text that contains commas)")
                if len(problems) >= 20:
                    break
    except csv.Error as exc:
        problems.append(f"{file}:{rows.line_num}: cannot be read as CSV ({exc})")
    return problems


def _convert(file: str, name: str, raw: pa.Table) -> tuple[pa.Table | None, list[str]]:
    """Strings read from CSV -> the spec's types, with a ``FILE:ROW: column:`` problem for each bad cell."""
    problems: list[str] = []
    cols = {}
    for col in TABLES[name].columns:
        values = raw.column(col.name).to_pylist()
        out: list[Any] = []
        for i, v in enumerate(values, 1):
            if col.type == "string":
                out.append(v)
                continue
            if v is None or v.strip() == "":
                out.append([] if col.type == "list<string>" else None)
                continue
            try:
                out.append(_parse(v, col.type))
            except ValueError as exc:
                if len(problems) < 50:
                    problems.append(f"{file}:{i + 1}: {col.name}: '{v}' {exc}")  # +1: the header is row 1
                out.append(None)
        cols[col.name] = out
    if problems:
        return None, problems
    return pa.table(cols, schema=arrow_schema(name)), []


#: a number as written in a CSV: ASCII digits, optional sign, point and exponent (no '1_000', no
#: non-ASCII digits such as '١٢', which Python's float() would accept); nan/inf are read so that
#: validation can say they are not finite
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:[+-]?(?:nan|inf|infinity))")


def _parse(v: str, typ: str) -> Any:
    s = v.strip()
    if typ in ("int", "float") and not NUMBER.fullmatch(s):
        hint = " (use a point as the decimal separator)" if typ == "float" and "," in s else ""
        raise ValueError(f"is not {'an integer' if typ == 'int' else 'a number'}{hint}")
    if typ == "int":
        try:
            f = float(s)
        except ValueError:
            raise ValueError("is not an integer") from None
        if not math.isfinite(f) or f != int(f):
            raise ValueError("is not an integer")
        return int(f)
    if typ == "float":
        try:
            return float(s)
        except ValueError:
            hint = " (use a point as the decimal separator)" if "," in s else ""
            raise ValueError(f"is not a number{hint}") from None
    if s.startswith("["):
        try:
            items = json.loads(s)
        except json.JSONDecodeError:
            raise ValueError('is not a JSON list like ["AUT","BEL"]') from None
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise ValueError('is not a list of codes like ["AUT","BEL"]')
        return items
    return [x.strip() for x in s.split(";") if x.strip()]


def read_csv_table(path: str | Path, name: str) -> pa.Table:
    """Read one netdep CSV as the table ``name`` (rows in file order), or raise :class:`ValidationError`."""
    p = Path(path)
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1  # spreadsheet row: the header is row 1
        raise ValidationError([f"{p.name}:{line}: text is not UTF-8 (byte 0x{data[exc.start]:02x}); save the "
                               "file as 'CSV UTF-8'"]) from None
    problems = _structure(p, name, text)
    if problems:
        raise ValidationError(problems)
    names = [c.name for c in TABLES[name].columns]
    try:
        raw = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=max(1 << 20, len(data) + 1)),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ValidationError([f"{p.name}: cannot be read as CSV ({str(exc).splitlines()[0]})"]) from None
    table, problems = _convert(p.name, name, raw.select(names))
    if problems:
        raise ValidationError(problems)
    return table


def read_csv_tables(in_dir: str | Path, allow_fewer_rows: bool = False) -> dict[str, pa.Table]:
    """Read every ``TABLE.csv`` of ``in_dir`` (at least one), in file order; raise :class:`ValidationError`.

    Files listed in ``netdep-export.json`` are checked for completeness (see the module doc).
    """
    d = Path(in_dir)
    if not d.is_dir():
        raise ValidationError([f"{d}: no such folder"])
    found = {name: d / f"{name}.csv" for name in TABLE_ORDER if (d / f"{name}.csv").is_file()}
    if not found:
        raise ValidationError([f"{d}: holds none of {', '.join(n + '.csv' for n in TABLE_ORDER)}; "
                               "create them with `netdep export --format csv DIR`"])
    tables, problems = {}, []
    manifest = {} if allow_fewer_rows else _manifest(d)
    for name, p in found.items():
        try:
            data = p.read_bytes()
        except OSError as exc:
            problems.append(f"{p.name}: cannot be read ({exc.strerror})")
            continue
        if manifest and not data.endswith(b"\n"):  # cut short: say so before any parse error of its last row
            problems += _check_complete(p, data, 0, manifest)
            if problems:
                continue
        if data and not data.endswith(b"\n") and data.count(b'"') % 2:
            problems.append(f"{p.name}: the file ends inside a quoted value, without a final line break; it "
                            "looks cut short (full disk or interrupted copy): export or copy it again")
            continue
        try:
            tables[name] = read_csv_table(p, name)
        except ValidationError as exc:
            problems += exc.problems
            continue
        problems += _check_complete(p, data, tables[name].num_rows, manifest)
    if problems:
        raise ValidationError(problems)
    return tables


def import_csv(in_dir: str | Path, data_dir: str | Path | None = None, *, dry_run: bool = False,
               wait: float = DEFAULT_WAIT, allow_fewer_rows: bool = False) -> EditResult:
    """Replace the tables of ``data_dir`` with the CSVs of ``in_dir`` (those present), after validating all.

    All tables are replaced as one unit (one journalled commit). Problems name the CSV file and
    its spreadsheet row (``flows.csv:12: value: …``; the header is row 1).
    """
    new = read_csv_tables(in_dir, allow_fewer_rows=allow_fewer_rows)
    try:  # validated in file order, so a problem's row is the CSV's data row
        return transact(lambda tables: new, data_dir, dry_run=dry_run, wait=wait)
    except ValidationError as exc:
        raise ValidationError([_csv_name(p, new) for p in exc.problems]) from None


def _csv_name(problem: str, imported: dict[str, pa.Table]) -> str:
    """``flows.parquet:N: …`` (data row N of the imported table) -> ``flows.csv:N+1: …`` (spreadsheet row)."""
    for name in imported:
        m = re.match(rf"{re.escape(name)}\.parquet(?::(\d+))?(?=:)", problem)
        if m:
            row = f":{int(m.group(1)) + 1}" if m.group(1) else ""
            return f"{name}.csv{row}" + problem[m.end():]
    return problem
