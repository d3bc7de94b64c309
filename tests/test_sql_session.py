"""`netdep sql` without a query opens a session; fed from a pipe it runs the Python prompt over the same views."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]


def test_session_from_a_pipe_runs_statements_and_reports_errors():
    script = "SELECT count(*) AS n\nFROM flows;\nSELECT * FROM no_such_view;\nSELECT 41 + 1 AS answer;\n.quit\n"
    p = subprocess.run([sys.executable, "-m", "netdep", "sql", "--data", str(ROOT / "data")], input=script,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0
    n = pq.ParquetFile(ROOT / "data" / "flows.parquet").metadata.num_rows
    assert str(n) in p.stdout and "42" in p.stdout  # a statement over two lines, and one after an error
    assert "no_such_view" in p.stderr and "Traceback" not in p.stderr


# -- what the SQL session can and cannot touch ------------------------------------------------------------------

import shutil  # noqa: E402

import pytest  # noqa: E402
from conftest_edit import run_cli, snapshot  # noqa: E402

ESCAPES = [
    ("COPY (SELECT 1 AS a) TO '{data}/flows.parquet' (FORMAT csv, USE_TMP_FILE false)", "Permission Error"),
    ("COPY flows TO '{data}/flows.parquet' (FORMAT parquet)", "Permission Error"),
    ("COPY (SELECT 1 AS a) TO '{tmp}/out.csv'", "Permission Error"),
    ("SELECT * FROM read_csv('/etc/passwd')", "Permission Error"),
    ("SELECT * FROM read_text('{data}/flows.parquet')", "Permission Error"),
    ("SELECT count(*) FROM read_parquet('{data}/flows.parquet')", "Permission Error"),
    ("ATTACH '{tmp}/x.duckdb' AS x", "Permission Error"),
    ("SET enable_external_access = true", "the configuration has been locked"),
    ("SET lock_configuration = false", "the configuration has been locked"),
    ("INSTALL httpfs", "Permission Error"),
]


@pytest.mark.parametrize("sql, message", ESCAPES, ids=[s.split("(")[0].split(" ")[0] + str(i)
                                                       for i, (s, _) in enumerate(ESCAPES)])
def test_sql_session_cannot_write_or_read_other_files(sql: str, message: str, tmp_path: Path) -> None:
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    before = snapshot(data)
    r = run_cli("sql", "--data", str(data), "-c", sql.format(data=data, tmp=tmp_path))
    assert r.returncode == 1, r.stdout
    assert message in r.stderr and "--allow-file-access" in r.stderr and "Traceback" not in r.stderr
    assert snapshot(data) == before
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "x.duckdb").exists()


def test_sql_session_reads_every_view(tmp_path: Path) -> None:
    r = run_cli("sql", "--data", str(ROOT / "data"), "--format", "csv", "-c",
                "SELECT (SELECT count(*) FROM flows) AS f, (SELECT count(*) FROM dependencies) > 0 AS d, "
                "(SELECT count(*) FROM sources) AS s")
    assert r.returncode == 0, r.stderr
    n = pq.ParquetFile(ROOT / "data" / "flows.parquet").metadata.num_rows
    s = pq.ParquetFile(ROOT / "data" / "sources.parquet").metadata.num_rows
    assert r.stdout.splitlines()[1] == f"{n},True,{s}"


def test_allow_file_access_gives_duckdb_files(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    r = run_cli("sql", "--data", str(ROOT / "data"), "--allow-file-access", "-c",
                f"COPY (SELECT count(*) AS n FROM flows) TO '{out}'")
    assert r.returncode == 0, r.stderr
    assert out.read_text().splitlines()[0] == "n"


def test_nan_parameter_is_refused() -> None:
    r = run_cli("sql", "--data", str(ROOT / "data"), "-c", "SELECT :y AS y", "-p", "y=nan")
    assert r.returncode != 0 and "not a finite number" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("sql", "--data", str(ROOT / "data"), "--format", "csv", "-c", "SELECT :y AS y", "-p", "y=1_000")
    assert r.returncode == 0 and r.stdout.splitlines()[1] == "1_000"  # text, not the number 1000


def test_setup_sql_runs_from_any_folder(tmp_path: Path) -> None:
    duckdb = shutil.which("duckdb")
    setup = run_cli("sql", "--setup", "--data", str(ROOT / "data"), cwd=tmp_path).stdout
    assert f"read_parquet('{(ROOT / 'data').resolve()}/flows.parquet')" in setup
    import duckdb as ddb

    con = ddb.connect()
    con.execute(setup)  # what `duckdb -init setup.sql` runs, here from tmp_path's point of view
    n = pq.ParquetFile(ROOT / "data" / "flows.parquet").metadata.num_rows
    assert con.execute("SELECT count(*) FROM flows").fetchone()[0] == n
    if duckdb:
        (tmp_path / "setup.sql").write_text(setup)
        r = subprocess.run([duckdb, "-init", "setup.sql", "-csv", "-c", "SELECT count(*) AS n FROM flows"],
                           cwd=tmp_path, capture_output=True, text=True)
        assert r.stdout.splitlines()[-1] == str(n)
