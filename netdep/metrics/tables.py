"""Every per-graph measure table of a year, defined once (the report, scenarios and sweeps call it).

>>> from netdep.store import load
>>> t = core_tables(load(), 2023, ("energy", "investment", "trade"))
>>> sorted({r["commodity"] for r in t["concentration"] if r["layer"] == "energy"})
['coal', 'crude_oil', 'lng', 'natural_gas', 'oil', 'oil_products', 'pipeline_gas']
"""

from __future__ import annotations

from collections.abc import Iterable

from ..geography import EUROPE, MAIN_ACTORS, all_layers, cross_layer, europe_in
from ..graph import fuels, graphs
from ..store import Data
from .asymmetry import asymmetry_records
from .centrality import centrality_records
from .concentration import concentration_records, fuel_balance
from .dependency import dependency_records
from .registry import centrality_names
from .vulnerability import vulnerability_pairs, vulnerability_records

__all__ = ["core_tables", "graph_records", "relationship_tables", "vulnerability_table", "consumption",
           "remainders_of", "fuel_of", "MAIN_ACTORS", "asymmetry_actors", "default_years", "PRE_WAR_BEFORE"]



def asymmetry_actors(nodes: Iterable[str]) -> list[str]:
    """Russia, China, the US and the EU (the Statistical Review's Europe where a graph folds the EU into it)."""
    return [europe_in(nodes) if a == "EU27" else a for a in MAIN_ACTORS]


def relationship_tables(data: Data, year: int, layers: tuple[str, ...], flows: list[dict] | None = None,
                        routes: list[dict] | None = None) -> dict[str, list[dict]]:
    """``asymmetry`` (Keohane & Nye, per relationship among the main actors, on each layer aggregate and the
    cross-layer graph) and ``vulnerability`` (each named supplier with >= 10% of a main actor's imports of an
    energy commodity) — the report and scenarios both call this. ``flows``/``routes``: a scenario state's."""
    rem = remainders_of(data)
    asym: list[dict] = []
    for (layer, commodity), G in graphs(data, year).items():
        if commodity != "*" or (layer != "all" and layer not in layers) or (layer == "all" and not cross_layer(layers)):
            continue
        asym += asymmetry_records(G, asymmetry_actors(G), remainders=rem)
    return {"asymmetry": asym, "vulnerability": vulnerability_table(data, year, layers, flows, routes)}


def vulnerability_table(data: Data, year: int, layers: tuple[str, ...], flows: list[dict] | None = None,
                        routes: list[dict] | None = None) -> list[dict]:
    """The ``vulnerability`` records of :func:`relationship_tables` alone."""
    if "energy" not in layers:
        return []
    rem = remainders_of(data)
    fy = flows if flows is not None else [f for f in data.rows("flows") if f["year"] == year]
    energy = {c["commodity"] for c in data.rows("commodities") if c["layer"] == "energy"} - set(fuels(data))
    pairs = vulnerability_pairs(fy, (*MAIN_ACTORS, EUROPE), rem, energy)
    return vulnerability_records(data, year, pairs, fy, routes)


def remainders_of(data: Data) -> set[str]:
    return {a["actor"] for a in data.rows("actors") if a["kind"] == "aggregate"}


def consumption(data: Data, year: int) -> dict[str, dict[str, float]]:
    """commodity -> actor -> consumption of its ``balance_of`` commodity in ``year`` (a fuel: its own)."""
    group = {c["commodity"]: c["balance_of"] for c in data.rows("commodities") if c["balance_of"]}
    by: dict[str, dict[str, float]] = {}
    for b in data.rows("balances"):
        if b["year"] == year and b["consumption"]:
            by.setdefault(b["commodity"], {})[b["actor"]] = b["consumption"]
    out = {c: by.get(g, {}) for c, g in group.items()}
    out.update({g: by.get(g, {}) for g in set(group.values())})
    return out


def fuel_of(data: Data) -> dict[str, str]:
    """commodity -> its fuel (``balance_of``); a fuel maps to itself."""
    out = {m: f for f, ms in fuels(data).items() for m in ms}
    out.update({f: f for f in fuels(data)})
    return out


def core_tables(data: Data, year: int, layers: tuple[str, ...]) -> dict[str, list[dict]]:
    """The one definition of the per-graph records of a year: ``dependencies`` (every graph),
    ``concentration`` (commodity and fuel graphs; the strategic screen takes criteria 2 and 3 from the
    fuel graph), ``centrality`` (commodity, layer and cross-layer graphs, not fuels) — used by the report,
    scenarios and sweeps."""
    rem = remainders_of(data)
    cons = consumption(data, year)
    fuel = fuel_of(data)
    gs = graphs(data, year)
    deps: list[dict] = []
    conc: list[dict] = []
    cent: list[dict] = []
    balances = {f: fuel_balance(gs[("energy", f)], rem, cons.get(f)) for f in fuels(data) if ("energy", f) in gs}
    for (layer, commodity), G in gs.items():
        if (layer != "all" and layer not in layers) or (layer == "all" and not cross_layer(layers)):
            continue
        t = graph_records(G, commodity, rem, cons, fuel, balances)
        deps += t["dependencies"]
        conc += t["concentration"]
        cent += t["centrality"]
    return {"dependencies": deps, "concentration": conc, "centrality": cent}


def graph_records(G, commodity: str, rem: set[str], cons: dict[str, dict[str, float]], fuel: dict[str, str],
                  balances: dict[str, dict]) -> dict[str, list[dict]]:
    """The records of one graph of :func:`core_tables` (``commodity`` is the graph's; ``"*"`` for an aggregate)
    — also what :mod:`netdep.metrics.ranges` recomputes on each variant of a graph."""
    deps = dependency_records(G, cons.get(commodity) if commodity != "*" else None, remainders=rem)
    conc: list[dict] = []
    cent: list[dict] = []
    if commodity != "*":
        f = fuel.get(commodity)
        fb = fuel_balance(G, rem, None) if f is None else balances.get(f, {})
        conc = concentration_records(G, rem, fuel=fb)
    if commodity not in fuel or fuel[commodity] != commodity:
        cent = centrality_records(G, rem, measures=centrality_names())
    return {"dependencies": deps, "concentration": conc, "centrality": cent}


PRE_WAR_BEFORE = 2022


def default_years(data: Data) -> tuple[int, int | None]:
    """Report year: the latest year with every layer and every energy commodity. Compare year: the latest year
    with energy data before ``PRE_WAR_BEFORE`` (2022, the year of Russia's full-scale invasion of Ukraine and the
    EU's break with Russian energy), so a report compares against the last pre-war year; the earliest energy year
    when none is earlier."""
    flows = data.rows("flows")
    energy = {c["commodity"] for c in data.rows("commodities") if c["layer"] == "energy"}
    energy_traded = {f["commodity"] for f in flows if f["layer"] == "energy"}
    full = []
    for y in data.years:
        fy = [f for f in flows if f["year"] == y]
        layers = {f["layer"] for f in fy}
        if all_layers(layers) and energy_traded <= {f["commodity"] for f in fy} & energy:
            full.append(y)
    year = max(full) if full else max(data.years)
    energy_years = sorted({f["year"] for f in flows if f["layer"] == "energy"})
    before = [y for y in energy_years if y < min(year, PRE_WAR_BEFORE)]
    compare = max(before) if before else (min(energy_years) if energy_years and min(energy_years) < year else None)
    return year, compare
