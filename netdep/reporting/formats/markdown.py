"""Markdown: GitHub-flavoured tables, charts linked as ``charts/<name>.svg`` (PNG alongside)."""

from __future__ import annotations

from typing import Any

from ..document import Document
from ..tiers import tier_text
from . import register
from .text import fmt_cell, kept_columns


def md_table(columns: list[str], rows: list[list[Any]]) -> str:
    keep = kept_columns(columns, rows)
    lines = ["| " + " | ".join(columns[i] for i in keep) + " |", "|" + "|".join("---" for _ in keep) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(fmt_cell(r[i]).replace("|", "\\|") for i in keep) + " |")
    return "\n".join(lines)


def source_entry(x: dict) -> str:
    return (f"{x['n']}. <a id=\"src-{x['n']}\"></a>{x['title']} — {x['publisher']}"
            f"{', ' + str(x['published']) if x.get('published') else ''}. <{x['url']}>{tier_text(x)}")


@register("md")
def to_markdown(doc: Document, chart_dir: str = "charts") -> str:
    out = [f"# {doc.title}", ""]
    if doc.intro:
        out += [doc.intro, ""]
    for s in doc.all_sections():
        out += [f"## {s.title}", ""]
        for item in s.items:
            kind = item[0]
            if kind == "p":
                out += [item[1], ""]
            elif kind == "list":
                out += [f"- {x}" for x in item[1]] + [""]
            elif kind == "table":
                out += [md_table(item[1], item[2]), ""]
            elif kind == "chart":
                stem = f"{chart_dir}/{doc.chart_prefix}{item[1]}"
                png = f" ([PNG]({stem}.png))" if not isinstance(item[2], str) else ""
                out += [f"![{item[3]}]({stem}.svg)", "", f"*{item[3]}*{png}", ""]
            elif kind == "sources":
                out += [source_entry(x) for x in item[1]] + [""]
    return "\n".join(out)
