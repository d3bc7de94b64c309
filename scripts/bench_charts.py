"""Benchmark: what drawing the charts costs. `netdep report` (Markdown + HTML, every chart as SVG and PNG)
against `netdep report --format json` (same measures, no charts) as whole processes in the same run, and
the time per chart in process.

Usage: python scripts/bench_charts.py [--repeat 3] [--record]

--record writes the figures into scripts/BENCHMARKS.md (section "## Report charts (issue 17)").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAD = "## Report charts (issue 17)"


def wall(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return times


def per_chart() -> dict:
    sys.path.insert(0, str(ROOT))
    from netdep.reporting import build_report
    from netdep.reporting.figures import Chart
    from netdep.reporting.render import report_document
    from netdep.store import load

    data = load(ROOT / "data")
    doc = report_document(data, build_report(data, year=2023, compare_year=2021))
    charts = [c for s in doc.all_sections() for _, c, _ in s.charts() if isinstance(c, Chart)]
    out = {}
    for c in charts:
        t = time.perf_counter()
        c.svg()
        c.png()
        out[c.name] = round(time.perf_counter() - t, 3)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--record", action="store_true")
    a = p.parse_args(argv)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        base = wall([py, "-m", "netdep", "report", "--format", "json"], a.repeat)
        full = wall([py, "-m", "netdep", "report", "--out", tmp], a.repeat)
    charts = per_chart()
    res = {"repeat": a.repeat, "cpus": os.cpu_count(), "python": platform.python_version(),
           "report_json_s": round(statistics.median(base), 3),
           "report_md_html_charts_s": round(statistics.median(full), 3),
           "ratio": round(statistics.median(full) / statistics.median(base), 2), "charts": len(charts),
           "chart_svg_png_s": charts, "charts_total_s": round(sum(charts.values()), 3)}
    print(f"report --format json {res['report_json_s']} s; report (md + html + {len(charts)} charts as SVG and PNG) "
          f"{res['report_md_html_charts_s']} s; ratio {res['ratio']}x; charts in process {res['charts_total_s']} s")
    if a.record:
        text = (f"{HEAD}\n\n`python scripts/bench_charts.py --repeat {a.repeat}` — whole processes, wall time, median, "
                f"{os.cpu_count()}-core machine shared with other work, Python {platform.python_version()}. Baseline: "
                "`netdep report --format json` (the same measures, no charts) in the same run.\n\n"
                "| run | wall (s) |\n|---|---|\n"
                f"| `netdep report --format json` | {res['report_json_s']} |\n"
                f"| `netdep report` (md + html, {len(charts)} charts as SVG and PNG) | "
                f"{res['report_md_html_charts_s']} ({res['ratio']}x) |\n"
                f"| of which drawing the charts, in process | {res['charts_total_s']} |\n\n"
                f"```json\n{json.dumps(res)}\n```\n")
        path = ROOT / "scripts" / "BENCHMARKS.md"
        body = path.read_text(encoding="utf-8")
        if HEAD in body:
            start = body.index(HEAD)
            nxt = body.find("\n## ", start + len(HEAD))
            body = body[:start] + text + (body[nxt:] if nxt >= 0 else "")
        else:
            body = body.rstrip("\n") + "\n\n" + text
        path.write_text(body.rstrip("\n") + "\n", encoding="utf-8")
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
