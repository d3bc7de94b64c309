"""Shared fixtures: copies of the bundled data that a test may break."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests are reproducible: seeded in development (``--hypothesis-seed`` in pyproject's addopts; pass
# another seed on the command line to explore), derandomised in CI (the examples follow from the test alone).
settings.register_profile("dev", database=None)
settings.register_profile("ci", database=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ (Parquet tables, partitioned folders, src CSVs and scenarios) in tmp_path/data;
    the lock, journal and generation files of the original are not copied."""
    dst = tmp_path / "data"
    dst.mkdir()
    for p in sorted(DATA.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_dir():
            shutil.copytree(p, dst / p.name)
        elif p.suffix == ".parquet":
            shutil.copy2(p, dst / p.name)
    return dst


@pytest.fixture
def netdep_cmd() -> list[str]:
    """The CLI as a new user runs it (the current interpreter's netdep)."""
    return [sys.executable, "-m", "netdep"]
