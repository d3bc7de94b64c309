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
        click.echo(f"{p.stem} — {s.spec.name} (base year {s.spec.base_year}; operations {ops})")
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
def run_cmd(file: str, data_dir: Path | None, fmt: str, out: Path | None) -> None:
    """Before, after and delta of every dependency, concentration and centrality measure.

    FILE is a scenario file or the name of a bundled one (see `netdep scenario list`).
    """
    from ..scenario import load
    from ..scenario.render import to_html, to_json, to_markdown, write_document
    from ..store import load as load_data

    d = resolve_data(data_dir)
    path = _resolve(file, d)
    sc = load(path)
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
    click.echo(f"{res.name} (base year {res.year})")
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
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports/sweeps"),
              show_default=True, help="Folder for the table and the charts.")
@click.option("--table", "table_fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="Format of the table of every measure at every step.")
@click.option("--png/--no-png", default=True, show_default=True, help="Also write a PNG chart (matplotlib).")
def sweep_cmd(file: str, data_dir: Path | None, param: str, start: float, stop: float, steps: int, out: Path,
              table_fmt: str, png: bool) -> None:
    """Every measure as one parameter moves: a table, line charts (SVG, PNG) and a summary."""
    from ..progress import bar
    from ..scenario import load
    from ..scenario.render import sweep_png, sweep_series, sweep_svgs
    from ..scenario.sweep import parse_param, sweep, sweep_values
    from ..store import load as load_data

    d = resolve_data(data_dir)
    path = _resolve(file, d)
    sc = load(path)
    values = sweep_values(start, stop, steps)
    parse_param(sc, param)
    data = load_data(d)
    with bar(f"sweep {param}", total=len(values) + 1) as advance:
        res = sweep(data, sc, param, values, progress=advance)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{path.stem}_{param.replace('.', '_')}"
    tpath = out / f"{stem}.{table_fmt}"
    if table_fmt == "csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(res.table, tpath)
    else:
        import pyarrow.parquet as pq

        pq.write_table(res.table, tpath, compression="zstd")
    written = [tpath]
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
    rows = [[f"{xs[i]:.4g}"] + [f"{dc[k][i]:.4f}" if dc[k][i] is not None else "" for k in dc]
            + [f"{100 * (shares[k][i] or 0):.1f}%" for k in shares] for i in idx]
    cols = [param] + [f"dep. centrality {k}" for k in dc] + list(shares)
    click.echo(f"{sc.name}: {len(values)} steps of {param} from {start:g} to {stop:g}; "
               f"{res.table.num_rows} measure values")
    click.echo(render(cols, rows, "table"))
    for p in written:
        click.echo(f"wrote {p}")
