"""The registry of document formats: ``md``, ``html`` and ``json``, each a function Document -> text.

:func:`write` renders a :class:`~netdep.reporting.document.Document` in the formats asked for and writes
its charts next to it as ``charts/<prefix><name>.svg`` and ``.png`` (atomically, one file at a time).
A new format is one function registered with :func:`register`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..document import Document
from ..figures import Chart

__all__ = ["FORMATS", "register", "render", "write", "atomic_write", "chart_files"]

FORMATS: dict[str, Callable[..., str]] = {}
EXTENSION = {"md": "md", "html": "html", "json": "json"}


def register(name: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    def deco(fn: Callable[..., str]) -> Callable[..., str]:
        FORMATS[name] = fn
        return fn
    return deco


def render(doc: Document, fmt: str, chart_dir: str = "charts") -> str:
    """``doc`` as text in format ``fmt`` (a key of :data:`FORMATS`)."""
    try:
        fn = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(sorted(FORMATS))}") from None
    return fn(doc, chart_dir=chart_dir)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def chart_files(doc: Document, progress: Callable[[int], None] | None = None) -> dict[str, str | bytes]:
    """File name -> content for every chart of ``doc``: ``<prefix><name>.svg`` and, for a Chart, ``.png``
    (``progress(1)`` after each chart)."""
    out: dict[str, str | bytes] = {}
    for s in doc.all_sections():
        for name, chart, _alt in s.charts():
            stem = f"{doc.chart_prefix}{name}"
            if isinstance(chart, Chart):
                out[f"{stem}.svg"] = chart.svg()
                out[f"{stem}.png"] = chart.png()
            else:
                out[f"{stem}.svg"] = chart
            if progress is not None:
                progress(1)
    return out


def write(doc: Document, out: Path, formats: tuple[str, ...] = ("md", "html"),
          progress: Callable[[int], None] | None = None) -> list[Path]:
    """Write ``<stem>.<fmt>`` for each format into ``out`` and the charts into ``out/charts``; the paths,
    documents first. ``progress(1)`` is called after each chart is drawn."""
    out = Path(out)
    docs, charts = [], []
    if any(f in ("md", "html") for f in formats):
        for fname, content in chart_files(doc, progress).items():
            atomic_write(out / "charts" / fname, content)
            charts.append(out / "charts" / fname)
    for fmt in formats:
        p = out / f"{doc.stem}.{EXTENSION[fmt]}"
        atomic_write(p, render(doc, fmt))
        docs.append(p)
    return docs + charts


from . import html, json, markdown  # noqa: E402,F401  (register the formats)
