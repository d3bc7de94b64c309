"""The world-scale measures and PageRank on Apache Spark: same SQL, same kernel, same Parquet layout.

DuckDB stays the default (one BACI year in ~1.5 s on 2 cores); Spark is for data that lives in a Spark
lakehouse or outgrows one machine (``pip install 'netdep[spark]'``, a Java 17+ runtime).

* Measures: ``netdep/bulk/sql/measures.sql`` is the one source of truth. It is transpiled from DuckDB's
  dialect to Spark SQL with sqlglot (:func:`spark_measures_sql`; the top supplier is written
  ``arg_min(origin, (-value, origin))`` so that it becomes ``min_by`` with the same tie rule) and run with
  ``$year`` bound as a named parameter. Views ``hs6_flows`` and ``hs6_intra_eu`` are registered over the
  same Hive-partitioned folders (``<input>/hs6/year=YYYY/*.parquet``).
* PageRank: the rows of one year are grouped by (year, product) - hash-partitioned on those columns, so
  each layer lies whole in one partition - and every partition goes through the local batched kernel
  (``mapInArrow``: :func:`netdep.bulk.centrality.layers_from_table`,
  :func:`~netdep.bulk.centrality.layer_pagerank`, :func:`~netdep.bulk.centrality.pagerank_table`) with
  its edges in the order the import writes them, so each layer is computed exactly as locally.

Locations (``input``, ``output``) are local folders or URLs Spark can read (``s3a://``, ``gs://``,
``abfss://``, ``file://``; the object-store connectors are the cluster's). Results go to a local folder
through :func:`netdep.bulk._write.write_partition` (``year=YYYY/part-0.parquet``, sorted, atomic,
byte-stable: ``netdep sql`` and the report read them unchanged); to a URL with Spark's own writer, one
sorted file per ``year=YYYY`` folder, that folder overwritten as a whole.

>>> "MIN_BY(origin" in spark_measures_sql()
True
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import NetdepError
from ._duck import sql_file
from ._write import write_partition
from .centrality import PAGERANK_DIR, PAGERANK_SCHEMA
from .measures import MEASURES_DIR, MEASURES_SCHEMA

__all__ = ["spark_measures_sql", "spark_session", "check_spark", "java_home", "is_url", "spark_years",
           "compute_measures_spark", "pagerank_spark", "run_spark", "SparkResult", "SPARK_EXTRA"]

SPARK_EXTRA = "pip install 'netdep[spark]'"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PR_SPARK_SCHEMA = "year long, commodity string, actor string, pagerank double"


def is_url(location: str | Path) -> bool:
    """True for ``scheme://...`` locations (object stores, HDFS, ``file://``), False for plain paths."""
    return bool(_URL.match(str(location)))


def _loc(location: str | Path) -> str:
    """A location as Spark reads it: URLs unchanged, local paths absolute."""
    return str(location).rstrip("/") if is_url(location) else str(Path(location).resolve())


@functools.cache
def spark_measures_sql() -> str:
    """``measures.sql`` in Spark SQL (sqlglot, DuckDB -> Spark), ``$year`` as the named parameter ``:year``."""
    import sqlglot

    return sqlglot.transpile(sql_file("measures.sql"), read="duckdb", write="spark")[0]


def java_home() -> str | None:
    """``$JAVA_HOME`` when it holds ``bin/java``, else the installation that ``java`` on the PATH belongs to."""
    env = os.environ.get("JAVA_HOME")
    if env and Path(env, "bin", "java").is_file():
        return env
    java = shutil.which("java")
    if java:
        return str(Path(os.path.realpath(java)).parent.parent)
    return None


def check_spark() -> str:
    """Raise :class:`NetdepError` unless pyspark, sqlglot and a Java runtime are present; return JAVA_HOME."""
    missing = []
    for mod in ("pyspark", "sqlglot"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    if missing:
        raise NetdepError(f"--engine spark needs {' and '.join(missing)}: {SPARK_EXTRA}")
    jh = java_home()
    if jh is None:
        raise NetdepError("--engine spark needs a Java runtime (17 or later): none on the PATH and JAVA_HOME "
                          "is not set (Debian/Ubuntu: apt-get install default-jre-headless)")
    return jh


def spark_session(master: str = "local[*]", conf: dict[str, str] | None = None, app: str = "netdep"):
    """A SparkSession on ``master`` (``local[*]``, ``spark://host:7077``, ``yarn``, ``k8s://...``).

    Sets JAVA_HOME when it was unset and the Python that runs the workers (``PYSPARK_PYTHON``, this
    interpreter, unless set). Local masters get a small shuffle (4 partitions per core) and no web UI.
    ``conf`` entries are passed to the builder last (e.g. ``spark.driver.memory``, object-store keys).
    """
    jh = check_spark()
    os.environ.setdefault("JAVA_HOME", jh)
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    b = SparkSession.builder.master(master).appName(app)
    settings = {"spark.sql.session.timeZone": "UTC", "spark.sql.parquet.compression.codec": "zstd",
                "spark.sql.execution.arrow.pyspark.enabled": "true", "spark.ui.showConsoleProgress": "false"}
    if master.startswith("local"):
        m = re.match(r"local\[(\d+)", master)
        cores = int(m.group(1)) if m else (os.cpu_count() or 1)
        settings |= {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": str(4 * cores),
                     "spark.driver.memory": "2g"}
    for k, v in {**settings, **(conf or {})}.items():
        b = b.config(k, v)
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@dataclass
class SparkResult:
    """Rows written per year and where (files for a local output, folders for a URL)."""

    rows: dict[int, int] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)


def _read(spark, location: str, table: str):
    """The Hive-partitioned table ``<location>/<table>`` (``year`` as BIGINT), or None when it has no files."""
    from pyspark.errors import AnalysisException

    try:
        df = spark.read.option("basePath", f"{location}/{table}").parquet(f"{location}/{table}/year=*")
    except AnalysisException as exc:  # PATH_NOT_FOUND / UNABLE_TO_INFER_SCHEMA: no such table
        if "PATH_NOT_FOUND" in str(exc) or "UNABLE_TO_INFER_SCHEMA" in str(exc):
            return None
        raise
    return df.withColumn("year", df["year"].cast("bigint"))


def spark_years(spark, input_location: str | Path) -> list[int]:
    """Years with files under ``<input>/hs6`` (from the file names; no data is read)."""
    df = _read(spark, _loc(input_location), "hs6")
    if df is None:
        return []
    return sorted({int(m.group(1)) for f in df.inputFiles() if (m := re.search(r"/year=(\d+)/", f))})


def _no_data(location: str) -> NetdepError:
    return NetdepError(f"{location}: no product-level data (hs6/year=*/*.parquet); import some with "
                       f"`netdep import baci FILE.csv --out DIR`")


def _years(spark, inp: str, years: list[int] | None) -> list[int]:
    have = spark_years(spark, inp)
    if not have:
        raise _no_data(inp)
    return have if years is None else [y for y in years if y in have]


def _write(df, schema: pa.Schema, output: str, table: str, year: int, sort: list[str], result: SparkResult) -> None:
    """Write one year's sorted rows: local folder via write_partition, URL via Spark's writer."""
    df = df.orderBy(*sort)
    if is_url(output):
        target = f"{output}/{table}/year={int(year)}"
        df.coalesce(1).write.mode("overwrite").parquet(target)
        result.rows[year] = df.count()
        result.written.append(target)
        return
    t = df.toArrow()
    path, n = write_partition(t.select(schema.names).to_reader(), schema, Path(output) / table, year)
    result.rows[year] = n
    result.written.append(str(path))


def compute_measures_spark(spark, input_location: str | Path, output_location: str | Path | None = None,
                           years: list[int] | None = None) -> SparkResult:
    """The measures of :mod:`netdep.bulk.measures` on Spark; writes ``<output>/hs6_measures/year=YYYY``.

    Same SQL (:func:`spark_measures_sql`), same columns, types and row order as
    :func:`netdep.bulk.measures.compute_measures`; floating-point sums may differ in the last bits
    (aggregation order). ``output_location`` defaults to the input.
    """
    inp = _loc(input_location)
    out = _loc(output_location if output_location is not None else input_location)
    ys = _years(spark, inp, years)
    flows = _read(spark, inp, "hs6")
    flows.createOrReplaceTempView("hs6_flows")
    intra = _read(spark, inp, "hs6_intra_eu")
    if intra is None:
        intra = spark.createDataFrame([], "year bigint, commodity string, value double, quantity_t double, "
                                          "flows bigint")
    intra.createOrReplaceTempView("hs6_intra_eu")
    sql = spark_measures_sql()
    result = SparkResult()
    for y in ys:
        df = spark.sql(sql, args={"year": int(y)})
        _write(df, MEASURES_SCHEMA, out, MEASURES_DIR, y, ["importer", "commodity"], result)
    return result


def _pagerank_partition(alpha: float, max_iter: int, tol: float):
    """The function applied to each partition (whole layers of one year): the local batched kernel."""

    def run(batches):
        import numpy as np

        from .centrality import layer_pagerank, layers_from_table, pagerank_table

        batches = [b for b in batches if b.num_rows]
        if not batches:
            return
        table = pa.Table.from_batches(batches).sort_by(
            [("commodity", "ascending"), ("origin", "ascending"), ("destination", "ascending")])  # as imported
        g = layers_from_table(table.select(["commodity", "origin", "destination", "value"]))
        x, _ = layer_pagerank(g, alpha, max_iter, tol, threads=1)
        pr = pagerank_table(g, x)
        year = pa.array(np.full(pr.num_rows, table.column("year")[0].as_py(), dtype=np.int64))
        yield from pa.Table.from_arrays([year, *pr.columns], names=["year", *pr.column_names]).to_batches()

    return run


def pagerank_spark(spark, input_location: str | Path, output_location: str | Path | None = None,
                   years: list[int] | None = None, alpha: float = 0.85, max_iter: int = 100,
                   tol: float = 1.0e-6, partitions: int | None = None) -> SparkResult:
    """PageRank of every product layer on Spark; writes ``<output>/hs6_pagerank/year=YYYY``.

    The rows of a year are hash-partitioned by (year, commodity), so every layer lies whole in one
    partition, and each partition goes through the batched kernel of :mod:`netdep.bulk.centrality`
    (``mapInArrow``; networkx semantics) with its edges in the import's order. Layers are independent
    blocks of that kernel, so the result equals :func:`netdep.bulk.centrality.write_pagerank`'s, bit for
    bit. ``partitions`` defaults to ``spark.sql.shuffle.partitions``. A layer that does not converge
    raises :class:`netdep.bulk.centrality.PowerIterationFailedConvergence` in the driver.
    """
    from pyspark.errors import PythonException

    from .centrality import PowerIterationFailedConvergence

    inp = _loc(input_location)
    out = _loc(output_location if output_location is not None else input_location)
    ys = _years(spark, inp, years)
    n = partitions or int(spark.conf.get("spark.sql.shuffle.partitions"))
    flows = _read(spark, inp, "hs6").select("year", "commodity", "origin", "destination", "value")
    fn = _pagerank_partition(alpha, max_iter, tol)
    result = SparkResult()
    for y in ys:
        df = flows.where(flows["year"] == int(y)).repartition(n, "year", "commodity").mapInArrow(fn, _PR_SPARK_SCHEMA)
        try:
            _write(df.select("commodity", "actor", "pagerank"), PAGERANK_SCHEMA, out, PAGERANK_DIR, y,
                   ["commodity", "actor"], result)
        except PythonException as exc:
            if "PowerIterationFailedConvergence" in str(exc):
                line = next((ln for ln in str(exc).splitlines() if "did not converge" in ln), str(exc))
                raise PowerIterationFailedConvergence(f"{y}: {line.split(': ', 1)[-1]}") from None
            raise
    return result


def run_spark(input_location: str | Path, output_location: str | Path | None = None,
              years: list[int] | None = None, pagerank: bool = True, master: str = "local[*]",
              conf: dict[str, Any] | None = None) -> dict[str, Any]:
    """Start a session, compute the measures (and PageRank), stop; return rows and seconds per stage."""
    import time

    t0 = time.perf_counter()
    spark = spark_session(master, {k: str(v) for k, v in (conf or {}).items()})
    t1 = time.perf_counter()
    try:
        m = compute_measures_spark(spark, input_location, output_location, years)
        t2 = time.perf_counter()
        p = pagerank_spark(spark, input_location, output_location, sorted(m.rows)) if pagerank else None
        t3 = time.perf_counter()
    finally:
        spark.stop()
    return {"measures": m, "pagerank": p, "start_s": t1 - t0, "measures_s": t2 - t1,
            "pagerank_s": (t3 - t2) if pagerank else None}
