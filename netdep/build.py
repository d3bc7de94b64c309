"""Build the Parquet tables from the cited source CSVs in ``data/src/``.

The CSVs are the reviewable text form of the data: ``sources.csv``,
``actors.csv``, ``commodities.csv``, ``routes.csv``, ``flows_*.csv``,
``balances_*.csv``, ``prices_*.csv`` and ``route_assignments.csv``. Building is
deterministic: the same CSVs give the same Parquet bytes.

Rules applied while building (each is documented in the README):

* rows with ``choice = alternative`` stay in the CSVs (a later uncertainty measure
  can use them) but not in ``flows.parquet``;
* a flow to or from ``WORLD`` is a published total, not an edge: it yields a
  ``ROW`` remainder edge (total minus the listed partners) so shares add up;
* a preferred row whose ``replaces`` names a source (``flows_corrections.csv``) supersedes
  that source's row for the same year and pair (:func:`corrections`);
* ``route_assignments.csv`` names the route of a pair whose whole flow used one;
* energy flows are valued in US$ at one reference price per commodity and year
  (:data:`VALUATION`), so layers can be weighed together.

>>> tables = build_tables("data/src")
>>> tables["flows"].num_rows > 300
True
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa

from .errors import SourceFormatError
from .srccsv import read_rows
from .store import canonical, table_from_rows

__all__ = ["build_tables", "VALUATION", "REMAINDER_TOLERANCE", "source_files", "corrections"]

#: commodity -> (price series in prices_*.csv, US$ bn per unit of the commodity per price unit, how)
VALUATION: dict[str, tuple[str, float, str]] = {
    "crude_oil": ("Brent", 7.33e-3, "Brent $/bbl x 7.33 bbl/t"),
    "oil_products": ("Brent", 7.33e-3, "Brent $/bbl x 7.33 bbl/t (products at the crude price)"),
    "pipeline_gas": ("Netherlands TTF", 34.12e-3, "TTF $/MMBtu x 34.12 million MMBtu/bcm"),
    "lng": ("Japan", 34.12e-3, "Japan LNG cif $/MMBtu x 34.12 million MMBtu/bcm"),
    "coal": ("Northwest Europe", 40e-3, "NW Europe coal $/t x 40 Mt/EJ"),
}
REMAINDER_TOLERANCE = 0.005  # a remainder below 0.5% of the total is rounding, not a partner


def source_files(src_dir: str | Path) -> list[Path]:
    """The CSV files a build reads, in a fixed order."""
    d = Path(src_dir)
    return sorted(p for p in d.glob("*.csv"))


_read = read_rows  # one reader of data/src (netdep.srccsv)


def _num(path: Path, i: int, col: str, text: str, required: bool = True) -> float | None:
    if text is None or text.strip() == "":
        if required:
            raise SourceFormatError(f"{path.name}:{i}: {col}: is empty but required")
        return None
    try:
        return float(text)
    except ValueError:
        raise SourceFormatError(f"{path.name}:{i}: {col}: '{text}' is not a number") from None


def _int(path: Path, i: int, col: str, text: str) -> int | None:
    v = _num(path, i, col, text, required=False)
    return None if v is None else int(v)


def _list(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(";") if t.strip()]


def build_tables(src_dir: str | Path) -> dict[str, pa.Table]:
    """Read ``src_dir``'s CSVs and return the six tables, sorted by key (not yet validated)."""
    d = Path(src_dir)
    if not (d / "sources.csv").exists():
        raise SourceFormatError(f"{d}: no sources.csv; is this a netdep data/src folder?")
    sources = [{k: (v or None) for k, v in r.items()} for r in _read(d / "sources.csv")]
    _add_tiers(d, sources)
    actors = [{"actor": r["actor"], "name": r["name"], "kind": r["kind"], "members": _list(r["members"])}
              for r in _read(d / "actors.csv")]
    p = d / "commodities.csv"
    commodities = [{"commodity": r["commodity"], "layer": r["layer"], "unit": r["unit"],
                    "ej_per_unit": _num(p, i, "ej_per_unit", r["ej_per_unit"], required=False),
                    "balance_of": r["balance_of"] or None, "description": r["description"],
                    "source_id": r["source_id"] or None} for i, r in enumerate(_read(p), 1)]
    p = d / "routes.csv"
    routes = [{**{k: (v or None) for k, v in r.items()}, "via": _list(r["via"]),
               "capacity": _num(p, i, "capacity", r["capacity"]),
               "open_from": _int(p, i, "open_from", r["open_from"]),
               "open_to": _int(p, i, "open_to", r["open_to"])} for i, r in enumerate(_read(p), 1)]
    prices = {}
    for p in sorted(d.glob("prices_*.csv")):
        for i, r in enumerate(_read(p), 1):
            prices[(int(r["year"]), r["series"])] = (_num(p, i, "price", r["price"]), r["unit"], r["source_id"])
    balances = []
    for p in sorted(d.glob("balances_*.csv")):
        for i, r in enumerate(_read(p), 1):
            balances.append({"actor": r["actor"], "year": int(r["year"]), "commodity": r["commodity"],
                             "production": _num(p, i, "production", r["production"], required=False),
                             "consumption": _num(p, i, "consumption", r["consumption"], required=False),
                             "source_id": r["source_id"], "note": r.get("note") or None})
    assignments = {}
    if (d / "route_assignments.csv").exists():
        for r in _read(d / "route_assignments.csv"):
            assignments[(int(r["year"]), r["commodity"], r["origin"], r["destination"])] = r["route"]
    flows, totals = [], []
    flow_rows = [(p, i, r) for p in sorted(d.glob("flows_*.csv")) for i, r in enumerate(_read(p), 1)]
    replaced = corrections(flow_rows)
    for p, i, r in flow_rows:
        superseded = _flow_key(r) in replaced and not r.get("replaces")
        if (r.get("choice") or "preferred") != "preferred" or superseded:
            continue
        rec: dict[str, Any] = {
            "year": _int(p, i, "year", r["year"]), "layer": r["layer"], "commodity": r["commodity"],
            "origin": r["origin"], "destination": r["destination"],
            "value": _num(p, i, "value", r["value"]),
            "value_usd_bn": _num(p, i, "value_usd_bn", r.get("value_usd_bn", ""), required=False),
            "route": r.get("route") or None, "source_id": r["source_id"], "note": r.get("note") or None,
        }
        if "WORLD" in (rec["origin"], rec["destination"]):
            totals.append(rec)
            continue
        key = (rec["year"], rec["commodity"], rec["origin"], rec["destination"])
        if rec["route"] is None and key in assignments:
            rec["route"] = assignments[key]
        flows.append(rec)
    flows += remainders(flows, totals)
    for rec in flows:
        if rec["value_usd_bn"] is None and rec["commodity"] in VALUATION:
            series, factor, how = VALUATION[rec["commodity"]]
            price = prices.get((rec["year"], series))
            if price is not None:
                rec["value_usd_bn"] = round(rec["value"] * price[0] * factor, 4)
                valued = f"US$ value at {how} = {price[0]:.2f} ({price[2]})"
                rec["note"] = f"{rec['note']}; {valued}" if rec["note"] else valued
    out = {
        "sources": table_from_rows("sources", sources),
        "actors": table_from_rows("actors", actors),
        "commodities": table_from_rows("commodities", commodities),
        "routes": table_from_rows("routes", routes),
        "flows": table_from_rows("flows", flows),
        "balances": table_from_rows("balances", balances),
        **price_policy_tables(d),
    }
    return {name: canonical(name, t) for name, t in out.items()}


def _flow_key(r: dict[str, str]) -> tuple[str, str, str, str, str]:
    return (r["year"].strip(), r["commodity"], r["origin"], r["destination"], r["source_id"])


def corrections(flow_rows: list[tuple[Path, int, dict[str, str]]]) -> set[tuple[str, str, str, str, str]]:
    """Keys of source rows that a correction replaces (issue 10).

    A preferred row with a ``replaces`` column naming a ``source_id`` (``flows_corrections.csv``)
    supersedes the row of that source with the same year, commodity, origin and destination: the
    replaced row stays in its CSV (as the published figure) but not in ``flows.parquet``, and the
    correction file keeps it as a ``choice = alternative`` row beside the correction. A ``replaces``
    that matches no row is an error (a correction must say what it corrects).
    """
    keys = {_flow_key(r) for _, _, r in flow_rows}
    out: set[tuple[str, str, str, str, str]] = set()
    for p, i, r in flow_rows:
        target = (r.get("replaces") or "").strip()
        if not target or (r.get("choice") or "preferred") != "preferred":
            continue
        key = (*_flow_key(r)[:4], target)
        if key not in keys:
            raise SourceFormatError(f"{p.name}:{i}: replaces: no {target} row for {r['year']} {r['commodity']} "
                                    f"{r['origin']} -> {r['destination']} to replace")
        out.add(key)
    return out


def _add_tiers(d: Path, sources: list[dict]) -> None:
    """Fill ``tier`` and ``original_publisher`` of each source from ``source_tiers.csv`` (issue 10)."""
    from .schema import TIERS

    p = d / "source_tiers.csv"
    tiers: dict[str, tuple[str, str | None]] = {}
    if p.exists():
        known = {s["source_id"] for s in sources}
        for i, r in enumerate(_read(p), 1):
            if r["source_id"] not in known:
                raise SourceFormatError(f"{p.name}:{i}: source_id: '{r['source_id']}' is not in sources.csv")
            if r["tier"] not in TIERS:
                raise SourceFormatError(f"{p.name}:{i}: tier: '{r['tier']}' is not one of {', '.join(TIERS)}")
            tiers[r["source_id"]] = (r["tier"], r["original_publisher"] or None)
    for s in sources:
        s["tier"], s["original_publisher"] = tiers.get(s["source_id"], (None, None))


def remainders(flows: list[dict], totals: list[dict]) -> list[dict]:
    """``ROW`` edges that make each published world total add up.

    For an exporter with a world total T and listed exports L, the edge
    exporter -> ROW carries T - L (likewise ROW -> importer). A remainder below
    :data:`REMAINDER_TOLERANCE` of T is dropped as rounding; a negative one
    (partners reported by other sources exceed the total) is dropped too, and
    the note of the total says so in the README's data caveats.
    """
    listed: dict[tuple, float] = defaultdict(float)
    for f in flows:
        if "ROW" in (f["origin"], f["destination"]):
            continue
        listed[(f["year"], f["commodity"], "out", f["origin"])] += f["value"]
        listed[(f["year"], f["commodity"], "in", f["destination"])] += f["value"]
    out = []
    for t in totals:
        side, actor = ("out", t["origin"]) if t["destination"] == "WORLD" else ("in", t["destination"])
        rest = t["value"] - listed[(t["year"], t["commodity"], side, actor)]
        if rest <= REMAINDER_TOLERANCE * t["value"]:
            continue
        origin, destination = (actor, "ROW") if side == "out" else ("ROW", actor)
        what = "exports" if side == "out" else "imports"
        out.append({
            "year": t["year"], "layer": t["layer"], "commodity": t["commodity"], "origin": origin,
            "destination": destination, "value": round(rest, 4),
            "value_usd_bn": round(rest, 4) if t["value_usd_bn"] is not None else None,
            "route": None, "source_id": t["source_id"],
            "note": f"remainder: {actor}'s world {what} {t['value']:g} less listed partners "
                    f"{t['value'] - rest:g}; total: {t['note'] or ''}"[:1000],
        })
    return out


def price_policy_tables(d: Path) -> dict[str, pa.Table]:
    """``prices.csv`` and ``policy.csv`` (issue 13) as tables; empty tables when a file is absent."""
    out: dict[str, list[dict]] = {"prices": [], "policy": []}
    p = d / "prices.csv"
    if p.exists():
        for i, r in enumerate(_read(p), 1):
            out["prices"].append({
                "commodity": r["commodity"], "year": _int(p, i, "year", r["year"]),
                "exporter": r["exporter"] or None, "importer": r["importer"] or None, "route": r["route"] or None,
                "price": _num(p, i, "price", r["price"]), "unit": r["unit"], "basis": r["basis"],
                "source_id": r["source_id"], "note": r.get("note") or None})
    p = d / "policy.csv"
    if p.exists():
        for i, r in enumerate(_read(p), 1):
            out["policy"].append({
                "commodity": r["commodity"], "origin": r["origin"], "destination": r["destination"] or None,
                "route": r["route"] or None, "via": r["via"] or None,
                "except_route": r.get("except_route") or None,
                "year_from": _int(p, i, "year_from", r["year_from"]), "year_to": _int(p, i, "year_to", r["year_to"]),
                "kind": r["kind"], "limit": _num(p, i, "limit", r["limit"]), "unit": r["unit"],
                "source_id": r["source_id"], "note": r.get("note") or None})
    return {name: table_from_rows(name, rows) for name, rows in out.items()}
