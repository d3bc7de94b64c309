"""Benchmark: a 101-step scenario sweep, fast path against the naive loop, in the same run.

Fast path (:func:`netdep.scenario.sweep.sweep`): the operations before the swept one (and the later
ones that cannot depend on it) run once, the capacity limit of a reroute is computed once (it does not
depend on the share), and only the graphs the changed rows feed (the commodity graph, its layer
aggregate, the cross-layer graph) are recomputed, for all steps at once in NumPy
(:mod:`netdep.scenario.fast`).

Naive loop (:func:`netdep.scenario.sweep.naive_sweep`): at each step the whole scenario is applied
to a fresh copy of the data (capacity-limit cache cleared), every networkx graph is rebuilt and every
measure recomputed with :mod:`netdep.metrics`.

Equality: every number of the two long tables (dependencies, concentration, centrality of every
graph at every step) is compared; PageRank and eigenvector centrality use networkx's own stopping
rule in both paths (:func:`netdep.metrics.centrality.pagerank_array`), so they agree to rounding.

    python scripts/bench_sweep.py [--scenario russian_energy_to_europe_half] [--param 1.share] [--steps 101]
                                  [--closure additive|proportional|merit|optimal]

Market closure (issue 11): both paths close the market at every step with the scenario's closure
(``--closure`` overrides it); ``closure_s_per_step`` is the time of :func:`netdep.scenario.closure.close`
per step in the fast path (for ``optimal``: building and solving the HiGHS LP of every affected group).
The default parameter is ``1.share``, the seaborne-crude reroute: ``0.share`` (East Siberian gas to the
EU) moves nothing at any step since supply systems exist.

The last line printed is one JSON object: steps, sweep_s, naive_s, speedup, max_abs_diff, ...
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
KEY = ["step", "table", "layer", "commodity", "origin", "destination", "actor", "side", "measure"]


def _sorted(t: pa.Table) -> pa.Table:
    t = t.select([*KEY, "value", "top_partner"])
    filled = pa.table({c: (t[c].fill_null("") if pa.types.is_string(t[c].type) else t[c]) for c in t.column_names})
    return filled.sort_by([(c, "ascending") for c in KEY])


def compare(fast: pa.Table, naive: pa.Table) -> dict:
    """Max absolute and relative difference over every number; raises if the records differ."""
    a, b = _sorted(fast), _sorted(naive)
    if a.num_rows != b.num_rows:
        raise SystemExit(f"row counts differ: fast {a.num_rows}, naive {b.num_rows}")
    for c in KEY + ["top_partner"]:
        if not a[c].equals(b[c]):
            raise SystemExit(f"column {c} differs between fast and naive")
    x = a["value"].to_numpy(zero_copy_only=False).astype(float)
    y = b["value"].to_numpy(zero_copy_only=False).astype(float)
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        raise SystemExit("null values differ")
    ok = ~np.isnan(x)
    d = np.abs(x[ok] - y[ok])
    rel = d / np.maximum(np.abs(y[ok]), 1.0)
    return {"max_abs_diff": float(d.max(initial=0.0)), "max_rel_diff": float(rel.max(initial=0.0)),
            "values_compared": int(ok.sum())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default="russian_energy_to_europe_half")
    ap.add_argument("--param", default="1.share")
    ap.add_argument("--closure", default=None, choices=["additive", "proportional", "merit", "optimal"])
    ap.add_argument("--start", type=float, default=0.0)
    ap.add_argument("--stop", type=float, default=1.0)
    ap.add_argument("--steps", type=int, default=101)
    ap.add_argument("--repeat", type=int, default=3, help="fast-path runs (best is reported)")
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    args = ap.parse_args(argv)

    import netdep.scenario as sc
    from netdep.scenario import engine
    from netdep.scenario.sweep import naive_sweep, sweep, sweep_values
    from netdep.store import load

    data = load(args.data)
    scen = sc.load(sc.bundled_path(args.scenario, args.data))
    if args.closure:
        import dataclasses

        scen = sc.Scenario(dataclasses.replace(scen.spec, closure=args.closure))
    import netdep.scenario.sweep as sw

    clock = {"s": 0.0, "n": 0}
    close_orig = sw.close

    def timed_close(*a, **k):
        t = time.perf_counter()
        try:
            return close_orig(*a, **k)
        finally:
            clock["s"] += time.perf_counter() - t
            clock["n"] += 1

    sw.close = timed_close
    values = sweep_values(args.start, args.stop, args.steps)
    sweep(data, scen, args.param, values[:2])  # warm imports (numpy.linalg, networkx) for both paths

    fast_times, close_times = [], []
    for _ in range(args.repeat):
        engine._LIMITS.clear()
        clock["s"], clock["n"] = 0.0, 0
        t0 = time.perf_counter()
        fast = sweep(data, scen, args.param, values)
        fast_times.append(time.perf_counter() - t0)
        close_times.append(clock["s"] / max(clock["n"], 1))

    orig = engine.run_operations

    def uncached(*a, **k):
        engine._LIMITS.clear()
        return orig(*a, **k)

    engine.run_operations = uncached
    sw.run_operations = uncached
    t0 = time.perf_counter()
    naive = naive_sweep(data, scen, args.param, values)
    naive_s = time.perf_counter() - t0
    sw.run_operations = engine.run_operations = orig

    diff = compare(fast.table, naive.table)
    sweep_s = min(fast_times)
    out = {"scenario": args.scenario, "param": args.param, "steps": args.steps, "closure": scen.spec.closure,
           "closure_s_per_step": round(min(close_times), 5), "sweep_s": round(sweep_s, 4),
           "naive_s": round(naive_s, 3), "speedup": round(naive_s / sweep_s, 1), **diff,
           "sweep_runs_s": [round(t, 4) for t in fast_times],
           "rows": fast.table.num_rows, "pagerank": "networkx stopping rule reproduced (pagerank_array)",
           "python": sys.version.split()[0]}
    print(f"fast sweep: best of {args.repeat}: {sweep_s:.3f} s ({', '.join(f'{t:.3f}' for t in fast_times)})")
    print(f"naive loop: {naive_s:.2f} s")
    print(json.dumps(out))
    return 0 if diff["max_abs_diff"] <= 1e-9 * max(1.0, 1.0) or diff["max_rel_diff"] <= 1e-9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
