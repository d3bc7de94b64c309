"""`netdep scenario run|sweep|list`: thin commands over :mod:`netdep.scenario`."""

from __future__ import annotations

from pathlib import Path

import click

from . import main
from ._common import data_option, render, resolve_data


def _resolve(file: str, data_dir: Path) -> Path:
    """A path, or the name of a bundled scenario (file stem)."""
    p = Path(file)
    if p.is_file() or p.suffix == ".toml" or "/" in file:
        return p
    from ..scenario import bundled_path

    return bundled_path(file, data_dir)


def _with_closure(sc, closure: str | None):
    """The scenario with its market closure replaced (None: as the file says)."""
    if closure is None:
        return sc
    import dataclasses

    from ..scenario import Scenario

    return Scenario(dataclasses.replace(sc.spec, closure=closure))


def _write(path: Path, text: str) -> None:
    from ..reporting.render import _atomic_write

    _atomic_write(path, text)


@main.group()
def scenario() -> None:
    """Capacity-aware what-ifs: reroute, scale, set_route, add_flow (TOML files in data/scenarios/)."""


@scenario.command("list")
@data_option
def list_cmd(data_dir: Path | None) -> None:
    """The bundled scenarios and what they assume."""
    import textwrap

    from ..scenario import bundled, load, scenario_dir

    d = resolve_data(data_dir)
    if not d.is_dir():
        from ..errors import NetdepError

        raise NetdepError(f"{d}: no such data folder (pass --data DIR)")
    files = bundled(d)
    for p in files:
        s = load(p)
        ops = ", ".join(f"{i}:{o.type}" for i, o in enumerate(s.spec.operations))
        click.echo(f"{p.stem} — {s.spec.name} (base year {s.spec.base_year}; closure {s.spec.closure}; "
                   f"operations {ops})")
        click.echo(textwrap.fill(" ".join(s.spec.description.split()), width=100, initial_indent="    ",
                                 subsequent_indent="    "))
        click.echo("")
    click.echo(f"{len(files)} scenarios in {scenario_dir(d)}; run one with "
               "`netdep scenario run NAME`.")


@scenario.command("run")
@click.argument("file")
@data_option
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", show_default=True,
              help="Output format.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write <scenario>.<format> into this folder (default: print to stdout).")
@click.option("--closure", type=click.Choice(["additive", "proportional", "merit", "optimal"]), default=None,
              help="Override the file's market closure (default: the file's, else merit).")
def run_cmd(file: str, data_dir: Path | None, fmt: str, out: Path | None, closure: str | None) -> None:
    """Before, after and delta of every dependency, concentration and centrality measure.

    FILE is a scenario file or the name of a bundled one (see `netdep scenario list`).
    """
    from ..scenario import load
    from ..scenario.render import to_html, to_json, to_markdown, write_document
    from ..store import load as load_data

    d = resolve_data(data_dir)
    path = _resolve(file, d)
    sc = _with_closure(load(path), closure)
    data = load_data(d)
    res = sc.run(data)
    if out is None:
        click.echo(to_json(res) if fmt == "json" else to_html(data, res) if fmt == "html" else to_markdown(data, res))
        return
    target = out / f"{path.stem}.{fmt}"
    if fmt == "json":
        _write(target, to_json(res))
        charts = []
    else:  # the document and its charts (SVG + PNG) in out/charts/
        charts = write_document(data, res, out, fmt, stem=path.stem)[1:]
    click.echo(f"{res.name} (base year {res.year}; closure {res.closure})")
    for h in res.headlines:
        click.echo(f"• {h}")
    for b in res.bounds:
        click.echo(f"  {b}")
    click.echo(f"wrote {target}")
    if charts:
        click.echo(f"wrote {len(charts)} chart files in {out / 'charts'}")


@scenario.command("sweep")
@click.argument("file")
@data_option
@click.option("--param", required=True, help="OP_INDEX.FIELD, e.g. 0.share (operations numbered from 0).")
@click.option("--from", "start", type=float, required=True, help="First value.")
@click.option("--to", "stop", type=float, required=True, help="Last value.")
@click.option("--steps", type=int, default=11, show_default=True, help="Number of values, ends included.")
@click.option("--max-steps", type=int, default=1001, show_default=True,
              help="Refuse sweeps with more steps than this (raise it to ask for more).")
@click.option("--long/--no-long", "long_table", default=False, show_default=True,
              help="Also write the long table of every measure at every step (large: Parquet by default).")
@click.option("--closure", type=click.Choice(["additive", "proportional", "merit", "optimal"]), default=None,
              help="Override the file's market closure.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports/sweeps"),
              show_default=True, help="Folder for the table and the charts.")
@click.option("--table", "table_fmt", type=click.Choice(["csv", "parquet"]), default=None,
              help="Format of the long table (default: parquet; csv only up to 200,000 rows).")
@click.option("--png/--no-png", default=True, show_default=True, help="Also write a PNG chart (matplotlib).")
def sweep_cmd(file: str, data_dir: Path | None, param: str, start: float, stop: float, steps: int, max_steps: int,
              long_table: bool, closure: str | None, out: Path, table_fmt: str | None, png: bool) -> None:
    """Every measure as one parameter moves: a summary table (CSV, always), charts (SVG, PNG), and the long table
    of every measure at every step on request (--long)."""
    from ..progress import bar
    from ..scenario import load
    from ..scenario.render import sweep_png, sweep_series, sweep_svgs
    from ..scenario.sweep import parse_param, sweep, sweep_values
    from ..store import load as load_data

    d = resolve_data(data_dir)
    path = _resolve(file, d)
    from ..errors import ScenarioError

    if steps > max_steps:
        raise ScenarioError(f"--steps: {steps} is above --max-steps {max_steps}; each step recomputes every measure "
                            "(and the long table grows by about 8,400 rows a step on the bundled data): pass "
                            f"--max-steps {steps} to run it anyway")
    sc = _with_closure(load(path), closure)
    values = sweep_values(start, stop, steps)
    parse_param(sc, param)
    data = load_data(d)
    with bar(f"sweep {param}", total=len(values) + 1) as advance:
        res = sweep(data, sc, param, values, progress=advance)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{path.stem}_{param.replace('.', '_')}"
    written = []
    if table_fmt is not None:
        long_table = True
    if long_table:
        fmt = table_fmt or "parquet"
        if fmt == "csv" and res.table.num_rows > 200_000:
            raise ScenarioError(f"--table csv: the long table has {res.table.num_rows:,} rows (above 200,000); "
                                "write it as --table parquet")
        tpath = out / f"{stem}.{fmt}"
        tmp = tpath.with_name(tpath.name + ".tmp")
        if fmt == "csv":
            import pyarrow.csv as pacsv

            pacsv.write_csv(res.table, tmp)
        else:
            import pyarrow.parquet as pq

            pq.write_table(res.table, tmp, compression="zstd")
        tmp.replace(tpath)
        written.append(tpath)
    for name, svg in sweep_svgs(data, res, sc).items():
        p = out / f"{stem}_{name}"
        _write(p, svg)
        written.append(p)
    if png:
        p = out / f"{stem}.png"
        sweep_png(data, res, sc, p)
        written.append(p)
    xs, dc, shares = sweep_series(data, res.table, sc)
    idx = sorted({0, len(xs) // 2, len(xs) - 1})
    from ..scenario.render import revenue_series as _rs

    rev0 = _rs(data, res)
    rows = [[f"{xs[i]:.4g}"] + [f"{dc[k][i]:.4f}" if dc[k][i] is not None else "" for k in dc]
            + [f"{100 * (shares[k][i] or 0):.1f}%" for k in shares] + [f"{rev0[k][i]:.2f}" for k in rev0] for i in idx]
    cols = [param] + [f"supply-side dep. {k}" for k in dc] + list(shares)
    head_cols = cols + [f"RUS {k} rev. US$ bn" for k in rev0]
    click.echo(f"{sc.name}: {len(values)} steps of {param} from {start:g} to {stop:g} (closure "
               f"{sc.spec.closure}); {res.table.num_rows} measure values")
    click.echo(render(head_cols, rows, "table"))
    summary = out / f"{stem}_summary.csv"
    from ..scenario.render import revenue_series

    rev = revenue_series(data, res)
    all_rows = [[f"{xs[i]:.6g}"] + [f"{dc[k][i]:.6f}" if dc[k][i] is not None else "" for k in dc]
                + [f"{shares[k][i]:.6f}" if shares[k][i] is not None else "" for k in shares]
                + [f"{rev[k][i]:.4f}" for k in rev] for i in range(len(xs))]
    cols = cols + [f"Russia's {k} export revenue (US$ bn)" for k in rev]
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    w.writerows(all_rows)
    _write(summary, buf.getvalue())
    written.insert(0, summary)
    for p in written:
        click.echo(f"wrote {p}")


@scenario.command("systems")
@data_option
@click.option("--schema", "show_schema", is_flag=True, help="Show the three tables' columns (data dictionary).")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "csv"]), default="table", show_default=True)
def systems_cmd(data_dir: Path | None, show_schema: bool, fmt: str) -> None:
    """Supply systems: which fields feed which routes, and their yearly deliverability."""
    from ..scenario.systems import Systems
    from ..schema import SYSTEM_TABLE_ORDER, SYSTEM_TABLES
    from ..store import load as load_data

    if show_schema:
        cols = ["table", "column", "type", "required", "unit", "allowed / references", "description"]
        rows = []
        for n in SYSTEM_TABLE_ORDER:
            t = SYSTEM_TABLES[n]
            for c in t.columns:
                rule = " | ".join(c.allowed) if c.allowed else (f"-> {c.references}" if c.references else "")
                key = " (key)" if c.name in t.key else ""
                rows.append([f"systems/{t.file}", c.name + key, c.type, "yes" if c.required else "", c.unit, rule,
                             c.description])
        click.echo(render(cols, rows, fmt))
        return
    sy = Systems.of(load_data(resolve_data(data_dir)))
    rows = [[s, r["actor"], r["commodity"], r["name"],
             "" if r["deliverability"] is None else f"{r['deliverability']:g}", ", ".join(sorted(sy.routes_of(s))),
             r["source_id"]] for s, r in sorted(sy.systems.items())]
    click.echo(render(["system", "actor", "commodity", "name", "deliverability", "routes", "source"], rows, fmt))
