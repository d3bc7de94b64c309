"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ..store import default_data_dir

FORMATS = ("table", "csv", "json", "markdown")


def data_option(f):
    """``--data DIR`` on every command."""
    return click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Data folder (default: ./data when that folder exists -- refused if broken, never "
                             "skipped -- else the bundled data).")(f)


_announced: set[Path] = set()


def resolve_data(data_dir: Path | None) -> Path:
    """The folder a command reads: ``--data DIR``, else ``./data`` if it exists, else the bundled data.

    Without ``--data`` the choice is said once on stderr (stdout stays clean for JSON and CSV).
    """
    if data_dir is not None:
        return data_dir
    d = default_data_dir()
    if d not in _announced:
        _announced.add(d)
        where = "./data" if d == Path.cwd() / "data" else "the data bundled with netdep; no ./data folder here"
        click.echo(f"data: {d} ({where})", err=True)
    return d


def format_option(default: str = "table", choices: Sequence[str] = FORMATS):
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=True,
                        help="Output format.")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""  # no value: an empty cell, as CSV and spreadsheets expect
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return f"{v:.6g}" if abs(v) < 1e6 else f"{v:.1f}"
    if isinstance(v, (list, tuple)):
        return ";".join(map(str, v))
    return str(v)


def _json_safe(v: Any) -> Any:
    """NaN and ±inf become null: JSON has no such numbers (``json.dumps`` would write a bare ``NaN``)."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    return v


def _json_default(v: Any):
    if isinstance(v, (set, tuple)):
        return list(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def render(columns: list[str], rows: list[Sequence[Any]], fmt: str, title: str | None = None) -> str:
    """Render a result as a table, CSV, JSON (list of records) or Markdown."""
    if fmt == "json":
        return json.dumps([_json_safe(dict(zip(columns, r))) for r in rows], default=_json_default,
                          ensure_ascii=False, indent=1, allow_nan=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows([[_cell(v) for v in r] for r in rows])
        return buf.getvalue().rstrip("\n")
    if fmt == "markdown":
        lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
        lines += ["| " + " | ".join(_cell(v).replace("|", "\\|") for v in r) + " |" for r in rows]
        return "\n".join(lines)
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[_cell(v) for v in r])
    console = Console(file=io.StringIO(), width=max(100, min(220, 16 * len(columns))), force_terminal=False)
    console.print(t)
    out = console.file.getvalue().rstrip("\n")
    return out + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})"
