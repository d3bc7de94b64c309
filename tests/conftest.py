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
    """A private copy of data/ (Parquet, src CSVs and scenarios) in tmp_path/data."""
    dst = tmp_path / "data"
    dst.mkdir()
    for p in DATA.glob("*.parquet"):
        shutil.copy2(p, dst / p.name)
    for sub in ("src", "scenarios"):
        if (DATA / sub).is_dir():
            shutil.copytree(DATA / sub, dst / sub)
    return dst


@pytest.fixture
def netdep_cmd() -> list[str]:
    """The CLI as a new user runs it (the current interpreter's netdep)."""
    return [sys.executable, "-m", "netdep"]
