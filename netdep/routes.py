"""Which routes are open in a year, how much they carry, and how much is spare.

Two kinds of route (``routes.parquet``):

* a **link** joins two actors (a pipeline RUS→CHN): it carries flows of its
  commodity from its origin to its destination;
* a **gate** has ``ROW`` at one end: an export gate (an LNG plant, a port:
  RUS→ROW) carries any of its origin's exports, an import gate (regasification:
  ROW→EU27) any of its destination's imports.

Use in a year (:func:`route_use`): flows that name a route count on it. A flow
without a route fills the open links joining its pair first, in proportion to
their capacity and up to it (pipelines run first), and the rest goes through
the open export gates at its origin and the open import gates at its
destination (each side in proportion to capacity) — an assumption the sources
force, since they rarely split a pair's flow by route. What no known route can
carry is ``unrouted``: capacity unknown, not zero.

A route is open in year Y (:func:`is_open`) when ``open_from <= Y <= open_to``
(a missing end is unbounded), except that a route with no known opening year is
open only while its status is ``operating`` (planned, offline or destroyed
routes with no dates never carried anything in the data's years).

>>> from netdep.store import load
>>> data = load()
>>> r = {x["route"]: x for x in data.rows("routes")}
>>> is_open(r["ukraine_transit"], 2023), is_open(r["ukraine_transit"], 2025), is_open(r["power_of_siberia_2"], 2025)
(True, False, False)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .store import Data

__all__ = ["is_open", "RouteUse", "route_use", "links", "export_gates", "import_gates", "capacity", "Capacity",
           "routes_in_year", "measured_use"]


def is_open(route: dict, year: int) -> bool:
    """Whether ``route`` could carry flows in ``year``."""
    lo, hi = route.get("open_from"), route.get("open_to")
    if lo is None and hi is None:
        return route["status"] == "operating"
    if lo is None and route["status"] == "planned":
        return False
    return (lo is None or lo <= year) and (hi is None or year <= hi)


def links(routes: list[dict], commodity: str, origin: str, destination: str, year: int) -> list[dict]:
    """Open links carrying ``commodity`` from ``origin`` to ``destination`` in ``year``."""
    return [r for r in routes if r["commodity"] == commodity and r["origin"] == origin
            and r["destination"] == destination and "ROW" not in (origin, destination) and is_open(r, year)]


def export_gates(routes: list[dict], commodity: str, origin: str, year: int) -> list[dict]:
    """Open gates for ``origin``'s exports of ``commodity`` (routes ``origin -> ROW``)."""
    return [r for r in routes if r["commodity"] == commodity and r["origin"] == origin
            and r["destination"] == "ROW" and is_open(r, year)]


def import_gates(routes: list[dict], commodity: str, destination: str, year: int) -> list[dict]:
    """Open gates for ``destination``'s imports of ``commodity`` (routes ``ROW -> destination``)."""
    return [r for r in routes if r["commodity"] == commodity and r["destination"] == destination
            and r["origin"] == "ROW" and is_open(r, year)]


def _share_out(amount: float, group: list[dict], use: dict[str, float], cap: bool) -> float:
    """Spread ``amount`` over ``group`` by capacity (up to spare capacity when ``cap``); return the rest."""
    if amount <= 0 or not group:
        return amount
    if not cap:
        total = sum(r["capacity"] for r in group) or 1.0
        for r in group:
            use[r["route"]] += amount * r["capacity"] / total
        return 0.0
    left = amount
    spare = {r["route"]: max(r["capacity"] - use[r["route"]], 0.0) for r in group}
    total = sum(spare.values())
    if total <= 0:
        return left
    take = min(left, total)
    for r in group:
        use[r["route"]] += take * spare[r["route"]] / total
    return left - take


@dataclass
class RouteUse:
    """Use of every route in one year, and the flow volume no known route carries."""

    year: int
    use: dict[str, float]
    capacity: dict[str, float]
    open: dict[str, bool]
    unrouted: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def spare(self, route: str) -> float:
        """Capacity minus use (0 for a closed route; never negative)."""
        if not self.open.get(route):
            return 0.0
        return max(self.capacity[route] - self.use.get(route, 0.0), 0.0)


def route_use(data: Data, year: int, flows: list[dict] | None = None, routes: list[dict] | None = None) -> RouteUse:
    """Allocate ``year``'s flows to routes (see the module docstring).

    ``flows`` and ``routes`` default to the data's tables (a scenario passes its changed ones).
    """
    routes = routes if routes is not None else routes_in_year(data, year)
    flows = flows if flows is not None else [f for f in data.rows("flows") if f["year"] == year]
    use: dict[str, float] = defaultdict(float)
    unrouted: dict[tuple[str, str, str], float] = {}
    commodities = {r["commodity"] for r in routes}
    for f in sorted(flows, key=lambda f: (f["commodity"], f["origin"], f["destination"], f["route"] or "")):
        if f["year"] != year or f["commodity"] not in commodities:
            continue
        if f["route"]:
            use[f["route"]] += f["value"]
            continue
        c, o, d = f["commodity"], f["origin"], f["destination"]
        rest = _share_out(f["value"], links(routes, c, o, d, year), use, cap=True)
        exp, imp = export_gates(routes, c, o, year), import_gates(routes, c, d, year)
        if rest > 0 and (exp or imp):
            _share_out(rest, exp, use, cap=False)
            _share_out(rest, imp, use, cap=False)
            rest = 0.0
        if rest > 1e-12:
            unrouted[(c, o, d)] = rest
    return RouteUse(year=year, use=dict(use), capacity={r["route"]: r["capacity"] for r in routes},
                    open={r["route"]: is_open(r, year) for r in routes}, unrouted=unrouted)


@dataclass(frozen=True)
class Capacity:
    """A route's capacity and status in one year, its source, and whether it is the year's own figure."""

    route: str
    year: int
    capacity: float
    status: str
    source_id: str
    by_year: bool  # False: the route's single value from routes.csv, used for every year


def capacity(data: Data, route: str, year: int) -> Capacity:
    """Capacity of ``route`` in ``year``: the cited per-year row of ``route_capacity.parquet`` where there is
    one, else the route's single value in ``routes`` (``by_year=False``).

    >>> from netdep.store import load
    >>> data = load()
    >>> capacity(data, "espo_china_spur", 2017).capacity, capacity(data, "espo_china_spur", 2018).capacity
    (15.0, 30.0)
    >>> c = capacity(data, "nord_stream_1", 2023); (c.status, c.by_year)
    ('destroyed', True)
    """
    from .capacity import capacity_by_year

    rows = {r["route"]: r for r in data.rows("routes")}
    if route not in rows:
        raise KeyError(f"no route '{route}'")
    per_year = capacity_by_year(data.path) if data.path is not None else {}
    r = per_year.get((route, year))
    if r is not None:
        return Capacity(route, year, r["capacity"], r["status"], r["source_id"], True)
    base = rows[route]
    return Capacity(route, year, base["capacity"], base["status"], base["source_id"], False)


def routes_in_year(data: Data, year: int) -> list[dict]:
    """The ``routes`` rows as they stood in ``year``: capacity and status from the cited per-year rows of
    ``route_capacity.parquet`` where there is one (its ``source_id`` then replaces the route's), the single
    ``routes`` value otherwise. Route use, vulnerability and scenarios all read routes through this.

    >>> from netdep.store import load
    >>> r = {x["route"]: x for x in routes_in_year(load(), 2023)}
    >>> r["espo_china_spur"]["capacity"], r["nord_stream_1"]["status"]
    (30.0, 'destroyed')
    """
    from .capacity import capacity_by_year

    per_year = capacity_by_year(data.path) if data.path is not None else {}
    out = []
    for r in data.rows("routes"):
        y = per_year.get((r["route"], year))
        out.append(r if y is None else {**r, "capacity": y["capacity"], "status": y["status"] or r["status"],
                                        "source_id": y["source_id"] or r["source_id"]})
    return out


#: mcm per bcm
_MCM = 1000.0


def measured_use(data: Data, year: int) -> dict[str, float]:
    """Route use in ``year`` measured at entry points (IEA Gas Trade Flows in ``flows_monthly``), bcm per route.

    Only routes whose points are mapped, and only years the series covers in full (12 months; a point with no
    row in a month carried nothing measurable) are returned; :func:`route_use` remains the allocation rule
    for everything else.
    """
    from .series import read_series

    t = read_series(data.path) if data.path is not None else None
    if t is None:
        return {}
    out: dict[str, float] = defaultdict(float)
    months: set[str] = set()
    for r in t.to_pylist():
        if r["source_id"] == "iea_gtf_2024_03" and r["month"].startswith(f"{year}-"):
            months.add(r["month"])
            if r["route"]:
                out[r["route"]] += r["value"] / _MCM
    return {k: round(v, 3) for k, v in sorted(out.items())} if len(months) == 12 else {}
