"""Benchmark: `netdep report --format json` on the bundled data as a whole process, against the floor
`python -c "import netdep"` measured in the same run (per environment).

Usage: python scripts/bench_report.py [--repeat 7] [--python PATH ...] [--record]

--python may be given several times to compare environments (e.g. the dev venv with the test extra,
and a venv with only the runtime dependencies). Prints a table and one final line of JSON; --record
writes the figures into scripts/BENCHMARKS.md (section "## Report (issue 3)").

--ranges (issue 15) measures instead, in the same run and process, the point report
(``build_report(ranges=False)``) against the report with ranges over the alternative figures
(``build_report(ranges=True)``), alternating the two, and the whole processes ``netdep report --format json
--no-ranges`` against ``--ranges``; --record writes section "## Report ranges (issue 15)".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAD = "## Report (issue 3)"


def wall(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return times


def measure(py: str, repeat: int) -> dict:
    wall([py, "-m", "netdep", "report", "--format", "json"], 1)  # warm the file cache
    floor = wall([py, "-c", "import netdep"], repeat)
    rep = wall([py, "-m", "netdep", "report", "--format", "json"], repeat)
    return {"python": py, "pandas_installed": subprocess.run([py, "-c", "import pandas"],
                                                            capture_output=True).returncode == 0,
            "import_floor_s": round(statistics.median(floor), 3), "report_json_s": round(statistics.median(rep), 3),
            "report_json_min_s": round(min(rep), 3),
            "ratio_to_floor": round(statistics.median(rep) / statistics.median(floor), 2)}


def record(results: list[dict], repeat: int) -> None:
    """Replace (or add) the section "## Report (issue 3)" of scripts/BENCHMARKS.md."""
    rows = "".join(f"| {'runtime deps only' if not r['pandas_installed'] else 'dev venv (test extra, pandas)'} "
                   f"| {r['import_floor_s']:.3f} | {r['report_json_s']:.3f} | {r['ratio_to_floor']}x |\n"
                   for r in results)
    text = (f"{HEAD}\n\n`python scripts/bench_report.py --repeat {repeat}` — whole processes, wall time, median of "
            f"{repeat} runs, {os.cpu_count()}-core machine, Python {platform.python_version()}. The floor is "
            "`python -c \"import netdep\"` in the same environment and run. Target: under 1 s.\n\n"
            "| environment | floor (s) | `netdep report --format json` (s) | ratio |\n|---|---|---|---|\n" + rows +
            "\npyarrow imports pandas on its first Python-object conversion when pandas is installed, which costs "
            "the dev environment about 0.15 s; `pip install .` does not install pandas.\n\n"
            f"```json\n{json.dumps(results)}\n```\n")
    path = ROOT / "scripts" / "BENCHMARKS.md"
    body = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if HEAD in body:
        start = body.index(HEAD)
        nxt = body.find("\n## ", start + len(HEAD))
        body = body[:start] + text + (body[nxt:] if nxt >= 0 else "")
    else:
        body = body.rstrip("\n") + "\n\n" + text
    path.write_text(body.rstrip("\n") + "\n", encoding="utf-8")


RANGES_HEAD = "## Report ranges (issue 15)"


def measure_ranges(py: str, repeat: int) -> dict:
    """Point report vs report with ranges: in one process (library) and as whole processes (CLI)."""
    code = ("import json, statistics, time\n"
            "from netdep.store import load\nfrom netdep.reporting.compute import build_report\n"
            "d = load(); build_report(d, ranges=False); build_report(d, ranges=True)\n"
            f"p, r = [], []\nfor _ in range({repeat}):\n"
            "    t = time.perf_counter(); build_report(d, ranges=False); p.append(time.perf_counter() - t)\n"
            "    t = time.perf_counter(); build_report(d, ranges=True); r.append(time.perf_counter() - t)\n"
            "print(json.dumps([statistics.median(p), statistics.median(r)]))\n")
    out = subprocess.run([py, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    point, ranged = json.loads(out.strip().splitlines()[-1])
    cli = [py, "-m", "netdep", "report", "--format", "json"]
    wall(cli, 1)
    cp, cr = [], []
    for _ in range(repeat):
        cp += wall([*cli, "--no-ranges"], 1)
        cr += wall([*cli, "--ranges"], 1)
    return {"python": py, "library_point_s": round(point, 3), "library_ranges_s": round(ranged, 3),
            "library_ratio": round(ranged / point, 2), "cli_point_s": round(statistics.median(cp), 3),
            "cli_ranges_s": round(statistics.median(cr), 3),
            "cli_ratio": round(statistics.median(cr) / statistics.median(cp), 2)}


def record_ranges(results: list[dict], repeat: int) -> None:
    """Replace (or add) the section "## Report ranges (issue 15)" of scripts/BENCHMARKS.md."""
    rows = "".join(f"| library `build_report` | {r['library_point_s']:.3f} | {r['library_ranges_s']:.3f} | "
                   f"{r['library_ratio']}x |\n| `netdep report --format json` (whole process) | {r['cli_point_s']:.3f} "
                   f"| {r['cli_ranges_s']:.3f} | {r['cli_ratio']}x |\n" for r in results)
    text = (f"{RANGES_HEAD}\n\n`python scripts/bench_report.py --ranges --repeat {repeat}` — the point report "
            "(`ranges=False`, `--no-ranges`) against the report with ranges over the alternative figures, "
            f"alternated in the same run; medians of {repeat}, wall time, {os.cpu_count()}-core machine shared "
            f"with other jobs, Python {platform.python_version()}. Defaults of netdep.metrics.ranges: shares and "
            "HHI exact by actor (up to 1024 combinations each), centrality exact up to 9 combinations per graph, "
            "else corners + 4 draws (seed 15).\n\n| what | point (s) | with ranges (s) | ratio |\n|---|---|---|---|\n"
            + rows + f"\n```json\n{json.dumps(results)}\n```\n")
    path = ROOT / "scripts" / "BENCHMARKS.md"
    body = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if RANGES_HEAD in body:
        start = body.index(RANGES_HEAD)
        nxt = body.find("\n## ", start + len(RANGES_HEAD))
        body = body[:start] + text + (body[nxt:] if nxt >= 0 else "")
    else:
        body = body.rstrip("\n") + "\n\n" + text
    path.write_text(body.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--python", action="append", help="interpreter of an environment to measure (repeatable)")
    p.add_argument("--record", action="store_true")
    p.add_argument("--ranges", action="store_true", help="point report vs report with ranges (issue 15)")
    a = p.parse_args(argv)
    if a.ranges:
        results = [measure_ranges(py, a.repeat) for py in (a.python or [sys.executable])]
        for r in results:
            print(f"{r['python']}: build_report point {r['library_point_s']:.3f} s, with ranges "
                  f"{r['library_ranges_s']:.3f} s ({r['library_ratio']}x); netdep report --format json "
                  f"{r['cli_point_s']:.3f} s vs {r['cli_ranges_s']:.3f} s ({r['cli_ratio']}x)")
        if a.record:
            record_ranges(results, a.repeat)
        print(json.dumps({"repeat": a.repeat, "cpus": os.cpu_count(), "results": results}))
        return 0
    results = [measure(py, a.repeat) for py in (a.python or [sys.executable])]
    for r in results:
        print(f"{r['python']}: floor {r['import_floor_s']:.3f} s, netdep report --format json "
              f"{r['report_json_s']:.3f} s (min {r['report_json_min_s']:.3f} s, {r['ratio_to_floor']}x)")
    if a.record:
        record(results, a.repeat)
    print(json.dumps({"repeat": a.repeat, "cpus": os.cpu_count(), "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
