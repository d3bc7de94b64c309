"""World-scale commands: `netdep import baci`, `netdep import icio` and `netdep measures` (thin layers
over netdep.bulk)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from . import import_group, main
from ._common import data_option, resolve_data


@import_group.command("baci")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--country-codes", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="BACI's country-code file (default: map numeric codes with pycountry).")
@click.option("--product-codes", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="BACI's product-code file (code,description).")
@click.option("--eu-bloc", is_flag=True, help="Fold the 27 EU members into EU27 and drop intra-EU flows.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data folder to write hs6/year=YYYY/part-0.parquet into (default: --data, else ./data).")
@click.option("--source-id", default="cepii_baci", show_default=True, help="source_id of every row.")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar.")
@data_option
def import_baci_cmd(file: Path, country_codes: Path | None, product_codes: Path | None, eu_bloc: bool,
                    out: Path | None, source_id: str, progress: bool, data_dir: Path | None) -> None:
    """Import a CEPII BACI CSV (t,i,j,k,v,q) as product-level flows, partitioned by year.

    Writes OUT/hs6/year=YYYY/part-0.parquet (zstd, sorted, byte-identical on re-import); `netdep sql`
    then shows the views hs6_flows and flows_all. Years not in FILE are left as they were.
    """
    from ..bulk.baci import import_baci

    target = out if out is not None else (data_dir if data_dir is not None else Path("data"))
    t0 = time.perf_counter()
    r = import_baci(file, country_codes=country_codes, product_codes=product_codes, eu_bloc=eu_bloc, out=target,
                    source_id=source_id, progress=progress)
    click.echo(f"{r.summary()} into {target / 'hs6'} in {time.perf_counter() - t0:.1f} s")


@import_group.command("icio")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--eu-bloc/--no-eu-bloc", default=True, show_default=True,
              help="Fold the 27 EU members into EU27 and drop intra-EU flows.")
@click.option("--measures/--no-measures", default=True, show_default=True,
              help="Also compute the dependency measures and PageRank of every industry layer.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data folder to write isic/year=2022/part-0.parquet into (default: --data, else ./data).")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar.")
@data_option
def import_icio_cmd(file: Path, eu_bloc: bool, measures: bool, out: Path | None, progress: bool,
                    data_dir: Path | None) -> None:
    """Import the OECD ICIO bilateral intermediate table (exporter,sector,importer,value_usd_mn,domestic)
    as one trade layer per industry (commodity 'isic:C27', US$ bn), with measures and PageRank.

    Writes OUT/isic/year=2022 (+ isic_intra_eu, isic_domestic, isic_measures, isic_pagerank); `netdep sql`
    shows them as the views isic_flows, isic_dependencies, isic_pagerank. Byte-identical on re-import.
    """
    from ..bulk.icio import import_icio

    target = out if out is not None else (data_dir if data_dir is not None else Path("data"))
    t0 = time.perf_counter()
    r = import_icio(file, target, eu_bloc=eu_bloc, measures=measures, progress=progress)
    click.echo(f"{r.summary()} into {target / 'isic'} in {time.perf_counter() - t0:.1f} s")


@main.command("measures")
@click.option("--year", "years", type=int, multiple=True, help="Only this year (repeatable; default: all).")
@click.option("--pagerank/--no-pagerank", default=True, show_default=True,
              help="Also compute PageRank on every product layer (hs6_pagerank).")
@data_option
def measures_cmd(years: tuple[int, ...], pagerank: bool, data_dir: Path | None) -> None:
    """Compute product-level dependency measures (HHI, top supplier, GeoDep and EU flags) for every
    (year, importer, product) of DATA/hs6, into DATA/hs6_measures (view hs6_dependencies in `netdep sql`).
    """
    from ..bulk.centrality import write_pagerank
    from ..bulk.measures import compute_measures

    d = resolve_data(data_dir)
    t0 = time.perf_counter()
    r = compute_measures(d, list(years) or None)
    click.echo(f"measures: {sum(r.rows.values()):,} (year, importer, product) rows for "
               f"{', '.join(map(str, sorted(r.rows)))} into {d / 'hs6_measures'} in {time.perf_counter() - t0:.1f} s")
    if pagerank:
        t0 = time.perf_counter()
        n = write_pagerank(d, sorted(r.rows))
        click.echo(f"pagerank: {sum(n.values()):,} (year, product, actor) rows into {d / 'hs6_pagerank'} "
                   f"in {time.perf_counter() - t0:.1f} s")
