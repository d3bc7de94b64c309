"""Interrupted writes: SIGKILL writers at random moments; the data folder always holds the old or the new table."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time
from pathlib import Path

import pyarrow.parquet as pq
from conftest_edit import FLOW, SOURCE, run_cli, small_data, snapshot, temporaries

from netdep.edit import set_flows
from netdep.store import TMP_PREFIX, load

KILLS = 120
VALUES = (11.0, 22.0)


def _writer(data_dir: str, ready) -> None:  # runs in a forked-server child until killed
    from netdep.edit import set_flows

    set_flows({"value": VALUES[0]}, data_dir, where=FLOW, source_id=SOURCE, dry_run=True)  # warm up: first call is slow
    ready.set()
    i = 0
    while True:
        set_flows({"value": VALUES[i % 2]}, data_dir, where=FLOW, source_id=SOURCE, wait=30)
        i += 1


def _context():
    ctx = mp.get_context("forkserver")  # children start in ms without forking pytest's threads
    # pyarrow imports pandas and its dataset module on first use: load them once in the server, not per child
    ctx.set_forkserver_preload(["pandas", "pyarrow.dataset", "netdep.edit", "conftest_edit", "test_kill"])
    return ctx


def test_sigkill_never_leaves_a_mix_or_half_file(tmp_path: Path) -> None:
    d = small_data(tmp_path / "data")
    set_flows({"value": VALUES[0]}, d, where=FLOW, source_id=SOURCE)
    old = pq.read_table(d / "flows.parquet")
    set_flows({"value": VALUES[1]}, d, where=FLOW, source_id=SOURCE)
    new = pq.read_table(d / "flows.parquet")
    assert not old.equals(new)
    others = {k: v for k, v in snapshot(d).items() if k != "flows.parquet"}

    ctx, rng = _context(), random.Random(20240605)
    kills, seen = 0, {"old": 0, "new": 0, "temporary left": 0}
    t0 = time.monotonic()
    for _ in range(KILLS):
        ready = ctx.Event()
        p = ctx.Process(target=_writer, args=(str(d), ready), daemon=True)
        p.start()
        assert ready.wait(20), "writer did not start"
        time.sleep(rng.uniform(0.0, 0.04))
        os.kill(p.pid, signal.SIGKILL)
        p.join(10)
        assert p.exitcode == -signal.SIGKILL, f"writer ended by itself ({p.exitcode}), not by the kill"
        kills += 1
        table = pq.read_table(d / "flows.parquet")
        is_old, is_new = table.equals(old), table.equals(new)
        assert is_old or is_new, f"kill {kills}: flows.parquet is neither the old nor the new table"
        seen["old" if is_old else "new"] += 1
        seen["temporary left"] += bool(temporaries(d))
        load(d)  # the folder validates; stray temporaries are ignored by readers
        assert {k: v for k, v in snapshot(d).items()
                if k != "flows.parquet" and not k.startswith(TMP_PREFIX)} == others
    elapsed = time.monotonic() - t0
    print(f"\n{kills} kills in {elapsed:.1f} s: {seen}")
    assert kills >= 100
    assert seen["old"] > 0 and seen["new"] > 0, seen  # kills landed both before and after replaces
    assert run_cli("validate", "--data", str(d)).returncode == 0
    set_flows({"value": 33.0}, d, where=FLOW, source_id=SOURCE)  # the next writer cleans up
    assert temporaries(d) == []


def test_stray_temporary_is_ignored_then_cleaned(tmp_path: Path) -> None:
    d = small_data(tmp_path / "data")
    half = (d / "flows.parquet").read_bytes()[:1000]
    stray = d / f"{TMP_PREFIX}flows-interrupted.parquet"
    stray.write_bytes(half)  # what a writer killed mid-write leaves behind
    r = run_cli("validate", "--data", str(d))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok:")
    assert stray.exists()  # readers leave it alone
    set_flows({"value": 1.5}, d, where=FLOW, source_id=SOURCE)
    assert not stray.exists()
    assert temporaries(d) == []
