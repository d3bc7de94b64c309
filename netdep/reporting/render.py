"""Render a :class:`~netdep.reporting.compute.Report` as Markdown, self-contained HTML or JSON.

The document is built once (:func:`document`) as sections of paragraphs,
tables and SVG charts, then written in each format. Every figure cites its
sources as ``[n]``, numbered in the report's source list.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from ..graph import cross_layer_graph, layer_graph
from ..metrics.concentration import STRATEGIC_HHI
from ..store import Data
from . import charts
from .compute import Report
from .headlines import COMMODITY, pct, short_name

__all__ = ["document", "to_markdown", "to_html", "to_json", "write_report", "summary", "Section"]


@dataclass
class Section:
    title: str
    items: list[tuple] = field(default_factory=list)

    def p(self, text: str) -> None:
        self.items.append(("p", text))

    def bullets(self, texts: list[str]) -> None:
        self.items.append(("list", texts))

    def table(self, columns: list[str], rows: list[list[Any]]) -> None:
        self.items.append(("table", columns, rows))

    def chart(self, name: str, svg: str, alt: str) -> None:
        self.items.append(("chart", name, svg, alt))


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def _refs(data: Data, rep: Report) -> tuple[dict[str, int], dict[tuple, list[int]]]:
    """Source number per source_id, and the source numbers of each (year, commodity, origin, destination)."""
    num = {s["source_id"]: s["n"] for s in rep.tables["sources"]}
    pair: dict[tuple, set[int]] = {}
    for f in data.rows("flows"):
        if f["source_id"] in num:
            pair.setdefault((f["year"], f["commodity"], f["origin"], f["destination"]), set()).add(num[f["source_id"]])
    return num, {k: sorted(v) for k, v in pair.items()}


def _cite(ns: list[int] | set[int]) -> str:
    return "".join(f"[{n}]" for n in sorted(ns))


def _eu(layer: str, commodity: str = "*") -> str:
    if layer in ("energy", "all") and commodity in ("*", "crude_oil", "oil_products", "coal"):
        return "REG_EUROPE"
    return "EU27"


def document(data: Data, rep: Report) -> list[Section]:
    """The report's sections, ready to render."""
    name = {a: short_name(data, a) for a in (x["actor"] for x in data.rows("actors"))}
    num, pair_refs = _refs(data, rep)
    t, y, y0 = rep.tables, rep.year, rep.compare_year
    layer_refs: dict[tuple, set[int]] = {}
    for (yy, c, _o, _d), ns in pair_refs.items():
        lay = next((x["layer"] for x in data.rows("commodities") if x["commodity"] == c), None)
        layer_refs.setdefault((yy, lay), set()).update(ns)
    doc: list[Section] = []

    s = Section("Headlines")
    s.bullets(rep.headlines)
    s.p(f"Report year {y}" + (f", compared with {y0}" if y0 else "") + f"; layers: {', '.join(rep.layers)}. "
        "Shares are of each actor's total imports (suppliers) or exports (buyers), routes summed.")
    doc.append(s)

    # dependency matrix heatmaps
    s = Section(f"Who depends on whom: import shares among Russia, China, the EU and the US, {y}")
    s.p("Row actor's share of its imports (energy: in energy content; trade and FDI: in US$) supplied by the column "
        "actor. In energy and across layers the EU appears as Europe (the Statistical Review's region), because oil "
        "and coal are only reported for Europe.")
    for layer in (*rep.layers, "all") if len(rep.layers) == 3 else rep.layers:
        G = cross_layer_graph(data, y) if layer == "all" else layer_graph(data, y, layer)
        if G.number_of_edges() == 0:
            continue
        eu = "REG_EUROPE" if "REG_EUROPE" in G else "EU27"
        four = ["RUS", "CHN", eu, "USA"]
        inn = dict(G.in_degree(weight="value"))
        vals = {}
        for i in four:
            for j in four:
                if i != j and i in G and inn.get(i):
                    w = G[j][i]["value"] if G.has_edge(j, i) else 0.0
                    vals[(name[i], name[j])] = w / inn[i]
        refs = layer_refs.get((y, layer), set()) if layer != "all" else set().union(
            *[v for (yy, _), v in layer_refs.items() if yy == y] or [set()])
        labels = [name[a] for a in four]
        heading = f"{'All layers' if layer == 'all' else layer.capitalize()} {y}"
        s.chart(f"matrix_{layer}", charts.heatmap(labels, labels, vals, heading,
                                                  f"import share of row from column; {G.graph['unit']}"),
                f"Import-share matrix, {layer} {y}. Sources: {_cite(refs)}")
    doc.append(s)

    # top dependencies of each main actor
    s = Section(f"Each main actor's top dependencies, {y}")
    for actor in ("RUS", "CHN", "EU27", "REG_EUROPE", "USA"):
        rows = [r for r in t["dependencies"] if r["year"] == y and (r["destination"] == actor or r["origin"] == actor)]
        if not rows:
            continue
        items = []
        for r in rows:
            if r["destination"] == actor and r["share_in"] is not None:
                items.append(("supplier", r["origin"], r, r["share_in"]))
            if r["origin"] == actor and r["share_out"] is not None:
                items.append(("buyer", r["destination"], r, r["share_out"]))
        items = [it for it in items if it[1] not in ("ROW",)]
        # rank by share weighted by the flow's US$ value, so large dependencies come before trivia
        items.sort(key=lambda it: (-(it[3] * (it[2].get("value_usd_bn") or 0.0)), -it[3], it[1]))
        table = []
        for role, partner, r, share in items[:8]:
            key = "share_in" if role == "supplier" else "share_out"
            old = next((x[key] for x in t["dependencies"] if x["year"] == y0 and x["commodity"] == r["commodity"]
                        and x["origin"] == r["origin"] and x["destination"] == r["destination"]), None)
            table.append([COMMODITY.get(r["commodity"], r["commodity"]), f"{name[partner]} ({role})",
                          _fmt(r["value"]) + f" {r['unit']}", pct(share), pct(old) if y0 else "",
                          _cite(pair_refs.get((y, r["commodity"], r["origin"], r["destination"]), []))])
        s.p(f"**{name[actor]}** — largest shares of its imports (supplier) and exports (buyer):")
        s.table(["commodity", "partner", "flow", f"share {y}", f"share {y0}" if y0 else "", "sources"], table)
    doc.append(s)

    # concentration
    s = Section(f"Supplier concentration (HHI), {y}")
    s.p(f"Herfindahl–Hirschman index of each actor's suppliers; above {STRATEGIC_HHI} is the EU/GeoDep "
        "strategic-dependency threshold (red). Remainders (rest of world, 'Other …') count as many small suppliers.")
    conc = [r for r in t["concentration"] if r["year"] == y and r["side"] == "in"
            and r["actor"] in ("RUS", "CHN", "EU27", "REG_EUROPE", "USA", "IND", "JPN", "KOR", "TUR")]
    conc.sort(key=lambda r: (r["commodity"], -r["hhi"]))
    rows = []
    for r in conc:
        r0 = next((x for x in t["concentration"] if x["year"] == y0 and x["commodity"] == r["commodity"]
                   and x["actor"] == r["actor"] and x["side"] == "in"), None)
        rows.append([COMMODITY.get(r["commodity"], r["commodity"]), name[r["actor"]], f"{r['hhi']:.3f}",
                     "" if r0 is None else f"{r0['hhi']:.3f}", name.get(r["top_partner"], "–"), pct(r["top_share"]),
                     pct(r["unattributed_share"]), "**yes**" if r["hhi"] > STRATEGIC_HHI else ""])
    s.table(["commodity", "actor", f"HHI {y}", f"HHI {y0}" if y0 else "", "top supplier", "its share",
             "remainder", "strategic"], rows)
    main = [r for r in conc if r["actor"] in ("RUS", "CHN", "EU27", "REG_EUROPE", "USA")]
    if main:
        items = [(f"{name[r['actor']]} · {COMMODITY.get(r['commodity'], r['commodity'])}", r["hhi"]) for r in main]
        s.chart("hhi", charts.bars(items, f"Supplier HHI, {y}", threshold=STRATEGIC_HHI, xmax=1.0),
                "Supplier HHI by actor and commodity")
    doc.append(s)

    # vulnerability
    vul = [r for r in t.get("vulnerability", []) if r["year"] == y]
    if vul:
        s = Section(f"Vulnerability: supply others could not replace, {y}")
        s.p("For each large supplier of a main actor: the volume at risk, how much other suppliers could bring in "
            "through the spare capacity of known routes (pipelines, LNG terminals; pipeline gas and LNG substitute), "
            "and the rest. 'capacity unknown' means no route is known, not that none exists.")
        s.table(["actor", "commodity", "partner", "at risk", "share of imports", "replaceable", "unreplaceable",
                 "basis"],
                [[name[r["actor"]], COMMODITY.get(r["commodity"], r["commodity"]), name[r["partner"]],
                  _fmt(r["at_risk"]), pct(r["share_in"]), _fmt(r["replaceable"]), _fmt(r["unreplaceable"]),
                  r["basis"]] for r in sorted(vul, key=lambda r: (r["actor"], r["commodity"], -r["at_risk"]))])
        doc.append(s)

    # asymmetry
    asym = [r for r in t["asymmetry"] if r["year"] == y]
    if asym:
        s = Section(f"Asymmetry: who needs whom more, {y}")
        s.p("dep(i on j) is i's share of imports from j (supply side) or of exports to j (buyer side); "
            "asymmetry = dep(i on j) − dep(j on i): positive means i needs j more.")
        s.table(["layer", "i", "j", "supply: i on j", "supply: j on i", "asym (supply)", "buyers: i on j",
                 "buyers: j on i", "asym (buyers)"],
                [[r["layer"], name[r["i"]], name[r["j"]], pct(r["dep_in_ij"]), pct(r["dep_in_ji"]),
                  f"{r['asym_in']:+.3f}", pct(r["dep_out_ij"]), pct(r["dep_out_ji"]), f"{r['asym_out']:+.3f}"]
                 for r in asym])
        doc.append(s)

    # centrality
    s = Section(f"Centrality rankings, {y}")
    s.p("Per layer (energy in EJ, trade and FDI in US$) and across layers (US$): PageRank, dependency centrality "
        "(PageRank of the graph in which i→j carries i's dependence on j — an actor many others depend on, heavily, "
        "ranks high), Bonacich power (β < 0), betweenness and strength. See the README for definitions.")
    cent = [r for r in t["centrality"] if r["year"] == y and r["commodity"] == "*"]
    for layer in sorted({r["layer"] for r in cent}, key=lambda x: ("energy", "trade", "investment", "all").index(x)):
        by = {}
        for r in cent:
            if r["layer"] == layer:
                by.setdefault(r["actor"], {})[r["measure"]] = r["value"]
        order = sorted(by, key=lambda a: -by[a].get("dependency_centrality", 0))[:10]
        ev = "eigenvector" if any("eigenvector" in v for v in by.values()) else "katz"
        s.p(f"**{layer}** (ranked by dependency centrality; {ev} computed for this graph)")
        s.table(["actor", "dependency centrality", "PageRank", ev, "Bonacich", "betweenness", "in-strength",
                 "out-strength"],
                [[name[a], _fmt(by[a].get("dependency_centrality")), _fmt(by[a].get("pagerank")),
                  _fmt(by[a].get(ev)), _fmt(by[a].get("bonacich")), _fmt(by[a].get("betweenness")),
                  _fmt(by[a].get("in_strength")), _fmt(by[a].get("out_strength"))] for a in order])
        if layer == "all":
            items = [(name[a], by[a].get("dependency_centrality", 0.0)) for a in order]
            s.chart("dependency_centrality", charts.bars(items, f"Dependency centrality across layers, {y}",
                                                         fmt="{:.3f}"), "Dependency centrality across layers")
    doc.append(s)

    if "energy" in rep.layers:
        s = Section(f"The energy network, {y}")
        G = layer_graph(data, y, "energy")
        s.chart("energy_network", charts.network(G, f"Energy trade {y} (EJ): crude, products, gas, LNG, coal",
                                                 labels=name, unit="EJ"),
                f"Energy network {y}. Sources: {_cite(layer_refs.get((y, 'energy'), set()))}")
        doc.append(s)

    if y0:
        s = Section(f"What changed, {y0} → {y}")
        items = []
        for c in ("crude_oil", "oil_products", "pipeline_gas", "lng", "coal"):
            for dest in ("CHN", _eu("energy", c), "IND", "TUR"):
                a = next((r["share_out"] for r in t["dependencies"] if r["year"] == y0 and r["commodity"] == c
                          and r["origin"] == "RUS" and r["destination"] == dest), None)
                b = next((r["share_out"] for r in t["dependencies"] if r["year"] == y and r["commodity"] == c
                          and r["origin"] == "RUS" and r["destination"] == dest), None)
                if a or b:
                    items.append((f"{COMMODITY[c]} → {name[dest]}", a, b))
        if items:
            s.chart("russia_buyers", charts.paired_bars(items, (str(y0), str(y)), "Russia's buyers: share of its "
                                                        "exports"), "Russia's energy buyers, before and after")
        ch = []
        for r in t["dependencies"]:
            if r["year"] != y or r["share_in"] is None:
                continue
            old = next((x for x in t["dependencies"] if x["year"] == y0 and x["commodity"] == r["commodity"]
                        and x["origin"] == r["origin"] and x["destination"] == r["destination"]), None)
            if old is None or old["share_in"] is None:
                continue
            big = max(r.get("value_usd_bn") or 0.0, old.get("value_usd_bn") or 0.0) >= 1.0  # US$ 1 bn or more
            if big and {r["origin"], r["destination"]} & {"RUS", "CHN", "EU27", "REG_EUROPE", "USA"} \
                    and "ROW" not in (r["origin"], r["destination"]):
                ch.append((r["share_in"] - old["share_in"], r, old))
        ch.sort(key=lambda x: (-abs(x[0]), x[1]["commodity"], x[1]["origin"]))
        s.p("Largest shifts in import shares involving a main actor (flows worth US$ 1 bn or more):")
        s.table(["commodity", "supplier → importer", f"share {y0}", f"share {y}", "change (pp)", "sources"],
                [[COMMODITY.get(r["commodity"], r["commodity"]), f"{name[r['origin']]} → {name[r['destination']]}",
                  pct(o["share_in"]), pct(r["share_in"]), f"{100 * d:+.1f}",
                  _cite(set(pair_refs.get((y, r["commodity"], r["origin"], r["destination"]), []))
                        | set(pair_refs.get((y0, r["commodity"], r["origin"], r["destination"]), [])))]
                 for d, r, o in ch[:15]])
        doc.append(s)

    for extra in _extra_sections(data, rep):
        doc.append(extra)

    s = Section("Caveats")
    s.bullets(rep.notes)
    doc.append(s)
    s = Section("Sources")
    s.items.append(("sources", rep.tables["sources"]))
    doc.append(s)
    return doc


def _extra_sections(data: Data, rep: Report) -> list[Section]:
    """Sections contributed by optional modules (scenarios, product-level trade) when present."""
    out = []
    try:
        from ..scenario.report import scenario_section
    except ImportError:
        scenario_section = None
    if scenario_section is not None and data.path is not None:
        sec = scenario_section(data)
        if sec:
            s = Section(sec["title"])
            for item in sec["items"]:
                s.items.append(tuple(item))
            out.append(s)
    from .revenue import revenue_section  # issue 13: revenue at each flow's price

    sec = revenue_section(data)
    if sec:
        s = Section(sec["title"])
        for item in sec["items"]:
            s.items.append(tuple(item))
        out.append(s)
    try:
        from ..bulk.report import product_section
    except ImportError:
        product_section = None
    if product_section is not None and data.path is not None:
        sec = product_section(data.path)
        if sec:
            s = Section(sec.get("title") or f"Products where the EU, China and the US depend on one supplier, "
                                              f"{sec.get('year')}")
            s.p(f"Product-level trade ({sec.get('source', 'hs6')}): HHI of suppliers above "
                f"{sec.get('threshold', STRATEGIC_HHI)}, ranked by import value (US$ bn).")
            for block in sec.get("importers", []):
                s.p(f"**{block['name']}**" + (f" — {block['note']}" if block.get("note") else ""))
                if block["rows"]:
                    s.table(["product", "description", "top supplier", "its share", "HHI", "imports (US$ bn)",
                             "suppliers"],
                            [[r["product"], r.get("description") or "", r["top_supplier"], pct(r["top_share"]),
                              f"{r['hhi']:.3f}", _fmt(float(r["import_value"])), r["suppliers"]]
                             for r in block["rows"]])
            out.append(s)
    return out


def _md_table(columns: list[str], rows: list[list[Any]]) -> str:
    keep = [i for i, c in enumerate(columns) if c != "" or any(r[i] not in ("", None) for r in rows)]
    cols = [columns[i] for i in keep]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(str(_fmt(r[i])).replace("|", "\\|") for i in keep) + " |")
    return "\n".join(lines)


def to_markdown(doc: list[Section], rep: Report, chart_dir: str = "charts") -> tuple[str, dict[str, str]]:
    """Markdown text and the chart files it links (name -> SVG)."""
    out = [f"# Dependency report {rep.year}" + (f" (vs {rep.compare_year})" if rep.compare_year else ""), "",
           "Generated by `netdep report` from the bundled data; every figure cites its source as [n].", ""]
    files = {}
    for s in doc:
        out += [f"## {s.title}", ""]
        for item in s.items:
            kind = item[0]
            if kind == "p":
                out += [item[1], ""]
            elif kind == "list":
                out += [f"- {x}" for x in item[1]] + [""]
            elif kind == "table":
                out += [_md_table(item[1], item[2]), ""]
            elif kind == "chart":
                files[f"{item[1]}.svg"] = item[2]
                out += [f"![{item[3]}]({chart_dir}/{item[1]}.svg)", "", f"*{item[3]}*", ""]
            elif kind == "sources":
                out += [f"{x['n']}. <a id=\"src-{x['n']}\"></a>{x['title']} — {x['publisher']}"
                        f"{', ' + x['published'] if x['published'] else ''}. <{x['url']}>" for x in item[1]] + [""]
    return "\n".join(out), files


def _inline_md(text: str) -> str:
    import re

    text = escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"\[(\d+)\]", r"<a href='#src-\1'>[\1]</a>", text)


CSS = """body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.88em}th,td{border:1px solid #ddd;padding:3px 7px;
text-align:left;vertical-align:top}th{background:#f4f6f8}tr:nth-child(even) td{background:#fafbfc}
figure{margin:1em 1em 1em 0;display:inline-block;vertical-align:top}
figcaption{color:#555;font-size:.85em}svg{max-width:100%;height:auto}
.lead li{margin:.3em 0}ol.sources li{margin:.25em 0;font-size:.9em;overflow-wrap:anywhere}nav a{margin-right:1em}"""


def to_html(doc: list[Section], rep: Report) -> str:
    """A single self-contained HTML page (inline CSS and SVG; no external resources)."""
    title = f"netdep dependency report {rep.year}" + (f" vs {rep.compare_year}" if rep.compare_year else "")
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             f"<title>{escape(title)}</title><style>{CSS}</style></head><body>", f"<h1>{escape(title)}</h1>",
             "<nav>" + "".join(f"<a href='#sec-{i}'>{escape(s.title.split(',')[0])}</a>"
                               for i, s in enumerate(doc)) + "</nav>"]
    for i, s in enumerate(doc):
        parts.append(f"<section id='sec-{i}'><h2>{escape(s.title)}</h2>")
        for item in s.items:
            kind = item[0]
            if kind == "p":
                parts.append(f"<p>{_inline_md(item[1])}</p>")
            elif kind == "list":
                parts.append("<ul class='lead'>" + "".join(f"<li>{_inline_md(x)}</li>" for x in item[1]) + "</ul>")
            elif kind == "table":
                cols, rows = item[1], item[2]
                keep = [k for k, c in enumerate(cols) if c != "" or any(r[k] not in ("", None) for r in rows)]
                parts.append("<table><thead><tr>" + "".join(f"<th>{escape(cols[k])}</th>" for k in keep)
                             + "</tr></thead><tbody>")
                for r in rows:
                    parts.append("<tr>" + "".join(f"<td>{_inline_md(_fmt(r[k]))}</td>" for k in keep) + "</tr>")
                parts.append("</tbody></table>")
            elif kind == "chart":
                parts.append(f"<figure class='chart' id='chart-{item[1]}'>{item[2]}"
                             f"<figcaption>{_inline_md(item[3])}</figcaption></figure>")
            elif kind == "sources":
                parts.append("<ol class='sources'>" + "".join(
                    f"<li id='src-{x['n']}'>{escape(x['title'])} — {escape(x['publisher'])}"
                    f"{', ' + escape(x['published']) if x['published'] else ''}. "
                    f"<a href='{escape(x['url'], quote=True)}' rel='noreferrer'>{escape(x['url'])}</a></li>"
                    for x in item[1]) + "</ol>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


JSON_FIELDS = {
    "dependencies": ("year", "layer", "commodity", "origin", "destination", "value", "unit", "share_in", "share_out",
                     "share_of_consumption"),
    "concentration": ("year", "layer", "commodity", "actor", "side", "hhi", "top_partner", "top_share",
                      "unattributed_share", "partners"),
    "centrality": ("year", "layer", "commodity", "actor", "measure", "value"),
}


def to_json(rep: Report) -> str:
    """One JSON object: meta, headlines, notes and every table as records."""
    obj: dict[str, Any] = {"meta": {"year": rep.year, "compare_year": rep.compare_year, "layers": list(rep.layers),
                                    "latest_energy_year": rep.latest_energy_year, "generator": "netdep report"},
                           "headlines": rep.headlines, "notes": rep.notes}
    for name, rows in rep.tables.items():
        fields = JSON_FIELDS.get(name)
        obj[name] = [{k: r.get(k) for k in fields} for r in rows] if fields else rows
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, default=str)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def write_report(data: Data, rep: Report, out: Path, formats: tuple[str, ...] = ("md", "html")) -> list[Path]:
    """Write report.md (+ charts/*.svg) and/or report.html into ``out``; return the paths written."""
    doc = document(data, rep)
    written = []
    if "md" in formats:
        md, files = to_markdown(doc, rep)
        for fname, svg in files.items():
            _atomic_write(out / "charts" / fname, svg)
            written.append(out / "charts" / fname)
        _atomic_write(out / "report.md", md)
        written.insert(0, out / "report.md")
    if "html" in formats:
        _atomic_write(out / "report.html", to_html(doc, rep))
        written.insert(0, out / "report.html")
    return written


def summary(rep: Report) -> str:
    """A short terminal summary: the headlines."""
    head = f"netdep report {rep.year}" + (f" (vs {rep.compare_year})" if rep.compare_year else "")
    return "\n".join([head, ""] + [f"• {h}" for h in rep.headlines])
