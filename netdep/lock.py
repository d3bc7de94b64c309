"""One writer at a time: an advisory lock file in the data folder.

Every netdep write holds ``DATA/.lock`` (``fcntl.flock``, exclusive) across its
read-modify-write, so two writers never both read the old table and the second
never overwrites the first one's edit. The operating system releases the lock
when its holder exits, even on SIGKILL, so a crashed writer leaves no stale lock.

A writer waits a bounded time (``wait`` seconds) and then raises
:class:`~netdep.errors.LockError` saying who holds the lock and what to do.

Readers take no lock: every write replaces a whole file with ``os.replace``,
so a reader sees the old or the new file, never half of one.

>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> with data_lock(d, wait=1.0) as path:
...     path.name
'.lock'
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LockError

__all__ = ["data_lock", "LOCK_NAME", "DEFAULT_WAIT"]

LOCK_NAME = ".lock"
DEFAULT_WAIT = 5.0  # seconds a writer waits for another writer before giving up
_POLL = 0.01

try:  # POSIX
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" (held by process {text})" if text.isdigit() else ""


@contextmanager
def data_lock(data_dir: str | Path, wait: float = DEFAULT_WAIT) -> Iterator[Path]:
    """Hold the data folder's write lock for the ``with`` block; wait at most ``wait`` seconds for it.

    Raises :class:`~netdep.errors.LockError` when another writer keeps it longer.
    """
    d = Path(data_dir)
    if not d.is_dir():
        raise LockError(f"{d}: no such data folder (pass --data DIR)")
    path = d / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockError(
                    f"{path}: another netdep writer is editing this data folder{_holder(path)} and did not "
                    f"finish within {wait:g} s; retry when it is done, or wait longer with --wait SECONDS")
            time.sleep(_POLL)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode())
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            _unlock(fd)
    finally:
        os.close(fd)
