"""One document model for every output: a :class:`Document` of :class:`Section` s holding paragraphs, lists,
tables, charts and a numbered source list.

The dependency report, a scenario report and the product section all build sections of this model;
:mod:`netdep.reporting.formats` renders any document as Markdown, HTML or JSON and writes its charts
(SVG and PNG) next to it, so a new section (a time series, an industry table) renders everywhere by
being added here, with no format-specific code.

>>> from netdep.reporting.document import Document, Section
>>> s = Section("Example")
>>> s.p("Russia's share of China's crude imports [1].")
>>> s.table(["supplier", "share"], [["Russia", "19.0%"]])
>>> doc = Document("Example", [s], sources=[{"n": 1, "title": "Statistical Review", "publisher": "EI",
...                                          "published": "2024", "url": "https://www.energyinst.org/"}])
>>> from netdep.reporting.formats import render
>>> "| Russia | 19.0% |" in render(doc, "md")
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .figures import Chart

__all__ = ["Document", "Section", "Chart", "number_sources"]


@dataclass
class Section:
    """A titled section: ``items`` are ``("p", text)``, ``("list", texts)``, ``("table", columns, rows)``,
    ``("chart", name, Chart | svg-string, alt)`` or ``("sources", source rows)``."""

    title: str
    items: list[tuple] = field(default_factory=list)

    def p(self, text: str) -> None:
        self.items.append(("p", text))

    def bullets(self, texts: list[str]) -> None:
        self.items.append(("list", texts))

    def table(self, columns: list[str], rows: list[list[Any]]) -> None:
        self.items.append(("table", columns, rows))

    def chart(self, name: str, chart: Chart | str, alt: str = "") -> None:
        """Add a chart: a :class:`~netdep.reporting.figures.Chart` (written as SVG and PNG) or a raw SVG string."""
        if isinstance(chart, Chart) and not alt:
            alt = chart.alt or chart.title
        self.items.append(("chart", name, chart, alt))

    def charts(self) -> list[tuple[str, Chart | str, str]]:
        return [(it[1], it[2], it[3]) for it in self.items if it[0] == "chart"]


@dataclass
class Document:
    """A whole document: ``title``, an ``intro`` paragraph, ``sections`` and the numbered ``sources``
    (dicts with n, title, publisher, published, url). ``stem`` names the files (``report`` → report.md,
    report.html); charts are written as ``charts/<chart_prefix><name>.svg|.png``."""

    title: str
    sections: list[Section]
    intro: str = ""
    sources: list[dict] = field(default_factory=list)
    stem: str = "report"
    chart_prefix: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    nav: bool = True

    def all_sections(self) -> list[Section]:
        """The sections, with a numbered "Sources" section last when no section lists them already."""
        if not self.sources or any(it[0] == "sources" for s in self.sections for it in s.items):
            return list(self.sections)
        s = Section("Sources")
        s.items.append(("sources", self.sources))
        return [*self.sections, s]


def number_sources(rows: list[dict], counts: dict[str, int] | None = None) -> list[dict]:
    """Number source rows 1..n (most-used first when ``counts`` is given, then by source_id)."""
    counts = counts or {}
    rows = sorted(rows, key=lambda s: (-counts.get(s["source_id"], 0), s["source_id"]))
    return [{"n": i + 1, **s, "rows": counts.get(s["source_id"], 0)} for i, s in enumerate(rows)]
