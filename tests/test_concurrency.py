"""Concurrent writers lose no update; a writer that cannot get the lock in time gets a clear LockError."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest_edit import FLOW, SOURCE, flow_value, run_cli, small_data, snapshot

from netdep.edit import add_flows, select, set_flows, transact
from netdep.errors import LockError
from netdep.lock import data_lock

PROCESSES, WRITES = 4, 25


def _increment(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Read-modify-write: add 1 to the test flow's value (a lost update would show as a smaller total)."""
    flows = tables["flows"]
    mask = select(flows, "flows", FLOW)
    i = flows.schema.get_field_index("value")
    return {"flows": flows.set_column(i, "value", pc.if_else(mask, pc.add(flows["value"], 1.0), flows["value"]))}


def _worker(data_dir: str, k: int, start) -> None:
    start.wait(30)
    for j in range(WRITES):
        transact(_increment, data_dir, wait=60)
        add_flows([{"year": 1901 + k * WRITES + j, "commodity": "goods", "origin": "RUS", "destination": "JPN",
                    "value": float(k), "source_id": SOURCE}], data_dir, wait=60)


@pytest.mark.slow
def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    d = small_data(tmp_path / "data")
    set_flows({"value": 0.0}, d, where=FLOW, source_id=SOURCE)
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["pandas", "pyarrow.dataset", "netdep.edit", "conftest_edit", "test_concurrency"])
    start = ctx.Event()
    procs = [ctx.Process(target=_worker, args=(str(d), k, start)) for k in range(PROCESSES)]
    for p in procs:
        p.start()
    t0 = time.monotonic()
    start.set()
    for p in procs:
        p.join(120)
    elapsed = time.monotonic() - t0
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    assert flow_value(d) == PROCESSES * WRITES  # every increment kept: lost updates = 0
    flows = pq.read_table(d / "flows.parquet")
    added = flows.filter(pc.less(flows["year"], 2021))  # small_data holds 2025 only
    assert added.num_rows == PROCESSES * WRITES  # every append kept
    assert sorted(added["year"].to_pylist()) == list(range(1901, 1901 + PROCESSES * WRITES))
    print(f"\n{PROCESSES} processes x {WRITES} increments + {WRITES} appends in {elapsed:.1f} s; lost updates: 0")
    assert run_cli("validate", "--data", str(d)).returncode == 0


def test_writer_that_cannot_get_the_lock_gets_lock_error(tmp_path: Path) -> None:
    d = small_data(tmp_path / "data")
    before = snapshot(d)
    with data_lock(d):
        t0 = time.monotonic()
        with pytest.raises(LockError) as err:
            set_flows({"value": 5.0}, d, where=FLOW, source_id=SOURCE, wait=0.3)
        assert time.monotonic() - t0 >= 0.3  # it waited for the lock before giving up (no upper bound: load)
        msg = str(err.value)
        assert ".lock: another netdep writer is editing this data folder" in msg
        assert "did not finish within 0.3 s; retry when it is done, or wait longer with --wait SECONDS" in msg
        r = run_cli("flows", "set", "--year", "2025", "--origin", "RUS", "--destination", "CHN",
                    "--commodity", "pipeline_gas", "value=5", "--source-id", SOURCE, "--data", str(d), "--wait", "0.2")
        assert r.returncode == 1
        assert "error: " in r.stderr and "another netdep writer is editing this data folder" in r.stderr
        assert "--wait SECONDS" in r.stderr and "Traceback" not in r.stderr + r.stdout
    assert snapshot(d) == before
    set_flows({"value": 5.0}, d, where=FLOW, source_id=SOURCE, wait=0.3)  # free again
    assert flow_value(d) == 5.0


def _importer(data_dir: str, dirs: list[str], start, stop) -> None:
    from netdep.exchange import import_csv

    start.wait(30)
    i = 0
    while not stop.is_set():
        import_csv(dirs[i % 2], data_dir, wait=60)
        i += 1


@pytest.mark.slow
def test_readers_never_see_a_half_imported_folder(tmp_path: Path) -> None:
    """While another process imports two 3-table versions in turn, every read is one version as a whole."""
    from test_kill import _two_versions, _version

    from netdep.exchange import import_csv
    from netdep.store import generation, read_tables

    d, dirs = _two_versions(tmp_path)
    old = _version(read_tables(d)[0])
    import_csv(dirs[1], d)
    new = _version(read_tables(d)[0])
    import_csv(dirs[0], d)
    ctx = mp.get_context("spawn")
    start, stop = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_importer, args=(str(d), [str(x) for x in dirs], start, stop), daemon=True)
    p.start()
    seen, g0 = {"old": 0, "new": 0}, generation(d)
    try:
        start.set()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 25 and (sum(seen.values()) < 400 or generation(d) - g0 < 10):
            tables, problems = read_tables(d)
            assert problems == []
            got = _version(tables)
            assert got in (old, new), "a reader saw a mix of two versions"
            seen["old" if got == old else "new"] += 1
    finally:
        stop.set()
        p.join(60)
    commits = generation(d) - g0
    print(f"\n{sum(seen.values())} reads during {commits} 3-table imports: {seen}")
    assert commits >= 5 and seen["old"] > 0 and seen["new"] > 0
