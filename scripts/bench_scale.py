"""World-scale benchmark: BACI import, product measures, PageRank on every layer, report - each against a
baseline measured in the same run, each stage in its own process (peak RSS per stage from ru_maxrss).

    python scripts/bench_scale.py --rows 2000000            # quick check, < 1 minute
    python scripts/bench_scale.py --rows 11000000 --years 3 # the issue's figures
    python scripts/bench_scale.py --icio ../shared/reference/sectors/icio_2022_bilateral_intermediate.csv.gz \
        --icio-only                                         # the real table (OECD ICIO 2022) alone

Stages: generate (scripts/gen_baci.py, cached in --workdir), import (CSV -> Parquet), measures (DuckDB) vs
measures_pandas (pandas groupby; same results checked), pagerank (batched, networkx semantics) vs networkx
(per-layer loop, sampled and extrapolated by edge count unless --nx-sample 0 runs every layer), report
(the product section), and pipeline (import + measures + PageRank + report in one fresh process: its wall
time and peak RSS). The last line printed is one JSON object with every figure.

    python scripts/bench_scale.py --rows 2000000 --engine spark   # DuckDB and Spark side by side

With ``--engine spark`` the run is import, then the same measures + PageRank on each engine in a fresh
process (DuckDB: import + connection as start-up; Spark: JVM + session start-up, ``--spark-master``,
default ``local[*]``), the Spark measures query once more on the warm session, and a check that the two
engines' tables are equal (measures within 1e-9 relative, PageRank bit for bit).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _rss_now_mib() -> float:
    with open("/proc/self/status") as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:")) / 1024


def _years(d: Path) -> list[int]:
    from netdep.bulk._write import partition_years

    return partition_years(d / "hs6")


def stage_import(a) -> dict:
    from netdep.bulk.baci import import_baci

    src = Path(a.csv)
    t = time.perf_counter()
    r = import_baci(src, country_codes=src.with_name(src.stem + "_country_codes.csv"),
                    product_codes=src.with_name(src.stem + "_product_codes.csv"), eu_bloc=True, out=a.data)
    return {"import_s": time.perf_counter() - t, "rows": r.rows_in, "rows_out": sum(r.rows_out.values()),
            "csv_mib": src.stat().st_size / 2**20,
            "parquet_mib": sum(p.stat().st_size for p in Path(a.data, "hs6").rglob("*.parquet")) / 2**20}


def stage_measures(a) -> dict:
    from netdep.bulk.measures import compute_measures

    base = _rss_now_mib()
    t = time.perf_counter()
    r = compute_measures(a.data)
    return {"measures_s": time.perf_counter() - t, "measure_rows": sum(r.rows.values()),
            "measures_rss_above_base_mib": _rss_mib() - base}


def stage_measures_pandas(a) -> dict:
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    from netdep.bulk.measures import measures_pandas

    d = Path(a.data)
    base = _rss_now_mib()
    out = Path(a.workdir) / "pandas_measures"
    out.mkdir(parents=True, exist_ok=True)
    elapsed, results = 0.0, {}
    for y in _years(d):
        t = time.perf_counter()
        m = measures_pandas(d, y)
        m.to_parquet(out / f"{y}.parquet", compression="zstd", index=False)
        elapsed += time.perf_counter() - t
        results[y] = m
    rss = _rss_mib()
    worst, equal = 0.0, True  # compare after timing
    for y, b in results.items():
        a_ = pq.read_table(d / "hs6_measures" / f"year={y}" / "part-0.parquet").to_pandas()
        equal &= list(a_.columns) == list(b.columns) and len(a_) == len(b)
        for c in a_.columns:
            if a_[c].dtype.kind == "f":
                x, z = a_[c].to_numpy(float), b[c].to_numpy(float)
                same_nan = np.array_equal(np.isnan(x), np.isnan(z))
                ok = ~np.isnan(x)
                rel = np.abs(x[ok] - z[ok]) / np.maximum(np.abs(z[ok]), 1e-300)
                worst = max(worst, float(rel.max()) if len(rel) else 0.0)
                equal &= same_nan
            else:
                equal &= [None if pd.isna(v) else v for v in a_[c]] == [None if pd.isna(v) else v for v in b[c]]
    return {"measures_pandas_s": elapsed, "measures_equal": bool(equal and worst <= 1e-9),
            "measures_max_rel_diff": worst, "rss_mib": rss, "measures_pandas_rss_above_base_mib": rss - base}


def _bandwidth_gbs() -> float:
    import numpy as np

    a = np.ones(2**26)  # 512 MiB
    b = np.empty_like(a)
    best = 0.0
    for _ in range(3):
        t = time.perf_counter()
        np.copyto(b, a)
        best = max(best, 2 * a.nbytes / (time.perf_counter() - t) / 1e9)  # read + write
    return best


def stage_pagerank(a) -> dict:
    import numpy as np

    from netdep.bulk._write import write_partition
    from netdep.bulk.centrality import (
        PAGERANK_DIR,
        PAGERANK_SCHEMA,
        layer_pagerank,
        layers_from_table,
        pagerank_table,
        read_edges,
    )

    d = Path(a.data)
    read_s = build_s = compute_s = 0.0
    nnz = nodes = layers = bytes_moved = 0
    max_iters, bytes_needed, untimed = 0, 0.0, 0.0
    t0 = time.perf_counter()
    for y in _years(d):
        t = time.perf_counter()
        edges = read_edges(d, y)  # as write_pagerank reads them
        read_s += time.perf_counter() - t
        t = time.perf_counter()
        g = layers_from_table(edges)  # what the networkx loop does with add_weighted_edges_from
        del edges
        build_s += time.perf_counter() - t
        t = time.perf_counter()
        x, iters = layer_pagerank(g)
        compute_s += time.perf_counter() - t
        table = pagerank_table(g, x)  # as write_pagerank builds it
        write_partition(table.to_reader(), PAGERANK_SCHEMA, d / PAGERANK_DIR, y)
        it = int(iters.max())
        max_iters = max(max_iters, it)
        nnz, nodes, layers = nnz + len(g.src), nodes + len(g.node_layer), layers + g.n_layers
        # per iteration: CSR data (8 B) + column index (4 B) per edge, x gathered (8 B per edge, worst case),
        # row pointers (4 B), y, x_new, |x_new - x|, teleport, layer ids, dangling (~7 x 8 B) per node
        bytes_moved += it * (len(g.src) * 20 + len(g.node_layer) * (4 + 7 * 8))
        # diagnostic (not timed): the same bytes for the iterations each layer actually needs (converged
        # layers drop out), the floor for an ideal compaction
        t = time.perf_counter()
        sizes = np.bincount(g.node_layer, minlength=len(iters))
        ledges = np.bincount(g.node_layer, weights=np.bincount(g.src, minlength=len(g.node_layer)),
                             minlength=len(iters))
        bytes_needed += float((iters * (ledges * 20 + sizes * (4 + 7 * 8))).sum())
        untimed += time.perf_counter() - t
    total = time.perf_counter() - t0 - untimed
    rss = _rss_mib()  # before the bandwidth probe's 1 GiB of arrays
    # diagnostic: the same work again in this process, warm (imports and first-call set-up already paid), to
    # compare with pagerank_networkx_warm_s
    t = time.perf_counter()
    for y in _years(d):
        g = layers_from_table(read_edges(d, y))
        x, _ = layer_pagerank(g)
        write_partition(pagerank_table(g, x).to_reader(), PAGERANK_SCHEMA, d / PAGERANK_DIR, y)
    warm = time.perf_counter() - t
    bw = _bandwidth_gbs()
    return {"rss_mib": rss, "pagerank_s": total, "pagerank_warm_s": warm, "pagerank_read_s": read_s,
            "pagerank_build_s": build_s,
            "pagerank_iterate_s": compute_s, "pagerank_compute_s": build_s + compute_s,
            "pagerank_layers": layers, "pagerank_nodes": nodes, "pagerank_edges": nnz,
            "pagerank_max_iterations": max_iters, "memory_bandwidth_gbs": bw,
            "pagerank_bandwidth_floor_s": bytes_moved / (bw * 1e9),
            "pagerank_bandwidth_floor_compacted_s": bytes_needed / (bw * 1e9)}


def stage_networkx(a) -> dict:
    import networkx as nx
    import numpy as np
    import pyarrow.parquet as pq

    d = Path(a.data)
    rng = np.random.default_rng(0)
    elapsed, sampled_edges, total_edges, sampled, total_layers, worst = 0.0, 0, 0, 0, 0, 0.0
    first_call = None  # (edges, seconds) of the very first nx.pagerank layer: it includes importing scipy
    for y in _years(d):
        t = pq.read_table(d / "hs6" / f"year={y}" / "part-0.parquet",
                          columns=["commodity", "origin", "destination", "value"]).to_pandas()
        for c in ("commodity", "origin", "destination"):
            t[c] = t[c].astype(str)
        groups = {k: g for k, g in t.groupby("commodity", sort=True)}
        names = sorted(groups)
        n = len(names) if a.nx_sample <= 0 else min(a.nx_sample, len(names))
        pick = sorted(rng.choice(len(names), n, replace=False).tolist())
        pr = pq.read_table(d / "hs6_pagerank" / f"year={y}" / "part-0.parquet").to_pandas()
        pr = pr.set_index(["commodity", "actor"])["pagerank"]
        for i in pick:
            e = groups[names[i]]
            src, dst, w = e.origin.tolist(), e.destination.tolist(), e.value.tolist()
            s = time.perf_counter()
            G = nx.DiGraph()
            G.add_weighted_edges_from(zip(src, dst, w), weight="value")
            ref = nx.pagerank(G, alpha=0.85, weight="value")
            elapsed += time.perf_counter() - s
            if first_call is None:
                first_call = (src, dst, w, time.perf_counter() - s)
            mine = pr.loc[names[i]]
            worst = max(worst, max(abs(float(mine[k]) - v) for k, v in ref.items()))
            sampled_edges += len(e)
        total_edges += len(t)
        sampled += n
        total_layers += len(names)
    # diagnostic, after the timed loop: the same first layer again, warm. Its first run paid one-time costs
    # (scipy import, networkx dispatch set-up) that the extrapolation multiplies by total/sampled edges.
    src, dst, w, cold = first_call
    s = time.perf_counter()
    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(src, dst, w), weight="value")
    nx.pagerank(G, alpha=0.85, weight="value")
    once = max(cold - (time.perf_counter() - s), 0.0)
    return {"pagerank_networkx_s": elapsed * total_edges / sampled_edges, "pagerank_networkx_sampled_s": elapsed,
            "pagerank_networkx_layers": sampled, "pagerank_networkx_extrapolated": sampled < total_layers,
            "pagerank_networkx_first_call_extra_s": once,
            "pagerank_networkx_warm_s": (elapsed - once) * total_edges / sampled_edges,
            "max_abs_diff_pagerank": worst, "max_abs_diff_pagerank_sci": f"{worst:.2e}"}


def stage_report(a) -> dict:
    from netdep.bulk.report import product_section, product_section_markdown

    t = time.perf_counter()
    md = product_section_markdown(product_section(a.data))
    return {"report_s": time.perf_counter() - t, "report_lines": md.count("\n")}


def stage_pipeline(a) -> dict:
    from netdep.bulk.centrality import write_pagerank
    from netdep.bulk.measures import compute_measures
    from netdep.bulk.report import product_section, product_section_markdown

    out = Path(a.workdir) / "pipeline"
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    stage_import(argparse.Namespace(csv=a.csv, data=out))
    compute_measures(out)
    write_pagerank(out)
    product_section_markdown(product_section(out))
    return {"pipeline_s": time.perf_counter() - t}


# --- the real table: OECD ICIO 2022 industry layers (--icio PATH; netdep.bulk.icio) ---------------------------

def _icio_dir(a) -> Path:
    return Path(a.workdir) / "icio"


def stage_icio_import(a) -> dict:
    from netdep.bulk.icio import import_icio

    out = _icio_dir(a)
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    r = import_icio(a.icio, out, measures=False)
    return {"icio_import_s": time.perf_counter() - t, "icio_rows": r.rows_in, "icio_rows_out": r.rows_out,
            "icio_parquet_mib": sum(p.stat().st_size for p in out.rglob("*.parquet")) / 2**20}


def stage_icio_measures(a) -> dict:
    from netdep.bulk.icio import icio_measures

    t = time.perf_counter()
    n = icio_measures(_icio_dir(a))
    return {"icio_measures_s": time.perf_counter() - t, "icio_measure_rows": n}


def stage_icio_measures_pandas(a) -> dict:
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    from netdep.bulk.measures import measures_pandas

    d = _icio_dir(a)
    alias = Path(a.workdir) / "icio_as_hs6"  # measures_pandas reads <data>/hs6 and hs6_intra_eu
    shutil.rmtree(alias, ignore_errors=True)
    alias.mkdir(parents=True)
    (alias / "hs6").symlink_to(d / "isic")
    (alias / "hs6_intra_eu").symlink_to(d / "isic_intra_eu")
    t = time.perf_counter()
    ref = measures_pandas(alias, 2022)
    elapsed = time.perf_counter() - t
    got = pq.read_table(d / "isic_measures" / "year=2022" / "part-0.parquet").to_pandas()
    worst, equal = 0.0, list(got.columns) == list(ref.columns) and len(got) == len(ref)
    for c in got.columns if equal else []:
        if got[c].dtype.kind == "f":
            x, y = got[c].to_numpy(float), ref[c].to_numpy(float)
            ok = ~(np.isnan(x) & np.isnan(y))
            worst = max(worst, float(np.nanmax(np.abs(x[ok] - y[ok]) / np.maximum(np.abs(y[ok]), 1e-300))))
        else:
            equal &= [None if pd.isna(v) else v for v in got[c]] == [None if pd.isna(v) else v for v in ref[c]]
    return {"icio_measures_pandas_s": elapsed, "icio_measures_equal": bool(equal and worst <= 1e-9),
            "icio_measures_max_rel_diff": worst}


def stage_icio_pagerank(a) -> dict:
    from netdep.bulk.icio import icio_pagerank

    t = time.perf_counter()
    n = icio_pagerank(_icio_dir(a))
    cold = time.perf_counter() - t
    t = time.perf_counter()
    icio_pagerank(_icio_dir(a))  # again, warm: imports and first-call set-up paid (read + iterate + write)
    return {"icio_pagerank_s": cold, "icio_pagerank_warm_s": time.perf_counter() - t, "icio_pagerank_rows": n}


def stage_icio_networkx(a) -> dict:
    import networkx as nx
    import pyarrow.parquet as pq

    d = _icio_dir(a)
    t = pq.read_table(d / "isic" / "year=2022" / "part-0.parquet",
                      columns=["commodity", "origin", "destination", "value"]).to_pandas()
    for c in ("commodity", "origin", "destination"):
        t[c] = t[c].astype(str)
    pr = pq.read_table(d / "isic_pagerank" / "year=2022" / "part-0.parquet").to_pandas()
    pr = pr.set_index(["commodity", "actor"])["pagerank"]
    elapsed, warm, worst, layers = 0.0, 0.0, 0.0, 0
    for k, e in t.groupby("commodity", sort=True):  # every layer: no sampling
        src, dst, w = e.origin.tolist(), e.destination.tolist(), e.value.tolist()
        s = time.perf_counter()
        G = nx.DiGraph()
        G.add_weighted_edges_from(zip(src, dst, w), weight="value")
        ref = nx.pagerank(G, alpha=0.85, weight="value")
        elapsed += time.perf_counter() - s
        mine = pr.loc[k]
        worst = max(worst, max(abs(float(mine[n]) - v) for n, v in ref.items()))
        layers += 1
    for _k, e in t.groupby("commodity", sort=True):  # again, warm (scipy imported, dispatch set up)
        src, dst, w = e.origin.tolist(), e.destination.tolist(), e.value.tolist()
        s = time.perf_counter()
        G = nx.DiGraph()
        G.add_weighted_edges_from(zip(src, dst, w), weight="value")
        nx.pagerank(G, alpha=0.85, weight="value")
        warm += time.perf_counter() - s
    return {"icio_pagerank_networkx_s": elapsed, "icio_pagerank_networkx_warm_s": warm, "icio_layers": layers,
            "icio_edges": len(t),
            "icio_max_abs_diff_pagerank_sci": f"{worst:.2e}"}


def stage_icio_report(a) -> dict:
    from netdep.bulk.icio_report import industry_section, industry_section_markdown

    t = time.perf_counter()
    md = industry_section_markdown(industry_section(_icio_dir(a)))
    return {"icio_report_s": time.perf_counter() - t, "icio_report_lines": md.count("\n")}


def stage_icio_pipeline(a) -> dict:
    from netdep.bulk.icio import import_icio
    from netdep.bulk.icio_report import industry_section, industry_section_markdown

    out = Path(a.workdir) / "icio_pipeline"
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    import_icio(a.icio, out)  # import + measures + PageRank
    industry_section_markdown(industry_section(out))
    return {"icio_pipeline_s": time.perf_counter() - t}


ICIO_STAGES = {"icio_import": stage_icio_import, "icio_measures": stage_icio_measures,
               "icio_measures_pandas": stage_icio_measures_pandas, "icio_pagerank": stage_icio_pagerank,
               "icio_networkx": stage_icio_networkx, "icio_report": stage_icio_report,
               "icio_pipeline": stage_icio_pipeline}


def run_icio(a) -> dict:
    """Every ICIO stage, each in its own process; the figures and their ratios."""
    res: dict = {}
    rss = {}
    for name in ICIO_STAGES:
        out = _run_stage(name, a)
        rss[name] = out.pop("rss_mib")
        res.update(out)
    res["icio_rows_per_s"] = res["icio_rows"] / res["icio_import_s"]
    res["icio_measures_speedup"] = res["icio_measures_pandas_s"] / res["icio_measures_s"]
    res["icio_pagerank_speedup"] = res["icio_pagerank_networkx_s"] / res["icio_pagerank_s"]
    res["icio_pagerank_speedup_warm"] = res["icio_pagerank_networkx_warm_s"] / res["icio_pagerank_warm_s"]
    res["icio_stage_rss_mib"] = rss
    return res


def stage_engine_duckdb(a) -> dict:
    """Measures + PageRank on DuckDB in a fresh process: start-up (import, connection), query, total."""
    t0 = time.perf_counter()
    import duckdb

    from netdep.bulk.centrality import write_pagerank
    from netdep.bulk.measures import compute_measures

    duckdb.connect(":memory:").close()
    t1 = time.perf_counter()
    r = compute_measures(a.data)
    t2 = time.perf_counter()
    write_pagerank(a.data, sorted(r.rows))
    t3 = time.perf_counter()
    return {"duckdb_start_s": t1 - t0, "duckdb_measures_s": t2 - t1, "duckdb_pagerank_s": t3 - t2,
            "duckdb_total_s": t3 - t0}


def stage_engine_spark(a) -> dict:
    """Measures + PageRank on Spark in a fresh process: start-up (imports, JVM, session), query, total."""
    t0 = time.perf_counter()
    from netdep.bulk.spark import compute_measures_spark, pagerank_spark, spark_session

    conf = dict(kv.split("=", 1) for kv in a.spark_conf)
    spark = spark_session(a.spark_master, conf)
    t1 = time.perf_counter()
    out = Path(a.workdir) / "spark_out"
    shutil.rmtree(out, ignore_errors=True)
    r = compute_measures_spark(spark, a.data, out)
    t2 = time.perf_counter()
    pagerank_spark(spark, a.data, out, sorted(r.rows))
    t3 = time.perf_counter()
    compute_measures_spark(spark, a.data, Path(a.workdir) / "spark_out_warm")  # the same query, warm JVM
    t4 = time.perf_counter()
    cores = spark.sparkContext.defaultParallelism
    spark.stop()
    return {"spark_start_s": t1 - t0, "spark_measures_s": t2 - t1, "spark_pagerank_s": t3 - t2,
            "spark_total_s": t3 - t0, "spark_measures_warm_s": t4 - t3, "spark_master": a.spark_master,
            "spark_parallelism": cores, "spark_measure_rows": sum(r.rows.values())}


def stage_engines_compare(a) -> dict:
    """The Spark engine's tables against DuckDB's: same rows and order, floats within 1e-9 / bit for bit."""
    import numpy as np
    import pyarrow.parquet as pq

    d, s = Path(a.data), Path(a.workdir) / "spark_out"
    worst, pr_worst, equal = 0.0, 0.0, True
    for y in _years(d):
        for table in ("hs6_measures", "hs6_pagerank"):
            x = pq.read_table(d / table / f"year={y}" / "part-0.parquet")
            z = pq.read_table(s / table / f"year={y}" / "part-0.parquet")
            equal &= x.schema == z.schema and x.num_rows == z.num_rows
            for c in x.column_names:
                if x.schema.field(c).type in ("double", "float"):
                    u = x.column(c).to_numpy(zero_copy_only=False).astype(float)
                    v = z.column(c).to_numpy(zero_copy_only=False).astype(float)
                    equal &= bool(np.array_equal(np.isnan(u), np.isnan(v)))
                    ok = ~np.isnan(u)
                    diff = np.abs(u[ok] - v[ok])
                    if table == "hs6_pagerank":
                        pr_worst = max(pr_worst, float(diff.max()) if len(diff) else 0.0)
                    else:
                        rel = diff / np.maximum(np.abs(u[ok]), 1e-300)
                        worst = max(worst, float(rel.max()) if len(rel) else 0.0)
                else:
                    equal &= x.column(c).equals(z.column(c))
    return {"engines_equal": bool(equal and worst <= 1e-9 and pr_worst == 0.0),
            "engines_measures_max_rel_diff": worst, "engines_pagerank_max_abs_diff": pr_worst}


def main_engines(a) -> int:
    """``--engine spark``: import once, then DuckDB and Spark side by side (figures per engine)."""
    res: dict = {"rows": a.rows * a.years, "rows_per_year": a.rows, "years": a.years, "cores": os.cpu_count(),
                 "load_avg_before": os.getloadavg()[0]}
    for name in ("import", "engine_duckdb", "engine_spark", "engines_compare"):
        t = time.perf_counter()
        out = _run_stage(name, a)
        out.pop("rss_mib")
        res.update(out)
        res[f"{name}_process_s"] = time.perf_counter() - t
    res["load_avg_after"] = os.getloadavg()[0]
    res["spark_vs_duckdb_total"] = res["spark_total_s"] / res["duckdb_total_s"]
    res["spark_vs_duckdb_measures"] = res["spark_measures_s"] / res["duckdb_measures_s"]
    res["spark_vs_duckdb_measures_warm"] = res["spark_measures_warm_s"] / res["duckdb_measures_s"]
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in res.items()}))
    return 0


STAGES = {"import": stage_import, "measures": stage_measures, "measures_pandas": stage_measures_pandas,
          "pagerank": stage_pagerank, "networkx": stage_networkx, "report": stage_report, "pipeline": stage_pipeline,
          "engine_duckdb": stage_engine_duckdb, "engine_spark": stage_engine_spark,
          "engines_compare": stage_engines_compare, **ICIO_STAGES}


def _child(a) -> None:
    out = STAGES[a.stage](a)
    out.setdefault("rss_mib", _rss_mib())
    print(json.dumps(out))


def _run_stage(name: str, a) -> dict:
    cmd = [sys.executable, __file__, "--stage", name, "--csv", str(a.csv), "--data", str(a.data),
           "--workdir", str(a.workdir), "--nx-sample", str(a.nx_sample), "--rows", str(a.rows),
           "--spark-master", a.spark_master, *[f"--spark-conf={kv}" for kv in a.spark_conf]]
    if getattr(a, "icio", None):
        cmd += ["--icio", str(a.icio)]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if p.returncode:
        sys.stderr.write(p.stderr)
        raise SystemExit(f"stage {name} failed")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    print(f"  {name:16s} {time.perf_counter() - t:7.1f} s wall, peak RSS {out['rss_mib']:7.0f} MiB", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000, help="BACI rows per year")
    ap.add_argument("--years", type=int, default=1, choices=(1, 2, 3))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/netdep_bench"))
    ap.add_argument("--nx-sample", type=int, default=100, help="networkx layers per year (0: all)")
    ap.add_argument("--icio", type=Path, default=None,
                    help="also benchmark the real table: the OECD ICIO bilateral intermediate CSV(.gz)")
    ap.add_argument("--icio-only", action="store_true", help="with --icio: skip the synthetic BACI stages")
    ap.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                    help="spark: DuckDB and Spark side by side (start-up, query, total) instead of the stages")
    ap.add_argument("--spark-master", default="local[*]")
    ap.add_argument("--spark-conf", action="append", default=["spark.driver.memory=4g"], metavar="KEY=VALUE")
    ap.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    ap.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.stage:
        _child(a)
        return 0
    if a.icio and a.icio_only:
        a.workdir, a.csv, a.data = a.workdir / "icio_only", a.icio, a.workdir / "icio_only" / "data"
        a.workdir.mkdir(parents=True, exist_ok=True)
        res = {"cores": os.cpu_count(), **run_icio(a)}
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in res.items()}))
        return 0
    work = a.workdir / f"r{a.rows}_y{a.years}_s{a.seed}"
    a.workdir = work
    a.csv = work / "baci.csv"
    a.data = work / "data"
    if not a.csv.exists():  # in a child: Linux keeps ru_maxrss across fork + exec, so stay small here
        t = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_baci.py"), "--rows", str(a.rows), "--years",
                        str(a.years), "--seed", str(a.seed), str(a.csv)], check=True)
        print(f"  generated {a.csv} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    shutil.rmtree(a.data, ignore_errors=True)
    if a.engine == "spark":
        return main_engines(a)
    res: dict = {"rows": a.rows * a.years, "rows_per_year": a.rows, "years": a.years, "cores": os.cpu_count(),
                 "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE")}
    rss = {"bench_parent": _rss_mib()}
    for name in ("import", "measures", "measures_pandas", "pagerank", "networkx", "report", "pipeline"):
        out = _run_stage(name, a)
        rss[name] = out.pop("rss_mib")
        res.update(out)
    res["rows"] = a.rows * a.years
    res["import_rows_per_s"] = res["rows"] / res["import_s"]
    res["measures_speedup"] = res["measures_pandas_s"] / res["measures_s"]
    res["measures_rss_mib"], res["measures_pandas_rss_mib"] = rss["measures"], rss["measures_pandas"]
    res["measures_rss_ratio"] = rss["measures"] / rss["measures_pandas"]
    res["measures_rss_above_base_ratio"] = (res["measures_rss_above_base_mib"]
                                            / res["measures_pandas_rss_above_base_mib"])
    res["pagerank_speedup"] = res["pagerank_networkx_s"] / res["pagerank_s"]
    res["pagerank_compute_speedup"] = res["pagerank_networkx_s"] / res["pagerank_compute_s"]
    res["pagerank_iterate_speedup"] = res["pagerank_networkx_s"] / res["pagerank_iterate_s"]
    res["pagerank_speedup_warm"] = res["pagerank_networkx_warm_s"] / res["pagerank_warm_s"]  # both warm
    res["stage_rss_mib"] = rss
    res["peak_rss_mib"] = rss["pipeline"]
    res["pipeline_under_60s"] = res["pipeline_s"] < 60
    res["pipeline_under_4gib"] = res["peak_rss_mib"] < 4096
    if a.icio:
        res.update(run_icio(a))
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in res.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
