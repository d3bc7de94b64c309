"""Prices, valuation with provenance, export revenue and legal limits (issue 13).

Valuation rule: an energy flow of ``value`` units is worth ``value x price`` US$ bn,
at the **most specific** row of the ``prices`` table for its commodity and year::

    specificity = 4 * [route matches] + [exporter matches] + [importer matches]

so route (4-6) > exporter and importer (2) > exporter or importer (1) > world benchmark (0);
a row whose exporter, importer or route is set and differs from the flow's never applies.
Ties go to the basis order ``contract > customs_unit_value > discount_to_benchmark > benchmark``,
then to the source id. Flows of commodities without prices (trade, investment: already US$)
keep their ``value_usd_bn`` with ``price_basis = 'as_published'``. Reference for unit values:
UN Statistics Division, *International Merchandise Trade Statistics: Concepts and Definitions*
(IMTS 2010), ch. 5 (unit value = value / quantity).

>>> from netdep.store import load
>>> data = load()
>>> v = {(r["year"], r["commodity"], r["origin"], r["destination"], r["route"]): r
...      for r in value_flows(data).to_pylist()}
>>> r = v[(2021, "pipeline_gas", "RUS", "CHN", "power_of_siberia_1")]
>>> (r["price_basis"], r["price_source_id"], round(r["price"], 4))
('customs_unit_value', 'gacc_imports_ru', 0.1463)
>>> legal_limit(data, "crude_oil", "RUS", "DEU", 2023).limit
0.0
>>> legal_limit(data, "crude_oil", "RUS", "DEU", 2021) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from .store import Data

__all__ = ["BASIS_ORDER", "best_price", "value_flows", "revenue", "LegalLimit", "legal_limit",
           "world_prices_from_build", "PRICE_UNITS", "to_table_price", "value_rows"]

BASIS_ORDER = ("scenario", "contract", "customs_unit_value", "discount_to_benchmark", "benchmark")

#: the unit each benchmark is published in (``netdep.build.VALUATION`` converts it to US$ bn per unit)
PRICE_UNITS = {"crude_oil": "USD/bbl", "oil_products": "USD/bbl", "pipeline_gas": "USD/MMBtu", "lng": "USD/MMBtu",
               "coal": "USD/t"}


def to_table_price(commodity: str, price: float, unit: str, commodity_unit: str) -> float:
    """``price`` in ``unit`` as US$ bn per unit of the commodity (the ``prices`` table's unit).

    ``unit`` is ``USD_bn/<commodity unit>`` (returned as is) or the benchmark's unit of
    :data:`PRICE_UNITS`, converted with the build's factors (:data:`netdep.build.VALUATION`:
    7.33 bbl/t, 34.12 million MMBtu/bcm, 40 Mt/EJ).

    >>> round(to_table_price("pipeline_gas", 10.0, "USD/MMBtu", "bcm"), 4)   # $10/MMBtu = $341 per 1000 m3
    0.3412
    >>> to_table_price("crude_oil", 0.5, "USD_bn/Mt", "Mt")
    0.5
    """
    if unit == f"USD_bn/{commodity_unit}":
        return price
    if PRICE_UNITS.get(commodity) != unit:
        want = " or ".join(u for u in (f"USD_bn/{commodity_unit}", PRICE_UNITS.get(commodity)) if u)
        raise ValueError(f"'{unit}' is not a unit for {commodity} prices: use {want}")
    from .build import VALUATION

    return price * VALUATION[commodity][1]

VALUED_SCHEMA = pa.schema([
    ("year", pa.int64()), ("layer", pa.string()), ("commodity", pa.string()), ("origin", pa.string()),
    ("destination", pa.string()), ("route", pa.string()), ("value", pa.float64()),
    ("value_usd_bn", pa.float64()), ("price", pa.float64()), ("price_basis", pa.string()),
    ("price_source_id", pa.string()), ("price_match", pa.string()), ("source_id", pa.string()),
])


def _score(p: dict, origin: str, destination: str, route: str | None) -> int | None:
    if p["exporter"] is not None and p["exporter"] != origin:
        return None
    if p["importer"] is not None and p["importer"] != destination:
        return None
    if p["route"] is not None and p["route"] != route:
        return None
    return 4 * (p["route"] is not None) + (p["exporter"] is not None) + (p["importer"] is not None)


def best_price(prices: list[dict], commodity: str, year: int, origin: str, destination: str,
               route: str | None = None) -> dict | None:
    """The most specific ``prices`` row for a flow (see the module docstring), or None."""
    best, key = None, None
    for p in prices:
        if p["commodity"] != commodity or p["year"] != year:
            continue
        s = _score(p, origin, destination, route)
        if s is None:
            continue
        k = (-s, BASIS_ORDER.index(p["basis"]), p["source_id"])
        if key is None or k < key:
            best, key = p, k
    return best


def _match(p: dict) -> str:
    parts = [n for n in ("route", "exporter", "importer") if p[n] is not None]
    return "+".join(parts) if parts else "world"


def value_rows(rows: list[dict], prices: list[dict], overrides: list[dict] = ()) -> list[dict]:
    """``rows`` (flow dicts) each with ``value_usd_bn`` at its price and the price's provenance.

    ``overrides`` (a scenario's ``set_price`` rows) win over ``prices`` wherever they match, the
    most specific first. Same rule and columns as :func:`value_flows`.
    """
    priced = {p["commodity"] for p in prices} | {p["commodity"] for p in overrides}
    by_cy: dict[tuple, list[dict]] = {}
    for p in prices:
        by_cy.setdefault((p["commodity"], p["year"]), []).append(p)
    own: dict[tuple, list[dict]] = {}
    for p in overrides:
        own.setdefault((p["commodity"], p["year"]), []).append({**p, "basis": "scenario"})
    out = []
    for f in rows:
        rec = {k: f[k] for k in ("year", "layer", "commodity", "origin", "destination", "route", "value",
                                 "value_usd_bn", "source_id")}
        key = (f["commodity"], f["year"])
        p = best_price(own.get(key, [])[::-1], *key, f["origin"], f["destination"], f["route"])
        if p is None:
            p = best_price(by_cy.get(key, []), *key, f["origin"], f["destination"], f["route"])
        if p is not None:
            rec.update(value_usd_bn=round(f["value"] * p["price"], 4), price=p["price"], price_basis=p["basis"],
                       price_source_id=p["source_id"], price_match=_match(p))
        elif f["commodity"] in priced:
            rec.update(price=None, price_basis="unpriced", price_source_id=None, price_match=None)
        else:
            rec.update(price=None, price_basis="as_published", price_source_id=f["source_id"], price_match=None)
        out.append(rec)
    return out


def value_flows(data: Data, prices: list[dict] | None = None) -> pa.Table:
    """Every flow with ``value_usd_bn`` recomputed at its most specific price, and the price's provenance.

    ``prices`` defaults to ``data``'s ``prices`` table. Columns: those of :data:`VALUED_SCHEMA`;
    ``price_match`` says what the price matched (``route+exporter+importer``, ``exporter+importer``,
    ``exporter``, ``importer``, ``world``). A priced commodity with no row for its year keeps its
    published value with ``price_basis = 'unpriced'``.
    """
    prices = data.rows("prices") if prices is None else prices
    out = value_rows(data.rows("flows"), prices)
    return pa.Table.from_pylist(out, schema=VALUED_SCHEMA)


def revenue(data: Data, exporter: str, years: list[int] | None = None, layer: str = "energy") -> list[dict]:
    """``exporter``'s export revenue by year, buyer, commodity and route, at each flow's price.

    revenue = volume x price (US$ bn), gross: export duties and transit fees are not yet in the
    ``prices`` table, so nothing is deducted (``net_of`` is empty). Rows sorted by year, buyer,
    commodity, route.

    >>> from netdep.store import load
    >>> rows = revenue(load(), "RUS", [2023])
    >>> round(sum(r["revenue_usd_bn"] for r in rows), 1) > 100
    True
    """
    t = value_flows(data)
    rows = [r for r in t.to_pylist() if r["origin"] == exporter and r["layer"] == layer
            and (years is None or r["year"] in years) and r["value_usd_bn"] is not None]
    return sorted(({"year": r["year"], "exporter": exporter, "buyer": r["destination"],
                    "commodity": r["commodity"], "route": r["route"], "volume": r["value"],
                    "price": r["price"], "revenue_usd_bn": r["value_usd_bn"], "price_basis": r["price_basis"],
                    "price_source_id": r["price_source_id"], "price_match": r["price_match"], "net_of": ""}
                   for r in rows), key=lambda r: (r["year"], r["buyer"], r["commodity"], r["route"] or ""))


def world_prices_from_build(src_dir: str = "data/src") -> list[dict]:
    """The one-world-price-per-commodity table the build values flows with (``netdep.build.VALUATION``).

    Valuing with it reproduces the published ``flows.value_usd_bn`` (revenue conservation).
    """
    import csv
    from pathlib import Path

    from .build import VALUATION

    out = []
    for p in sorted(Path(src_dir).glob("prices_*.csv")):
        with open(p, newline="", encoding="utf-8-sig") as f:
            series = {(int(r["year"]), r["series"]): (float(r["price"]), r["source_id"]) for r in csv.DictReader(f)}
        for commodity, (name, factor, _how) in VALUATION.items():
            for (year, s), (price, sid) in series.items():
                if s == name:
                    out.append({"commodity": commodity, "year": year, "exporter": None, "importer": None,
                                "route": None, "price": price * factor, "basis": "benchmark", "source_id": sid})
    return out


@dataclass(frozen=True)
class LegalLimit:
    """What the law allows for one (commodity, origin, destination, year[, route, via]).

    ``limit``: the tightest volume limit (commodity unit per year; 0 = embargo or completed
    phase-out), or None when only a price cap applies. ``coverage``: ``"partial"`` when the buyer
    is a region that holds members a volume measure binds and members it does not. ``price_cap``: the lowest price cap
    (``price_cap_unit``, e.g. US$/bbl), or None. ``rows``: the ``policy`` rows that apply.
    """

    limit: float | None
    price_cap: float | None
    price_cap_unit: str | None
    kinds: tuple[str, ...]
    source_ids: tuple[str, ...]
    rows: tuple[dict[str, Any], ...] = field(repr=False, default=())
    coverage: str = "full"  # "partial": the buyer is a region only part of which the volume measures bind


def _covers(actors: dict[str, dict], bound: str | None, actor: str | None) -> str | None:
    """How a measure on ``bound`` (None: every buyer) covers ``actor``: ``"full"``, ``"partial"`` or None.

    Full: the same actor, a member of the bloc, or a bloc all of whose members are in it. Partial: a
    region that holds some of the bloc's members and others (the Statistical Review's Europe and an
    EU27 embargo).
    """
    if bound is None:
        return "full"
    if actor is None:
        return None
    if bound == actor:
        return "full"
    members = set((actors.get(bound) or {}).get("members") or [])
    inner = set((actors.get(actor) or {}).get("members") or [])
    if actor in members or (bool(inner) and inner <= members):
        return "full"
    return "partial" if inner & members else None


def legal_limit(data: Data, commodity: str, origin: str, destination: str, year: int,
                route: str | None = None, via: str | None = None, policy: list[dict] | None = None,
                actors: dict[str, dict] | None = None) -> LegalLimit | None:
    """The legal limit on a flow, from the ``policy`` table, or None when no measure applies.

    A policy row applies when its commodity and origin match, ``year_from <= year <= year_to``
    (open-ended when ``year_to`` is null), its destination is null (every buyer) or equals or
    contains ``destination`` (a bloc's members are bound by the bloc's measure: ``DEU`` by an
    ``EU27`` embargo), its route is null or equals ``route`` (a measure on one asset, e.g. Arctic
    LNG 2, binds only flows on it), ``route`` is not its ``except_route`` (the crude embargo
    exempts pipeline crude: ``route='druzhba'``), and its ``via`` is null or equals ``via``
    (a transshipment ban binds only flows transshipped there). A region that holds some members of
    the measure's bloc (``REG_EUROPE`` and an ``EU27`` embargo) is covered ``"partial"``.
    ``policy`` (default: ``data``'s table) lets a scenario pass the law as it changed it.
    The scenario engine calls this beside capacity and deliverability and reports the bound
    ``legal`` when it binds.

    >>> from netdep.store import load
    >>> data = load()
    >>> legal_limit(data, "crude_oil", "RUS", "EU27", 2023, route="druzhba").kinds
    ('price_cap',)
    >>> legal_limit(data, "pipeline_gas", "RUS", "EU27", 2028).limit
    0.0
    """
    actors = actors if actors is not None else {a["actor"]: a for a in data.rows("actors")}
    rows, partial = [], False
    for p in (data.rows("policy") if policy is None else policy):
        if p["commodity"] != commodity or p["origin"] != origin:
            continue
        if year < p["year_from"] or (p["year_to"] is not None and year > p["year_to"]):
            continue
        cov = _covers(actors, p["destination"], destination)
        if cov is None:
            continue
        if p["route"] is not None and p["route"] != route:
            continue
        if p["except_route"] is not None and p["except_route"] == route:
            continue
        if p["via"] is not None and p["via"] != via:
            continue
        rows.append(p)
        partial |= cov == "partial" and p["kind"] != "price_cap"
    if not rows:
        return None
    volume = [p["limit"] for p in rows if p["kind"] != "price_cap"]
    caps = [p for p in rows if p["kind"] == "price_cap"]
    cap = min(caps, key=lambda p: p["limit"]) if caps else None
    return LegalLimit(limit=min(volume) if volume else None, price_cap=cap["limit"] if cap else None,
                      price_cap_unit=cap["unit"] if cap else None,
                      kinds=tuple(sorted({p["kind"] for p in rows})),
                      source_ids=tuple(sorted({p["source_id"] for p in rows})), rows=tuple(rows),
                      coverage="partial" if partial else "full")
