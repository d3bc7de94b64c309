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
