"""Benchmark: `netdep report --format json` on the bundled data as a whole process, against the floor
`python -c "import netdep"` measured in the same run.

Usage: python scripts/bench_report.py [--repeat 7] [--record]

Prints a table and one final line of JSON; --record writes the figures into scripts/BENCHMARKS.md
(section "## Report (issue 3)").
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


def wall(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return times


def record(text: str) -> None:
    path = ROOT / "scripts" / "BENCHMARKS.md"
    empty = "# Benchmarks\n\nFigures recorded by the scripts in scripts/.\n"
    body = path.read_text(encoding="utf-8") if path.exists() else empty
    head = "## Report (issue 3)"
    if head in body:
        start = body.index(head)
        nxt = body.find("\n## ", start + len(head))
        body = body[:start] + text + (body[nxt:] if nxt >= 0 else "\n")
    else:
        body = body.rstrip("\n") + "\n\n" + text
    path.write_text(body.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--record", action="store_true")
    a = p.parse_args(argv)
    py = sys.executable
    wall([py, "-m", "netdep", "report", "--format", "json"], 1)  # warm the file cache
    floor = wall([py, "-c", "import netdep"], a.repeat)
    rep = wall([py, "-m", "netdep", "report", "--format", "json"], a.repeat)
    res = {"repeat": a.repeat, "import_floor_s": round(statistics.median(floor), 3),
           "report_json_s": round(statistics.median(rep), 3), "report_json_min_s": round(min(rep), 3),
           "ratio_to_floor": round(statistics.median(rep) / statistics.median(floor), 2),
           "python": platform.python_version(), "cpus": os.cpu_count()}
    print(f"python -c 'import netdep'          median {res['import_floor_s']:.3f} s")
    print(f"netdep report --format json        median {res['report_json_s']:.3f} s "
          f"(min {res['report_json_min_s']:.3f} s, {res['ratio_to_floor']}x the floor)")
    if a.record:
        record("## Report (issue 3)\n\n"
               f"`python scripts/bench_report.py --repeat {a.repeat}` — whole processes, wall time, median of "
               f"{a.repeat} runs, on this {res['cpus']}-core machine (Python {res['python']}):\n\n"
               "| what | median (s) |\n|---|---|\n"
               f"| floor: `python -c \"import netdep\"` | {res['import_floor_s']:.3f} |\n"
               f"| `netdep report --format json` (bundled data) | {res['report_json_s']:.3f} |\n\n"
               f"Ratio to the floor: {res['ratio_to_floor']}x. Target: under 1 s.\n\n"
               f"```json\n{json.dumps(res)}\n```\n")
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
