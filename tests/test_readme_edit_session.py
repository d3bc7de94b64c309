"""The README's DuckDB edit session, run as written on a copy: add a source, update one value in DuckDB,
COPY back to data/flows.parquet, validate, and `netdep diff` shows exactly the edited row."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest_edit import ROOT

from netdep.diff import diff

WHERE = "WHERE year = 2025 AND commodity = 'pipeline_gas' AND origin = 'RUS' AND destination = 'CHN'"
SQL = f"""\
.read queries/setup.sql
SELECT year, commodity, origin, destination, value, source_id FROM flows
{WHERE};
CREATE TABLE edited AS SELECT * FROM flows;
UPDATE edited SET value = 38.8, source_id = 'example_2026'
{WHERE};
COPY edited TO 'data/flows.parquet' (FORMAT parquet);
"""
#: the session as typed in a shell at the repository root (the README shows these lines and their output)
SESSION = [
    "cp data/flows.parquet flows.before.parquet",
    'netdep sources add example_2026 --title "Example: a corrected 2025 pipeline figure" '
    '--publisher "Example Agency" --url https://example.org/pipeline-gas-2025',
    f"duckdb <<'SQL'\n{SQL}SQL",
    "netdep validate",
    "netdep diff flows.before.parquet data/flows.parquet",
]


def session_env() -> dict[str, str]:
    """PATH with this interpreter's scripts (netdep, duckdb) first."""
    return {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
            "COLUMNS": "120"}


def make_checkout(root: Path) -> Path:
    """The parts of a checkout the session uses: data/ (with src/) and queries/."""
    shutil.copytree(ROOT / "data", root / "data", ignore=shutil.ignore_patterns(".lock", ".netdep-tmp-*"))
    shutil.copytree(ROOT / "queries", root / "queries")
    return root


def run_step(cmd: str, root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd], cwd=root, env=session_env(), capture_output=True, text=True,
                          timeout=120)


@pytest.mark.skipif(shutil.which("duckdb", path=session_env()["PATH"]) is None or shutil.which("bash") is None,
                    reason="needs the duckdb CLI (pip install duckdb-cli) and bash")
@pytest.mark.skipif(shutil.which("netdep", path=str(Path(sys.executable).parent)) is None,
                    reason="needs the netdep console script next to the interpreter (pip install -e .)")
def test_duckdb_edit_session_as_written(tmp_path: Path) -> None:
    root = make_checkout(tmp_path / "repo")
    outputs = []
    for cmd in SESSION:
        r = run_step(cmd, root)
        assert r.returncode == 0, f"{cmd}\n{r.stdout}\n{r.stderr}"
        assert "Traceback" not in r.stdout + r.stderr
        outputs.append(r)
    select = outputs[2].stdout
    assert "36.721" in select and "ei_sr_2026" in select
    assert outputs[3].stdout.startswith("ok: 8 tables, 5612 flows")
    assert "warning: sources.parquet, flows.parquet differ from what" in outputs[3].stderr  # the CSVs are behind
    out = outputs[4].stdout
    assert out.splitlines()[0] == "flows.parquet: 0 added, 0 removed, 1 changed"
    assert "36.721" in out and "38.8" in out and "ei_sr_2026" in out and "example_2026" in out
    assert out.rstrip().endswith("(2 rows)")  # two changed cells of one row
    (d,) = diff(root / "flows.before.parquet", root / "data" / "flows.parquet")
    assert (d.added, d.removed, len(d.changed)) == ([], [], 1)
    change = d.changed[0]
    assert change.key == {"year": 2025, "layer": "energy", "commodity": "pipeline_gas", "origin": "RUS",
                          "destination": "CHN", "route": "power_of_siberia_1"}
    assert change.changes == {"value": (36.721, 38.8), "source_id": ("ei_sr_2026", "example_2026")}


def test_readme_shows_the_session_once_merged() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if "COPY edited TO 'data/flows.parquet'" not in readme:
        pytest.skip("the editing section is not merged into README.md yet")
    assert SQL in readme
    for cmd in SESSION:
        assert cmd.splitlines()[0] in readme
