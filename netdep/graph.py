"""The flow multigraph and its weighted views.

* :func:`multigraph` — a ``MultiDiGraph`` with one edge per flow row of a year
  (key ``(layer, commodity, route)``), nodes = actors with their attributes.
* :func:`commodity_graph` — per (year, commodity): ``weight = value`` in the
  commodity's unit, parallel route edges summed, nodes = actors in those flows.
* :func:`layer_graph` — per (year, layer) in a common unit: energy in EJ (via
  ``commodities.ej_per_unit``), trade and investment in US$ bn.
* :func:`fuel_graph` — per (year, fuel): the commodities with that ``balance_of``
  summed (gas = pipeline gas + LNG in bcm, oil = crude + products in Mt); only
  in a year with flows of every member, so a fuel is never one mode alone.
* :func:`cross_layer_graph` — ``layer = "all"``: annual flows only, in US$ bn, each
  counted once: ``w_trade · max(goods − energy, 0) + w_energy · energy`` per pair
  (goods trade *ex-energy* plus energy valued at one reference price per commodity
  and year, see :mod:`netdep.build`); FDI stocks (end-of-year positions, not
  flows) are left out. The weights (:data:`LAYER_WEIGHTS`) are explicit and kept
  in ``G.graph["weights"]``; the report shows how rankings move as they move.

Aggregate graphs mix commodities whose sources use different geographies
(the Statistical Review's oil and coal tables have a Europe region, its gas
tables the EU). To avoid counting a flow twice, an actor that lies inside a
larger region present in the same aggregate graph is folded into it (EU27,
NOR, GBR, TUR -> REG_EUROPE), and flows that become internal are dropped, as
the Review itself drops intra-area movements (:func:`coarsening`).

All graphs are built deterministically: nodes, then edges, in sorted order.

>>> from netdep.store import load
>>> G = commodity_graph(load(), 2023, "pipeline_gas")
>>> round(G["RUS"]["CHN"]["value"], 2)
21.29
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from .geography import CROSS_LAYERS, LAYER_ORDER, coarsen, countries, cross_layer
from .store import Data

__all__ = [
    "multigraph",
    "commodity_graph",
    "layer_graph",
    "cross_layer_graph",
    "fuel_graph",
    "fuels",
    "graphs",
    "LAYER_WEIGHTS",
    "coarsening",
    "LAYER_UNITS",
]

LAYER_UNITS = {"energy": "EJ", "trade": "USD_bn", "investment": "USD_bn", "all": "USD_bn"}

#: default weights of the cross-layer graph: goods ex-energy and energy, both in US$ bn, counted once each
LAYER_WEIGHTS = {"trade": 1.0, "energy": 1.0}


def _flows(data: Data, year: int) -> list[dict]:
    return [f for f in data.rows("flows") if f["year"] == year]


def _actors(data: Data) -> dict[str, dict]:
    return {a["actor"]: a for a in data.rows("actors")}


def multigraph(data: Data, year: int) -> nx.MultiDiGraph:
    """All flows of ``year`` as a multigraph: one edge per row, key ``(layer, commodity, route)``."""
    units = {c["commodity"]: c["unit"] for c in data.rows("commodities")}
    G = nx.MultiDiGraph(year=year)
    actors = _actors(data)
    flows = sorted(_flows(data, year), key=lambda f: (f["origin"], f["destination"], f["layer"], f["commodity"],
                                                      f["route"] or ""))
    for a in sorted({f["origin"] for f in flows} | {f["destination"] for f in flows}):
        G.add_node(a, **{k: v for k, v in actors[a].items() if k != "actor"})
    for f in flows:
        G.add_edge(f["origin"], f["destination"], key=(f["layer"], f["commodity"], f["route"]),
                   value=f["value"], unit=units[f["commodity"]], value_usd_bn=f["value_usd_bn"],
                   source_id=f["source_id"])
    return G


def _digraph(edges: dict[tuple[str, str], float], unit: str, usd: dict[tuple[str, str], float] | None = None,
             **attrs) -> nx.DiGraph:
    G = nx.DiGraph(unit=unit, **attrs)
    G.add_nodes_from(sorted({a for e in edges for a in e}))
    for (o, d) in sorted(edges):
        if usd is not None:
            G.add_edge(o, d, value=edges[(o, d)], value_usd_bn=usd.get((o, d)))
        else:
            G.add_edge(o, d, value=edges[(o, d)])
    return G


def commodity_graph(data: Data, year: int, commodity: str) -> nx.DiGraph:
    """Weighted DiGraph of one commodity in one year: ``value`` in the commodity's unit, routes summed."""
    unit = next(c["unit"] for c in data.rows("commodities") if c["commodity"] == commodity)
    edges: dict[tuple[str, str], float] = defaultdict(float)
    usd: dict[tuple[str, str], float] = {}
    for f in _flows(data, year):
        if f["commodity"] == commodity:
            edges[(f["origin"], f["destination"])] += f["value"]
            if f["value_usd_bn"] is not None:
                usd[(f["origin"], f["destination"])] = usd.get((f["origin"], f["destination"]), 0.0) + f["value_usd_bn"]
    return _digraph(edges, unit, usd, year=year, layer=_layer_of(data, commodity), commodity=commodity)


def _layer_of(data: Data, commodity: str) -> str:
    return next(c["layer"] for c in data.rows("commodities") if c["commodity"] == commodity)


_cover = countries  # the countries an actor covers (None for a remainder aggregate): netdep.geography


def coarsening(data: Data, present: Iterable[str]) -> dict[str, str]:
    """Map each actor in ``present`` that lies inside a larger region also present to that region
    (:func:`netdep.geography.coarsen` on this data's actors).

    >>> from netdep.store import load
    >>> m = coarsening(load(), ["EU27", "NOR", "REG_EUROPE", "RUS"])
    >>> m["EU27"], m["NOR"], m["RUS"]
    ('REG_EUROPE', 'REG_EUROPE', 'RUS')
    """
    return coarsen(_actors(data), present)  # the rule lives in netdep.geography


def _aggregate(data: Data, year: int, flows: list[dict], weigh, unit: str, **attrs) -> nx.DiGraph:
    mapping = coarsening(data, {f["origin"] for f in flows} | {f["destination"] for f in flows})
    edges: dict[tuple[str, str], float] = defaultdict(float)
    for f in flows:
        w = weigh(f)
        if w is None:
            continue
        o, d = mapping[f["origin"]], mapping[f["destination"]]
        if o != d:
            edges[(o, d)] += w
    G = _digraph(edges, unit, year=year, **attrs)
    G.graph["folded"] = {a: r for a, r in sorted(mapping.items()) if a != r}
    return G


def layer_graph(data: Data, year: int, layer: str) -> nx.DiGraph:
    """One layer in one year in a common unit (energy: EJ; trade, investment: US$ bn)."""
    com = {c["commodity"]: c for c in data.rows("commodities")}
    flows = [f for f in _flows(data, year) if f["layer"] == layer]
    if layer == "energy":
        def weigh(f):
            k = com[f["commodity"]]["ej_per_unit"]
            return None if k is None else f["value"] * k
    else:
        def weigh(f):
            return f["value_usd_bn"] if f["value_usd_bn"] is not None else f["value"]
    return _aggregate(data, year, flows, weigh, LAYER_UNITS[layer], layer=layer, commodity="*")


def cross_layer_graph(data: Data, year: int, weights: dict[str, float] | None = None) -> nx.DiGraph:
    """Annual flows of a year in US$ bn, energy counted once (module docstring); ``weights`` per layer
    (default :data:`LAYER_WEIGHTS`). Flows without a US$ value and FDI stocks are left out.

    >>> from netdep.store import load
    >>> G = cross_layer_graph(load(), 2023)
    >>> G.graph["weights"], round(G["RUS"]["CHN"]["value"], 1)  # goods 129.2 already include the energy
    ({'trade': 1.0, 'energy': 1.0}, 129.2)
    """
    w = {**LAYER_WEIGHTS, **(weights or {})}
    flows = [f for f in _flows(data, year) if f["layer"] in CROSS_LAYERS and f["value_usd_bn"] is not None]
    mapping = coarsening(data, {f["origin"] for f in flows} | {f["destination"] for f in flows})
    goods: dict[tuple[str, str], float] = defaultdict(float)
    energy: dict[tuple[str, str], float] = defaultdict(float)
    for f in flows:
        o, d = mapping[f["origin"]], mapping[f["destination"]]
        if o != d:
            (goods if f["layer"] == "trade" else energy)[(o, d)] += f["value_usd_bn"]
    edges = {}
    for e in sorted(set(goods) | set(energy)):
        edges[e] = w["trade"] * max(goods.get(e, 0.0) - energy.get(e, 0.0), 0.0) + w["energy"] * energy.get(e, 0.0)
    G = _digraph(edges, "USD_bn", year=year, layer="all", commodity="*")
    G.graph["folded"] = {a: r for a, r in sorted(mapping.items()) if a != r}
    G.graph["weights"] = w
    return G


def fuels(data: Data) -> dict[str, tuple[str, ...]]:
    """``{fuel: member commodities}`` from ``commodities.balance_of`` (e.g. natural_gas: lng, pipeline_gas)."""
    out: dict[str, list[str]] = defaultdict(list)
    for c in data.rows("commodities"):
        if c["balance_of"]:
            out[c["balance_of"]].append(c["commodity"])
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


def fuel_graph(data: Data, year: int, fuel: str) -> nx.DiGraph | None:
    """The members of ``fuel`` summed in its unit (routes summed); ``None`` unless every member has flows in
    ``year`` (a fuel is never one mode alone)."""
    members = fuels(data).get(fuel, ())
    fy = [f for f in _flows(data, year) if f["commodity"] in members]
    if not members or {f["commodity"] for f in fy} != set(members):
        return None
    unit = next(c["unit"] for c in data.rows("commodities") if c["commodity"] == fuel)
    edges: dict[tuple[str, str], float] = defaultdict(float)
    usd: dict[tuple[str, str], float] = {}
    for f in fy:
        edges[(f["origin"], f["destination"])] += f["value"]
        if f["value_usd_bn"] is not None:
            usd[(f["origin"], f["destination"])] = usd.get((f["origin"], f["destination"]), 0.0) + f["value_usd_bn"]
    return _digraph(edges, unit, usd, year=year, layer=_layer_of(data, fuel), commodity=fuel)


def graphs(data: Data, year: int) -> dict[tuple[str, str], nx.DiGraph]:
    """Every graph of a year: ``(layer, commodity)``, ``(layer, fuel)`` (see :func:`fuel_graph`),
    ``(layer, "*")`` and ``("all", "*")`` (when the year has trade and energy), in a stable order."""
    flows = _flows(data, year)
    out: dict[tuple[str, str], nx.DiGraph] = {}
    for layer in LAYER_ORDER:
        commodities = sorted({f["commodity"] for f in flows if f["layer"] == layer})
        for c in commodities:
            out[(layer, c)] = commodity_graph(data, year, c)
        for fuel in fuels(data):
            F = fuel_graph(data, year, fuel) if _layer_of(data, fuel) == layer else None
            if F is not None:
                out[(layer, fuel)] = F
        if commodities:
            out[(layer, "*")] = layer_graph(data, year, layer)
    if cross_layer(f["layer"] for f in flows):
        out[("all", "*")] = cross_layer_graph(data, year)
    return out
