"""Fuzz: mutate valid tables at random; `netdep validate` passes or reports located problems with exit 1,
never a traceback, and an edit of a broken folder is refused without changing a byte."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest_edit import small_data, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netdep.cli import run
from netdep.schema import TABLE_ORDER, TABLES

LOCATED = re.compile(r"^\w+\.parquet(:\d+)?: ")
SUMMARY = re.compile(r"^\d+ problems? in ")
BASE = small_data(Path(tempfile.mkdtemp(prefix="netdep-fuzz-")) / "base")
ROWS = {n: pq.read_metadata(BASE / f"{n}.parquet").num_rows for n in TABLE_ORDER}
CODES = ["RUS", "CHN", "EU27", "DEU", "ROW", "coal", "lng", "goods", "power_of_siberia_1", "ei_sr_2026", "trade",
         "energy", "operating", "country", "bloc", "x"]

cell = st.one_of(
    # no control characters: messages quote values as they are, and a newline inside one would split its line
    st.none(), st.just(""), st.sampled_from(CODES),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10**12, max_value=10**12),
    st.lists(st.sampled_from(CODES), max_size=3),
)

mutation = st.one_of(
    st.tuples(st.just("cell"), st.sampled_from(TABLE_ORDER), st.integers(0, 10**6), st.integers(0, 20), cell),
    st.tuples(st.just("drop_row"), st.sampled_from(TABLE_ORDER), st.integers(0, 10**6)),
    st.tuples(st.just("duplicate_row"), st.sampled_from(TABLE_ORDER), st.integers(0, 10**6)),
    st.tuples(st.just("drop_column"), st.sampled_from(TABLE_ORDER), st.integers(0, 20)),
    st.tuples(st.just("add_column"), st.sampled_from(TABLE_ORDER),
              st.text("abcdefghijklmnopqrstuvwxyz_0123456789 é", min_size=1, max_size=8)),
    st.tuples(st.just("to_string"), st.sampled_from(TABLE_ORDER), st.integers(0, 20)),
    st.tuples(st.just("empty"), st.sampled_from(TABLE_ORDER)),
    st.tuples(st.just("truncate"), st.sampled_from(TABLE_ORDER), st.integers(0, 5000)),
)


def _typed(value, typ: pa.DataType):
    """``value`` as something the column's Arrow type can hold (or None)."""
    try:
        return pa.array([value], typ).to_pylist()[0]
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
        if pa.types.is_string(typ):
            return str(value)
        return None


def _mutate(d: Path, m: tuple) -> None:
    kind, name = m[0], m[1]
    path = d / f"{name}.parquet"
    if kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: m[2] % max(1, len(data))])
        return
    try:
        t = pq.read_table(path)
    except (pa.ArrowInvalid, OSError):  # truncated by an earlier mutation: leave it broken
        return
    if t.num_rows == 0 and kind in ("cell", "drop_row", "duplicate_row"):
        return
    if kind == "cell":
        row, col = m[2] % t.num_rows, m[3] % t.num_columns
        values = t.column(col).to_pylist()
        typ = t.schema.field(col).type
        values[row] = _typed(m[4], typ)
        t = t.set_column(col, pa.field(t.column_names[col], typ), pa.array(values, typ))
    elif kind == "drop_row":
        i = m[2] % t.num_rows
        t = pa.concat_tables([t.slice(0, i), t.slice(i + 1)])
    elif kind == "duplicate_row":
        i = m[2] % t.num_rows
        t = pa.concat_tables([t, t.slice(i, 1)])
    elif kind == "drop_column":
        t = t.drop_columns([t.column_names[m[2] % t.num_columns]])
    elif kind == "add_column":
        if m[2] in t.column_names:
            return
        t = t.append_column(m[2], pa.array([1] * t.num_rows))
    elif kind == "to_string":
        col = m[2] % t.num_columns
        if pa.types.is_list(t.schema.field(col).type):
            return
        t = t.set_column(col, t.column_names[col], t.column(col).cast(pa.string()))
    elif kind == "empty":
        t = t.slice(0, 0)
    pq.write_table(t, path)


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = run(list(args))  # an exception other than SystemExit fails the test: that is a traceback
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=3))
def test_mutated_tables_are_refused_cleanly(mutations: list[tuple]) -> None:
    with tempfile.TemporaryDirectory(prefix="netdep-fuzz-") as tmp:
        d = Path(tmp) / "data"
        shutil.copytree(BASE, d)
        for m in mutations:
            _mutate(d, m)
        before = snapshot(d)
        code, out, err = _cli("validate", "--data", str(d))
        assert code in (0, 1), (code, err)
        assert "Traceback" not in out + err
        if code == 0:
            assert out.startswith("ok: ")
        else:
            lines = [x for x in err.splitlines() if x.strip()]
            assert lines and SUMMARY.match(lines[-1]), err
            assert all(LOCATED.match(x) for x in lines[:-1]), err
        assert snapshot(d) == before
        code2, out2, err2 = _cli("flows", "set", "--year", "2025", "--origin", "AUS", "note=fuzz", "--data", str(d))
        assert code2 in (0, 1) and "Traceback" not in out2 + err2
        if code == 1:
            assert code2 == 1, out2 + err2  # an edit never writes over a broken folder
            assert snapshot(d) == before
            located = [x for x in err2.splitlines() if LOCATED.match(x) or x.startswith("error: ")]
            assert located, err2


def test_fuzz_base_is_valid() -> None:
    assert _cli("validate", "--data", str(BASE))[0] == 0
    assert set(ROWS) == set(TABLES)


# -- file-system faults: a full disk, a read-only folder, symbolic links ----------------------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402


@contextlib.contextmanager
def _tmpfs(where: Path, size_kb: int = 1024):
    """A small tmpfs mounted at ``where`` (skip where the machine does not allow mounting)."""
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.decode().strip()})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _fill(d: Path, leave: int = 4096) -> None:
    st_ = os.statvfs(d)
    free = st_.f_bavail * st_.f_frsize
    with open(d / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def _cli_proc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netdep", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env={**os.environ, "COLUMNS": "200"})


FLOW_SET = ("flows", "set", "--year", "2025", "--origin", "RUS", "--destination", "CHN", "--commodity",
            "pipeline_gas", "value=40", "--source-id", "ei_sr_2026")


def test_full_disk_edit_and_export_fail_cleanly(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "disk") as disk:
        d = shutil.copytree(BASE, disk / "data")
        (disk / "out").mkdir()
        _fill(disk)
        before = snapshot(d)
        r = _cli_proc(*FLOW_SET, "--data", str(d))
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert "the disk is full; free space and run the command again" in r.stderr
        assert snapshot(d) == before and not [p for p in d.iterdir() if p.name.startswith(".netdep-tmp-")]
        r = _cli_proc("export", str(disk / "out"), "--data", str(d))
        assert r.returncode == 1 and "the disk is full" in r.stderr and "Traceback" not in r.stderr
        assert [p.name for p in (disk / "out").iterdir()] in ([], ["sources.csv"], ["sources.csv", "actors.csv"]) \
            or all(p.suffix == ".csv" for p in (disk / "out").iterdir())  # whole files only, no temporaries
        for p in (disk / "out").iterdir():
            assert not p.name.startswith(".")
        assert _cli_proc("validate", "--data", str(d)).returncode == 0
        (disk / "filler").unlink()
        assert _cli_proc(*FLOW_SET, "--data", str(d)).returncode == 0  # with space again, the edit goes through


def test_read_only_folder_reads_but_refuses_writes(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "ro") as mnt:
        d = shutil.copytree(BASE, mnt / "data")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        r = _cli_proc("validate", "--data", str(d))
        assert r.returncode == 0 and r.stdout.startswith("ok:"), r.stderr
        r = _cli_proc(*FLOW_SET, "--data", str(d))
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert f"error: {d}: the data folder is not writable (Read-only file system)" in r.stderr
        r = _cli_proc("export", str(mnt / "csv"), "--data", str(d))
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert f"{mnt / 'csv'}: the file system is read-only; write somewhere else" in r.stderr


def test_symlinked_data_folder_is_used_and_a_symlinked_table_refused(tmp_path: Path) -> None:
    real = shutil.copytree(BASE, tmp_path / "real")
    link = tmp_path / "data"
    link.symlink_to(real, target_is_directory=True)
    assert _cli_proc(*FLOW_SET, "--data", str(link)).returncode == 0
    assert not link.is_symlink() or link.resolve() == real  # the link is kept
    elsewhere = tmp_path / "elsewhere.parquet"
    shutil.move(real / "sources.parquet", elsewhere)
    (real / "sources.parquet").symlink_to(elsewhere)
    outside = elsewhere.read_bytes()
    r = _cli_proc("sources", "add", "zz_x", "--title", "t", "--publisher", "p", "--url", "https://example.org",
             "--data", str(link))
    assert r.returncode == 1 and "Traceback" not in r.stderr  # a table that is a link is refused, not followed
    assert "sources.parquet: is a symbolic link, not a table file; move it away; nothing was written" in r.stderr
    assert elsewhere.read_bytes() == outside and (real / "sources.parquet").is_symlink()


# -- partitioned imports on a full disk, a read-only folder and symbolic links ---------------------------------

BACI_OLD = "t,i,j,k,v,q\n2021,156,842,854231,1.5,NA\n2022,156,842,854231,2.5,NA\n"


def _baci_big(path: Path, rows: int = 40_000) -> Path:
    """A BACI file whose partitions need more room than the full disk has left."""
    lines = ["t,i,j,k,v,q"]
    codes = (156, 842, 251, 276, 392, 643, 699, 410)
    n = 0
    for k in range(100000, 999999, 7):
        for i in codes:
            for j in codes:
                if i != j and n < rows:
                    lines.append(f"2022,{i},{j},{k},{(n * 37) % 9973 + 0.125},{n % 97}.5")
                    n += 1
        if n >= rows:
            break
    path.write_text("\n".join(lines) + "\n")
    return path


def _partitions(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()
            and not p.name.startswith(".")}


def test_full_disk_baci_import_fails_cleanly_and_leaves_the_old_partitions(tmp_path: Path) -> None:
    big = _baci_big(tmp_path / "big.csv")
    with _tmpfs(tmp_path / "disk", size_kb=2048) as disk:
        d = shutil.copytree(BASE, disk / "data")
        (tmp_path / "old.csv").write_text(BACI_OLD)
        assert _cli_proc("import", "baci", str(tmp_path / "old.csv"), "--out", str(d), "--no-progress").returncode == 0
        before = _partitions(d)
        _fill(disk, leave=64 * 1024)  # room for the journal, not for the new partitions
        r = _cli_proc("import", "baci", str(big), "--out", str(d), "--no-progress")
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert "the disk is full; free space and run the command again" in r.stderr, r.stderr
        assert _partitions(d) == before  # all old: no partition of the new import was committed
        assert not list(d.rglob(".netdep-tmp-*")) and not (d / ".netdep-journal.json").exists()
        assert _cli_proc("sql", "--data", str(d), "--format", "csv", "-c",
                         "SELECT count(*) AS n FROM hs6_flows").stdout.splitlines() == ["n", "2"]
        (disk / "filler").unlink()
        r = _cli_proc("import", "baci", str(big), "--out", str(d), "--no-progress")
        assert r.returncode == 0, r.stderr  # with space again, the import goes through


def test_read_only_folder_refuses_a_baci_import(tmp_path: Path) -> None:
    (tmp_path / "old.csv").write_text(BACI_OLD)
    with _tmpfs(tmp_path / "ro") as mnt:
        d = shutil.copytree(BASE, mnt / "data")
        assert _cli_proc("import", "baci", str(tmp_path / "old.csv"), "--out", str(d), "--no-progress").returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        r = _cli_proc("import", "baci", str(tmp_path / "old.csv"), "--out", str(d), "--no-progress")
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert f"error: {d}: the data folder is not writable (Read-only file system)" in r.stderr
        r = _cli_proc("sql", "--data", str(d), "--format", "csv", "-c", "SELECT count(*) AS n FROM hs6_flows")
        assert r.returncode == 0 and r.stdout.splitlines() == ["n", "2"], r.stderr  # reading still works


def test_symlinked_partition_file_is_refused_not_followed(tmp_path: Path) -> None:
    d = shutil.copytree(BASE, tmp_path / "data")
    (tmp_path / "old.csv").write_text(BACI_OLD)
    assert _cli_proc("import", "baci", str(tmp_path / "old.csv"), "--out", str(d), "--no-progress").returncode == 0
    part = d / "hs6" / "year=2022" / "part-0.parquet"
    elsewhere = tmp_path / "elsewhere.parquet"
    shutil.move(part, elsewhere)
    part.symlink_to(elsewhere)
    outside = elsewhere.read_bytes()
    r = _cli_proc("import", "baci", str(tmp_path / "old.csv"), "--out", str(d), "--no-progress")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert f"error: {part}: is a symbolic link, not a table file; move it away; nothing was written" in r.stderr
    assert elsewhere.read_bytes() == outside and part.is_symlink()
    assert not list(d.rglob(".netdep-tmp-*"))
