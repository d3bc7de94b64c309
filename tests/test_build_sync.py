"""The Parquet in data/ is what data/src/*.csv builds; `netdep validate` warns when they drift apart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest_edit import ROOT, run_cli

from netdep.build import build_tables
from netdep.schema import TABLE_ORDER
from netdep.store import read_tables


def test_parquet_is_what_the_source_csvs_build() -> None:
    built = build_tables(ROOT / "data" / "src")
    current, problems = read_tables(ROOT / "data")
    assert problems == []
    assert sorted(built) == sorted(TABLE_ORDER)
    for name in TABLE_ORDER:
        assert built[name].equals(current[name]), f"{name}.parquet differs from what data/src builds"


def test_build_data_check_exits_0() -> None:
    r = subprocess.run([sys.executable, "scripts/build_data.py", "--check"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "data is in step with data/src"


def test_validate_warns_when_a_source_csv_changed(data_copy: Path) -> None:
    r = run_cli("validate", "--data", str(data_copy))
    # issue 10: balance residuals are warnings too; no other warning when data/ and data/src agree
    assert r.returncode == 0 and not [ln for ln in r.stderr.splitlines() if not ln.startswith("warning: balance ")]
    csv = data_copy / "src" / "flows_ei_sr_2026.csv"
    text = csv.read_text(encoding="utf-8")
    header, first, rest = text.split("\n", 2)
    cols = header.split(",")
    cells = first.split(",")
    i = cols.index("value")
    cells[i] = str(float(cells[i]) + 1)
    csv.write_text("\n".join([header, ",".join(cells), rest]), encoding="utf-8")
    r = run_cli("validate", "--data", str(data_copy))
    assert r.returncode == 0, r.stderr  # the Parquet itself is still valid
    assert r.stderr.startswith("warning: flows.parquet differ from what ")
    assert "bring the CSVs in" in r.stderr and "would undo the edit" in r.stderr
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_data.py"), "--check", "--src",
                        str(data_copy / "src"), "--out", str(data_copy)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "differs" in r.stderr
