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
@click.option("--wait", type=float, default=5.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another writer's lock on the folder before giving up.")
@data_option
def import_baci_cmd(file: Path, country_codes: Path | None, product_codes: Path | None, eu_bloc: bool,
                    out: Path | None, source_id: str, progress: bool, wait: float, data_dir: Path | None) -> None:
    """Import a CEPII BACI CSV (t,i,j,k,v,q) as product-level flows, partitioned by year.

    Writes OUT/hs6/year=YYYY/part-0.parquet (zstd, sorted, byte-identical on re-import); `netdep sql`
    then shows the views hs6_flows and flows_all. Years not in FILE are left as they were.
    """
    from ..bulk.baci import import_baci

    target = out if out is not None else (data_dir if data_dir is not None else Path("data"))
    t0 = time.perf_counter()
    r = import_baci(file, country_codes=country_codes, product_codes=product_codes, eu_bloc=eu_bloc, out=target,
                    source_id=source_id, progress=progress, wait=wait)
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
@click.option("--wait", type=float, default=5.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another writer's lock on the folder before giving up.")
@data_option
def import_icio_cmd(file: Path, eu_bloc: bool, measures: bool, out: Path | None, progress: bool, wait: float,
                    data_dir: Path | None) -> None:
    """Import the OECD ICIO bilateral intermediate table (exporter,sector,importer,value_usd_mn,domestic)
    as one trade layer per industry (commodity 'isic:C27', US$ bn), with measures and PageRank.

    Writes OUT/isic/year=2022 (+ isic_intra_eu, isic_domestic, isic_measures, isic_pagerank); `netdep sql`
    shows them as the views isic_flows, isic_dependencies, isic_pagerank. Byte-identical on re-import.
    """
    from ..bulk.icio import import_icio

    target = out if out is not None else (data_dir if data_dir is not None else Path("data"))
    t0 = time.perf_counter()
    r = import_icio(file, target, eu_bloc=eu_bloc, measures=measures, progress=progress, wait=wait)
    click.echo(f"{r.summary()} into {target / 'isic'} in {time.perf_counter() - t0:.1f} s")


@main.command("measures")
@click.option("--year", "years", type=int, multiple=True, help="Only this year (repeatable; default: all).")
@click.option("--pagerank/--no-pagerank", default=True, show_default=True,
              help="Also compute PageRank on every product layer (hs6_pagerank).")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help="Run on DuckDB in this process, or on Apache Spark (pip install 'netdep[spark]', Java 17+).")
@click.option("--spark-master", default="local[*]", show_default=True,
              help="Spark master URL (local[N], spark://HOST:7077, yarn, k8s://...); with --engine spark.")
@click.option("--spark-conf", "spark_conf", multiple=True, metavar="KEY=VALUE",
              help="A Spark setting (repeatable), e.g. spark.driver.memory=4g; with --engine spark.")
@click.option("--input", "input_location", default=None, metavar="LOCATION",
              help="Folder holding hs6/ (default: --data); with --engine spark also a URL (s3a://, gs://, ...).")
@click.option("--output", "output_location", default=None, metavar="LOCATION",
              help="Folder to write hs6_measures/ and hs6_pagerank/ into (default: the input); URL with spark.")
@data_option
def measures_cmd(years: tuple[int, ...], pagerank: bool, engine: str, spark_master: str,
                 spark_conf: tuple[str, ...], input_location: str | None, output_location: str | None,
                 data_dir: Path | None) -> None:
    """Compute product-level dependency measures (HHI, top supplier, GeoDep and EU flags) for every
    (year, importer, product) of DATA/hs6, into DATA/hs6_measures (view hs6_dependencies in `netdep sql`).
    """
    if engine == "spark":
        _measures_spark(years, pagerank, spark_master, spark_conf, input_location or str(resolve_data(data_dir)),
                        output_location)
        return
    from ..bulk.centrality import write_pagerank
    from ..bulk.measures import compute_measures
    from ..errors import NetdepError

    for loc in (input_location, output_location):
        if loc is not None and _is_url(loc):
            raise NetdepError(f"{loc}: --engine duckdb reads and writes local folders; use --engine spark for URLs")
    d = Path(input_location) if input_location is not None else resolve_data(data_dir)
    out = Path(output_location) if output_location is not None else d
    t0 = time.perf_counter()
    r = compute_measures(d, list(years) or None, out=out)
    click.echo(f"measures: {sum(r.rows.values()):,} (year, importer, product) rows for "
               f"{', '.join(map(str, sorted(r.rows)))} into {out / 'hs6_measures'} in {time.perf_counter() - t0:.1f} s")
    if pagerank:
        t0 = time.perf_counter()
        n = write_pagerank(d, sorted(r.rows), out=out)
        click.echo(f"pagerank: {sum(n.values()):,} (year, product, actor) rows into {out / 'hs6_pagerank'} "
                   f"in {time.perf_counter() - t0:.1f} s")


def _is_url(location: str) -> bool:
    from ..bulk.spark import is_url

    return is_url(location)


def _measures_spark(years: tuple[int, ...], pagerank: bool, master: str, conf_items: tuple[str, ...],
                    input_location: str, output_location: str | None) -> None:
    """`netdep measures --engine spark`: the same tables, computed by netdep.bulk.spark."""
    from ..bulk.spark import check_spark, run_spark
    from ..errors import NetdepError

    conf = {}
    for item in conf_items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise NetdepError(f"--spark-conf {item!r}: expected KEY=VALUE")
        conf[key.strip()] = value.strip()
    check_spark()  # before the JVM starts: a clear message, no traceback
    out = output_location or input_location
    r = run_spark(input_location, output_location, list(years) or None, pagerank, master, conf)
    m = r["measures"]
    click.echo(f"spark ({master}): session started in {r['start_s']:.1f} s")
    click.echo(f"measures: {sum(m.rows.values()):,} (year, importer, product) rows for "
               f"{', '.join(map(str, sorted(m.rows)))} into {out.rstrip('/')}/hs6_measures in {r['measures_s']:.1f} s")
    if pagerank:
        p = r["pagerank"]
        click.echo(f"pagerank: {sum(p.rows.values()):,} (year, product, actor) rows into "
                   f"{out.rstrip('/')}/hs6_pagerank in {r['pagerank_s']:.1f} s")
