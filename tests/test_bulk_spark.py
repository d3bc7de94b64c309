"""The Spark engine gives the DuckDB engine's tables row for row: measures (same SQL, transpiled) and PageRank
(same batched kernel per partition of whole layers). One local SparkSession for the module; the Spark tests
skip with the reason when pyspark or a Java runtime is missing (`.ci/run` installs default-jre-headless)."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from netdep.bulk.baci import import_baci
from netdep.bulk.centrality import write_pagerank
from netdep.bulk.measures import compute_measures
from netdep.bulk.spark import check_spark, is_url, spark_measures_sql
from netdep.cli import run
from netdep.errors import NetdepError

ROOT = Path(__file__).resolve().parents[1]


def _spark_missing() -> str | None:
    try:
        check_spark()
    except NetdepError as exc:
        return str(exc)
    return None


needs_spark = pytest.mark.skipif(_spark_missing() is not None, reason=f"Spark unavailable: {_spark_missing()}")


def _assert_same_rows(a: pa.Table, b: pa.Table, rtol: float = 0.0) -> None:
    """Same schema, same rows in the same order; floats equal within ``rtol`` (0: bit for bit), nulls alike."""
    assert a.schema == b.schema
    assert a.num_rows == b.num_rows > 0
    for name in a.column_names:
        x, y = a.column(name).to_pylist(), b.column(name).to_pylist()
        if pa.types.is_floating(a.schema.field(name).type):
            assert [v is None for v in x] == [v is None for v in y], name
            xs = np.array([v for v in x if v is not None])
            ys = np.array([v for v in y if v is not None])
            if rtol:
                np.testing.assert_allclose(xs, ys, rtol=rtol, atol=0, err_msg=name)
            else:
                assert np.array_equal(xs, ys), name
        else:
            assert x == y, name


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Three generated BACI years (EU folded), with the DuckDB engine's measures and PageRank."""
    spec = importlib.util.spec_from_file_location("gen_baci", ROOT / "scripts" / "gen_baci.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    d = tmp_path_factory.mktemp("spark")
    files = gen.generate(d / "src" / "baci.csv", rows=40_000, years=3, seed=7)
    import_baci(files["csv"], country_codes=files["country_codes"], eu_bloc=True, out=d)
    compute_measures(d)
    write_pagerank(d)
    return d


@pytest.fixture(scope="module")
def spark():
    from netdep.bulk.spark import spark_session

    s = spark_session("local[2]")
    yield s
    s.stop()


# --- without Spark ---------------------------------------------------------------------------------------

def test_spark_sql_is_transpiled_from_the_one_measures_file():
    sql = re.sub(r"/\*.*?\*/", "", spark_measures_sql(), flags=re.S)  # without the comments
    assert "MIN_BY(origin, (-value, origin))" in sql and "year = :year" in sql
    assert "first(" not in sql.lower() and "max_by" not in sql.lower()  # max_by breaks ties arbitrarily
    shipped = list((ROOT / "netdep" / "bulk" / "sql").glob("*.sql"))
    assert not any("min_by(" in p.read_text().lower() for p in shipped)  # no hand-kept Spark copy


def test_transpiled_sql_back_in_duckdb_gives_the_shipped_result(generated):
    """Spark SQL -> DuckDB again (sqlglot) run on the same views equals measures.sql: the translation keeps
    the meaning, ties included."""
    import sqlglot

    from netdep.bulk.measures import measures_connection

    back = sqlglot.transpile(spark_measures_sql(), read="spark", write="duckdb")[0].replace(":year", "$year")
    con = measures_connection(generated)
    try:
        got = con.sql(back, params={"year": 2021}).to_arrow_table()
    finally:
        con.close()
    want = pq.read_table(generated / "hs6_measures" / "year=2021" / "part-0.parquet")
    _assert_same_rows(got.cast(want.schema), want, rtol=1e-12)  # DuckDB sums in parallel: last bits


def test_missing_pyspark_exits_1_with_the_install_command(generated, monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "pyspark", None)  # import pyspark -> ImportError
    assert run(["measures", "--engine", "spark", "--data", str(generated)]) == 1
    err = capsys.readouterr().err
    assert "needs pyspark" in err and "pip install 'netdep[spark]'" in err and "Traceback" not in err


def test_missing_java_exits_1_with_a_clear_message(generated, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    assert run(["measures", "--engine", "spark", "--data", str(generated)]) == 1
    err = capsys.readouterr().err
    assert "needs a Java runtime" in err and "default-jre-headless" in err


def test_duckdb_engine_refuses_urls_and_bad_spark_conf(generated, capsys):
    assert run(["measures", "--input", "s3a://bucket/netdep", "--data", str(generated)]) == 1
    assert "use --engine spark for URLs" in capsys.readouterr().err
    if _spark_missing() is None:
        assert run(["measures", "--engine", "spark", "--spark-conf", "nokey", "--data", str(generated)]) == 1
        assert "expected KEY=VALUE" in capsys.readouterr().err
    assert is_url("s3a://b/x") and is_url("file:///tmp/x") and not is_url("/tmp/x") and not is_url("data")


def test_duckdb_engine_output_folder(generated, tmp_path):
    assert run(["measures", "--year", "2022", "--input", str(generated), "--output", str(tmp_path)]) == 0
    a = (generated / "hs6_pagerank" / "year=2022" / "part-0.parquet").read_bytes()
    assert (tmp_path / "hs6_pagerank" / "year=2022" / "part-0.parquet").read_bytes() == a  # same bytes elsewhere
    # the measures: DuckDB's parallel sums may change the last bits from run to run
    _assert_same_rows(pq.read_table(tmp_path / "hs6_measures" / "year=2022" / "part-0.parquet"),
                      pq.read_table(generated / "hs6_measures" / "year=2022" / "part-0.parquet"), rtol=1e-12)


# --- on Spark (local[2]) -----------------------------------------------------------------------------------

@needs_spark
@pytest.mark.slow
def test_measures_spark_equal_duckdb_row_for_row(generated, spark, tmp_path):
    from netdep.bulk.spark import compute_measures_spark

    r = compute_measures_spark(spark, generated, tmp_path, years=[2021])  # 2022: the URL test below
    assert sorted(r.rows) == [2021]
    for y in (2021,):
        want = pq.read_table(generated / "hs6_measures" / f"year={y}" / "part-0.parquet")
        got = pq.read_table(tmp_path / "hs6_measures" / f"year={y}" / "part-0.parquet")
        assert r.rows[y] == want.num_rows > 10_000
        _assert_same_rows(got, want, rtol=1e-12)  # sums in another order: last bits only
    flags = pq.read_table(tmp_path / "hs6_measures").to_pandas()
    assert flags.geodep_dependent.any() and flags.ec_dependent.fillna(False).any()  # the flags are exercised


@needs_spark
@pytest.mark.slow
def test_pagerank_spark_equals_local_bit_for_bit(generated, spark, tmp_path):
    from netdep.bulk.spark import pagerank_spark

    r = pagerank_spark(spark, generated, tmp_path, years=[2020], partitions=3)  # 2022: the CLI test below
    assert sorted(r.rows) == [2020]
    for y in (2020,):
        want = pq.read_table(generated / "hs6_pagerank" / f"year={y}" / "part-0.parquet")
        got = pq.read_table(tmp_path / "hs6_pagerank" / f"year={y}" / "part-0.parquet")
        assert want.column("commodity").unique().to_pylist().__len__() > 1_000  # many layers, 3 partitions
        _assert_same_rows(got, want)  # the same kernel on the same layers: identical


@needs_spark
@pytest.mark.slow
def test_ties_and_eu_flags_hand_checked_on_spark(spark, tmp_path):
    from netdep.bulk.spark import compute_measures_spark

    f = tmp_path / "b.csv"  # USA: product 2 from China and Japan, tied (CHN first); EU27 with intra-EU trade
    f.write_text("t,i,j,k,v,q\n2022,156,842,000001,3000,1\n2022,392,842,000001,1000,1\n"
                 "2022,392,842,000002,700,NA\n2022,156,842,000002,700,NA\n"
                 "2022,156,251,000001,4000,1\n2022,251,276,000001,1000,1\n")
    import_baci(f, eu_bloc=True, out=tmp_path / "d")
    compute_measures_spark(spark, tmp_path / "d", tmp_path / "s")
    m = pq.read_table(tmp_path / "s" / "hs6_measures" / "year=2022" / "part-0.parquet").to_pandas()
    m = m.set_index(["importer", "commodity"])
    assert m.loc[("USA", "hs6:000002"), "top_supplier"] == "CHN"
    assert m.loc[("USA", "hs6:000001"), "hhi"] == pytest.approx(0.75**2 + 0.25**2)
    assert m.loc[("EU27", "hs6:000001"), "ec_extra_share"] == pytest.approx(0.8) and m.loc[("EU27", "hs6:000001"),
                                                                                            "ec_dependent"]


@needs_spark
@pytest.mark.slow
def test_url_output_uses_sparks_writer_and_reads_back(generated, spark, tmp_path):
    from netdep.bulk.spark import compute_measures_spark

    url = (tmp_path / "lake").as_uri()  # file://: the writer object stores use
    r = compute_measures_spark(spark, generated.as_uri(), url, [2022])
    assert r.written == [f"{url}/hs6_measures/year=2022"]
    files = list((tmp_path / "lake" / "hs6_measures" / "year=2022").glob("*.parquet"))
    assert len(files) == 1  # one sorted file per year
    got = duckdb.sql(f"SELECT * FROM read_parquet('{files[0]}', hive_partitioning = false)").to_arrow_table()
    want = pq.read_table(generated / "hs6_measures" / "year=2022" / "part-0.parquet")
    _assert_same_rows(got.cast(want.schema), want, rtol=1e-12)


@needs_spark
@pytest.mark.slow
def test_cli_engine_spark_tables_read_by_netdep_sql(generated, spark, data_copy, capsys):
    # runs last: the command stops the session it gets (the module's, reused by getOrCreate)
    out = data_copy
    for table in ("hs6", "hs6_intra_eu"):
        shutil.copytree(generated / table, out / table)
    assert run(["measures", "--engine", "spark", "--spark-master", "local[2]", "--year", "2022",
                "--data", str(out)]) == 0
    text = capsys.readouterr().out
    assert "spark (local[2])" in text and "measures:" in text and "pagerank:" in text
    n_want = pq.read_metadata(generated / "hs6_measures" / "year=2022" / "part-0.parquet").num_rows
    n_pr = pq.read_metadata(generated / "hs6_pagerank" / "year=2022" / "part-0.parquet").num_rows
    assert run(["sql", "--data", str(out), "-c", "SELECT (SELECT count(*) FROM hs6_dependencies), "
                "(SELECT count(*) FROM hs6_pagerank)", "--format", "csv"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"{n_want},{n_pr}"
    for table, rtol in (("hs6_measures", 1e-12), ("hs6_pagerank", 0.0)):
        _assert_same_rows(pq.read_table(out / table / "year=2022" / "part-0.parquet"),
                          pq.read_table(generated / table / "year=2022" / "part-0.parquet"), rtol=rtol)
