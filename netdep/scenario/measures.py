"""The measures a scenario compares: dependencies, concentration, centrality, asymmetry and vulnerability of one
year.

:func:`measure_tables` is the reference computation — networkx graphs from :mod:`netdep.graph`,
measures from :mod:`netdep.metrics`, as the dependency report computes them
(:func:`netdep.reporting.compute.year_tables`), plus dependency records for the layer
aggregates (``commodity = "*"``), which the scenario headlines use ("Russia's dependence on
China as a buyer of its energy").

:func:`long_table` turns such tables into one long Arrow table, one row per number::

    scenario | table | year | layer | commodity | origin | destination | actor | side | measure | value

so that comparing scenarios is a group-by on everything but ``scenario`` and ``value``.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ..geography import layers_in_order
from ..metrics.tables import consumption, core_tables, fuel_of, relationship_tables, remainders_of
from ..schema import OUTPUT_RECORDS, output_arrow_schema
from ..store import Data

__all__ = ["measure_tables", "layers_of", "remainders_of", "consumption", "fuel_of", "core_tables", "long_table",
           "tables_from_long", "KEYS",
           "FIELDS",
           "LONG_SCHEMA", "record_key"]

#: key fields and numeric fields of each table: the output record specs of :mod:`netdep.schema`
KEYS = {t: r.key for t, r in OUTPUT_RECORDS.items()}
FIELDS = {t: r.measures for t, r in OUTPUT_RECORDS.items()}
#: long-table columns that carry each table's two identifying actors
ACTOR_COLS = {"dependencies": ("origin", "destination"), "asymmetry": ("supplier", "buyer"),
              "vulnerability": ("partner", "actor")}

LONG_SCHEMA = output_arrow_schema("long")  # netdep.schema.LONG_RECORD


def record_key(table: str, r: dict) -> tuple:
    """The identifying fields of a record of ``table``."""
    return tuple(r[k] for k in KEYS[table])


def layers_of(data: Data, year: int) -> tuple[str, ...]:
    """The layers with flows in ``year``, in report order."""
    return layers_in_order(f["layer"] for f in data.rows("flows") if f["year"] == year)


def measure_tables(data: Data, year: int, layers: tuple[str, ...] | None = None) -> dict[str, list[dict]]:
    """``dependencies``, ``concentration``, ``centrality``, ``asymmetry`` and ``vulnerability`` records of ``year``
    (reference path; :mod:`netdep.metrics.tables` defines them once).

    ``layers`` defaults to the layers with flows in ``year``; the cross-layer graph (``layer = "all"``)
    is included when trade and energy are (see :func:`core_tables`).

    >>> from netdep.store import load
    >>> t = measure_tables(load(), 2023)
    >>> sorted(t), any(r["commodity"] == "*" for r in t["dependencies"])
    (['asymmetry', 'centrality', 'concentration', 'dependencies', 'vulnerability'], True)
    """
    layers = layers if layers is not None else layers_of(data, year)
    return {**core_tables(data, year, layers), **relationship_tables(data, year, layers)}


def long_table(tables: dict[str, list[dict]], scenario: str) -> pa.Table:
    """One row per number of ``tables`` (see the module docstring), tagged with ``scenario``."""
    cols: dict[str, list[Any]] = {f.name: [] for f in LONG_SCHEMA}

    def row(table: str, r: dict, measure: str, value: Any, origin=None, destination=None, actor=None, side=None,
            top=None) -> None:
        for k, v in (("scenario", scenario), ("table", table), ("year", r["year"]), ("layer", r["layer"]),
                     ("commodity", r["commodity"]), ("origin", origin), ("destination", destination),
                     ("actor", actor), ("side", side), ("measure", measure),
                     ("value", None if value is None else float(value)), ("top_partner", top)):
            cols[k].append(v)

    for r in tables.get("dependencies", []):
        for f in FIELDS["dependencies"]:
            row("dependencies", r, f, r.get(f), origin=r["origin"], destination=r["destination"])
    for r in tables.get("concentration", []):
        for f in FIELDS["concentration"]:
            row("concentration", r, f, r.get(f), actor=r["actor"], side=r["side"], top=r.get("top_partner"))
    for r in tables.get("centrality", []):
        row("centrality", r, r["measure"], r["value"], actor=r["actor"])
    for t in ("asymmetry", "vulnerability"):
        o, d = ACTOR_COLS[t]
        for r in tables.get(t, []):
            for f in FIELDS[t]:
                row(t, r, f, r.get(f), origin=r[o], destination=r[d])
    return pa.table(cols, schema=LONG_SCHEMA)


def tables_from_long(t: pa.Table) -> dict[str, list[dict]]:
    """The inverse of :func:`long_table` for one scenario and step: records per table."""
    cols = {c: t.column(c).to_pylist() for c in LONG_SCHEMA.names if c != "scenario"}
    recs: dict[str, dict[tuple, dict]] = {k: {} for k in KEYS}
    for i in range(t.num_rows):
        tab = cols["table"][i]
        base = {"year": cols["year"][i], "layer": cols["layer"][i], "commodity": cols["commodity"][i]}
        if tab == "dependencies":
            k = (base["year"], base["layer"], base["commodity"], cols["origin"][i], cols["destination"][i])
            r = recs[tab].setdefault(k, {**base, "origin": k[3], "destination": k[4]})
            r[cols["measure"][i]] = cols["value"][i]
        elif tab == "concentration":
            k = (base["year"], base["layer"], base["commodity"], cols["actor"][i], cols["side"][i])
            r = recs[tab].setdefault(k, {**base, "actor": k[3], "side": k[4], "top_partner": cols["top_partner"][i]})
            v = cols["value"][i]
            r[cols["measure"][i]] = int(v) if cols["measure"][i] == "partners" and v is not None else v
        elif tab in ACTOR_COLS:  # asymmetry, vulnerability
            o, d = ACTOR_COLS[tab]
            k = (base["year"], base["layer"], base["commodity"], cols["origin"][i], cols["destination"][i])
            r = recs[tab].setdefault(k, {**base, o: k[3], d: k[4]})
            r[cols["measure"][i]] = cols["value"][i]
        else:
            recs[tab][(len(recs[tab]),)] = {**base, "actor": cols["actor"][i], "measure": cols["measure"][i],
                                            "value": cols["value"][i]}
    return {k: list(v.values()) for k, v in recs.items()}
