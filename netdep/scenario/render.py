"""Render a scenario result (Markdown, self-contained HTML, JSON) and a sweep (chart series, SVG, PNG)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from ..geography import DISPLAY_LAYER_ORDER, EUROPE, LAYER_WORD, MAIN_ACTORS, as_present
from ..reporting.document import Document, Section, number_sources
from ..reporting.figures import Chart, source_line
from ..reporting.formats import render, write
from ..reporting.formats.html import CSS  # noqa: F401  (kept importable from here)
from ..store import Data
from ..wording import COMMODITY, pct, short_name
from .results import ScenarioResult

__all__ = ["sections", "document", "to_markdown", "to_html", "to_json", "write_document", "key_shares",
           "headline_chart", "scenario_sources", "sweep_series", "sweep_svgs", "sweep_png"]

MAIN = MAIN_ACTORS  # netdep.geography


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
    out += revenue_section(data, res)
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


def scenario_sources(data: Data, res: ScenarioResult) -> list[dict]:
    """Numbered sources of what the scenario's measures are computed from: every flow of the base year
    (most-cited first), then the routes whose capacity a move used."""
    counts: dict[str, int] = {}
    for f in data.rows("flows"):
        if f["year"] == res.year:
            counts[f["source_id"]] = counts.get(f["source_id"], 0) + 1
    routes = {m.get("route") for m in res.moves if m.get("route")}
    for r in data.rows("routes"):
        if r["route"] in routes:
            counts.setdefault(r["source_id"], 0)
    return number_sources([x for x in data.rows("sources") if x["source_id"] in counts], counts)


def document(data: Data, res: ScenarioResult, stem: str | None = None) -> Document:
    """The scenario report as a :class:`~netdep.reporting.document.Document`: headlines with the key-shares
    chart, moves and bounds, the largest shifts, and the numbered sources."""
    stem = stem or (Path(res.path).stem if res.path else "scenario")
    srcs = scenario_sources(data, res)
    secs = []
    for title, items in sections(data, res):
        sec = Section(title, list(items))
        if title == "Headlines":
            chart = headline_chart(data, res, srcs)
            if chart is not None:
                sec.chart("key_shares", chart, f"The main actors' dependences that shift most, before and after "
                                               f"(base year {res.year}; sources listed at the end).")
        secs.append(sec)
    n = len(srcs)
    intro = (f"Base year {res.year}; file `{res.path}`. Measures before and after are computed from the "
             f"base year's flows, whose {n} sources are listed at the end" + (f" [1–{n}]." if n > 1 else "."))
    return Document(f"Scenario: {res.name}", secs, intro=intro, sources=srcs, stem=stem, chart_prefix=f"{stem}_",
                    meta={"scenario": res.name, "base_year": res.year, "file": str(res.path) if res.path else None})


def to_markdown(data: Data, res: ScenarioResult) -> str:
    """The scenario report in Markdown (charts linked as charts/<stem>_<name>.svg)."""
    return render(document(data, res), "md")


def to_html(data: Data, res: ScenarioResult) -> str:
    """The scenario report as one self-contained, responsive HTML page."""
    return render(document(data, res), "html")


def write_document(data: Data, res: ScenarioResult, out: Path, fmt: str, stem: str | None = None) -> list[Path]:
    """Write ``<stem>.<fmt>`` into ``out`` and its charts (SVG + PNG) into ``out/charts``; the paths."""
    return write(document(data, res, stem), out, (fmt,))


def key_shares(data: Data, before: dict, after: dict, per_actor: int = 2) -> list[tuple[str, float | None,
                                                                                         float | None]]:
    """(label, before, after) for the main actors' layer-level dependences the scenario moved most.

    For each main actor a and other main actor p, in each layer: a's dependence on p as a buyer (p's share
    of a's exports, ``share_out`` of a→p) and as a supplier (p's share of a's imports, ``share_in`` of
    p→a), read from the dependency records; the ``per_actor`` largest shifts of each actor (0.05 pp or more).
    In energy the EU is the Statistical Review's Europe when EU27 is absent.
    """
    def index(t: dict) -> dict[tuple, dict]:
        return {(r["layer"], r["origin"], r["destination"]): r for r in t["dependencies"] if r["commodity"] == "*"}

    b, a = index(before), index(after)
    rows = []
    for actor in MAIN:
        cands = []
        for layer in DISPLAY_LAYER_ORDER[:-1]:
            present = {k[i] for k in (*b, *a) if k[0] == layer for i in (1, 2)}

            def eu(x: str, present: set = present) -> str:
                return as_present(x, present)

            me = eu(actor)
            if me not in present:
                continue
            for p0 in MAIN:
                p = eu(p0)
                if p == me or p not in present:
                    continue
                for role, key, fld in (("buyer", (layer, me, p), "share_out"),
                                       ("supplier", (layer, p, me), "share_in")):
                    x, y = (b.get(key) or {}).get(fld), (a.get(key) or {}).get(fld)
                    if abs((y or 0.0) - (x or 0.0)) < 0.0005:
                        continue
                    noun = f"{LAYER_WORD[layer]} {'exports' if role == 'buyer' else 'imports'}"
                    who = short_name(data, me)
                    label = (f"{who[0].upper() + who[1:]}'s dependence on {short_name(data, p)} as a {role} of its "
                             f"{noun}")
                    cands.append((abs((y or 0.0) - (x or 0.0)), label, x or 0.0, y or 0.0))
        cands.sort(key=lambda c: (-c[0], c[1]))
        rows += [(lab, x, y) for _, lab, x, y in cands[:per_actor]]
    return rows


def headline_chart(data: Data, res: ScenarioResult, sources: list[dict] | None = None) -> Chart | None:
    """Paired bars of :func:`key_shares`, before and after, titled with the scenario's name and base year."""
    rows = key_shares(data, res.before, res.after)
    if not rows:
        return None
    srcs = scenario_sources(data, res) if sources is None else sources
    alt = "; ".join(f"{lab}: {pct(x)} → {pct(y)}" for lab, x, y in rows)
    return Chart("key_shares", "paired_bars", {"items": rows, "labels": ("before", "after")},
                 title=f"{res.name}: the main actors' dependences that shift most", year=res.year,
                 unit="share of the actor's exports (buyer) or imports (supplier); energy in EJ, goods and FDI in US$",
                 source=source_line(srcs), alt=alt)


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
        a2 = a if any(k[0] == a for k in vals) else as_present(a, {EUROPE})
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


def param_label(data: Data, scenario, param: str) -> tuple[str, float]:
    """A readable x-axis label for ``OP_INDEX.FIELD`` with its unit, and the factor that converts the swept
    values to that unit (shares are shown in %)."""
    head, _, fld = param.partition(".")
    op = scenario.spec.operations[int(head)]
    f = op.fields

    def nm(a: str | None) -> str:
        return short_name(data, a) if a else "?"

    what = COMMODITY.get(f.get("commodity"), f.get("commodity") or f.get("layer") or "flows")
    if op.type == "reroute" and fld == "share":
        return (f"share of {nm(f.get('origin'))}'s {what} exports to {nm(f.get('from'))} rerouted to "
                f"{nm(f.get('to'))} (%)", 100.0)
    if op.type == "reroute" and fld == "amount":
        return f"{what} rerouted from {nm(f.get('from'))} to {nm(f.get('to'))} (amount in the flow's unit)", 1.0
    if fld == "factor":
        flows = f"{nm(f.get('origin'))} → {nm(f.get('destination'))}" if f.get("origin") else "the flows"
        return f"scale factor on {what} {flows} (1 = unchanged)", 1.0
    if fld in ("value", "value_usd_bn"):
        unit = "US$ bn" if fld == "value_usd_bn" or f.get("layer") in ("trade", "investment") else "flow unit"
        return f"{what} {nm(f.get('origin'))} → {nm(f.get('destination'))} ({unit})", 1.0
    if fld == "capacity":
        return f"capacity of route {f.get('route', '?')} (the route's unit)", 1.0
    if op.type == "set_price" and fld == "price":
        to = f" to {nm(f.get('importer'))}" if f.get("importer") else ""
        return f"price of {nm(f.get('exporter'))}'s {what}{to} ({f.get('unit', 'US$ bn per unit')})", 1.0
    if op.type == "set_policy" and fld == "limit":
        return f"legal limit on {nm(f.get('origin'))}'s {what} to {nm(f.get('destination'))} (per year)", 1.0
    return f"operation {head} ({op.type}): {fld}", 1.0


def sweep_charts(data: Data, res, scenario) -> list[Chart]:
    """The sweep's charts: supply-side dependence of the main actors (% change from the first step) and the key
    shares (%), against the swept parameter in its own unit, with the base year and the sources."""
    xs, dc, shares = sweep_series(data, res.table, scenario)
    xlabel, k = param_label(data, scenario, res.param)
    xs = [k * x for x in xs]
    year = scenario.year(data)
    counts: dict[str, int] = {}
    for f in data.rows("flows"):
        if f["year"] == year:
            counts[f["source_id"]] = counts.get(f["source_id"], 0) + 1
    stem = Path(scenario.path).stem if getattr(scenario, "path", None) else "FILE"
    src = source_line(number_sources([x for x in data.rows("sources") if x["source_id"] in counts], counts),
                      rest=f"all listed by netdep scenario run {stem}")
    layer = "across layers" if "all" in set(res.table.column("layer").to_pylist()) else "in the energy layer"
    out = []
    if dc:
        out.append(Chart("sweep_centrality", "lines", {"xs": xs, "series": relative(dc), "xlabel": xlabel,
                                                        "zero_line": True},
                         title=f"{scenario.name}: supply-side dependence {layer}", year=year,
                         unit="% change from the first step", source=src))
    if shares:
        out.append(Chart("sweep_shares", "lines", {"xs": xs, "series": shares, "xlabel": xlabel, "percent": True},
                         title=f"{scenario.name}: key shares", year=year, unit="share (%)", source=src))
    rev = revenue_series(data, res)
    if rev:
        psrc = sorted({p["source_id"] for p in data.rows("prices") if p["year"] == year}) \
            if "prices" in data.tables else []
        out.append(Chart("sweep_revenue", "lines", {"xs": xs, "series": rev, "xlabel": xlabel},
                         title=f"{scenario.name}: Russia's energy export revenue", year=year,
                         unit="US$ bn a year, each flow at its buyer's price",
                         source=f"{src}; prices: {', '.join(psrc) or 'none'} and the scenario's set_price"))
    return out


def revenue_series(data: Data, res) -> dict[str, list[float]]:
    """Russia's export revenue per fuel and in all at each step of a sweep (US$ bn), fuels that change only."""
    steps = getattr(res, "revenue", None) or []
    out: dict[str, list[float]] = {}
    for g in ("all", "gas", "oil", "coal"):
        ys = [s.get(g, (0.0, 0.0))[1] for s in steps]
        if ys and (g == "all" or max(ys) - min(ys) > 1e-6):
            out["all energy" if g == "all" else g] = ys
    return out


def sweep_svgs(data: Data, res, scenario) -> dict[str, str | bytes]:
    """Chart files of a sweep, by name: ``sweep_centrality.svg`` / ``.png`` and ``sweep_shares.svg`` / ``.png``."""
    out: dict[str, str | bytes] = {}
    for c in sweep_charts(data, res, scenario):
        out[f"{c.name}.svg"] = c.svg()
        out[f"{c.name}.png"] = c.png()
    return out


def sweep_png(data: Data, res, scenario, path) -> None:
    """Two panels: supply-side dependence of the main actors, and the key shares, against the parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs, dc, shares = sweep_series(data, res.table, scenario)
    xlabel, k = param_label(data, scenario, res.param)
    xs = [k * x for x in xs]
    src = sweep_charts(data, res, scenario)
    fig, axes = plt.subplots(1, 2, figsize=(14, 6.2), constrained_layout=True)
    for label, ys in relative(dc).items():
        axes[0].plot(xs, ys, label=label, lw=2)
    layer = "across layers" if "all" in set(res.table.column("layer").to_pylist()) else "in the energy layer"
    axes[0].set_title(f"Supply-side dependence {layer}: change from the first step")
    axes[0].set_xlabel("\n".join(textwrap.wrap(xlabel, 60)))
    axes[0].set_ylabel("% change (legend: value at the first step)")
    axes[0].axhline(0, color="#999", lw=0.8)
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.2), frameon=False)
    axes[0].grid(alpha=0.3)
    for label, ys in shares.items():
        axes[1].plot(xs, [100 * (y or 0) for y in ys], label=label, lw=2)
    axes[1].set_title("Key shares")
    axes[1].set_xlabel("\n".join(textwrap.wrap(xlabel, 60)))
    axes[1].set_ylabel("%")
    axes[1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.2), frameon=False)
    axes[1].grid(alpha=0.3)
    fig.suptitle(f"{scenario.name}: sweep of {res.param}, base year {scenario.year(data)}", fontsize=12)
    if src:
        fig.supxlabel(src[0].source or "Source: not stated", fontsize=8, color="#444", x=0.01, ha="left")
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
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


def revenue_section(data: Data, res: ScenarioResult) -> list[tuple[str, list[tuple]]]:
    """Russia's energy export revenue by commodity and buyer, before and after, each flow at its buyer's price."""
    recs = [r for r in res.revenue if r["buyer"] != "*" or r["commodity"] == "*"]
    if not recs:
        return []
    name = {a["actor"]: short_name(data, a["actor"]) for a in data.rows("actors")}
    rows = []
    for r in recs:
        if r["commodity"] == "*":
            rows.append(["all energy", "all buyers", "", "", f"{r['before']:.2f}", f"{r['after']:.2f}",
                         f"{r['delta']:+.2f}", "", ""])
            continue
        rows.append([COMMODITY.get(r["commodity"], r["commodity"]), name.get(r["buyer"], r["buyer"]),
                     _f(r["volume_before"]), _f(r["volume_after"]), f"{r['before']:.2f}", f"{r['after']:.2f}",
                     f"{r['delta']:+.2f}", r["basis_after"] or "–", r["price_source_after"] or "–"])
    return [("Russia's energy export revenue", [
        ("p", f"US$ bn in {res.year}, gross (no export duty or transit fee is deducted): each flow's volume times "
              "its price — the most specific row of the prices table (route, then exporter and importer, then the "
              "world benchmark), or the scenario's set_price where it matches. A moved volume earns its new "
              "buyer's price."),
        ("table", ["commodity", "buyer", "volume before", "after", "revenue before", "after", "change",
                   "price basis after", "price source"], rows)])]
