"""Every queries/*.sql runs through `netdep sql` and through the real DuckDB CLI from the repository root."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netdep.cli import run

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted(p for p in (ROOT / "queries").glob("*.sql") if p.name != "setup.sql")


def _duckdb_cli() -> str | None:
    """The `duckdb` executable (duckdb-cli package): on PATH or next to this interpreter."""
    for candidate in (shutil.which("duckdb"), Path(sys.executable).parent / "duckdb"):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    return None


DUCKDB = _duckdb_cli()
needs_cli = pytest.mark.skipif(DUCKDB is None, reason="the DuckDB CLI (pip install duckdb-cli) is not installed")


def test_there_are_at_least_eight_queries():
    assert len(QUERIES) >= 8


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.name)
def test_query_header(query):
    lines = query.read_text(encoding="utf-8").splitlines()
    header = []
    for line in lines:
        if not line.startswith("--"):
            break
        header.append(line)
    assert header, f"{query.name} must start with a header comment"
    assert header[0].startswith("-- Question:") and len(header[0]) > len("-- Question: ") + 10
    assert any(h.startswith("-- Parameters:") for h in header)


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.name)
def test_query_through_netdep_sql(query, capsys):
    code = run(["sql", str(query), "--data", str(ROOT / "data"), "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    rows = json.loads(out.out)
    assert isinstance(rows, list) and len(rows) >= 1
    assert all(isinstance(r, dict) and r for r in rows)


@needs_cli
@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.name)
def test_query_through_duckdb_cli(query):
    """`cat queries/setup.sql queries/X.sql | duckdb -csv`, from the repository root."""
    stdin = (ROOT / "queries" / "setup.sql").read_text(encoding="utf-8") + "\n" + query.read_text(encoding="utf-8")
    p = subprocess.run([DUCKDB, "-csv"], input=stdin, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "Error" not in p.stdout + p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert len(rows) >= 2, p.stdout  # a header and at least one data row
    assert all(len(r) == len(rows[0]) for r in rows)


@needs_cli
def test_duckdb_cli_session_from_setup():
    """`duckdb -init queries/setup.sql` opens a ready session."""
    p = subprocess.run([DUCKDB, "-init", "queries/setup.sql", "-csv", "-c", "select count(*) AS n from flows"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "Error" not in p.stdout + p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert rows[0] == ["n"] and int(rows[1][0]) > 300


@needs_cli
def test_duckdb_cli_reports_errors():
    """Sanity check of the harness: a broken query does show 'Error' (so the checks above can fail)."""
    stdin = (ROOT / "queries" / "setup.sql").read_text(encoding="utf-8") + "\nSELECT * FROM no_such_view;\n"
    p = subprocess.run([DUCKDB, "-csv"], input=stdin, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "Error" in p.stdout + p.stderr
