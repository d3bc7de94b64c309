"""The data folder's write lock: exclusive, bounded wait, released when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
        t0 = time.monotonic()
        with data_lock(tmp_path, wait=2):
            assert time.monotonic() - t0 < 1
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LockError, match="no such data folder"):
        with data_lock(tmp_path / "nope"):
            pass
