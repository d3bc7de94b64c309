"""The dependency report's scenario section: each bundled scenario's headline and a small chart.

Called by :func:`netdep.reporting.render.document` (Markdown and HTML only; the JSON report does not
build sections). All bundled scenarios of one base year are computed in one batched pass of
:class:`.fast.FastMeasures` (only the graphs each scenario changes are recomputed), so the section
costs a fraction of a second.
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import NetdepError
from ..reporting.figures import Chart, source_line
from ..store import Data
from ..wording import pct
from .measures import tables_from_long

__all__ = ["scenario_section", "headline_tables"]


def _slim(t: pa.Table) -> pa.Table:
    """Only what the headlines read: layer-level dependencies, concentration, supply-side dependence."""
    keep = pc.or_(pc.and_(pc.equal(t["table"], "dependencies"), pc.equal(t["commodity"], "*")),
                  pc.or_(pc.equal(t["table"], "concentration"),
                         pc.and_(pc.equal(t["table"], "centrality"),
                                 pc.equal(t["measure"], "supply_dependence"))))
    return t.filter(keep)


def headline_tables(data: Data, scenarios: list) -> list[tuple[object, dict, dict]]:
    """(scenario, before, after) with the records the headlines need, for each scenario (batched per base year)."""
    from .fast import FastMeasures

    by_year: dict[int, list] = defaultdict(list)
    for s in scenarios:
        by_year[s.year(data)].append(s)
    out = []
    for year, group in sorted(by_year.items()):
        fm = FastMeasures(data, year)
        states = [s.state(data) for s in group]  # the operations, then each file's market closure
        long = _slim(fm.long(states, [s.name for s in group]))
        before = tables_from_long(_slim(fm.base_long))
        steps = long.column("step").to_numpy()
        for i, s in enumerate(group):
            out.append((s, before, tables_from_long(long.filter(pa.array(steps == i)))))
    return out


def _energy_share(t: dict, origin: str = "RUS", dest: str = "CHN") -> float | None:
    for r in t["dependencies"]:
        if r["layer"] == "energy" and r["origin"] == origin and r["destination"] == dest:
            return r.get("share_out")
    return None


def _flow_sources(data: Data, years: set[int]) -> list[dict]:
    """Source rows of the energy flows of ``years``, most-cited first."""
    counts: dict[str, int] = {}
    for f in data.rows("flows"):
        if f["year"] in years and f["layer"] == "energy":
            counts[f["source_id"]] = counts.get(f["source_id"], 0) + 1
    rows = [x for x in data.rows("sources") if x["source_id"] in counts]
    return sorted(rows, key=lambda x: (-counts[x["source_id"]], x["source_id"]))


def scenario_section(data: Data) -> dict | None:
    """``{"title", "items"}`` for the report, or None when no bundled scenario is found."""
    from . import bundled, load
    from .headlines import headlines

    if data.path is None:
        return None
    files = bundled(data.path)
    if not files:
        return None
    scenarios = []
    problems = []
    for p in files:
        try:
            scenarios.append(load(p))
        except NetdepError as exc:
            problems.append(f"{p.name}: {exc}")
    try:
        results = headline_tables(data, scenarios)
    except NetdepError as exc:
        return {"title": "Scenarios", "items": [("p", f"The bundled scenarios could not be computed: {exc}")]}
    items: list[tuple] = [("p", "What the bundled what-ifs (data/scenarios/, `netdep scenario list`) would shift, "
                                "each against its base year; the largest shift for each main actor. Run one with "
                                "`netdep scenario run NAME` for every measure and the capacity bounds.")]
    bars = []
    for s, before, after in results:
        lines = headlines(data, before, after, per_actor=1)
        items.append(("p", f"**{s.name}** (base year {s.year(data)}, `{s.path.stem}`; market closure "
                           f"{s.spec.closure})"))
        items.append(("list", lines))
        b, a = _energy_share(before), _energy_share(after)
        if b is not None or a is not None:
            bars.append((f"{s.name} ({s.year(data)})", b, a))
    if problems:
        items.append(("list", problems))
    if bars:
        alt = "; ".join(f"{lab}: {pct(b)} → {pct(a)}" for lab, b, a in bars)
        years = sorted({s.year(data) for s, _, _ in results})
        chart = Chart("scenarios_russia_china", "paired_bars", {"items": bars, "labels": ("base", "scenario")},
                      title="China's share of Russia's energy exports in each bundled scenario",
                      year=", ".join(map(str, years)), unit="share of Russia's energy exports (in energy content, EJ)",
                      source=source_line(_flow_sources(data, set(years))), alt=alt)
        items.append(("chart", "scenarios_russia_china", chart, f"China's share of Russia's energy exports, base and "
                                                                 f"scenario. {alt}"))
    return {"title": "Scenarios: what rerouting would shift", "items": items}
