"""Supply systems: which fields feed which routes, so a reroute moves only gas or crude that can get there.

Three tables sit apart from the core six (specs in :data:`netdep.schema.SYSTEM_TABLES`, built from
``data/src/supply_systems.csv``, ``system_routes.csv`` and ``system_flows.csv`` into ``data/systems/``):

* ``supply_systems``: a named system of an exporter (``rus_east_siberia``: Chayanda and Kovykta) with
  its yearly deliverability to export (null: bounded by its routes only);
* ``system_routes``: the routes a system feeds (``power_of_siberia_1`` ← ``rus_east_siberia``); on a
  shared export gate (the seaborne crude ports) the part a system can use (Kozmino, 42 Mt/y);
* ``system_flows``: the base-year flows of the exporter attributed to its systems (and the route
  each uses: a link ties the volume to its destination, a gate does not).

Country flows stay the edges of every graph; the systems attribute them (a system's share of a
country flow is its ``system_flows`` value over the sum of the systems' values for that flow), so
every measure rolls systems up to their country and today's records keep their meaning.

Rules (:func:`check_system_tables`): a system's key is not an actor code (systems never appear
beside their country in one graph); its actor exists; a route it feeds starts at its actor; a
system flow's commodity is one the system supplies and its route is one the system feeds.

A reroute of ``origin``'s ``commodity`` from ``from`` to ``to`` (:func:`movable`) can move a
system's volume only when the system is connected to ``to``: the volume rides an export gate
(which serves any buyer), or the system feeds an open route to ``to`` or an open gate. A system
with no such route moves nothing; the result names it (bound ``no_connection``). On a gate with a
system share, volume moved off a link fills at most the spare of that share.

>>> from netdep.store import load
>>> sy = Systems.of(load())
>>> sy.name("rus_east_siberia")
'East Siberia (Chayanda and Kovykta fields)'
>>> sorted(sy.routes_of("rus_east_siberia"))
['power_of_siberia_1']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..schema import SYSTEM_TABLE_ORDER, SYSTEM_TABLES
from ..store import Data, table_from_rows

__all__ = ["Systems", "SysKey", "SYSTEMS_DIR", "write_system_tables", "build_system_tables", "check_system_tables",
           "route_capacity", "GAS_FLOWS", "system_commodity"]

#: flow commodities a ``natural_gas`` system supplies
GAS_FLOWS = ("pipeline_gas", "lng")
SysKey = tuple[str, str, str, str | None]  # (flow commodity, system, destination, route)


def system_commodity(flow_commodity: str) -> str:
    """The ``supply_systems.commodity`` that supplies a flow commodity (``lng`` → ``natural_gas``)."""
    return "natural_gas" if flow_commodity in GAS_FLOWS else flow_commodity


def route_capacity(route: dict, year: int) -> float:
    """The capacity of ``route`` in ``year`` — the one place scenarios read a route's capacity.

    Today the ``routes`` table's single ``capacity``; when capacities by year exist this is the
    function to re-point (``year`` is passed for that).
    """
    return float(route["capacity"])


def build_system_tables(src_dir: str | Path) -> dict[str, pa.Table]:
    """The three system tables from ``src_dir``'s CSVs (empty when ``supply_systems.csv`` is absent)."""
    from ..build import _int, _num, _read

    d = Path(src_dir)
    if not (d / "supply_systems.csv").exists():
        return {}
    p = d / "supply_systems.csv"
    systems = [{**{k: (v or None) for k, v in r.items()},
                "deliverability": _num(p, i, "deliverability", r["deliverability"], required=False),
                "year_from": _int(p, i, "year_from", r["year_from"]), "year_to": _int(p, i, "year_to", r["year_to"])}
               for i, r in enumerate(_read(p), 1)]
    p = d / "system_routes.csv"
    sroutes = [{**{k: (v or None) for k, v in r.items()},
                "capacity": _num(p, i, "capacity", r["capacity"], required=False)}
               for i, r in enumerate(_read(p), 1)] if p.exists() else []
    p = d / "system_flows.csv"
    sflows = [{**{k: (v or None) for k, v in r.items()}, "year": _int(p, i, "year", r["year"]),
               "value": _num(p, i, "value", r["value"])} for i, r in enumerate(_read(p), 1)] if p.exists() else []
    out = {"supply_systems": systems, "system_routes": sroutes, "system_flows": sflows}
    return {n: table_from_rows(n, rows).sort_by([(k, "ascending") for k in SYSTEM_TABLES[n].key])
            for n, rows in out.items()}


SYSTEMS_DIR = "systems"  # the tables' folder inside the data folder


def write_system_tables(data_dir: str | Path, tables: dict[str, pa.Table]) -> list[Path]:
    """Write the system tables into ``<data_dir>/systems/``, each atomically (temporary file, fsync, replace)."""
    import os
    import tempfile

    d = Path(data_dir) / SYSTEMS_DIR
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for n in SYSTEM_TABLE_ORDER:
        if n not in tables:
            continue
        fd, tmp = tempfile.mkstemp(prefix=f".{n}-", suffix=".parquet.tmp", dir=d)
        try:
            with os.fdopen(fd, "wb") as f:
                pq.write_table(tables[n], f, compression="zstd", write_statistics=True)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, d / f"{n}.parquet")
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        out.append(d / f"{n}.parquet")
    return out


def check_system_tables(tables: dict[str, pa.Table], core: dict[str, pa.Table]) -> list[str]:
    """Problems with the system tables against the core tables, ``FILE:ROW: column: what is wrong``."""
    actors = {r["actor"] for r in core["actors"].to_pylist()}
    routes = {r["route"]: r for r in core["routes"].to_pylist()}
    sources = {r["source_id"] for r in core["sources"].to_pylist()}
    commodities = {r["commodity"] for r in core["commodities"].to_pylist()}
    out: list[str] = []
    systems: dict[str, dict] = {}
    for i, r in enumerate(tables.get("supply_systems", pa.table({})).to_pylist(), 1):
        w = f"supply_systems.csv:{i}"
        if r["system"] in actors:
            out.append(f"{w}: system: '{r['system']}' is an actor code; a system must not share its country's "
                       "name space (systems never appear beside their country in one graph)")
        if r["actor"] not in actors:
            out.append(f"{w}: actor: unknown actor '{r['actor']}'")
        if r["commodity"] not in commodities:
            out.append(f"{w}: commodity: unknown commodity '{r['commodity']}'")
        if r["source_id"] not in sources:
            out.append(f"{w}: source_id: unknown source '{r['source_id']}'")
        systems[r["system"]] = r
    fed: dict[str, set[str]] = defaultdict(set)
    for i, r in enumerate(tables.get("system_routes", pa.table({})).to_pylist(), 1):
        w = f"system_routes.csv:{i}"
        s, rt = systems.get(r["system"]), routes.get(r["route"])
        if s is None:
            out.append(f"{w}: system: unknown system '{r['system']}' (not in supply_systems.csv)")
        if rt is None:
            out.append(f"{w}: route: unknown route '{r['route']}' (not in routes.csv)")
        if s is not None and rt is not None:
            if rt["origin"] != s["actor"]:
                out.append(f"{w}: route: '{r['route']}' starts at {rt['origin']}, but system '{r['system']}' "
                           f"belongs to {s['actor']}; a route's system belongs to its origin actor")
            if system_commodity(rt["commodity"]) != s["commodity"]:
                out.append(f"{w}: route: '{r['route']}' carries {rt['commodity']}, system '{r['system']}' "
                           f"supplies {s['commodity']}")
        if r.get("source_id") and r["source_id"] not in sources:
            out.append(f"{w}: source_id: unknown source '{r['source_id']}'")
        fed[r["system"]].add(r["route"])
    for i, r in enumerate(tables.get("system_flows", pa.table({})).to_pylist(), 1):
        w = f"system_flows.csv:{i}"
        s = systems.get(r["system"])
        if s is None:
            out.append(f"{w}: system: unknown system '{r['system']}' (not in supply_systems.csv)")
        elif system_commodity(r["commodity"]) != s["commodity"]:
            out.append(f"{w}: commodity: {r['commodity']} is not supplied by '{r['system']}' ({s['commodity']})")
        if r["destination"] not in actors:
            out.append(f"{w}: destination: unknown actor '{r['destination']}'")
        if r["route"] is not None and r["route"] not in fed.get(r["system"], set()):
            out.append(f"{w}: route: system '{r['system']}' does not feed '{r['route']}' (see system_routes.csv)")
        if r["source_id"] not in sources:
            out.append(f"{w}: source_id: unknown source '{r['source_id']}'")
    return out


_CACHE: dict[int, tuple[Data, Systems]] = {}


@dataclass
class Systems:
    """The system tables of one data folder, indexed for the scenario engine (empty when absent)."""

    systems: dict[str, dict] = field(default_factory=dict)
    routes: dict[str, dict[str, float | None]] = field(default_factory=dict)  # system -> route -> share
    flows: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, data: Data) -> Systems:
        """The systems in ``data``'s folder (``<data>/systems/supply_systems.parquet`` …); cached per data."""
        hit = _CACHE.get(id(data))
        if hit is not None and hit[0] is data:
            return hit[1]
        tables: dict[str, pa.Table] = {n: data.tables[n] for n in SYSTEM_TABLE_ORDER if n in data.tables}
        if not tables and data.path is not None:
            for n in SYSTEM_TABLE_ORDER:
                p = Path(data.path) / SYSTEMS_DIR / f"{n}.parquet"
                if p.is_file():
                    tables[n] = pq.read_table(p)
        out = cls.from_tables(tables)
        _CACHE.clear()
        _CACHE[id(data)] = (data, out)
        return out

    @classmethod
    def from_tables(cls, tables: dict[str, pa.Table]) -> Systems:
        if "supply_systems" not in tables:
            return cls()
        systems = {r["system"]: r for r in tables["supply_systems"].to_pylist()}
        routes: dict[str, dict[str, float | None]] = defaultdict(dict)
        for r in tables.get("system_routes", pa.table({})).to_pylist():
            routes[r["system"]][r["route"]] = r["capacity"]
        return cls(systems, dict(routes), tables.get("system_flows", pa.table({})).to_pylist())

    def name(self, system: str) -> str:
        return self.systems[system]["name"]

    def routes_of(self, system: str) -> dict[str, float | None]:
        """Routes ``system`` feeds → its share of each (None: the whole route)."""
        return self.routes.get(system, {})

    def of_actor(self, actor: str, commodity: str, year: int) -> list[str]:
        """Systems of ``actor`` supplying the flow commodity in ``year``, sorted."""
        sc = system_commodity(commodity)
        return sorted(s for s, r in self.systems.items() if r["actor"] == actor and r["commodity"] == sc
                      and (r["year_from"] is None or r["year_from"] <= year)
                      and (r["year_to"] is None or year <= r["year_to"]))

    def system_of_route(self, route: str) -> list[str]:
        return sorted(s for s, rs in self.routes.items() if route in rs)

    def initial(self, year: int, rows: dict) -> dict[SysKey, float]:
        """System flows of ``year`` scaled to the country flows in ``rows`` (keys ``(layer, c, o, d, route)``).

        A country flow whose exporter has systems but no attribution stays unattributed (``None`` system is
        not stored: the engine treats the rest of a flow as able to go anywhere, as without systems).
        """
        att: dict[tuple[str, str, str], dict[tuple[str, str | None], float]] = defaultdict(dict)
        for f in self.flows:
            if f["year"] == year and f["system"] in self.systems:
                o = self.systems[f["system"]]["actor"]
                d = att[(f["commodity"], o, f["destination"])]
                d[(f["system"], f["route"])] = d.get((f["system"], f["route"]), 0.0) + f["value"]
        country: dict[tuple[str, str, str], float] = defaultdict(float)
        for k, r in rows.items():
            if (k[1], k[2], k[3]) in att:
                country[(k[1], k[2], k[3])] += r["value"]
        out: dict[SysKey, float] = {}
        for (c, o, d), parts in att.items():
            tot = sum(parts.values())
            if tot <= 0 or country.get((c, o, d), 0.0) <= 0:
                continue
            f = country[(c, o, d)] / tot
            for (s, rt), v in sorted(parts.items(), key=lambda x: (x[0][0], x[0][1] or "")):
                out[(c, s, d, rt)] = v * f
        return out


def _gate(state, route: str | None) -> bool:
    return route is not None and route in state.routes and state.routes[route]["destination"] == "ROW"


def _open_routes(sy: Systems, state, system: str, commodity: str) -> dict[str, float | None]:
    from ..routes import is_open

    return {rt: share for rt, share in sy.routes_of(system).items()
            if rt in state.routes and state.routes[rt]["commodity"] == commodity
            and is_open(state.routes[rt], state.year)}


def _use(state, system: str, route: str) -> float:
    return sum(v for k, v in state.sys.items() if k[1] == system and k[3] == route)


def _output(sy: Systems, state, system: str) -> float:
    return sum(v for k, v in state.sys.items() if k[1] == system)


def system_limit(sy: Systems, state, commodity: str, origin: str, from_: str | None, to: str, route: str | None,
                 total: float) -> tuple[float, str, str, list]:
    """The most of ``origin``'s ``commodity`` its systems can send to ``to``: (limit, bound, detail, take).

    ``from_`` given (a reroute): the volume ``origin → from_`` whose system is connected to ``to`` (see the
    module docstring) plus the unattributed rest of the flow (``total`` minus the systems' volume). ``from_``
    None (an add_flow of ``total``): the spare deliverability of the systems connected to ``to``. ``take``
    lists what each system (or the unattributed rest, ``None``) can give, for :func:`system_add`.
    """
    c, y = commodity, state.year
    names = sy.of_actor(origin, c, y)
    if not names:
        return float("inf"), "none", "", []
    unit = "Mt" if c == "crude_oil" else "bcm"
    lim, take, why_none, why_cap, why_deliv = 0.0, [], [], [], []
    if from_ is not None:
        entries = [(k, v) for k, v in sorted(state.sys.items(), key=lambda x: (x[0][1], x[0][3] or ""))
                   if k[0] == c and k[2] == from_ and k[1] in names and v > 0]
        rest = max(total - sum(v for _, v in entries), 0.0)
        for s in sorted({k[1] for k, _ in entries}):
            mine = [(k, v) for k, v in entries if k[1] == s]
            rts = _open_routes(sy, state, s, c)
            if route is not None:
                targets = {route: rts[route]} if route in rts else {}
            else:
                targets = {rt: sh for rt, sh in rts.items() if state.routes[rt]["destination"] in (to, "ROW")}
            gate_v = 0.0 if route is not None else sum(v for k, v in mine if _gate(state, k[3]))
            link = [(k, v) for k, v in mine if route is not None or not _gate(state, k[3])]
            link_v = sum(v for _, v in link)
            if not targets:
                if link_v > 0:
                    via = f"route {route}" if route is not None else f"route to {to}"
                    why_none.append(f"system {s} ({sy.name(s)}) has no open {via} (it feeds "
                                    f"{', '.join(sorted(sy.routes_of(s))) or 'nothing'}): its {link_v:.4g} {unit} "
                                    f"to {from_} cannot move")
                spare = 0.0
            else:
                spare = sum(float("inf") if sh is None else max(sh - _use(state, s, rt), 0.0)
                            for rt, sh in targets.items())
                if spare < link_v:
                    why_cap.append(f"system {s}: its share of {', '.join(sorted(targets))} has {spare:.4g} {unit} "
                                   f"spare for its {link_v:.4g} {unit} tied to {from_}")
            m_link = min(link_v, spare)
            for k, v in mine:
                if route is None and _gate(state, k[3]):
                    take.append((k, v))
                elif link_v > 0:
                    take.append((k, m_link * v / link_v))
            lim += gate_v + m_link
        if rest > 0:
            take.append((None, rest))
            lim += rest
    else:
        for s in names:
            rts = _open_routes(sy, state, s, c)
            if route is not None:
                targets = {route: rts[route]} if route in rts else {}
            else:
                targets = {rt: sh for rt, sh in rts.items() if state.routes[rt]["destination"] in (to, "ROW")}
            if not targets:
                continue
            d = sy.systems[s]["deliverability"]
            spare_d = float("inf") if d is None else max(d - _output(sy, state, s), 0.0)
            spare_r = sum(float("inf") if sh is None else max(sh - _use(state, s, rt), 0.0)
                          for rt, sh in targets.items())
            if spare_d < min(total, spare_r):
                why_deliv.append(f"system {s} ({sy.name(s)}) delivers at most {d:.4g} {unit}/yr and already "
                                 f"sends {_output(sy, state, s):.4g}")
            m = min(spare_d, spare_r)
            take.append((s, m))
            lim += m
        if not take:
            via = f"route {route}" if route is not None else f"route to {to}"
            why_none.append(f"no system of {origin} ({', '.join(names)}) feeds an open {via}")
    if why_none:
        bound, detail = "no_connection", "; ".join(why_none + why_cap + why_deliv)
    elif why_deliv:
        bound, detail = "deliverability", "; ".join(why_deliv + why_cap)
    elif why_cap:
        bound, detail = "route_capacity", "; ".join(why_cap)
    else:
        bound, detail = "none", ""
    return lim, bound, detail, take


def system_add(sy: Systems, state, take: list, moved: float, dropped: float, total: float, commodity: str,
               from_: str | None, to: str, route: str | None) -> None:
    """Move the attribution to systems along with a reroute (``from_`` given) or add_flow of ``moved``."""
    if not take:
        return
    c = commodity
    if from_ is None:
        left = moved
        for s, m in take:
            x = min(m, left)
            if x > 0:
                k = (c, s, to, route)
                state.sys[k] = state.sys.get(k, 0.0) + x
                left -= x
        return
    movable = sum(m for _, m in take)
    if movable <= 0:
        return
    remain = {}
    for k, m in take:
        x = moved * m / movable
        if k is None:
            remain[None] = m - x
            continue
        v = state.sys[k]
        state.sys[k] = v - x
        remain[k] = v - x
        new_route = route if route is not None else (k[3] if _gate(state, k[3]) else None)
        nk = (c, k[1], to, new_route)
        state.sys[nk] = state.sys.get(nk, 0.0) + x
    for k, v in state.sys.items():  # volume of from_ no system could move (not in take) also shrinks by drop
        if k[0] == c and k[2] == from_ and k not in remain and k[1] in sy.systems:
            remain[k] = v
    rtot = sum(max(v, 0.0) for v in remain.values())
    if dropped > 0 and rtot > 0:
        for k, v in remain.items():
            if k is not None:
                state.sys[k] = state.sys[k] - dropped * max(v, 0.0) / rtot
    for k in [k for k, v in state.sys.items() if v <= 1e-12 * max(1.0, total)]:
        del state.sys[k]


def scale_system_flows(sy: Systems, state, keys: list, factor: float) -> None:
    """Scale the attribution of the country flows ``keys`` (``(layer, c, o, d, route)``) by ``factor``."""
    pairs = {(k[1], k[2], k[3]) for k in keys}
    for k in list(state.sys):
        s = sy.systems.get(k[1])
        if s is not None and (k[0], s["actor"], k[2]) in pairs:
            if factor == 0.0:
                del state.sys[k]
            else:
                state.sys[k] *= factor
