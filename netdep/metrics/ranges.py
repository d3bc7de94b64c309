"""Ranges, not points (issue 15): every measure's low and high over the alternative figures of its flows.

A flow with alternatives (``alternatives.parquet``, status ``applied``; :mod:`netdep.alternatives`) can take
its preferred value or any alternative value. A *variant* of a year's data picks one value for each such flow;
a measure's range is its minimum and maximum over the variants::

    low(m) = min over v in V of m(G_v),   high(m) = max over v in V of m(G_v),   m(G_preferred) in [low, high]

Each graph (commodity, fuel, layer aggregate, cross-layer) sees only the alternatives of its own flows; a
graph without any has ``low = high = value`` (the range collapses to the point). With alternatives:

* shares, flow values, HHI and top share (``dependencies``, ``concentration``) by actor, exactly: an actor's
  import shares and its suppliers' HHI depend only on its in-edges (exports: out-edges), so only the flows
  that change those edges are combined — every combination up to ``max_enumerate`` (default 1024, ten flows
  with one alternative each) per actor and side; above that ``samples`` seeded draws plus the two corners.
  A share x / (x + R) is monotone in x and in R, so its extremes are corners of the combinations, which the
  enumeration includes (:func:`local_ranges`);
* centrality (every measure of :func:`~netdep.metrics.centrality.centrality_records`) by recomputing the whole
  graph on each variant: every combination when they number at most ``centrality_enumerate`` (default 9,
  e.g. three flows with one alternative each, or two with two); else the two corners (every flow at its
  lowest, every flow at its highest figure) and ``samples`` draws of ``random.Random(seed)`` (defaults 4 and
  15) — a sampled range is an inner bound and says so (:func:`graph_range`). The defaults keep the report
  with ranges within a small multiple of the point report (``scripts/bench_report.py``).

``range_method`` on each record says which (``exact by actor``, ``exact (n combinations)``,
``sampled (n of N combinations, seed s)``, ``no alternatives``).

An alternative changes its own edge only: the other flows (and the ``ROW`` remainders derived from published
totals) keep their preferred values, so the importer's total moves with the figure. Its effect on each graph
is found by rebuilding the year's graphs with that one flow changed (:func:`netdep.graph.graphs`), so units,
fuel sums, valuation and region folding are exactly the point build's; combinations add these edge changes
(exact for every graph but the cross-layer one, where goods ex-energy is ``max(goods − energy, 0)``).

Range fields: ``dependencies`` ``low``/``high`` (the flow), ``share_in_low``/``_high``, ``share_out_…``,
``share_of_consumption_…``; ``concentration`` ``hhi_…``, ``top_share_…``; ``centrality`` ``low``/``high``.

Reference: the mirror-statistics literature on bilateral trade asymmetries (e.g. Gaulier & Zignago 2010,
BACI, CEPII WP 2010-23) — netdep shows the spread instead of reconciling it.

>>> from netdep.store import load
>>> data = load()
>>> r = year_ranges(data, 2023, ("energy",))
>>> lo, hi = r["dependencies"][(2023, "energy", "pipeline_gas", "RUS", "CHN")]["share_in"]
>>> round(lo, 3) < round(hi, 3)
True
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from ..geography import cross_layer
from ..graph import graphs
from ..store import Data
from .centrality import centrality_records
from .concentration import hhi
from .tables import consumption, fuel_of, remainders_of

__all__ = ["RANGE_FIELDS", "MAX_ENUMERATE", "CENTRALITY_ENUMERATE", "SAMPLES", "SEED", "year_ranges",
           "add_ranges", "graph_range", "local_ranges", "range_text", "record_key", "edge_changes",
           "scenario_ranges"]

#: table -> fields that get a range; "value" becomes low/high, any other f becomes f_low/f_high
RANGE_FIELDS = {"dependencies": ("value", "share_in", "share_out", "share_of_consumption"),
                "concentration": ("hhi", "top_share"),
                "centrality": ("value",)}
KEYS = {"dependencies": ("year", "layer", "commodity", "origin", "destination"),
        "concentration": ("year", "layer", "commodity", "actor", "side"),
        "centrality": ("year", "layer", "commodity", "actor", "measure")}
MAX_ENUMERATE = 1024
CENTRALITY_ENUMERATE = 9
SAMPLES = 4
SEED = 15

Change = dict[tuple[str, str], tuple[float, float]]  # edge -> (delta value, delta value_usd_bn)


def record_key(table: str, r: dict) -> tuple:
    """The key of a measure record: what identifies it across variants."""
    return tuple(r[k] for k in KEYS[table])


def low_high_names(field: str) -> tuple[str, str]:
    """``value`` -> (``low``, ``high``); any other field f -> (``f_low``, ``f_high``)."""
    return ("low", "high") if field == "value" else (f"{field}_low", f"{field}_high")


def _flow_key(f: dict) -> tuple:
    return (f["year"], f["commodity"], f["origin"], f["destination"], f["route"])


def edge_changes(data: Data, year: int, alternative: dict, base: dict[tuple, nx.DiGraph]) -> dict[tuple, Change]:
    """graph key -> edge changes that one alternative makes to the graphs of ``year`` (graphs it leaves alone
    are absent). ``base``: :func:`netdep.graph.graphs` of the preferred data."""
    key = _flow_key(alternative)
    flows = []
    for f in data.rows("flows"):
        if f["year"] != year:
            continue
        if _flow_key(f) == key:
            f = dict(f)
            usd = f["value_usd_bn"]
            if usd is not None:
                f["value_usd_bn"] = usd * alternative["value"] / f["value"] if f["value"] else None
            f["value"] = alternative["value"]
        flows.append(f)
    variant = Data(data.tables, data.path, {**data._rows, "flows": flows})
    out: dict[tuple, Change] = {}
    for gk, G in _graphs_of(variant, year, alternative["commodity"], base).items():
        G0 = base.get(gk)
        if G0 is None:
            continue
        ch: Change = {}
        for o, d in sorted(set(G.edges) | set(G0.edges)):
            a = G[o][d] if G.has_edge(o, d) else {}
            b = G0[o][d] if G0.has_edge(o, d) else {}
            dv = a.get("value", 0.0) - b.get("value", 0.0)
            du = (a.get("value_usd_bn") or 0.0) - (b.get("value_usd_bn") or 0.0)
            if abs(dv) > 1e-12 or abs(du) > 1e-12:
                ch[(o, d)] = (dv, du)
        if ch:
            out[gk] = ch
    return out


def _graphs_of(data: Data, year: int, commodity: str, base: dict[tuple, nx.DiGraph]) -> dict[tuple, nx.DiGraph]:
    """The graphs of :func:`netdep.graph.graphs` that hold ``commodity``'s flows (its own, its fuel's, its
    layer's aggregate, the cross-layer one), built by the same functions; the others cannot change."""
    from ..graph import commodity_graph, cross_layer_graph, fuel_graph, layer_graph

    layer = next(c["layer"] for c in data.rows("commodities") if c["commodity"] == commodity)
    fuel = fuel_of(data).get(commodity)
    out = {}
    if (layer, commodity) in base:
        out[(layer, commodity)] = commodity_graph(data, year, commodity)
    if fuel and fuel != commodity and (layer, fuel) in base:
        F = fuel_graph(data, year, fuel)
        if F is not None:
            out[(layer, fuel)] = F
    if (layer, "*") in base:
        out[(layer, "*")] = layer_graph(data, year, layer)
    if ("all", "*") in base and layer in ("trade", "energy"):
        out[("all", "*")] = cross_layer_graph(data, year)
    return out


def _apply(G: nx.DiGraph, changes: Iterable[Change]) -> nx.DiGraph:
    H = G.copy()
    for ch in changes:
        for (o, d), (dv, du) in ch.items():
            if not H.has_edge(o, d):
                H.add_edge(o, d, value=0.0)
            e = H[o][d]
            e["value"] = e.get("value", 0.0) + dv
            if du and e.get("value_usd_bn") is not None:
                e["value_usd_bn"] = e["value_usd_bn"] + du
            if e["value"] <= 1e-12 and not G.has_edge(o, d):
                H.remove_edge(o, d)
    return H


def graph_range(G: nx.DiGraph, options: list[list[Change]], compute, *, max_enumerate: int = MAX_ENUMERATE,
                samples: int = SAMPLES, seed: int = SEED, order: list[list[float]] | None = None,
                skip_preferred: bool = False) -> tuple[dict[str, dict[tuple, dict[str, tuple[float, float]]]], str]:
    """Min and max of every ranged field of ``compute(G_variant)`` (table -> records) over the variants of ``G``.

    ``options[i]`` lists the edge changes of flow i's alternatives (the preferred value, no change, is always
    an option too); ``order[i]`` the change each makes to the flow's value, for the corners when sampling.
    Returns table -> record key -> field -> (low, high), and the method (``"exact (n combinations)"`` or
    ``"sampled (n of N, seed s)"``).
    """
    choices = [[None, *opts] for opts in options]
    combos, method = _combos(choices, max_enumerate, samples, seed,
                             None if order is None else [[0.0, *o] for o in order])
    out: dict[str, dict[tuple, dict[str, tuple[float, float]]]] = defaultdict(dict)
    for combo in combos:
        if skip_preferred and all(c is None for c in combo):
            continue  # the point itself: the caller widens every range by it
        H = _apply(G, [c for c in combo if c is not None])
        for table, rows in compute(H).items():
            fields = RANGE_FIELDS.get(table, ())
            got = out[table]
            for r in rows:
                k = record_key(table, r)
                cur = got.setdefault(k, {})
                for f in fields:
                    v = r.get(f)
                    if v is None:
                        continue
                    lo, hi = cur.get(f, (v, v))
                    cur[f] = (min(lo, v), max(hi, v))
    return dict(out), method


def _combos(choices: list[list], max_enumerate: int, samples: int, seed: int,
            order: list[list[float]] | None) -> tuple[list[tuple], str]:
    """Every combination of ``choices`` (each list starts with the preferred option) when they number at most
    ``max_enumerate``; else the preferred one, the two corners and ``samples`` seeded draws."""
    total = 1
    for c in choices:
        total *= len(c)
    if total <= max_enumerate:
        return list(itertools.product(*choices)), f"exact ({total} combinations)"
    rng = random.Random(seed)
    idx = [tuple(0 for _ in choices)]
    if order is not None:
        idx.append(tuple(min(range(len(c)), key=v.__getitem__) for c, v in zip(choices, order)))
        idx.append(tuple(max(range(len(c)), key=v.__getitem__) for c, v in zip(choices, order)))
    idx += [tuple(rng.randrange(len(c)) for c in choices) for _ in range(samples)]
    idx = list(dict.fromkeys(idx))  # a draw may repeat a combination: computed once
    picked = [tuple(c[i] for c, i in zip(choices, ix)) for ix in idx]
    return picked, f"sampled ({len(picked)} of {total} combinations, seed {seed})"


def _widen(cur: dict, field: str, v: float | None) -> None:
    if v is None:
        return
    lo, hi = cur.get(field, (v, v))
    cur[field] = (min(lo, v), max(hi, v))


def local_ranges(G: nx.DiGraph, flows: list[list[Change]], remainders: set[str] = frozenset(),
                 consumption: dict[str, float] | None = None, *, max_enumerate: int = 1024,
                 samples: int = SAMPLES, seed: int = SEED) -> dict[str, dict[tuple, dict[str, tuple[float, float]]]]:
    """Ranges of the dependency and concentration fields of ``G`` by actor: an actor's import shares, its
    suppliers' HHI and top share depend only on its in-edges, so only the flows that change them are
    combined (every combination up to ``max_enumerate``, default 1024; else seeded sampling with corners).

    ``share_in = w(o→d) / Σ_x w(x→d)``, ``share_out = w(o→d) / Σ_y w(o→y)``, HHI = Σ s² over named partners
    (remainders excluded, as in :func:`netdep.metrics.concentration.concentration_records`), top share = max s.
    The same definitions as :func:`netdep.metrics.dependency.shares` and :func:`netdep.metrics.concentration.hhi`
    (tests check both against a recomputation of the whole graph, :func:`graph_range`).
    """
    meta = tuple(G.graph.get(k) for k in ("year", "layer", "commodity"))
    consumption = consumption or {}
    base = {(o, d): float(w) for o, d, w in G.edges(data="value", default=0.0)}
    edges = set(base)
    for opts in flows:
        for ch in opts:
            edges |= set(ch)
    deps: dict[tuple, dict] = {}
    conc: dict[tuple, dict] = {}
    sampled = False
    for side in ("in", "out"):
        by_actor: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for o, d in sorted(edges):
            by_actor[d if side == "in" else o].append((o, d))
        for actor, es in sorted(by_actor.items()):
            eset = set(es)
            touching = [opts for opts in flows if any(set(ch) & eset for ch in opts)]
            choices = [[None, *opts] for opts in touching]
            order = [[0.0, *[sum(dv for e, (dv, _) in ch.items() if e in eset) for ch in opts]] for opts in touching]
            combos, how = _combos(choices, max_enumerate, samples, seed, order)
            sampled = sampled or how.startswith("sampled")
            for combo in combos:
                w = {e: base.get(e, 0.0) for e in es}
                for ch in combo:
                    if ch is not None:
                        for e, (dv, _) in ch.items():
                            if e in w:
                                w[e] += dv
                total = sum(w.values())
                if total <= 0:
                    continue
                for (o, d), x in w.items():
                    if (o, d) not in base:
                        continue
                    cur = deps.setdefault((*meta, o, d), {})
                    if side == "in":
                        _widen(cur, "value", x)
                        _widen(cur, "share_in", x / total)
                        c = consumption.get(d)
                        _widen(cur, "share_of_consumption", x / c if c else None)
                    else:
                        _widen(cur, "share_out", x / total)
                named = [x / total for (o, d), x in w.items() if (o if side == "in" else d) not in remainders]
                cur = conc.setdefault((*meta, actor, side), {})
                _widen(cur, "hhi", hhi(named))
                _widen(cur, "top_share", max(named) if named else None)
    return {"dependencies": deps, "concentration": conc, "_sampled": sampled}


def year_ranges(data: Data, year: int, layers: tuple[str, ...], alternatives: list[dict] | None = None, *,
                max_enumerate: int = 1024, centrality_enumerate: int = CENTRALITY_ENUMERATE,
                samples: int = SAMPLES, seed: int = SEED, centrality: bool = True) -> dict:
    """table -> record key -> field -> (low, high) for the graphs of ``year`` that have alternatives (graphs
    without any are absent: their ranges are their points); ``"_method"`` -> (table, layer, commodity) ->
    method. ``alternatives``: applied alternatives (default: the data folder's ``alternatives.parquet``)."""
    from ..alternatives import applied_alternatives

    alts = [a for a in (alternatives if alternatives is not None else applied_alternatives(data))
            if a["year"] == year]
    out: dict = defaultdict(dict)
    out["_method"] = {}
    if not alts:
        return dict(out)
    base = graphs(data, year)
    per_graph: dict[tuple, dict[tuple, list[tuple[float, Change]]]] = defaultdict(lambda: defaultdict(list))
    preferred = {_flow_key(f): f["value"] for f in data.rows("flows") if f["year"] == year}
    for a in sorted(alts, key=lambda a: (_flow_key(a)[:4], a["route"] or "", a["value"], a["source_id"])):
        if _flow_key(a) not in preferred:
            continue
        for gk, ch in edge_changes(data, year, a, base).items():
            per_graph[gk][_flow_key(a)].append((a["value"] - preferred[_flow_key(a)], ch))
    rem = remainders_of(data)
    cons = consumption(data, year)
    fuel = fuel_of(data)
    for (layer, commodity), flows in sorted(per_graph.items()):
        if (layer != "all" and layer not in layers) or (layer == "all" and not cross_layer(layers)):
            continue
        G = base[(layer, commodity)]
        keys = sorted(flows)
        options = [[ch for _, ch in flows[k]] for k in keys]
        order = [[0.0, *[dv for dv, _ in flows[k]]] for k in keys]
        local = local_ranges(G, options, rem, cons.get(commodity) if commodity != "*" else None,
                             max_enumerate=max_enumerate, samples=samples, seed=seed)
        out["dependencies"].update(local["dependencies"])
        out["concentration"].update(local["concentration"])
        by_actor = f"sampled by actor (seed {seed})" if local["_sampled"] else "exact by actor"
        out["_method"][("dependencies", layer, commodity)] = out["_method"][("concentration", layer, commodity)] = \
            by_actor
        if not centrality or (commodity in fuel and fuel[commodity] == commodity):
            continue  # fuel graphs have no centrality records

        def compute(H):
            return {"centrality": centrality_records(H, rem)}

        got, method = graph_range(G, options, compute, max_enumerate=centrality_enumerate, samples=samples,
                                  seed=seed, order=[o[1:] for o in order], skip_preferred=True)
        out["centrality"].update(got.get("centrality", {}))
        out["_method"][("centrality", layer, commodity)] = method
    return dict(out)


def add_ranges(data: Data, tables: dict[str, list[dict]], years: Iterable[int], layers: tuple[str, ...],
               alternatives: list[dict] | None = None, **kw) -> None:
    """Give every record of ``tables`` (dependencies, concentration, centrality) its range fields and
    ``range_method`` in place: the point itself where no alternative touches the record's graph."""
    from ..alternatives import applied_alternatives

    alts = alternatives if alternatives is not None else applied_alternatives(data)
    found: dict = {}
    methods: dict = {}
    fields_of = RANGE_FIELDS if kw.get("centrality", True) else \
        {t: f for t, f in RANGE_FIELDS.items() if t != "centrality"}
    for y in sorted(set(years)):
        r = year_ranges(data, y, layers, alts, **kw)
        for table, recs in r.items():
            if table == "_method":
                methods.update({(y, *k): m for k, m in recs.items()})
            else:
                found.setdefault(table, {}).update(recs)
    for table, fields in fields_of.items():
        got = found.get(table, {})
        for r in tables.get(table, []):
            rng = got.get(record_key(table, r), {})
            for f in fields:
                lo_name, hi_name = low_high_names(f)
                v = r.get(f)
                lo, hi = rng.get(f, (v, v))
                if v is not None and lo is not None:  # the point always lies in its range
                    lo, hi = min(lo, v), max(hi, v)
                r[lo_name], r[hi_name] = lo, hi
            r["range_method"] = methods.get((r["year"], table, r["layer"], r["commodity"]), "no alternatives")


def scenario_ranges(data: Data, after_data: Data, year: int, layers: tuple[str, ...], before: dict,
                    after: dict) -> None:
    """Ranges of a scenario's dependencies and concentration, before and after, in place (issue 15).

    Before: the base year's applied alternatives. After: the same alternatives applied to the scenario's flows
    as ratios — a flow the scenario changed to v' takes v' · a / p for an alternative a of its preferred p
    (a source that put the flow 6% higher puts the rerouted flow 6% higher too); a flow the scenario removed
    or moved to another route has no alternative after. Centrality is left as points (its ranges cost a
    recomputation of whole graphs per variant).
    """
    from ..alternatives import applied_alternatives

    alts = [a for a in applied_alternatives(data) if a["year"] == year]
    add_ranges(data, before, [year], layers, alts, centrality=False)
    now = {_flow_key(f): f["value"] for f in after_data.rows("flows") if f["year"] == year}
    moved = [a if now[_flow_key(a)] == a["preferred_value"] else
             {**a, "value": now[_flow_key(a)] * a["value"] / a["preferred_value"]}
             for a in alts if _flow_key(a) in now and a["preferred_value"]]
    add_ranges(after_data, after, [year], layers, moved, centrality=False)


def range_text(value: float | None, low: float | None, high: float | None, fmt=lambda v: f"{v:.1%}") -> str:
    """``"15.0% [14.2–15.9]"``; the point alone where the range collapses (or is unknown).

    >>> range_text(0.15, 0.142, 0.159)
    '15.0% [14.2–15.9]'
    >>> range_text(0.15, 0.15, 0.15)
    '15.0%'
    """
    if value is None:
        return "–"
    s = fmt(value)
    if low is None or high is None or fmt(low) == fmt(high):
        return s
    lo, hi = fmt(low), fmt(high)
    if s.endswith("%") and lo.endswith("%") and hi.endswith("%"):
        lo, hi = lo[:-1], hi[:-1]
        return f"{s} [{lo}–{hi}]"
    return f"{s} [{lo}–{hi}]"
