"""Benchmark: `netdep report --format json` on the bundled data as a whole process, against the floor
`python -c "import netdep"` measured in the same run (per environment).

Usage: python scripts/bench_report.py [--repeat 7] [--python PATH ...] [--record]

--python may be given several times to compare environments (e.g. the dev venv with the test extra,
and a venv with only the runtime dependencies). Prints a table and one final line of JSON; --record
writes the figures into scripts/BENCHMARKS.md (section "## Report (issue 3)").
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--python", action="append", help="interpreter of an environment to measure (repeatable)")
    p.add_argument("--record", action="store_true")
    a = p.parse_args(argv)
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
