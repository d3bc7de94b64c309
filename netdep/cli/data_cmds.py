"""Data commands: validate, schema, sql."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from ..errors import ValidationError
from . import main
from ._common import FORMATS, data_option, format_option, render, resolve_data


@main.command()
@data_option
def validate(data_dir: Path | None) -> None:
    """Check the data folder against the contract; print FILE:ROW: column: problem lines.

    Exits 1 when there are problems, 0 with a one-line summary when clean.
    """
    from ..store import load
    from ..summary import data_summary, source_drift

    d = resolve_data(data_dir)
    try:
        data = load(d)
    except ValidationError as exc:
        for p in exc.problems:
            click.echo(p, err=True)
        n = len(exc.problems)
        click.echo(f"{n} problem{'s' if n != 1 else ''} in {d}", err=True)
        sys.exit(1)
    for warning in source_drift(d):
        click.echo(f"warning: {warning}", err=True)
    from ..balance import balance_warnings  # issue 10: residuals are reported, never an error

    for warning in balance_warnings(data):
        click.echo(f"warning: {warning}", err=True)
    click.echo(data_summary(data))


@main.command()
@click.argument("table", required=False)
@click.option("--outputs", is_flag=True, help="Show the output records instead (the output dictionary: the fields of "
              "the report's and scenarios' JSON tables and of the long result table).")
@format_option("table", ("table", "markdown", "json"))
def schema(table: str | None, outputs: bool, fmt: str) -> None:
    """Show the data contract: every table's columns, types, units and meaning."""
    from ..schema import DICTIONARY_ORDER, OUTPUT_ORDER, output_dictionary_rows
    from ..schema import DICTIONARY_TABLES as TABLES

    if outputs:
        if table is not None and table not in OUTPUT_ORDER:
            raise click.BadParameter(f"unknown output record '{table}'; records: {', '.join(OUTPUT_ORDER)}",
                                     param_hint="TABLE")
        rows = output_dictionary_rows((table,) if table else OUTPUT_ORDER)
        click.echo(render(["record", "field", "type", "role", "unit", "description"], rows, fmt))
        return
    names = [table] if table else list(DICTIONARY_ORDER)
    for n in names:
        if n not in TABLES:
            raise click.BadParameter(f"unknown table '{n}'; tables: {', '.join(DICTIONARY_ORDER)}",
                                     param_hint="TABLE")
    cols = ["table", "column", "type", "required", "unit", "allowed / references", "description"]
    rows = []
    for n in names:
        t = TABLES[n]
        for c in t.columns:
            rule = " | ".join(c.allowed) if c.allowed else (f"-> {c.references}" if c.references else "")
            key = " (key)" if c.name in t.key else ""
            rows.append([t.file, c.name + key, c.type, "yes" if c.required else "", c.unit, rule, c.description])
    click.echo(render(cols, rows, fmt))


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-c", "--command", "command", help="Run this SQL instead of a file.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Bind :NAME in the query.")
@click.option("--setup", is_flag=True,
              help="Print the SQL that creates the views, with absolute paths to the data folder, and exit "
                   "(`netdep sql --setup > setup.sql; duckdb -init setup.sql` works from any folder).")
@click.option("--allow-file-access", is_flag=True,
              help="Give the SQL DuckDB's full file access (COPY TO, read_csv of any file, ATTACH). Off by "
                   "default: the session reads the data's tables and nothing else. Writes made this way "
                   "bypass netdep's lock and validation.")
@format_option("table", FORMATS)
@data_option
def sql(file: Path | None, command: str | None, params: tuple[str, ...], setup: bool, allow_file_access: bool,
        fmt: str, data_dir: Path | None) -> None:
    """Query the data with DuckDB: FILE.sql, -c "SQL", or an interactive session.

    The views flows, actors, commodities, routes, balances, sources and the derived views
    flows_named, pair_flows, dependencies and concentration are ready. Parameters are
    written :name in the query and bound with -p name=value. The session is read-only
    and cannot touch other files unless --allow-file-access is given.
    """
    from .. import db

    d = resolve_data(data_dir)
    if setup:
        click.echo(db.setup_sql(str(d.resolve()).replace("\\", "/")), nl=False)
        return
    if file is None and command is None:
        _interactive(d, allow_file_access)
        return
    text = command if command is not None else file.read_text(encoding="utf-8")
    bound = {}
    for p in params:
        if "=" not in p:
            raise click.BadParameter(f"'{p}' is not NAME=VALUE", param_hint="-p")
        k, v = p.split("=", 1)
        bound[k] = _typed(k, v)
    if allow_file_access:  # may write: run once
        columns, rows = db.run_sql(db.connect(d), text, bound)
    else:  # read-only: repeated if a commit overlapped it, so it sees one version of the folder
        from ..store import read_consistent

        columns, rows = read_consistent(d, lambda: db.run_sql(db.sandboxed(d), text, bound))
    if columns:
        click.echo(render(columns, rows, fmt))


def _typed(name: str, v: str):
    """``-p`` values: ASCII integers and decimals become numbers; nan/inf are refused; the rest is text."""
    import math
    import re

    if re.fullmatch(r"[+-]?[0-9]+", v.strip()):
        return int(v)
    if re.fullmatch(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", v.strip()):
        f = float(v)
        if math.isfinite(f):
            return f
    if v.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise click.BadParameter(f"{name}={v}: not a finite number; parameters must be finite",
                                 param_hint="-p")
    return v


def _interactive(d: Path, allow_file_access: bool = False) -> None:
    from .. import db
    from ..store import load

    load(d)  # validate first
    exe = shutil.which("duckdb")
    setup = db.setup_sql(str(d.resolve()))
    if exe and sys.stdin.isatty() and allow_file_access:  # the DuckDB CLI has full file access
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            f.write(setup)
        try:
            subprocess.call([exe, "-init", f.name])
        finally:
            Path(f.name).unlink(missing_ok=True)
        return
    con = db.connect(d, validate=False) if allow_file_access else db.sandboxed(d, validate=False)
    click.echo("netdep SQL (DuckDB). Views: flows, actors, commodities, routes, balances, sources, "
               "flows_named, pair_flows, dependencies, concentration. End statements with ';', quit with .quit")
    buf = ""
    while True:
        try:
            line = input("netdep> " if not buf else "   ...> ")
        except EOFError:
            break
        if line.strip() in (".quit", ".exit", "\\q"):
            break
        buf += line + "\n"
        if buf.strip().endswith(";"):
            try:
                columns, rows = db.run_sql(con, buf, {})
                if columns:
                    click.echo(render(columns, rows, "table"))
            except db.SqlError as exc:
                click.echo(f"error: {exc}", err=True)
            buf = ""
