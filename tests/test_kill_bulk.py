"""Interrupted partitioned imports: SIGKILL `netdep import baci` / `netdep import icio` at random moments; the
next reader sees every partitioned table (and the small code tables) wholly old or wholly new.

Two versions of the input alternate: A with ``--eu-bloc`` (writes hs6_intra_eu / isic_intra_eu partitions) and
B without (removes them, different values and country table), so one import replaces files, creates folders
and removes partitions in one unit. A version is identified by the content hash of every file of every
partitioned table, plus the code tables; an import is byte-deterministic, so each version has one set of hashes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import multiprocessing as mp
import os
import random
import signal
import time
from pathlib import Path

import pytest
from conftest_edit import run_cli, small_data

from netdep.store import JOURNAL_NAME, TMP_PREFIX, load

KILLS = 105
ICIO_REF = Path(__file__).resolve().parents[2] / "shared" / "reference" / "sectors" / \
    "icio_2022_bilateral_intermediate.csv.gz"
if not ICIO_REF.exists():
    ICIO_REF = Path("/work/shared/reference/sectors/icio_2022_bilateral_intermediate.csv.gz")
ICIO_SECTORS = ("B06", "C19", "C20", "C26", "C27")  # a subset of the reference: an import takes a fraction of a s

# BACI numeric codes pycountry maps (netdep.bulk.codes.fallback_map); six EU members fold into EU27 with --eu-bloc
CODES = (156, 842, 251, 276, 392, 643, 699, 410, 380, 724, 76, 36, 528, 56, 124, 484)


def baci_csv(path: Path, seed: int, years: tuple[int, ...] = (2021, 2022), products: int = 300) -> Path:
    """A deterministic BACI file: every exporter-importer pair (no self-loops) for ``products`` HS6 codes."""
    rng = random.Random(seed)
    lines = ["t,i,j,k,v,q"]
    for t in years:
        for k in range(products):
            hs = 850000 + k * 7
            for i in CODES:
                for j in CODES:
                    if i != j and rng.random() < 0.35:
                        q = "NA" if rng.random() < 0.1 else f"{rng.uniform(0.1, 50):.3f}"
                        lines.append(f"{t},{i},{j},{hs},{rng.uniform(1, 5000):.3f},{q}")
    path.write_text("\n".join(lines) + "\n")
    return path


def icio_subset(path: Path, scale: float) -> Path:
    """Rows of the OECD ICIO reference for a few industries (values times ``scale``, so versions differ)."""
    with gzip.open(ICIO_REF, "rt", encoding="utf-8") as f:
        header = f.readline().strip()
        rows = [ln.rstrip("\n") for ln in f if ln.split(",", 2)[1] in ICIO_SECTORS]
    out = [header]
    for ln in rows:
        e, s, i, v, dom = ln.split(",")
        out.append(f"{e},{s},{i},{float(v) * scale:.6f},{dom}")
    path.write_text("\n".join(out) + "\n")
    return path


def version(d: Path, prefix: str) -> dict[str, str]:
    """sha256 of every file of the partitioned tables ``prefix*/`` and the files ``prefix_*.parquet``."""
    out = {}
    for p in sorted(d.glob(f"{prefix}*/year=*/*")) + sorted(d.glob(f"{prefix}_*.parquet")):
        if p.is_file() and not p.name.startswith("."):  # staged files are not data: readers ignore them
            out[p.relative_to(d).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def temporaries(d: Path) -> list[Path]:
    return sorted(p for p in d.rglob(f"{TMP_PREFIX}*"))


def _writer(args_a: list[str], args_b: list[str], ready) -> None:  # alternates two imports until killed
    from netdep.cli import run

    ready.set()
    i = 0
    while True:  # the folder holds A: B first, so the first import already changes it
        assert run(args_b if i % 2 == 0 else args_a) == 0
        i += 1


def _context():
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["pandas", "pyarrow.dataset", "duckdb", "netdep.cli", "netdep.bulk.baci",
                                "netdep.bulk.icio", "netdep.bulk.centrality", "test_kill_bulk"])
    return ctx


def _kill_loop(d: Path, args_a: list[str], args_b: list[str], prefix: str, check) -> dict[str, int]:
    from netdep.cli import run

    assert run(args_b) == 0
    new = version(d, prefix)
    t = time.monotonic()  # pace the kills by how long an import takes now (pacing only, nothing asserted on time)
    assert run(args_a) == 0
    window = max(1.0, 4 * (time.monotonic() - t))  # a first import in a new process is slower
    old = version(d, prefix)
    assert old != new and set(old) != set(new)  # files differ and some exist in one version only
    ctx, rng = _context(), random.Random(20261201)
    seen = {"old": 0, "new": 0, "journal completed by the next reader": 0, "temporaries left": 0}
    for k in range(KILLS):
        ready = ctx.Event()
        p = ctx.Process(target=_writer, args=(args_a, args_b, ready), daemon=True)
        p.start()
        assert ready.wait(60), "writer did not start"
        time.sleep(rng.uniform(0.0, window))
        os.kill(p.pid, signal.SIGKILL)
        p.join(10)
        assert p.exitcode == -signal.SIGKILL, f"writer ended by itself ({p.exitcode}), not by the kill"
        seen["journal completed by the next reader"] += (d / JOURNAL_NAME).exists()
        seen["temporaries left"] += bool(temporaries(d))
        check(d)  # the next reader: completes a journal, then reads through netdep's views
        got = version(d, prefix)
        assert got in (old, new), f"kill {k + 1}: the partitioned tables are a mix of the old and new import"
        seen["old" if got == old else "new"] += 1
        assert not (d / JOURNAL_NAME).exists()
    print(f"\n{KILLS} kills during `netdep import` ({prefix}): {seen}")
    assert seen["old"] > 0 and seen["new"] > 0, seen
    assert run(args_b) == 0  # the next writer removes what killed imports left
    assert temporaries(d) == [] and version(d, prefix) == new
    return seen


def _read_hs6(d: Path) -> None:
    from netdep.db import connect

    load(d)  # the tables validate (and any journal is completed first)
    con = connect(d)
    n, eu = con.execute("SELECT count(*), count(*) FILTER (WHERE origin = 'EU27') FROM hs6_flows").fetchone()
    assert n > 0
    intra = d / "hs6_intra_eu"
    has_intra = any(intra.glob("year=*/part-0.parquet"))
    assert (eu > 0) == has_intra  # --eu-bloc flows come with their intra-EU partitions, never without


@pytest.mark.slow
def test_sigkill_during_baci_import_leaves_old_or_new_partitions(tmp_path: Path) -> None:
    d = small_data(tmp_path / "data")
    a = baci_csv(tmp_path / "a.csv", 1)
    b = baci_csv(tmp_path / "b.csv", 2)
    common = ["--out", str(d), "--no-progress"]
    _kill_loop(d, ["import", "baci", str(a), "--eu-bloc", *common], ["import", "baci", str(b), *common], "hs6",
               _read_hs6)
    assert run_cli("validate", "--data", str(d)).returncode == 0


def _read_isic(d: Path) -> None:
    from netdep.db import connect

    con = connect(d)
    n, eu = con.execute("SELECT count(*), count(*) FILTER (WHERE origin = 'EU27') FROM isic_flows").fetchone()
    m = con.execute("SELECT count(*), count(*) FILTER (WHERE importer = 'EU27') FROM isic_dependencies").fetchone()
    assert n > 0 and m[0] > 0
    assert (eu > 0) == (m[1] > 0)  # measures always from the flows of the same import


@pytest.mark.slow
@pytest.mark.skipif(not ICIO_REF.exists(), reason="OECD ICIO reference file absent")
def test_sigkill_during_icio_import_leaves_old_or_new_partitions(tmp_path: Path) -> None:
    d = small_data(tmp_path / "data")
    a = icio_subset(tmp_path / "a.csv", 1.0)
    b = icio_subset(tmp_path / "b.csv", 1.5)
    common = ["--out", str(d), "--no-progress"]
    _kill_loop(d, ["import", "icio", str(a), *common], ["import", "icio", str(b), "--no-eu-bloc", *common],
               "isic", _read_isic)
    assert run_cli("validate", "--data", str(d)).returncode == 0


class _Killed(BaseException):
    """Stands for SIGKILL inside the commit (not an Exception: nothing may catch it)."""


@pytest.mark.parametrize("swaps", range(7))
def test_import_stopped_after_each_swap_is_completed_by_the_next_reader(tmp_path: Path, monkeypatch,
                                                                         swaps: int) -> None:
    """Stop `import_baci` inside its commit after 0..6 of its staged files were moved in (A: 2 years x 2
    tables + 2 code files = 6): with none moved the commit is rolled back (old), otherwise the journal stays
    and the next reader completes it (new). Never a mix, never a lost staged file."""
    from netdep.bulk.baci import import_baci
    from netdep.db import connect

    d = small_data(tmp_path / "data")
    a, b = baci_csv(tmp_path / "a.csv", 1, products=20), baci_csv(tmp_path / "b.csv", 2, products=20)
    (tmp_path / "p.csv").write_text("code,description\n" + "".join(f"{850000 + k * 7},p{k}\n" for k in range(20)))
    kw = {"out": d, "product_codes": tmp_path / "p.csv"}
    import_baci(a, eu_bloc=True, **kw)
    new = version(d, "hs6")
    import_baci(b, **kw)
    old = version(d, "hs6")
    real, moved = os.replace, []

    def replace(src, dst):
        if str(src).endswith(".staged"):
            if len(moved) == swaps:
                raise _Killed
            moved.append(dst)
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(_Killed) if swaps < 6 else contextlib.nullcontext():
        import_baci(a, eu_bloc=True, **kw)
    monkeypatch.setattr(os, "replace", real)
    assert (d / JOURNAL_NAME).exists() == (0 < swaps < 6)
    if 0 < swaps < 5:  # on disk, before any reader: a mix, which only the journal can repair (the 6th file,
        # hs6_products.parquet, is the same in both versions)
        assert version(d, "hs6") not in (old, new)
    n = connect(d).execute("SELECT count(*) FILTER (WHERE origin = 'EU27') FROM hs6_flows").fetchone()[0]
    assert not (d / JOURNAL_NAME).exists()
    assert version(d, "hs6") == (old if swaps == 0 else new)
    assert (n > 0) == (swaps > 0)
    assert [p for p in temporaries(d) if p.suffix == ".staged"] == []



def _alternate(args_a: list[str], args_b: list[str], stop) -> None:  # imports A and B in turn until told to stop
    from netdep.cli import run

    i = 0
    while not stop.is_set():
        assert run(args_a if i % 2 == 0 else args_b) == 0
        i += 1


CONSISTENT = ("SELECT (SELECT count(*) FROM hs6_flows WHERE origin = 'EU27') > 0 AS flows_eu, "
              "(SELECT count(*) FROM hs6_countries WHERE actor = 'EU27') > 0 AS codes_eu, "
              "(SELECT count(*) FROM hs6_flows) AS n")


@pytest.mark.slow
def test_readers_during_baci_imports_see_one_import(tmp_path: Path) -> None:
    """`netdep sql`'s reader (sandboxed views, repeated when a commit overlapped it) while another process
    imports A (--eu-bloc) and B in turn: every answer is A's or B's, never flows of one with codes of the other."""
    from netdep.cli import run
    from netdep.db import run_sql, sandboxed
    from netdep.store import generation, read_consistent

    d = small_data(tmp_path / "data")
    a, b = baci_csv(tmp_path / "a.csv", 1, products=60), baci_csv(tmp_path / "b.csv", 2, products=60)
    common = ["--out", str(d), "--no-progress"]
    args_a, args_b = ["import", "baci", str(a), "--eu-bloc", *common], ["import", "baci", str(b), *common]
    answers = {}
    for args in (args_a, args_b):
        assert run(args) == 0
        answers[args[2]] = tuple(run_sql(sandboxed(d), CONSISTENT)[1][0])
    assert answers[str(a)][:2] == (True, True) and answers[str(b)][:2] == (False, False)
    ctx = _context()
    stop = ctx.Event()
    p = ctx.Process(target=_alternate, args=(args_a, args_b, stop), daemon=True)
    g0 = generation(d)
    p.start()
    seen = {"A": 0, "B": 0}
    try:
        for _ in range(60):
            got = tuple(read_consistent(d, lambda: run_sql(sandboxed(d, validate=False), CONSISTENT))[1][0])
            assert got in answers.values(), f"a read mixed two imports: {got}"
            seen["A" if got == answers[str(a)] else "B"] += 1
    finally:
        stop.set()
        p.join(60)
    commits = generation(d) - g0
    print(f"\n60 reads during {commits} import commits: {seen}")
    assert commits >= 3 and seen["A"] > 0 and seen["B"] > 0, (commits, seen)


def test_import_waits_for_the_lock_then_says_who_holds_it(tmp_path: Path) -> None:
    """An import is one writer: while another holds the folder's lock it waits --wait seconds, then stops
    with exit 1, writing nothing."""
    from netdep.lock import data_lock

    d = small_data(tmp_path / "data")
    a = baci_csv(tmp_path / "a.csv", 1, products=5)
    with data_lock(d):
        r = run_cli("import", "baci", str(a), "--out", str(d), "--no-progress", "--wait", "0.2")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"error: {d / '.lock'}: another netdep writer is editing this data folder (held by process " \
           f"{os.getpid()}) and did not finish within 0.2 s" in r.stderr, r.stderr
    assert not (d / "hs6").exists() and temporaries(d) == []


def test_measures_of_replaced_flows_go_in_the_same_unit(tmp_path: Path) -> None:
    """Measures and PageRank computed from flows an import changes are removed in the import's unit (never
    new flows with old measures); a byte-identical re-import keeps them."""
    from netdep.bulk.baci import import_baci
    from netdep.bulk.centrality import write_pagerank
    from netdep.bulk.measures import compute_measures

    d = tmp_path / "d"
    a, b = baci_csv(tmp_path / "a.csv", 1, products=5), baci_csv(tmp_path / "b.csv", 2, products=5)
    import_baci(a, out=d, eu_bloc=True)
    compute_measures(d)
    write_pagerank(d)
    derived = {"hs6_measures/year=2021", "hs6_measures/year=2022", "hs6_pagerank/year=2021",
               "hs6_pagerank/year=2022"}
    have = {p.parent.relative_to(d).as_posix() for p in d.glob("hs6_*/year=*/part-0.parquet")}
    assert derived <= have
    r = import_baci(a, out=d, eu_bloc=True)  # the same flows: the measures still hold
    assert r.stale_removed == [] and all((d / x / "part-0.parquet").exists() for x in derived)
    r = import_baci(b, out=d)
    assert sorted(r.stale_removed) == sorted(derived) and "run `netdep measures`" in r.summary()
    assert not any((d / x).exists() for x in derived)
