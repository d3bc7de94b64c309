"""Alternative figures (issue 15): ``alternatives.parquet`` and the ``alternatives`` / ``mirror_gaps`` views.

A flow row of ``data/src/flows_*.csv`` marked ``choice = alternative`` is a second published figure for a flow
whose preferred figure is in ``flows.parquet``. Three kinds of rows become alternatives:

* the ``choice = alternative`` rows of ``flows_*.csv``;
* every row of ``alternatives_*.csv`` (same columns as a flows file, plus ``reporter``: the actor whose
  statistics the figure is, ``origin`` = exporter-reported, ``destination`` = importer-reported, empty =
  compiled by a third party);
* yearly sums of ``series_monthly.csv`` where all twelve months of a whole pair (no route, no border point)
  are present in the commodity's own unit (Eurostat's and China customs' importer-reported series).

Each alternative is tied to the preferred row it competes with, by the key (year, layer, commodity, origin,
destination [, route]); its ``status`` says whether the range measures use it:

* ``applied``: it replaces the preferred edge value in a variant of the graphs (:mod:`netdep.metrics.ranges`);
* ``partial period``: the figure covers part of a year (its note says "partial", "Jan-…" or "fiscal");
* ``different basis``: the figure measures something else under the same key — Eurostat's pipeline-gas
  imports by partner name the country of consignment (Ukraine, Belarus, "unspecified" for Russian gas in
  transit), not the producer the Statistical Review's matrix names;
* ``no preferred row``: nothing in ``flows.parquet`` to compete with (e.g. exporter-side LNG totals kept
  only as a record, issue 10). A monthly-series sum with no preferred row is not kept at all.

A world total (``WORLD`` as origin or destination) competes with the ``ROW`` remainder edge the build
derives from the preferred total: the alternative edge value is the alternative total less the listed
partners (``published`` keeps the total as printed).

``reporter`` / ``preferred_reporter``: who reported each figure, from the ``reporter`` column or the note's
wording ("importer-reported", "US Census exports", "China-reported exports" …); null when the source
compiles both sides (the Statistical Review) or the note does not say. The ``mirror_gaps`` view pairs an
importer-reported and an exporter-reported figure of the same flow.

>>> from netdep.store import load
>>> t = build_alternatives("data/src", load().rows("flows"))
>>> t.num_rows > 30, sorted(set(t.column("status").to_pylist()))[0]
(True, 'applied')
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import SourceFormatError
from .schema import ALTERNATIVE_STATUSES, arrow_schema
from .srccsv import read_rows

__all__ = ["ALTERNATIVES_FILE", "ALTERNATIVE_STATUSES", "build_alternatives", "check_alternatives",
           "read_alternatives",
           "alternatives_views_sql", "reporter_from_note", "applied_alternatives"]

ALTERNATIVES_FILE = "alternatives.parquet"
#: series sources whose figures are the importer's own statistics (customs / energy statistics of the buyer)
IMPORTER_SERIES = ("eurostat_", "gacc_")
#: series whose partner for a commodity is not the producer (Eurostat nrg_ti_gasm: consignment/transit country)
BASIS_DIFFERS = {"eurostat_nrg_ti_gasm": ("pipeline_gas",)}

_PARTIAL = re.compile(r"partial|\bjan-(?:jun|sep|oct|nov)|fiscal", re.I)
_REPORTER = re.compile(r"(importer|exporter)[- ](?:reported|side)"
                       r"|(?:-reported|\bCensus|\bBEA|\bcustoms)\s+(exports|imports)"
                       r"|\((?:US|China|EU) (exports|imports)", re.I)


def reporter_from_note(note: str | None, origin: str, destination: str) -> str | None:
    """Who reported a figure, read from the first phrase of its note that says so; None if none does.

    >>> reporter_from_note("China-reported exports (FOB); preferred: importer-reported", "CHN", "USA")
    'CHN'
    >>> reporter_from_note("US Census imports (importer-reported)", "CHN", "USA")
    'USA'
    >>> reporter_from_note("sheet 'Gas trade - LNG'", "USA", "EU27") is None
    True
    >>> reporter_from_note("Eurostat data; US-reported imports from EU 2023 not found", "EU27", "USA") is None
    True
    """
    text = note or ""
    for m in _REPORTER.finditer(text):
        clause = re.split(r"[;)|]", text[m.end():], maxsplit=1)[0]
        if "not found" in clause:  # "US-reported imports from EU 2023 not found": says who did not report
            continue
        word = (m.group(1) or m.group(2) or m.group(3)).lower()
        return origin if word in ("exporter", "exports") else destination
    return None


_read = read_rows  # one reader of data/src (netdep.srccsv)


def _number(where: str, col: str, text: str) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise SourceFormatError(f"{where}: {col}: '{text}' is not a number") from None
    if not v >= 0:
        raise SourceFormatError(f"{where}: {col}: {text} must be >= 0")
    return v


SCHEMA = arrow_schema("alternatives")


def _candidates(d: Path, units: dict[str, str]) -> list[dict]:
    """Alternative figures as published: flows_*.csv alternatives, alternatives_*.csv, monthly-series sums."""
    out = []
    for p in sorted(d.glob("flows_*.csv")) + sorted(d.glob("alternatives_*.csv")):
        own = p.name.startswith("alternatives_")
        for i, r in enumerate(_read(p), 1):
            if not own and (r.get("choice") or "preferred") == "preferred":
                continue
            where = f"{p.name}:{i}"
            for col in ("year", "layer", "commodity", "origin", "destination", "value", "source_id"):
                if not (r.get(col) or "").strip():
                    raise SourceFormatError(f"{where}: {col}: is empty but required")
            if r["commodity"] not in units:
                raise SourceFormatError(f"{where}: commodity: '{r['commodity']}' is not in commodities.csv")
            rep = (r.get("reporter") or "").strip() if own else ""
            if rep and rep not in (r["origin"], r["destination"]):
                raise SourceFormatError(f"{where}: reporter: '{rep}' must be the row's origin or destination")
            out.append({"year": int(_number(where, "year", r["year"])), "layer": r["layer"],
                        "commodity": r["commodity"], "origin": r["origin"], "destination": r["destination"],
                        "route": r.get("route") or None, "published": _number(where, "value", r["value"]),
                        "source_id": r["source_id"], "note": r.get("note") or None, "origin_file": where,
                        "reporter": rep or reporter_from_note(r.get("note"), r["origin"], r["destination"])})
    p = d / "series_monthly.csv"
    if p.exists():
        sums: dict[tuple, list] = defaultdict(lambda: [0.0, set(), ""])
        for i, r in enumerate(_read(p), 1):
            if r["route"] or r["point"] or units.get(r["commodity"]) != r["unit"]:
                continue
            k = (int(r["month"][:4]), r["layer"], r["commodity"], r["origin"], r["destination"], r["source_id"])
            s = sums[k]
            s[0] += _number(f"{p.name}:{i}", "value", r["value"])
            s[1].add(r["month"])
            s[2] = s[2] or f"{p.name}:{i}"
        for (y, layer, c, o, dest, src), (v, months, first) in sorted(sums.items()):
            if len(months) != 12:
                continue
            out.append({"year": y, "layer": layer, "commodity": c, "origin": o, "destination": dest, "route": None,
                        "published": round(v, 4), "source_id": src, "origin_file": f"{first} (12 months)",
                        "note": f"sum of the 12 monthly values {y} in series_monthly.csv ({units[c]})",
                        "reporter": dest if src.startswith(IMPORTER_SERIES) else None, "series": True})
    return out


def build_alternatives(src_dir: str | Path, flows: list[dict], commodities: list[dict] | None = None) -> pa.Table:
    """Every alternative figure of ``src_dir``, tied to the preferred row of ``flows`` (the built flows) it
    competes with; sorted by key, deterministic. Errors are ``FILE:ROW: column: what is wrong``."""
    d = Path(src_dir)
    if commodities is None:
        commodities = [{"commodity": r["commodity"], "unit": r["unit"]} for r in _read(d / "commodities.csv")]
    units = {c["commodity"]: c["unit"] for c in commodities}
    by_pair: dict[tuple, list[dict]] = defaultdict(list)
    for f in flows:
        by_pair[(f["year"], f["commodity"], f["origin"], f["destination"])].append(f)
    totals = _preferred_totals(d)
    rows = []
    for a in _candidates(d, units):
        a = dict(a)
        rec = {**{k: v for k, v in a.items() if k != "series"}, "unit": units[a["commodity"]],
               "value": a["published"], "preferred_value": None, "preferred_source_id": None,
               "preferred_reporter": None}
        world = "WORLD" in (a["origin"], a["destination"])
        if world:
            side = (a["origin"], "ROW") if a["destination"] == "WORLD" else ("ROW", a["destination"])
            total = totals.get((a["year"], a["commodity"], a["origin"], a["destination"]))
            rem = by_pair.get((a["year"], a["commodity"], *side), [])
            if total is not None and rem:
                listed = total["value"] - rem[0]["value"]
                rec.update(origin=side[0], destination=side[1], value=round(a["published"] - listed, 4),
                           preferred_value=rem[0]["value"], preferred_source_id=total["source_id"],
                           preferred_reporter=None, reporter=None,
                           note=f"world total {a['published']:g} less listed partners {listed:g}; "
                                + (a["note"] or ""))
            candidates = rem if total is not None else []
        else:
            candidates = by_pair.get((a["year"], a["commodity"], a["origin"], a["destination"]), [])
            if a["route"] is not None:
                candidates = [f for f in candidates if f["route"] == a["route"]]
        if a.get("series") and len(candidates) != 1:
            continue  # a monthly-series sum is an alternative only of a preferred row
        if a["reporter"] in ("WORLD", "ROW"):
            rec["reporter"] = None
        if a["note"] and _PARTIAL.search(a["note"]):
            status = "partial period"
        elif a.get("series") and a["commodity"] in BASIS_DIFFERS.get(a["source_id"], ()):
            status = "different basis"
        elif len(candidates) != 1 or rec["value"] < 0:
            status = "no preferred row"
        else:
            status = "applied"
        if candidates and len(candidates) == 1:
            f = candidates[0]
            rec["route"] = f["route"]
            if not world:
                rec.update(preferred_value=f["value"], preferred_source_id=f["source_id"],
                           preferred_reporter=reporter_from_note(f.get("note"), f["origin"], f["destination"]))
        rec["status"] = status
        rows.append(rec)
    keys = ("year", "layer", "commodity", "origin", "destination", "source_id", "published", "origin_file")
    rows.sort(key=lambda r: tuple("" if r[k] is None else r[k] for k in keys))
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def check_alternatives(table: pa.Table, tables: dict[str, pa.Table]) -> list[str]:
    """Problems of a built alternatives table against the core tables, as ``alternatives.parquet:ROW: column:
    what is wrong`` (unknown actor, route or source)."""
    known = {"origin": "actors", "destination": "actors", "reporter": "actors", "preferred_reporter": "actors",
             "route": "routes", "source_id": "sources", "preferred_source_id": "sources"}
    keys = {"actors": "actor", "routes": "route", "sources": "source_id"}
    have = {t: set(tables[t].column(k).to_pylist()) for t, k in keys.items() if t in tables}
    out = []
    for i, r in enumerate(table.to_pylist(), start=1):
        for col, t in known.items():
            v = r[col]
            if v is not None and t in have and v not in have[t] and v != "WORLD":  # WORLD: an unmatched total
                out.append(f"{ALTERNATIVES_FILE}:{i}: {col}: '{v}' is not in {t}.parquet ({r['origin_file']})")
    return out


def _preferred_totals(d: Path) -> dict[tuple, dict]:
    out = {}
    for p in sorted(d.glob("flows_*.csv")):
        for r in _read(p):
            if (r.get("choice") or "preferred") == "preferred" and "WORLD" in (r["origin"], r["destination"]):
                out[(int(r["year"]), r["commodity"], r["origin"], r["destination"])] = {
                    "value": float(r["value"]), "source_id": r["source_id"]}
    return out


def read_alternatives(data_dir: str | Path) -> pa.Table | None:
    """``alternatives.parquet`` of ``data_dir``; None when the folder has none."""
    path = Path(data_dir) / ALTERNATIVES_FILE
    return pq.read_table(path, schema=SCHEMA) if path.is_file() else None


def applied_alternatives(data) -> list[dict]:
    """The ``applied`` alternatives of a :class:`~netdep.store.Data` folder (``[]`` without the file)."""
    if data.path is None:
        return []
    t = read_alternatives(data.path)
    return [] if t is None else [r for r in t.to_pylist() if r["status"] == "applied"]


def alternatives_views_sql(data_dir: str | Path) -> str:
    """SQL for the ``alternatives`` and ``mirror_gaps`` views ('' without the file)."""
    path = Path(data_dir) / ALTERNATIVES_FILE
    if not path.is_file():
        return ""
    from importlib import resources

    q = "'" + str(path).replace("\\", "/").replace("'", "''") + "'"
    body = resources.files("netdep").joinpath("sql/alternatives.sql").read_text(encoding="utf-8")
    return body.replace("'ALTERNATIVES_PARQUET'", q)
