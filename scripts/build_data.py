"""Rebuild data/*.parquet from the cited CSVs in data/src/ (deterministic: same CSVs, same bytes).

Usage: python scripts/build_data.py [--src data/src] [--out data] [--check]

--check compares the built tables with the Parquet in --out and exits 1 when they differ.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netdep.alternatives import ALTERNATIVES_FILE, build_alternatives, check_alternatives  # noqa: E402
from netdep.build import build_tables  # noqa: E402
from netdep.capacity import CAPACITY_FILE, build_route_capacity  # noqa: E402
from netdep.checks import check_tables  # noqa: E402
from netdep.errors import NetdepError  # noqa: E402
from netdep.scenario.systems import (  # noqa: E402
    SYSTEMS_DIR,
    build_system_tables,
    check_system_tables,
    write_system_tables,
)
from netdep.series import build_series, read_series, write_series  # noqa: E402
from netdep.store import read_tables, write_tables  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--src", default="data/src")
    p.add_argument("--out", default="data")
    p.add_argument("--check", action="store_true")
    a = p.parse_args(argv)
    try:
        tables = build_tables(a.src)
        source_ids = {r.as_py() for r in tables["sources"].column("source_id")}
        series = build_series(a.src, source_ids)
        capacity = build_route_capacity(a.src, {r.as_py() for r in tables["routes"].column("route")}, source_ids)
        alternatives = build_alternatives(a.src, tables["flows"].to_pylist(), tables["commodities"].to_pylist())
    except NetdepError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _, problems = check_tables(tables)  # compare and write the built tables (check_tables casts to nullable types)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    problems = check_alternatives(alternatives, tables)  # issue 15: actors, routes and sources exist
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    systems = build_system_tables(a.src)  # supply systems (issue 11): beside the core tables
    problems = check_system_tables(systems, tables)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if a.check:
        current, errs = read_tables(a.out)
        differ = [n for n, t in tables.items() if n not in current or not current[n].equals(t)]
        if series is not None:
            bundled = read_series(a.out)
            if bundled is None or not bundled.equals(series):
                differ.append("series_monthly")
        if capacity is not None:
            path = Path(a.out) / CAPACITY_FILE
            if not path.is_file() or not pq.read_table(path).equals(capacity):
                differ.append("route_capacity")
        f = Path(a.out) / ALTERNATIVES_FILE
        if not f.is_file() or not pq.read_table(f).equals(alternatives):
            differ.append("alternatives")
        for n, t in systems.items():
            f = Path(a.out) / SYSTEMS_DIR / f"{n}.parquet"
            if not f.is_file() or not pq.read_table(f).equals(t):
                differ.append(n)
        if errs or differ:
            print(f"{a.out} differs from {a.src} in: {', '.join(differ) or 'unreadable files'}", file=sys.stderr)
            return 1
        print(f"{a.out} is in step with {a.src}")
        return 0
    write_tables(a.out, tables)
    if series is not None:
        write_series(a.out, series)
        tables = {**tables, "series_monthly": series}
    if capacity is not None:
        write_series(a.out, capacity, CAPACITY_FILE)
        tables = {**tables, "route_capacity": capacity}
    write_series(a.out, alternatives, ALTERNATIVES_FILE)  # issue 15: beside the core tables
    tables = {**tables, "alternatives": alternatives}
    write_system_tables(a.out, systems)
    for name, t in {**tables, **systems}.items():
        print(f"{name:12s} {t.num_rows:6d} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
