"""Helpers shared by the edit, corpus, kill and concurrency tests (import them: ``from conftest_edit import …``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from netdep.store import TMP_PREFIX

ROOT = Path(__file__).resolve().parents[1]
NETDEP = [sys.executable, "-m", "netdep"]

# the flow the kill and concurrency tests edit (exists in data/flows.parquet)
FLOW = {"year": 2025, "commodity": "pipeline_gas", "origin": "RUS", "destination": "CHN"}
SOURCE = "ei_sr_2026"


def snapshot(data_dir: Path) -> dict[str, bytes]:
    """Every file of a data folder (recursively) and its bytes; the lock file is left out (it is scratch)."""
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in sorted(data_dir.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess; return the completed process (text output)."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*NETDEP, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env)


def temporaries(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob(f"{TMP_PREFIX}*"))


def flow_value(data_dir: Path) -> float:
    t = pq.read_table(data_dir / "flows.parquet").to_pylist()
    (row,) = [r for r in t if all(r[k] == v for k, v in FLOW.items())]
    return row["value"]


def small_data(dst: Path, year: int = 2025) -> Path:
    """A small valid data folder: every table of data/, flows of one year only (no src/, so no drift check)."""
    import pyarrow.compute as pc

    from netdep.store import read_tables, write_table

    tables, problems = read_tables(ROOT / "data")
    assert not problems
    tables["flows"] = tables["flows"].filter(pc.equal(tables["flows"].column("year"), year))
    for name, t in tables.items():
        write_table(dst, name, t)
    return dst
