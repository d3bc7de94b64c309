"""Progress for long work: a rich bar on stderr when stderr is a terminal, nothing otherwise.

Imports, sweeps and world-scale reports call :func:`bar`; output on stdout (tables, JSON, file names) stays
clean for pipes, and quick work, logs and tests (stderr not a TTY) stay quiet.

>>> with bar("counting", total=3) as advance:
...     for _ in range(3):
...         advance(1)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["bar", "enabled", "progress"]


def enabled() -> bool:
    """True when stderr is an interactive terminal."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress(*columns, **kwargs):
    """A :class:`rich.progress.Progress` drawing on stderr, disabled unless stderr is a terminal."""
    from rich.console import Console
    from rich.progress import Progress

    kwargs.setdefault("transient", True)
    return Progress(*columns, console=Console(stderr=True), disable=not enabled(), **kwargs)


@contextmanager
def bar(description: str, total: float | None) -> Iterator[Callable[[float], None]]:
    """``with bar("sweep 0.share", total=n) as advance: ... advance(1)`` — quiet when stderr is not a TTY."""
    if not enabled():
        yield lambda k=1: None
        return
    with progress() as p:
        task = p.add_task(description, total=total)
        yield lambda k=1: p.advance(task, k)
