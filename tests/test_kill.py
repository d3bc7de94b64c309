"""Interrupted writes: SIGKILL writers at random moments; the data folder always holds the old or the new table."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
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


@pytest.mark.slow
def test_sigkill_never_leaves_a_mix_or_half_file(tmp_path: Path) -> None:
    d = small_data(tmp_path / "data")
    for v in (*VALUES, VALUES[0]):  # the note records the last edit: from here on, 11 and 22 each look the same
        set_flows({"value": v}, d, where=FLOW, source_id=SOURCE)
    old = pq.read_table(d / "flows.parquet")
    set_flows({"value": VALUES[1]}, d, where=FLOW, source_id=SOURCE)
    new = pq.read_table(d / "flows.parquet")
    assert not old.equals(new)
    others = {k: v for k, v in snapshot(d).items() if k != "flows.parquet" and not k.startswith(".netdep-")}

    # Pace the kills by how long a write takes on this machine now (a loaded machine writes slower): kills are
    # drawn over about three writes, so they land before, during and after replaces. Pacing only; nothing is
    # asserted about time.
    took = []
    for v in (VALUES[0], VALUES[1]):
        t = time.monotonic()
        set_flows({"value": v}, d, where=FLOW, source_id=SOURCE)
        took.append(time.monotonic() - t)
    window = max(0.5, 3 * max(took))
    ctx, rng = _context(), random.Random(20240605)
    kills, seen = 0, {"old": 0, "new": 0, "temporary left": 0}
    t0 = time.monotonic()
    for _ in range(KILLS):
        ready = ctx.Event()
        p = ctx.Process(target=_writer, args=(str(d), ready), daemon=True)
        p.start()
        assert ready.wait(20), "writer did not start"
        time.sleep(rng.uniform(0.0, window))
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
        assert {k: v for k, v in snapshot(d).items()  # the commit counter and temporaries may differ
                if k != "flows.parquet" and not k.startswith((TMP_PREFIX, ".netdep-"))} == others
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


# -- multi-table imports: the whole folder is old or new ------------------------------------------------------

IMPORT_KILLS = 110
KILL_SOURCE = "kill_test_source"


def _import_writer(data_dir: str, dirs: list[str], ready) -> None:  # alternates two CSV folders until killed
    from netdep.exchange import import_csv

    import_csv(dirs[0], data_dir, dry_run=True)  # warm up
    ready.set()
    i = 0
    while True:
        import_csv(dirs[i % 2], data_dir, wait=30)
        i += 1


def _version(tables) -> tuple:
    return tuple(tables[n] for n in ("sources", "flows", "routes"))


def _two_versions(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A data folder and two CSV folders A and B that differ in three tables at once.

    B adds a source and makes every 2025 RUS flow cite it and changes a route's note: a mix of A's
    sources with B's flows fails validation (a flow cites a source that is gone).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from netdep.exchange import export_csv, import_csv
    from netdep.store import read_tables

    d = small_data(tmp_path / "data")
    a = tmp_path / "A"
    export_csv(d, a, ["sources", "flows", "routes"])
    tables, _ = read_tables(d)
    src = tables["sources"].to_pylist()
    src.append({**src[0], "source_id": KILL_SOURCE, "title": "kill test: a source only version B has"})
    flows = tables["flows"]
    rus = pc.equal(flows.column("origin"), "RUS")
    i = flows.schema.get_field_index("source_id")
    flows = flows.set_column(i, "source_id", pc.if_else(rus, pa.scalar(KILL_SOURCE), flows.column("source_id")))
    routes = tables["routes"]
    j = routes.schema.get_field_index("note")
    routes = routes.set_column(j, "note", pa.array(["version B"] * routes.num_rows, routes.schema.field("note").type))
    b_data = small_data(tmp_path / "bdata")
    from netdep.store import write_tables

    write_tables(b_data, {"sources": pa.Table.from_pylist(src, schema=tables["sources"].schema), "flows": flows,
                          "routes": routes})
    load(b_data)
    b = tmp_path / "B"
    export_csv(b_data, b, ["sources", "flows", "routes"])
    import_csv(a, d)
    return d, [a, b]


@pytest.mark.slow
def test_sigkill_during_multi_table_import_leaves_old_or_new_folder(tmp_path: Path) -> None:
    from netdep.exchange import import_csv
    from netdep.store import JOURNAL_NAME, read_tables

    d, dirs = _two_versions(tmp_path)
    old = _version(load(d).tables)
    import_csv(dirs[1], d)
    new = _version(load(d).tables)
    import_csv(dirs[0], d)
    assert old != new and all(x != y for x, y in zip(old, new))  # all three tables differ
    t = time.monotonic()  # pace the kills by how long an import takes now (pacing only, nothing asserted on time)
    import_csv(dirs[1], d)
    import_csv(dirs[0], d)
    window = max(0.6, 1.5 * (time.monotonic() - t))
    ctx, rng = _context(), random.Random(20261130)
    seen = {"old": 0, "new": 0, "journal completed by the next reader": 0}
    for k in range(IMPORT_KILLS):
        ready = ctx.Event()
        p = ctx.Process(target=_import_writer, args=(str(d), [str(x) for x in dirs], ready), daemon=True)
        p.start()
        assert ready.wait(30), "writer did not start"
        time.sleep(rng.uniform(0.0, window))
        os.kill(p.pid, signal.SIGKILL)
        p.join(10)
        assert p.exitcode == -signal.SIGKILL, f"writer ended by itself ({p.exitcode}), not by the kill"
        seen["journal completed by the next reader"] += (d / JOURNAL_NAME).exists()
        tables, problems = read_tables(d)  # what every netdep reader sees
        assert problems == []
        got = _version(load(d).tables)  # validates: never a flow citing a missing source
        assert got in (old, new), f"kill {k + 1}: the folder is a mix of the old and new version"
        seen["old" if got == old else "new"] += 1
        assert not (d / JOURNAL_NAME).exists()
    print(f"\n{IMPORT_KILLS} kills during 3-table imports: {seen}")
    assert seen["old"] > 0 and seen["new"] > 0, seen
    assert seen["journal completed by the next reader"] > 0, seen  # kills landed between swaps, too
    assert run_cli("validate", "--data", str(d)).returncode == 0
    import_csv(dirs[1], d)
    assert temporaries(d) == []
