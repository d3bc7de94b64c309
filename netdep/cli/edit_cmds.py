"""Edit commands: flows list|add|set|delete, sources add, routes set, export, import (csv), diff.

Each command parses its options, calls one function of :mod:`netdep.edit`,
:mod:`netdep.exchange` or :mod:`netdep.diff`, and prints the result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import ValidationError
from ..lock import DEFAULT_WAIT
from . import import_group, main
from ._common import FORMATS, data_option, format_option, render, resolve_data


def _filters(f):
    for name, typ, what in reversed([
        ("year", int, "Calendar year."), ("layer", str, "trade | energy | investment."),
        ("commodity", str, "Commodity, e.g. pipeline_gas."), ("origin", str, "Exporter / investor actor."),
        ("destination", str, "Importer / host actor."), ("route", str, "Route ('' matches flows without one)."),
    ]):
        f = click.option(f"--{name}", name, type=typ, default=None, help=f"Only rows with this {what}")(f)
    return f


def _write_options(f):
    f = click.option("--wait", type=float, default=DEFAULT_WAIT, show_default=True, metavar="SECONDS",
                     help="How long to wait for another writer's lock before giving up.")(f)
    f = click.option("--dry-run", is_flag=True, help="Show the change without writing anything.")(f)
    return data_option(f)


def _where(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: kw.pop(k) for k in ("year", "layer", "commodity", "origin", "destination", "route")}


class _Failed(click.ClickException):
    """Exit status 1 after the problems were printed (click's Exit(1) is swallowed by non-standalone mode)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        if self.message:
            click.echo(self.message, err=True)


def _run_write(call: Callable[[], Any], data_dir: Path | None) -> None:
    """Run an edit; print its change, or its problems and that nothing was written (exit 1)."""
    from ..diff import DIFF_COLUMNS, diff_rows

    try:
        result = call()
    except ValidationError as exc:
        for p in exc.problems:
            click.echo(p, err=True)
        n = len(exc.problems)
        raise _Failed(f"refused: {n} problem{'s' if n != 1 else ''}; nothing in {resolve_data(data_dir)} "
                      "was changed") from None
    rows = diff_rows(result.diffs)
    if rows:
        click.echo(render(DIFF_COLUMNS, rows, "table"))
    click.echo(str(result))


# -- flows ---------------------------------------------------------------------------------------------------


@main.group()
def flows() -> None:
    """List, add, change and delete flows (every change validated, sourced and written atomically)."""


@flows.command("list")
@_filters
@format_option("table", FORMATS)
@data_option
def flows_list(fmt: str, data_dir: Path | None, **kw: Any) -> None:
    """List the flows matching the filters, in key order."""
    from ..edit import list_flows

    t = list_flows(resolve_data(data_dir), **_where(kw))
    click.echo(render(t.column_names, [list(r.values()) for r in t.to_pylist()], fmt))


@flows.command("add")
@click.option("--year", type=int, required=True)
@click.option("--commodity", required=True)
@click.option("--origin", required=True)
@click.option("--destination", required=True)
@click.option("--value", type=float, required=True, help="Volume in the commodity's unit.")
@click.option("--source-id", required=True, help="Source of the figure (must exist; see `netdep sources add`).")
@click.option("--layer", default=None, help="Default: the commodity's layer.")
@click.option("--value-usd-bn", type=float, default=None)
@click.option("--route", default=None)
@click.option("--note", default=None)
@_write_options
def flows_add(data_dir: Path | None, dry_run: bool, wait: float, **row: Any) -> None:
    """Add one flow, citing its source."""
    from ..edit import add_flows

    _run_write(lambda: add_flows([row], resolve_data(data_dir), dry_run=dry_run, wait=wait), data_dir)


@flows.command("set")
@click.argument("assignments", nargs=-1, required=True, metavar="COLUMN=VALUE...")
@_filters
@click.option("--source-id", default=None, help="Source of the new figures (required unless only note changes).")
@click.option("--all", "all_rows", is_flag=True, help="Allow changing every row when no filter is given.")
@_write_options
def flows_set(assignments: tuple[str, ...], source_id: str | None, all_rows: bool, data_dir: Path | None,
              dry_run: bool, wait: float, **kw: Any) -> None:
    """Set columns of the matching flows, e.g. `netdep flows set --year 2025 --origin RUS value=38.8 --source-id X`.

    An empty VALUE (note=) sets null.
    """
    from ..edit import set_flows

    values = _assignments(assignments)
    where = _where(kw)
    _run_write(lambda: set_flows(values, resolve_data(data_dir), where=where, source_id=source_id,
                                 all_rows=all_rows, dry_run=dry_run, wait=wait), data_dir)


def _assignments(items: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for a in items:
        if "=" not in a:
            raise click.BadParameter(f"'{a}' is not COLUMN=VALUE", param_hint="COLUMN=VALUE")
        k, v = a.split("=", 1)
        out[k.strip()] = v
    return out


@flows.command("delete")
@_filters
@click.option("--all", "all_rows", is_flag=True, help="Allow deleting every row when no filter is given.")
@_write_options
def flows_delete(all_rows: bool, data_dir: Path | None, dry_run: bool, wait: float, **kw: Any) -> None:
    """Delete the matching flows."""
    from ..edit import delete_flows

    where = _where(kw)
    _run_write(lambda: delete_flows(resolve_data(data_dir), where=where, all_rows=all_rows, dry_run=dry_run,
                                    wait=wait), data_dir)


# -- sources and routes --------------------------------------------------------------------------------------


@main.group()
def sources() -> None:
    """Add the public sources that flows cite."""


@sources.command("add")
@click.argument("source_id")
@click.option("--title", required=True)
@click.option("--publisher", required=True)
@click.option("--url", required=True, help="http(s) address.")
@click.option("--published", default=None, help="Publication date (ISO 8601 where known).")
@click.option("--note", default=None, help="What was taken from it and how.")
@_write_options
def sources_add(data_dir: Path | None, dry_run: bool, wait: float, **row: Any) -> None:
    """Add a source."""
    from ..edit import add_source

    _run_write(lambda: add_source(row, resolve_data(data_dir), dry_run=dry_run, wait=wait), data_dir)


@main.group()
def routes() -> None:
    """Change the infrastructure routes (status, capacity, years)."""


@routes.command("set")
@click.argument("route")
@click.option("--status", default=None, help="operating | offline | planned | destroyed.")
@click.option("--capacity", default=None, help="Capacity per year (needs --source-id).")
@click.option("--open-from", default=None, help="First year with flows ('' clears it).")
@click.option("--open-to", default=None, help="Last year with flows ('' clears it).")
@click.option("--note", default=None)
@click.option("--source-id", default=None, help="Source of the new capacity.")
@_write_options
def routes_set(route: str, source_id: str | None, data_dir: Path | None, dry_run: bool, wait: float,
               **values: Any) -> None:
    """Set columns of one route."""
    from ..edit import set_route

    values = {k: v for k, v in values.items() if v is not None}
    _run_write(lambda: set_route(route, values, resolve_data(data_dir), source_id=source_id, dry_run=dry_run,
                                 wait=wait), data_dir)


# -- export, import, diff ------------------------------------------------------------------------------------


@main.command("export")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@data_option
def export_cmd(out_dir: Path, fmt: str, data_dir: Path | None) -> None:
    """Write every table as OUT_DIR/TABLE.csv (lossless; `netdep import OUT_DIR` reads it back)."""
    from ..exchange import export_csv

    for p in export_csv(resolve_data(data_dir), out_dir):
        click.echo(str(p))


@import_group.command("csv")
@click.argument("in_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--allow-fewer-rows", is_flag=True,
              help="Accept a CSV with fewer rows than `netdep export` wrote (rows deleted on purpose).")
@_write_options
def import_csv_cmd(in_dir: Path, allow_fewer_rows: bool, data_dir: Path | None, dry_run: bool, wait: float) -> None:
    """Replace tables with IN_DIR/TABLE.csv (those present), after validating everything; all at once."""
    from ..exchange import import_csv

    _run_write(lambda: import_csv(in_dir, resolve_data(data_dir), dry_run=dry_run, wait=wait,
                                  allow_fewer_rows=allow_fewer_rows), data_dir)


@main.command("diff")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--textconv", is_flag=True, help="Print one Parquet file as stable text (for git diff).")
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are differences (like git diff).")
@format_option("table", ("table", "json", "markdown"))
def diff_cmd(paths: tuple[Path, ...], textconv: bool, exit_code: bool, fmt: str) -> None:
    """Rows added, removed and changed between OLD and NEW (two Parquet files or two data folders).

    `netdep diff --textconv FILE` prints FILE as text for git:
    `git config diff.parquet.textconv "netdep diff --textconv"` with `*.parquet diff=parquet` in .gitattributes.
    """
    from .. import diff as d

    if textconv:
        if len(paths) != 1:
            raise click.UsageError("--textconv takes one FILE")
        p = paths[0]
        if p.is_file() and p.stat().st_size == 0:
            return  # git passes an empty file for a side that does not exist
        click.echo(d.textconv(p), nl=False)
        return
    if len(paths) != 2:
        raise click.UsageError("give OLD and NEW (two Parquet files or two data folders)")
    diffs = d.diff(*paths)
    if fmt == "json":
        click.echo(d.diff_json(diffs))
    else:
        changed = [x for x in diffs if x]
        for x in changed:
            click.echo(x.summary())
        if changed:
            click.echo()
            click.echo(render(d.DIFF_COLUMNS, d.diff_rows(changed), fmt))
        else:
            click.echo("no differences")
    if exit_code and any(diffs):
        raise _Failed("")
