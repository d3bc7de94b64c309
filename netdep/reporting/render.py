"""Render a :class:`~netdep.reporting.compute.Report` as Markdown, self-contained HTML or JSON.

The document is built once (:func:`document`) as sections of paragraphs,
tables and SVG charts, then written in each format. Every figure cites its
sources as ``[n]``, numbered in the report's source list.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..geography import DISPLAY_LAYER_ORDER, MAIN_ACTORS, MAIN_AND_EUROPE, all_layers, europe_actor, europe_in
from ..graph import cross_layer_graph, layer_graph
from ..metrics.concentration import STRATEGIC_HHI
from ..schema import RECORD_FIELDS
from ..store import Data
from .charts import POSITIONS
from .compute import Report
from .document import Document, Section
from .figures import Chart, source_line
from .formats import atomic_write, render, write
from .formats.html import CSS
from .formats.text import fmt_cell
from .headlines import COMMODITY, pct, short_name

__all__ = ["document", "report_document", "to_markdown", "to_html", "to_json", "write_report", "summary",
           "Section", "CSS"]


_fmt = fmt_cell  # one cell format for every table of the report


def _ranged(r: dict, key: str) -> str:
    """A share with its range over the alternative figures where it has one (issue 15): "15.0% [14.2–15.9]"."""
    from ..metrics.ranges import range_text

    lo, hi = r.get(f"{key}_low"), r.get(f"{key}_high")
    return pct(r[key]) if lo is None or hi is None or lo == hi else range_text(r[key], lo, hi)


def _ranged_hhi(r: dict) -> str:
    """An HHI with its range over the alternative figures where it has one: "0.254 [0.250–0.262]"."""
    from ..metrics.ranges import range_text

    return range_text(r["hhi"], r.get("hhi_low"), r.get("hhi_high"), lambda v: f"{v:.3f}")


def _refs(data: Data, rep: Report) -> tuple[dict[str, int], dict[tuple, list[int]]]:
    """Source number per source_id, and the source numbers of each (year, commodity, origin, destination)."""
    num = {s["source_id"]: s["n"] for s in rep.tables["sources"]}
    pair: dict[tuple, set[int]] = {}
    for f in data.rows("flows"):
        if f["source_id"] in num:
            pair.setdefault((f["year"], f["commodity"], f["origin"], f["destination"]), set()).add(num[f["source_id"]])
    return num, {k: sorted(v) for k, v in pair.items()}


def _srcline(rep: Report, ns: set[int] | list[int]) -> str:
    """A chart's source line from the report's numbered sources ``ns``."""
    rows = [x for x in rep.tables["sources"] if x["n"] in set(ns)]
    return source_line(rows) + (f" [{', '.join(str(x['n']) for x in rows)}]" if rows else "")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _network_chart(G, y: int, name: dict[str, str], source: str, max_edges: int = 45) -> Chart:
    """The energy network as a schematic map: the largest flows, circles sized by total trade."""
    edges = sorted(G.edges(data="value", default=0.0), key=lambda e: (-e[2], e[0], e[1]))[:max_edges]
    shown = sorted({a for o, d, _ in edges for a in (o, d)})
    nodes = {}
    for a in shown:
        lon, lat = POSITIONS.get(a, (0, -50))
        nodes[a] = (lon, lat, G.in_degree(a, weight="value") + G.out_degree(a, weight="value"), _cap(name.get(a, a)))
    return Chart("energy_network", "network", {"nodes": nodes, "edges": [list(e) for e in edges]},
                 title="Energy trade between actors: crude oil, oil products, pipeline gas, LNG, coal", year=y,
                 unit=G.graph.get("unit", "EJ"), source=source)


def _cite(ns: list[int] | set[int]) -> str:
    return "".join(f"[{n}]" for n in sorted(ns))


_eu = europe_actor  # which actor stands for Europe in a (layer, commodity) graph: netdep.geography


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
    for layer in (*rep.layers, "all") if all_layers(rep.layers) else rep.layers:
        G = cross_layer_graph(data, y) if layer == "all" else layer_graph(data, y, layer)
        if G.number_of_edges() == 0:
            continue
        four = [europe_in(G) if a == "EU27" else a for a in MAIN_ACTORS]
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
        s.chart(f"matrix_{layer}", Chart(
            f"matrix_{layer}", "heatmap", {"rows": labels, "cols": labels, "values": vals},
            title=f"Import shares among the four main actors: {heading.lower()}", year=y,
            unit=f"share of the row actor's imports ({G.graph['unit']}) from the column actor",
            source=_srcline(rep, refs)),
                f"Import-share matrix, {layer} {y}. Sources: {_cite(refs)}")
    doc.append(s)

    # top dependencies of each main actor
    s = Section(f"Each main actor's top dependencies, {y}")
    for actor in MAIN_AND_EUROPE:
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
        for role, partner, r, _share in items[:8]:
            key = "share_in" if role == "supplier" else "share_out"
            old = next((x[key] for x in t["dependencies"] if x["year"] == y0 and x["commodity"] == r["commodity"]
                        and x["origin"] == r["origin"] and x["destination"] == r["destination"]), None)
            listed_only = r.get("coverage_in" if role == "supplier" else "coverage_out", 0.0) is None
            table.append([COMMODITY.get(r["commodity"], r["commodity"]), f"{name[partner]} ({role})",
                          _fmt(r["value"]) + f" {r['unit']}", _ranged(r, key) + ("*" if listed_only else ""),
                          pct(old) if y0 else "",
                          _cite(pair_refs.get((y, r["commodity"], r["origin"], r["destination"]), []))])
        s.p(f"**{name[actor]}** — largest shares of its imports (supplier) and exports (buyer); * marks a share of "
            "the listed partners only (no world total known):")
        s.table(["commodity", "partner", "flow", f"share {y}", f"share {y0}" if y0 else "", "sources"], table)
    doc.append(s)

    # concentration
    s = Section(f"Supplier concentration (HHI), {y}")
    s.p(f"Herfindahl–Hirschman index of each actor's suppliers ({STRATEGIC_HHI} is the EU/GeoDep concentration "
        "threshold, red). Remainders (rest of world, 'Other …') count as many small suppliers. Coverage: share of the "
        "world total held by named suppliers ('?' where no world total is known: shares are of the listed partners "
        "only). Strategic: the three EU/GeoDep criteria (HHI > 0.4; the fuel's imports > 50% of its consumption; "
        "imports above exports), computed only where coverage is known, else '?' with the reason. Gas = pipeline + "
        "LNG and oil = crude + products are screened as fuels too.")
    conc = [r for r in t["concentration"] if r["year"] == y and r["side"] == "in"
            and r["actor"] in (*MAIN_AND_EUROPE, "IND", "JPN", "KOR", "TUR")]
    conc.sort(key=lambda r: (r["commodity"], -r["hhi"]))
    rows = []
    for r in conc:
        r0 = next((x for x in t["concentration"] if x["year"] == y0 and x["commodity"] == r["commodity"]
                   and x["actor"] == r["actor"] and x["side"] == "in"), None)
        rows.append([COMMODITY.get(r["commodity"], r["commodity"]), name[r["actor"]], _ranged_hhi(r),
                     "" if r0 is None else f"{r0['hhi']:.3f}", name.get(r["top_partner"], "–"), pct(r["top_share"]),
                     pct(r["unattributed_share"]), "?" if r.get("coverage") is None else pct(r["coverage"]),
                     {True: "**yes**", False: "no", None: "?"}[r.get("strategic")], r.get("strategic_reason") or ""])
    s.table(["commodity", "actor", f"HHI {y}", f"HHI {y0}" if y0 else "", "top supplier", "its share",
             "remainder", "coverage", "strategic", "why"], rows)
    main = [r for r in conc if r["actor"] in MAIN_AND_EUROPE]
    if main:
        items = [(f"{name[r['actor']]} · {COMMODITY.get(r['commodity'], r['commodity'])}", r["hhi"]) for r in main]
        bars = {"items": items, "threshold": STRATEGIC_HHI, "xmax": 1.0, "fmt": "{:.3f}"}
        if any(r.get("hhi_low") is not None and r["hhi_low"] != r["hhi_high"] for r in main):  # issue 15
            bars["errors"] = [[r.get("hhi_low", r["hhi"]), r.get("hhi_high", r["hhi"])] for r in main]
        s.chart("hhi", Chart("hhi", "bars", bars,
                             title="Supplier concentration of the main actors' imports", year=y,
                             unit=f"Herfindahl–Hirschman index of suppliers (0–1; above {STRATEGIC_HHI}: strategic)",
                             source=_srcline(rep, layer_refs.get((y, "energy"), set()) | layer_refs.get((y, "trade"),
                                                                                                          set()))),
                f"Supplier HHI by actor and commodity, {y}")
    doc.append(s)

    # vulnerability
    vul = [r for r in t.get("vulnerability", []) if r["year"] == y]
    if vul:
        s = Section(f"Vulnerability: supply others could not replace, {y}")
        s.p("For each large supplier of a main actor: the volume at risk, how much other suppliers could bring in "
            "through the spare capacity of known routes (pipelines, LNG terminals; pipeline gas and LNG substitute), "
            "and the rest. Only other suppliers' routes count, a pipeline only up to its supplier's known spare export "
            "capacity; 'unknown' means no capacity is known (e.g. seaborne imports), not that none exists — "
            "'known at least' is what the known routes give.")
        s.table(["actor", "commodity", "partner", "at risk", "share of imports", "replaceable", "known at least",
                 "unreplaceable", "basis"],
                [[name[r["actor"]], COMMODITY.get(r["commodity"], r["commodity"]), name[r["partner"]],
                  _fmt(r["at_risk"]), pct(r["share_in"]), "unknown" if r["replaceable"] is None else
                  _fmt(r["replaceable"]), _fmt(r.get("replaceable_known")),
                  "unknown" if r["unreplaceable"] is None else _fmt(r["unreplaceable"]),
                  r["basis"]] for r in sorted(vul, key=lambda r: (r["actor"], r["commodity"], -r["at_risk"]))])
        doc.append(s)

    # asymmetry
    asym = [r for r in t["asymmetry"] if r["year"] == y]
    if asym:
        s = Section(f"Asymmetry: who needs whom more, {y}")
        s.p("For each relationship 'supplier → buyer' (Keohane & Nye 1977): the buyer's dependence on the supplier "
            "(share of the buyer's imports) against the supplier's dependence on the buyer (share of the supplier's "
            "exports); asymmetry = the first − the second: positive means the buyer needs this supplier more than "
            "the supplier needs this buyer. '*' marks a share of the listed partners only (no world total).")

        def _pq(x, c):
            return pct(x) + ("*" if c is None else "")

        s.table(["layer", "supplier", "buyer", "buyer's dependence", "supplier's dependence", "asymmetry"],
                [[r["layer"], name[r["supplier"]], name[r["buyer"]], _pq(r["buyer_dependence"], r["coverage_in"]),
                  _pq(r["supplier_dependence"], r["coverage_out"]), f"{r['asymmetry']:+.3f}"] for r in asym])
        doc.append(s)

    # centrality
    s = Section(f"Centrality rankings, {y}")
    s.p("Per layer (energy in EJ, trade and FDI in US$) and across layers (goods ex-energy + energy, US$; FDI stocks "
        "left out): supply-side dependence (Σ over importers of the share of their imports the actor supplies), "
        "market-side dependence (Σ over exporters of the share of their exports it buys), importer-side PageRank "
        "(networkx on exporter→importer edges: ranks big buyers), exporter-side PageRank (on reversed edges: ranks "
        "big suppliers), eigenvector centrality where the graph is strongly connected and Katz where not, "
        "betweenness and strength. See the README for definitions.")
    cent = [r for r in t["centrality"] if r["year"] == y and r["commodity"] == "*"]
    for layer in sorted({r["layer"] for r in cent}, key=DISPLAY_LAYER_ORDER.index):
        by = {}
        for r in cent:
            if r["layer"] == layer:
                by.setdefault(r["actor"], {})[r["measure"]] = r["value"]
        order = sorted(by, key=lambda a: (-by[a].get("supply_dependence", 0), a))[:10]
        ev = "eigenvector" if any("eigenvector" in v for v in by.values()) else "katz"
        s.p(f"**{layer}** (ranked by supply-side dependence; {ev} computed for this graph)")
        s.table(["actor", "supply-side dependence", "market-side dependence", "PageRank (importer side)",
                 "PageRank (exporter side)", ev, "betweenness", "in-strength", "out-strength"],
                [[name[a], _fmt(by[a].get("supply_dependence")), _fmt(by[a].get("market_dependence")),
                  _fmt(by[a].get("pagerank")), _fmt(by[a].get("pagerank_exporter")), _fmt(by[a].get(ev)),
                  _fmt(by[a].get("betweenness")), _fmt(by[a].get("in_strength")), _fmt(by[a].get("out_strength"))]
                 for a in order])
        if layer == "energy":
            items = [(name[a], by[a].get("supply_dependence", 0.0)) for a in order]
            s.chart("supply_dependence", Chart(
                "supply_dependence", "bars", {"items": items, "fmt": "{:.2f}"},
                title="Supply-side dependence, energy layer", year=y,
                unit="supply-side dependence (sum of the import shares others take from the actor)",
                source=_srcline(rep, layer_refs.get((y, "energy"), set()))),
                    f"Supply-side dependence in the energy layer, {y}")
    sens = [r for r in t.get("cross_layer_sensitivity", []) if r["year"] == y]
    if sens:
        from ..metrics.sensitivity import robust_ranking

        s.p("**Cross-layer weights.** How the top three move as the weights of goods ex-energy (w_trade) and "
            "energy (w_energy) move; a ranking that changes is not reported as a finding.")
        rows = []
        for m in sorted({r["measure"] for r in sens}):
            stable, by_w = robust_ranking(sens, m)
            for (wt, we), top in sorted(by_w.items()):
                rows.append([m, f"{wt:g}", f"{we:g}", ", ".join(name.get(a, a) for a in top),
                             "stable" if stable else "changes"])
        s.table(["measure", "w_trade", "w_energy", "top three", "across weights"], rows)
    doc.append(s)

    if "energy" in rep.layers:
        s = Section(f"The energy network, {y}")
        G = layer_graph(data, y, "energy")
        s.chart("energy_network", _network_chart(G, y, name, _srcline(rep, layer_refs.get((y, "energy"), set()))),
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
            refs = set().union(*[v for (yy, lay), v in layer_refs.items() if yy in (y, y0) and lay == "energy"]
                               or [set()])
            pairs = {"items": items, "labels": (str(y0), str(y))}
            s.chart("russia_buyers", Chart("russia_buyers", "paired_bars", pairs,
                                           title=f"Russia's energy buyers, {y0} and {y}", year=f"{y0} and {y}",
                                           unit="share of Russia's exports of each fuel (in energy content)",
                                           source=_srcline(rep, refs)),
                    f"Russia's energy buyers: share of its exports of each fuel, {y0} and {y}. Sources: {_cite(refs)}")
        ch = []
        for r in t["dependencies"]:
            if r["year"] != y or r["share_in"] is None:
                continue
            old = next((x for x in t["dependencies"] if x["year"] == y0 and x["commodity"] == r["commodity"]
                        and x["origin"] == r["origin"] and x["destination"] == r["destination"]), None)
            if old is None or old["share_in"] is None:
                continue
            big = max(r.get("value_usd_bn") or 0.0, old.get("value_usd_bn") or 0.0) >= 1.0  # US$ 1 bn or more
            if big and {r["origin"], r["destination"]} & set(MAIN_AND_EUROPE) \
                    and "ROW" not in (r["origin"], r["destination"]):
                ch.append((r["share_in"] - old["share_in"], r, old))
        ch.sort(key=lambda x: (-abs(x[0]), x[1]["commodity"], x[1]["origin"]))
        s.p("Largest shifts in import shares involving a main actor (flows worth US$ 1 bn or more):")
        s.table(["commodity", "supplier → importer", f"share {y0}", f"share {y}", "change (pp)", "sources"],
                [[COMMODITY.get(r["commodity"], r["commodity"]), f"{name[r['origin']]} → {name[r['destination']]}",
                  _ranged(o, "share_in"), _ranged(r, "share_in"), f"{100 * d:+.1f}",
                  _cite(set(pair_refs.get((y, r["commodity"], r["origin"], r["destination"]), []))
                        | set(pair_refs.get((y0, r["commodity"], r["origin"], r["destination"]), [])))]
                 for d, r, o in ch[:15]])
        doc.append(s)

    sources = list(rep.tables["sources"])
    for extra in _extra_sections(data, rep, sources):
        doc.append(extra)

    s = Section("Caveats")
    s.bullets(rep.notes)
    doc.append(s)
    s = Section("Sources")
    s.items.append(("sources", sources))
    doc.append(s)
    return doc


def _extra_sections(data: Data, rep: Report, sources: list[dict] | None = None) -> list[Section]:
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
    from .timeseries import timeseries_section  # issue 10: yearly and monthly series

    ts = timeseries_section(data.path) if data.path is not None else None
    if ts:
        s = Section(ts["title"])
        s.items.extend(tuple(i) for i in ts["items"])
        out.append(s)
    from .ranges_section import ranges_section  # issue 15: ranges over alternative figures, mirror gaps

    sec = ranges_section(data, rep)
    if sec:
        out.append(Section(sec["title"], list(sec["items"])))
    from .revenue import revenue_section  # issue 13: revenue at each flow's price

    sec = revenue_section(data)
    if sec:
        s = Section(sec["title"])
        for item in sec["items"]:
            s.items.append(tuple(item))
        out.append(s)
    try:
        from ..bulk.report import product_section, product_years
    except ImportError:
        product_section = None
    if product_section is not None and data.path is not None and product_years(data.path):
        years = product_years(data.path)
        # the report's year when product-level data has it; otherwise the latest year before it, said so plainly
        py = rep.year if rep.year in years else max([x for x in years if x <= rep.year] or years)
        sec = product_section(data.path, year=py)
        if sec:
            cite = sec.get("citation")
            n = None
            if cite is not None and sources is not None:
                n = next((x["n"] for x in sources if x["source_id"] == cite["source_id"]), None)
                if n is None:
                    n = len(sources) + 1
                    sources.append({"n": n, **cite, "rows": 0})
            s = Section(f"{sec.get('title')}, {py}")
            ref = f" [{n}]" if n else ""
            s.p(f"Product-level trade from CEPII BACI{ref}, year {py}: HS6 products whose suppliers' HHI is above "
                f"{sec.get('threshold', STRATEGIC_HHI)}, ranked by import value (US$ bn, {py}).")
            if py != rep.year:
                s.p(f"**Year: {py}, not {rep.year}.** The product-level data here has no {rep.year} (years: "
                    f"{', '.join(map(str, years))}), so this section shows {py} and is not comparable with the "
                    f"{rep.year} figures in the rest of the report.")
            for block in sec.get("importers", []):
                s.p(f"**{block['name']}**" + (f" — {block['note']}" if block.get("note") else ""))
                if block["rows"]:
                    s.table(["product", "description", "top supplier", "its share", "HHI", "imports (US$ bn)",
                             "suppliers"],
                            [[r["product"], r.get("description") or "", r["top_supplier"], pct(r["top_share"]),
                              f"{r['hhi']:.3f}", _fmt(float(r["import_value"])), r["suppliers"]]
                             for r in block["rows"]])
            out.append(s)
    try:  # industry layers (OECD ICIO, netdep import icio): netdep.bulk.icio_report
        from ..bulk.icio_report import industry_report_section
    except ImportError:
        industry_report_section = None
    if industry_report_section is not None and data.path is not None:
        sec = industry_report_section(data.path, sources if sources is not None else rep.tables["sources"])
        if sec:
            out.append(Section(sec["title"], list(sec["items"])))
    return out


def report_document(data: Data, rep: Report) -> Document:
    """The report as a :class:`~netdep.reporting.document.Document` (sections end with the numbered sources)."""
    title = f"Dependency report {rep.year}" + (f" (vs {rep.compare_year})" if rep.compare_year else "")
    return Document(title, document(data, rep), stem="report",
                    intro="Generated by `netdep report` from the bundled data; every figure cites its source as [n].",
                    meta={"year": rep.year, "compare_year": rep.compare_year, "layers": list(rep.layers)})


def to_markdown(doc: list[Section], rep: Report, chart_dir: str = "charts") -> tuple[str, dict[str, str]]:
    """Markdown text and the SVG chart files it links (name -> SVG); see :mod:`netdep.reporting.formats`."""
    d = Document(f"Dependency report {rep.year}" + (f" (vs {rep.compare_year})" if rep.compare_year else ""), doc,
                 intro="Generated by `netdep report` from the bundled data; every figure cites its source as [n].")
    files = {}
    for s in d.all_sections():
        for name, chart, _ in s.charts():
            files[f"{name}.svg"] = chart.svg() if isinstance(chart, Chart) else chart
    return render(d, "md", chart_dir), files


def to_html(doc: list[Section], rep: Report) -> str:
    """A single self-contained HTML page (inline CSS and SVG; no external resources)."""
    title = f"netdep dependency report {rep.year}" + (f" vs {rep.compare_year}" if rep.compare_year else "")
    return render(Document(title, doc), "html")


JSON_FIELDS = RECORD_FIELDS  # the output record specs live in netdep.schema


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
    atomic_write(path, text)


def write_report(data: Data, rep: Report, out: Path, formats: tuple[str, ...] = ("md", "html"),
                 progress=None) -> list[Path]:
    """Write report.md and/or report.html into ``out``, each chart as charts/<name>.svg and .png; the paths
    written (documents first). ``progress(1)`` is called after each chart is drawn."""
    doc = report_document(data, rep)
    return write(doc, Path(out), tuple(f for f in ("md", "html") if f in formats), progress=progress)


def summary(rep: Report) -> str:
    """A short terminal summary: the headlines."""
    head = f"netdep report {rep.year}" + (f" (vs {rep.compare_year})" if rep.compare_year else "")
    return "\n".join([head, ""] + [f"• {h}" for h in rep.headlines])
