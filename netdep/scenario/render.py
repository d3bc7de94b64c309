"""Render a scenario result (Markdown, self-contained HTML, JSON) and a sweep (chart series, SVG, PNG)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ..reporting import charts
from ..reporting.headlines import COMMODITY, pct, short_name
from ..reporting.render import CSS
from ..store import Data
from .results import ScenarioResult

__all__ = ["sections", "to_markdown", "to_html", "to_json", "sweep_series", "sweep_svgs", "sweep_png"]

MAIN = ("RUS", "CHN", "EU27", "USA")


def _f(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def sections(data: Data, res: ScenarioResult, top: int = 20) -> list[tuple[str, list[tuple]]]:
    """(title, items) with items ("p", text) | ("list", texts) | ("table", columns, rows)."""
    name = {a["actor"]: short_name(data, a["actor"]) for a in data.rows("actors")}
    out: list[tuple[str, list[tuple]]] = []
    out.append(("Headlines", [("list", res.headlines), ("p", res.description)]))
    if res.moves:
        rows = [[m["op"], m["type"], COMMODITY.get(m["commodity"], m["commodity"]), name[m["origin"]],
                 name.get(m["from"], "–") if m["from"] else "(new)", name[m["to"]], m["route"] or "–",
                 f"{m['requested']:.4g} {m['unit']}", f"{m['moved']:.4g} {m['unit']}", m["bound"], m["detail"]]
                for m in res.moves]
        out.append(("Moves and the capacity bounds that bit", [
            ("list", res.bounds),
            ("table", ["op", "type", "commodity", "origin", "from", "to", "route", "requested", "moved", "bound",
                       "detail"], rows)]))
    out += displacement_section(data, res)
    dep = []
    gone = {"share_in": 0.0, "share_out": 0.0}  # no flow: a share of 0
    for size, d, rb, ra in res.ranked("dependencies", top):
        rb, ra = rb or gone, ra or gone
        dep.append([d["layer"], COMMODITY.get(d["commodity"], "all") if d["commodity"] != "*" else "layer total",
                    f"{name.get(d['origin'], d['origin'])} → {name.get(d['destination'], d['destination'])}",
                    pct((rb or {}).get("share_in")), pct((ra or {}).get("share_in")),
                    pct((rb or {}).get("share_out")), pct((ra or {}).get("share_out")), f"{100 * size:.1f}"])
    out.append((f"Dependencies: the {top} largest shifts", [
        ("p", "share_in: the importer's share of its imports from the exporter; share_out: the exporter's share of "
              "its exports going to the importer. Ranked by the larger change, in percentage points."),
        ("table", ["layer", "commodity", "exporter → importer", "share_in before", "after", "share_out before",
                   "after", "shift (pp)"], dep)]))
    conc = [[d["layer"], COMMODITY.get(d["commodity"], d["commodity"]), name.get(d["actor"], d["actor"]),
             "suppliers" if d["side"] == "in" else "buyers", _f((rb or {}).get("hhi")), _f((ra or {}).get("hhi")),
             f"{size:+.4f}" if size else "", name.get((ra or rb or {}).get("top_partner"), "–")]
            for size, d, rb, ra in res.ranked("concentration", top)]
    out.append((f"Concentration (HHI): the {top} largest shifts", [
        ("table", ["layer", "commodity", "actor", "side", "HHI before", "after", "|shift|", "top partner after"],
         conc)]))
    cent = [[d["layer"], d["commodity"], name.get(d["actor"], d["actor"]), d["measure"],
             _f((rb or {}).get("value")), _f((ra or {}).get("value")), _f(d.get("value")), f"{100 * size:.2f}%"]
            for size, d, rb, ra in res.ranked("centrality", top)]
    out.append((f"Centrality: the {top} largest shifts", [
        ("p", "Ranked by the change relative to the largest value of that measure in that graph."),
        ("table", ["layer", "commodity", "actor", "measure", "before", "after", "delta", "relative shift"], cent)]))
    return out


def _md_table(cols: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def to_markdown(data: Data, res: ScenarioResult) -> str:
    out = [f"# Scenario: {res.name}", "", f"Base year {res.year}; file `{res.path}`.", ""]
    for title, items in sections(data, res):
        out += [f"## {title}", ""]
        for it in items:
            if it[0] == "p":
                out += [it[1], ""]
            elif it[0] == "list":
                out += [f"- {x}" for x in it[1]] + [""]
            elif it[0] == "table":
                out += [_md_table(it[1], it[2]), ""]
    return "\n".join(out)


def to_html(data: Data, res: ScenarioResult) -> str:
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>Scenario: {escape(res.name)}</title><style>{CSS}</style></head><body>",
             f"<h1>Scenario: {escape(res.name)}</h1><p>Base year {res.year}; file <code>{escape(str(res.path))}"
             "</code>.</p>"]
    chart = headline_chart(data, res)
    for title, items in sections(data, res):
        parts.append(f"<section><h2>{escape(title)}</h2>")
        for it in items:
            if it[0] == "p":
                parts.append(f"<p>{escape(it[1])}</p>")
            elif it[0] == "list":
                parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in it[1]) + "</ul>")
            elif it[0] == "table":
                parts.append("<table><thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in it[1]) +
                             "</tr></thead><tbody>" + "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r)
                                                           + "</tr>" for r in it[2]) + "</tbody></table>")
        if title == "Headlines" and chart:
            parts.append(f"<figure>{chart}<figcaption>Key shares before and after.</figcaption></figure>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def key_shares(data: Data, before: dict, after: dict) -> list[tuple[str, float | None, float | None]]:
    """(label, before, after) for the main actors' layer-level dependences that the scenario moved."""
    import re

    from .headlines import _candidates

    rows = []
    pat = re.compile(r"^(.+?)'s dependence on (.+?) as a (buyer|supplier) of its (\w+) \w+ (?:rises|falls) "
                     r"from ([\d.]+)% to ([\d.]+)%$")
    for actor in MAIN:
        for _, s in _candidates(data, before, after, actor)[:2]:
            m = pat.match(s)
            if m:
                who, on, role, layer, a, b = m.groups()
                code = {"Russia": "RUS", "China": "CHN", "the EU": "EU", "The EU": "EU", "Europe": "EUR",
                        "the US": "US", "The US": "US"}
                rows.append((f"{code.get(who, who)} on {code.get(on, on)}, {role}, {layer}", float(a) / 100,
                             float(b) / 100))
    return rows


def headline_chart(data: Data, res: ScenarioResult) -> str | None:
    rows = key_shares(data, res.before, res.after)
    if not rows:
        return None
    return charts.paired_bars(rows, ("before", "after"), f"{res.name}: key shares")


def to_json(res: ScenarioResult) -> str:
    return json.dumps(res.to_json_obj(), ensure_ascii=False, allow_nan=False, default=str)


# ---- sweeps -------------------------------------------------------------------------------------------------

def sweep_series(data: Data, table, scenario) -> tuple[list[float], dict[str, list], dict[str, list]]:
    """x values, supply-side dependence (energy layer) per main actor, and key shares per step (from a sweep's
    long table)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    xs = sorted(set(table.column("param").to_pylist()))
    steps = sorted(set(table.column("step").to_pylist()))
    layer = "energy"
    cent = table.filter(pc.and_(pc.and_(pc.equal(table["table"], "centrality"), pc.equal(table["layer"], layer)),
                                pc.and_(pc.equal(table["commodity"], "*"),
                                        pc.equal(table["measure"], "supply_dependence"))))
    dc: dict[str, list] = {}
    vals = {(r["actor"], r["step"]): r["value"] for r in cent.select(["actor", "step", "value"]).to_pylist()}
    for a in MAIN:
        a2 = a if any(k[0] == a for k in vals) else ("REG_EUROPE" if a == "EU27" else a)
        if any(k[0] == a2 for k in vals):
            dc[short_name(data, a2)] = [vals.get((a2, s)) for s in steps]
    dep = table.filter(pc.equal(table["table"], "dependencies"))
    dep = dep.filter(pc.is_in(dep["measure"], value_set=pa.array(["share_in", "share_out"])))
    cols = ["layer", "commodity", "origin", "destination", "measure", "step", "value"]
    dvals = {tuple(r[c] for c in cols[:6]): r["value"] for r in dep.select(cols).to_pylist()}
    shares: dict[str, list] = {}
    wanted = []
    for op in scenario.spec.operations:
        f = op.fields
        if op.type == "reroute":
            wanted += [(f["commodity"], f["origin"], f["from"], "share_out"), (f["commodity"], f["origin"], f["to"],
                                                                                "share_out")]
        elif op.type in ("add_flow",):
            wanted += [(f["commodity"], f["origin"], f["destination"], "share_in")]
        elif op.type == "scale" and "origin" in f and "destination" in f:
            wanted += [(f.get("commodity", "goods" if f.get("layer") == "trade" else "fdi_stock"), f["origin"],
                        f["destination"], "share_in")]
    wanted.append(("*", "RUS", "CHN", "share_out"))
    for c, o, d, m in dict.fromkeys(wanted):
        layer = next((k[0] for k in dvals if k[1] == c), None)
        if layer is None:
            continue
        series = [dvals.get((layer, c, o, d, m, s), 0.0) for s in steps]  # no flow: a share of 0
        cname = "energy" if c == "*" else COMMODITY.get(c, c)
        if m == "share_out":
            label = f"{short_name(data, d)}'s share of {short_name(data, o)}'s {cname} exports"
        else:
            label = f"{short_name(data, o)}'s share of {short_name(data, d)}'s {cname} imports"
        if any(v for v in series):
            shares[label] = series
    return xs, dc, shares


def relative(dc: dict[str, list]) -> dict[str, list]:
    """Each series as % change from its first value, labelled with that value (small shifts stay visible)."""
    out = {}
    for k, ys in dc.items():
        y0 = ys[0]
        if y0:
            out[f"{k} ({y0:.4f} at start)"] = [None if y is None else 100 * (y - y0) / y0 for y in ys]
    return out


def sweep_svgs(data: Data, res, scenario) -> dict[str, str]:
    xs, dc, shares = sweep_series(data, res.table, scenario)
    out = {}
    if dc:
        out["sweep_centrality.svg"] = charts.lines(xs, relative(dc), f"{scenario.name}: supply-side dependence",
                                                   res.param, "% change from the first step")
    if shares:
        out["sweep_shares.svg"] = charts.lines(xs, {k[:28]: v for k, v in shares.items()},
                                               f"{scenario.name}: key shares", res.param, "share")
    return out


def sweep_png(data: Data, res, scenario, path) -> None:
    """Two panels: supply-side dependence of the main actors, and the key shares, against the parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs, dc, shares = sweep_series(data, res.table, scenario)
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2), constrained_layout=True)
    for label, ys in relative(dc).items():
        axes[0].plot(xs, ys, label=label, lw=2)
    layer = "across layers" if "all" in set(res.table.column("layer").to_pylist()) else "in the energy layer"
    axes[0].set_title(f"Supply-side dependence ({layer} layer): change from the first step")
    axes[0].set_xlabel(res.param)
    axes[0].set_ylabel("% change (legend: value at the first step)")
    axes[0].axhline(0, color="#999", lw=0.8)
    axes[0].legend(fontsize=9)
    axes[0].grid(alpha=0.3)
    for label, ys in shares.items():
        axes[1].plot(xs, [100 * (y or 0) for y in ys], label=label, lw=2)
    axes[1].set_title("Key shares")
    axes[1].set_xlabel(res.param)
    axes[1].set_ylabel("%")
    axes[1].legend(fontsize=8)
    axes[1].grid(alpha=0.3)
    fig.suptitle(f"{scenario.name}: sweep of {res.param}", fontsize=12)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def displacement_section(data: Data, res: ScenarioResult) -> list[tuple[str, list[tuple]]]:
    """The market closure: each affected importer's balance and every supplier whose flow to it changed."""
    name = {a["actor"]: short_name(data, a["actor"]) for a in data.rows("actors")}
    bal = [r for r in res.displacement if r["kind"] == "balance"]
    items: list[tuple] = [("p", f"Closure: {res.closure}. Demand is the importer's base-year total unless an "
                                "operation sets it; after + unmet − excess = demand.")]
    if bal:
        items.append(("table", ["group", "importer", "demand", "base", "after operations", "after closure", "unmet",
                                "excess", "bound"],
                      [[r["group"], name.get(r["importer"], r["importer"]), f"{r['demand']:.4g}", f"{r['base']:.4g}",
                        f"{r['after_ops']:.4g}", f"{r['after']:.4g}", f"{r['unmet']:.4g}", f"{r['excess']:.4g}",
                        r["bound"]] for r in bal]))
        sup = sorted((r for r in res.displacement if r["kind"] == "supplier"),
                     key=lambda r: (r["group"], r["importer"], r["after"] - r["base"], r["supplier"]))
        items.append(("table", ["importer", "commodity", "supplier", "base", "after operations", "after closure",
                                "change"],
                      [[name.get(r["importer"], r["importer"]), COMMODITY.get(r["commodity"], r["commodity"]),
                        name.get(r["supplier"], r["supplier"]), f"{r['base']:.4g}", f"{r['after_ops']:.4g}",
                        f"{r['after']:.4g}", f"{r['after'] - r['base']:+.4g}"] for r in sup]))
    return [("Market closure: who is displaced", items)]
