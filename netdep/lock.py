"""One writer at a time: an advisory lock on the data folder itself.

Every netdep write holds an exclusive ``flock`` on the data folder's directory
across its read-modify-write, so two writers never both read the old tables and
the second never overwrites the first one's edit. The lock is on the folder, not
on a file in it, so deleting ``DATA/.lock`` cannot admit a second writer; and
writers also compare the folder's generation before they commit
(:func:`netdep.store.commit_files`). The operating system releases the lock when
its holder exits, even on SIGKILL, so a crashed writer leaves no stale lock.

``DATA/.lock`` only records the holder's process id for the message another
writer prints. It is opened with ``O_NOFOLLOW``: a symbolic link (dangling or
not) or a directory named ``.lock`` is refused with a clear message, never
followed, truncated or created through.

A writer waits a bounded time (``wait`` seconds) and then raises
:class:`~netdep.errors.LockError` saying who holds the lock and what to do.

Readers take no lock: a commit replaces whole files under a journal, and readers
repeat a read that overlapped a commit (:func:`netdep.store.read_tables`).

>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> with data_lock(d, wait=1.0) as path:
...     path.name
'.lock'
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LockError

__all__ = ["data_lock", "LockTimeout", "LOCK_NAME", "DEFAULT_WAIT"]

LOCK_NAME = ".lock"
DEFAULT_WAIT = 5.0  # seconds a writer waits for another writer before giving up
_POLL = 0.01
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

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

    def _open_dir(d: Path) -> int:
        return os.open(d, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))

except ImportError:  # pragma: no cover - Windows: lock the .lock file itself
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

    def _open_dir(d: Path) -> int:
        return _open_lock_file(d / LOCK_NAME)


class LockTimeout(LockError):
    """Another writer held the lock longer than the wait."""


def _refuse_odd(path: Path) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise LockError(f"{path}: is a symbolic link; netdep never follows or truncates a lock link. "
                        "Remove it (netdep creates its own lock file)")
    if not stat.S_ISREG(st.st_mode):
        what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise LockError(f"{path}: is {what}, not netdep's lock file; remove it (netdep creates its own)")


def _open_lock_file(path: Path) -> int:
    _refuse_odd(path)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EISDIR):  # replaced between the check and the open
            _refuse_odd(path)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise LockError(f"{path.parent}: the data folder is not writable ({exc.strerror}); netdep cannot "
                            "change it. Copy it somewhere writable or fix its permissions") from None
        raise LockError(f"{path}: cannot open the lock file ({exc.strerror})") from None


def _holder(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return ""
    try:
        text = os.read(fd, 64).decode("ascii", "replace").strip()
    finally:
        os.close(fd)
    return f" (held by process {text})" if text.isdigit() else ""


@contextmanager
def data_lock(data_dir: str | Path, wait: float = DEFAULT_WAIT) -> Iterator[Path]:
    """Hold the data folder's write lock for the ``with`` block; wait at most ``wait`` seconds for it.

    Raises :class:`~netdep.errors.LockError` when another writer keeps it longer, when the folder
    is not writable, and when ``.lock`` is a symbolic link or a directory.
    """
    d = Path(data_dir)
    if not d.is_dir():
        raise LockError(f"{d}: no such data folder (pass --data DIR)")
    path = d / LOCK_NAME
    _refuse_odd(path)
    dfd = _open_dir(d)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while not _try_lock(dfd):
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"{path}: another netdep writer is editing this data folder{_holder(path)} and did not "
                    f"finish within {wait:g} s; retry when it is done, or wait longer with --wait SECONDS")
            time.sleep(_POLL)
        try:
            fd = _open_lock_file(path)
            try:
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
            finally:
                os.close(fd)
            yield path
        finally:
            try:
                fd = os.open(path, os.O_WRONLY | _NOFOLLOW)
                os.ftruncate(fd, 0)
                os.close(fd)
            except OSError:
                pass
            _unlock(dfd)
    finally:
        os.close(dfd)
