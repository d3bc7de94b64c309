"""HTML: one self-contained page (inline CSS and SVG, nothing fetched), responsive down to a phone.

Tables scroll inside their own box (``div.scroll``); charts scale to the width available, and on a
phone keep their own size (their text stays readable) and scroll sideways inside their figure; long words and URLs
wrap, so the page itself never gets wider than the screen (checked in headless Chromium at
1400 px and 390 px by tests/test_report_browser.py).
"""

from __future__ import annotations

import re
from html import escape

from ..document import Document
from ..figures import Chart
from ..tiers import tier_text
from . import register
from .text import fmt_cell, kept_columns

CSS = """*{box-sizing:border-box}
body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45;overflow-wrap:anywhere}
h1{font-size:1.7em;line-height:1.2}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.scroll{overflow-x:auto;max-width:100%;margin:.6em 0 1.2em;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.88em;overflow-wrap:normal}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f4f6f8;position:sticky;top:0}tr:nth-child(even) td{background:#fafbfc}
td{min-width:3.5em}
figure{margin:1em 0;max-width:100%}figure.chart{overflow-x:auto}
figure.chart svg{display:block;max-width:100%;height:auto}
figcaption{color:#555;font-size:.85em}
.lead li{margin:.3em 0}ol.sources li{margin:.25em 0;font-size:.9em}
nav{display:flex;flex-wrap:wrap;gap:.2em 1em}
code{overflow-wrap:anywhere;white-space:normal}
@media (max-width:600px){body{margin:1em auto;padding:0 .6em}h1{font-size:1.35em}table{font-size:.8em}
figure.chart svg{max-width:none}}"""


def inline_md(text: str) -> str:
    """Escape, then **bold**, `code` and [n] links to the source list ("operations[0]" is not a citation)."""
    text = escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"(?<!\w)\[(\d+)\]", r"<a href='#src-\1'>[\1]</a>", text)


def _table(columns: list[str], rows: list[list]) -> str:
    keep = kept_columns(columns, rows)
    head = "".join(f"<th>{escape(columns[k])}</th>" for k in keep)
    body = "".join("<tr>" + "".join(f"<td>{inline_md(fmt_cell(r[k]))}</td>" for k in keep) + "</tr>" for r in rows)
    return f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _sources(rows: list[dict]) -> str:
    return "<ol class='sources'>" + "".join(
        f"<li id='src-{x['n']}'>{escape(x['title'])} — {escape(x['publisher'])}"
        f"{', ' + escape(str(x['published'])) if x.get('published') else ''}. "
        f"<a href='{escape(x['url'], quote=True)}' rel='noreferrer'>{escape(x['url'])}</a>{escape(tier_text(x))}</li>"
        for x in rows) + "</ol>"


@register("html")
def to_html(doc: Document, chart_dir: str = "charts") -> str:
    sections = doc.all_sections()
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             f"<title>{escape(doc.title)}</title><style>{CSS}</style></head><body>", f"<h1>{escape(doc.title)}</h1>"]
    if doc.intro:
        parts.append(f"<p>{inline_md(doc.intro)}</p>")
    if doc.nav:
        parts.append("<nav>" + "".join(f"<a href='#sec-{i}'>{escape(s.title.split(',')[0])}</a>"
                                       for i, s in enumerate(sections)) + "</nav>")
    for i, s in enumerate(sections):
        parts.append(f"<section id='sec-{i}'><h2>{escape(s.title)}</h2>")
        for item in s.items:
            kind = item[0]
            if kind == "p":
                parts.append(f"<p>{inline_md(item[1])}</p>")
            elif kind == "list":
                parts.append("<ul class='lead'>" + "".join(f"<li>{inline_md(x)}</li>" for x in item[1]) + "</ul>")
            elif kind == "table":
                parts.append(_table(item[1], item[2]))
            elif kind == "chart":
                svg = item[2].svg() if isinstance(item[2], Chart) else item[2]
                parts.append(f"<figure class='chart' id='chart-{doc.chart_prefix}{item[1]}'>{svg}"
                             f"<figcaption>{inline_md(item[3])}</figcaption></figure>")
            elif kind == "sources":
                parts.append(_sources(item[1]))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
