"""`netdep report`: the dependency report."""

from __future__ import annotations

from pathlib import Path

import click

from . import main
from ._common import data_option, resolve_data


@main.command()
@data_option
@click.option("--year", type=int, default=None, help="Report year (default: latest year with every layer).")
@click.option("--compare-year", type=int, default=None, help="Year to compare with (default: earliest energy year).")
@click.option("--layer", type=click.Choice(["trade", "energy", "investment"]), default=None,
              help="Only this layer (default: all three and the cross-layer graph).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"), show_default=True,
              help="Folder for report.md, report.html and charts/.")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default=None,
              help="Write only this format (json: print one object to stdout). Default: md and html.")
@click.option("--ranges/--no-ranges", default=True, show_default=True,
              help="Give shares, HHI and centrality their low/high over the alternative figures (issue 15).")
def report(data_dir: Path | None, year: int | None, compare_year: int | None, layer: str | None, out: Path,
           fmt: str | None, ranges: bool = True) -> None:
    """Who depends on whom, how much, and what changed: writes report.md and report.html, prints a summary."""
    from ..reporting import build_report
    from ..reporting.render import summary, to_json, write_report
    from ..store import load

    data = load(resolve_data(data_dir))
    rep = build_report(data, year=year, compare_year=compare_year, layer=layer, ranges=ranges)
    if fmt == "json":
        click.echo(to_json(rep))
        return
    from ..progress import bar

    with bar("drawing charts", total=None) as advance:  # on stderr, only when it is a terminal
        written = write_report(data, rep, out, (fmt,) if fmt else ("md", "html"), progress=advance)
    click.echo(summary(rep))
    click.echo("")
    for p in written:
        if p.suffix in (".md", ".html"):
            click.echo(f"wrote {p}")
    n = sum(1 for p in written if p.suffix == ".svg")
    if n:
        png = sum(1 for p in written if p.suffix == ".png")
        click.echo(f"wrote {n} charts in {out / 'charts'}" + (f" (SVG, and PNG for {png})" if png else ""))
