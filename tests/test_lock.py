"""The data folder's write lock: exclusive, bounded wait, released when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from netdep.errors import LockError, NetdepError
from netdep.lock import LOCK_NAME, data_lock


def test_lock_is_exclusive_and_says_who_holds_it(tmp_path: Path) -> None:
    with data_lock(tmp_path) as path:
        assert path == tmp_path / LOCK_NAME
        assert path.read_text() == str(os.getpid())
        with pytest.raises(LockError, match=rf"held by process {os.getpid()}\) and did not finish within 0.1 s"):
            with data_lock(tmp_path, wait=0.1):
                pass
    with data_lock(tmp_path, wait=0):  # released
        pass


def test_lock_error_is_a_netdep_and_timeout_error(tmp_path: Path) -> None:
    with data_lock(tmp_path), pytest.raises(TimeoutError):
        with data_lock(tmp_path, wait=0):
            pass
    assert issubclass(LockError, NetdepError)


def test_lock_of_a_killed_holder_is_free_at_once(tmp_path: Path) -> None:
    code = f"from netdep.lock import data_lock\nwith data_lock({str(tmp_path)!r}):\n    print('held', flush=True)\n" \
           "    import time; time.sleep(60)\n"
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        with pytest.raises(LockError):
            with data_lock(tmp_path, wait=0.1):
                pass
        os.kill(p.pid, signal.SIGKILL)
        p.wait(10)
        with data_lock(tmp_path, wait=2):  # the kernel released the dead holder's lock: no LockError
            pass
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LockError, match="no such data folder"):
        with data_lock(tmp_path / "nope"):
            pass


# -- a lock that cannot be subverted ----------------------------------------------------------------------------


def test_symlinked_lock_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    d = tmp_path / "data"
    d.mkdir()
    (d / LOCK_NAME).symlink_to(target)
    with pytest.raises(LockError, match=r"\.lock: is a symbolic link; netdep never follows or truncates"):
        with data_lock(d, wait=0):
            pass
    assert target.read_text() == "keep me"


def test_dangling_symlinked_lock_creates_nothing(tmp_path: Path) -> None:
    d = tmp_path / "data"
    d.mkdir()
    (d / LOCK_NAME).symlink_to(tmp_path / "created_through_the_link")
    with pytest.raises(LockError, match="is a symbolic link"):
        with data_lock(d, wait=0):
            pass
    assert not (tmp_path / "created_through_the_link").exists()


def test_lock_that_is_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).mkdir()
    with pytest.raises(LockError, match=r"\.lock: is a directory, not netdep's lock file; remove it"):
        with data_lock(tmp_path, wait=0):
            pass


def test_deleting_the_lock_file_does_not_admit_a_second_writer(tmp_path: Path) -> None:
    with data_lock(tmp_path) as path:
        path.unlink()  # what a user cleaning "stale" files might do
        with pytest.raises(LockError, match="another netdep writer"):
            with data_lock(tmp_path, wait=0.1):
                pass


def test_writer_that_read_an_older_generation_cannot_commit(tmp_path: Path) -> None:
    """Compare-and-swap: a second writer admitted anyway (here: called without the lock) loses, nothing written."""
    import pyarrow.parquet as pq
    from conftest_edit import small_data

    from netdep.errors import StoreError
    from netdep.store import generation, read_tables, write_tables

    d = small_data(tmp_path / "data")
    g = generation(d)
    tables, _ = read_tables(d)
    write_tables(d, {"sources": tables["sources"]}, expect_generation=g)  # the first writer commits: g + 1
    assert generation(d) == g + 1
    before = (d / "sources.parquet").read_bytes()
    with pytest.raises(StoreError, match=rf"another writer changed the data \(generation {g} -> {g + 1}\)"):
        write_tables(d, {"sources": tables["sources"].slice(0, 1)}, expect_generation=g)
    assert (d / "sources.parquet").read_bytes() == before
    assert pq.read_table(d / "sources.parquet").num_rows == tables["sources"].num_rows


def test_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(LockError, match="the data folder is not writable"):
            with data_lock(tmp_path, wait=0):
                pass
    finally:
        tmp_path.chmod(0o755)
