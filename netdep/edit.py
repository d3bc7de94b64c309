"""Edit the tables safely: list, add, set and delete flows; add sources; set routes.

Every write goes through :func:`transact`:

1. take the data folder's lock (:func:`netdep.lock.data_lock`, bounded wait),
   so concurrent writers never lose an update; remove temporaries left by
   interrupted writes;
2. read the current tables and apply the change;
3. validate the resulting tables with the same rules as ``netdep validate``
   (:func:`netdep.checks.check_tables`) and refuse the edit if any breaks;
4. write every changed table as one unit (:func:`netdep.store.write_tables`: each
   staged as a temporary file, then swapped in under a journal, so readers and a
   killed writer's successor see all old or all new tables), provided the folder's
   generation is still the one read in step 2.

With ``dry_run=True`` steps 1 and 4 are skipped: the result shows what would
change. New and changed flows must cite a source that exists in ``sources``.

>>> import shutil, tempfile
>>> d = shutil.copytree("data", tempfile.mkdtemp() + "/data")
>>> r = set_flows({"value": 40.0}, d, where={"year": 2025, "commodity": "pipeline_gas", "origin": "RUS",
...               "destination": "CHN"}, source_id="ei_sr_2026", dry_run=True)
>>> r.written, r.diffs[0].summary()
(False, 'flows.parquet: 0 added, 0 removed, 1 changed')
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .checks import check_structure, check_tables
from .diff import TableDiff, diff_tables
from .errors import EditError, ValidationError
from .lock import DEFAULT_WAIT, data_lock
from .schema import TABLES, arrow_schema
from .store import (
    canonical,
    clean_stray_temporaries,
    default_data_dir,
    generation,
    read_tables,
    recover,
    table_from_rows,
    write_tables,
)

__all__ = ["EditResult", "transact", "list_flows", "add_flows", "set_flows", "delete_flows", "add_source",
           "set_route", "select", "coerce", "FLOW_FILTERS", "UNSOURCED_COLUMNS"]

Tables = dict[str, pa.Table]

FLOW_FILTERS = ("year", "layer", "commodity", "origin", "destination", "route")
#: columns a ``set`` may change without naming a source (they are not figures)
UNSOURCED_COLUMNS = {"flows": {"note"}, "routes": {"note", "name", "status", "open_from", "open_to"}}


@dataclass
class EditResult:
    """What an edit changed (or, for a dry run, would change)."""

    diffs: list[TableDiff]
    written: bool
    data_dir: Path

    def __str__(self) -> str:
        parts = [d.summary() for d in self.diffs if d]
        if not parts:
            return "no change; nothing written"
        return ("written: " if self.written else "dry run, nothing written: ") + "; ".join(parts)


def _dir(data_dir: str | Path | None) -> Path:
    d = Path(data_dir) if data_dir is not None else default_data_dir()
    if not d.is_dir():
        raise EditError(f"{d}: no such data folder (pass --data DIR)")
    return d


def _read(d: Path) -> Tables:
    tables, problems = read_tables(d)
    if problems:
        raise ValidationError(problems)
    return tables


def transact(change: Callable[[Tables], Mapping[str, pa.Table]], data_dir: str | Path | None = None, *,
             dry_run: bool = False, wait: float = DEFAULT_WAIT) -> EditResult:
    """Apply ``change`` to the current tables under the lock, validate, and write what it returns.

    ``change`` receives every table (as read) and returns the tables it replaces.
    It may raise :class:`~netdep.errors.EditError`. Raises
    :class:`~netdep.errors.ValidationError` when the result breaks a rule (the
    folder is left as it was) and :class:`~netdep.errors.LockError` when
    another writer holds the lock longer than ``wait`` seconds.
    """
    d = _dir(data_dir)
    if dry_run:
        return _apply(d, change, write=False)
    recover(d, wait=wait)  # finish a commit a killed writer left (under the lock)
    with data_lock(d, wait=wait):
        clean_stray_temporaries(d)  # under the lock every temporary is an interrupted write's
        return _apply(d, change, write=True)


def _apply(d: Path, change: Callable[[Tables], Mapping[str, pa.Table]], write: bool) -> EditResult:
    gen = generation(d)
    tables = _read(d)
    shape = [p for name, t in tables.items() for p in check_structure(name, t)]
    if shape:  # canonical() would silently drop an extra column or cast a wrong type: refuse instead
        raise ValidationError([*shape, _BROKEN.format(d=d)])
    try:
        changed = dict(change(dict(tables)))
    except Exception:
        _refuse_if_broken(d, tables)  # a broken folder, not the edit, is the problem: say so
        raise
    _, problems = check_tables({**tables, **changed})  # rows as `change` returns them (edits: key order)
    if problems:
        _refuse_if_broken(d, tables)
        raise ValidationError(problems)
    replaced = {name: canonical(name, t) for name, t in changed.items()}
    diffs = [diff_tables(name, tables[name], t) for name, t in replaced.items()]
    if write:  # every changed table in one commit (journal), only if no other writer committed meanwhile
        write_tables(d, {d_.table: replaced[d_.table] for d_ in diffs if d_}, expect_generation=gen)
    return EditResult(diffs, write, d)


_BROKEN = "{d}: the data folder has these problems before the edit; fix them first (`netdep validate` lists them)"


def _refuse_if_broken(d: Path, tables: Tables) -> None:
    _, before = check_tables(tables)
    if before:
        raise ValidationError([*before, _BROKEN.format(d=d)])


# -- values and filters ------------------------------------------------------------------------------------


def coerce(table: str, column: str, value: Any) -> Any:
    """``value`` as the Python type of ``table.column``: '' and None become null; lists accept 'A;B' or JSON.

    >>> coerce("flows", "value", "12.5"), coerce("flows", "year", "2024"), coerce("flows", "route", "")
    (12.5, 2024, None)
    """
    spec = TABLES[table]
    try:
        col = spec.column(column)
    except StopIteration:
        close = difflib.get_close_matches(column, [c.name for c in spec.columns], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise EditError(f"{table}: {column}: unknown column{hint}; `netdep schema {table}` lists the columns") from None
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return [] if col.type == "list<string>" and col.required else None
    if col.type in ("int", "float") and isinstance(value, str):
        from .exchange import NUMBER

        if not NUMBER.fullmatch(value.strip()):
            what = "an integer" if col.type == "int" else "a number"
            raise EditError(f"{table}: {column}: '{value}' is not {what} (digits 0-9, a point for decimals)")
    try:
        if col.type == "int":
            f = float(value)
            if f != int(f):
                raise ValueError
            return int(f)
        if col.type == "float":
            return float(value)
        if col.type == "list<string>":
            if isinstance(value, str):
                return list(json.loads(value)) if value.lstrip().startswith("[") else [
                    v.strip() for v in value.split(";") if v.strip()]
            return [str(v) for v in value]
    except (TypeError, ValueError):
        raise EditError(f"{table}: {column}: '{value}' is not {'an integer' if col.type == 'int' else 'a number'}"
                        if col.type != "list<string>" else f"{table}: {column}: '{value}' is not a list") from None
    return str(value)


def select(table: pa.Table, name: str, where: Mapping[str, Any]) -> pa.ChunkedArray | pa.Array:
    """Boolean mask of the rows of ``table`` matching every ``column = value`` of ``where``.

    ``None`` in ``where`` means no filter on that column; ``""`` matches nulls.
    """
    mask = pa.array([True] * table.num_rows, pa.bool_())
    for column, value in where.items():
        if value is None:
            continue
        v = coerce(name, column, value)
        c = table.column(column)
        m = pc.is_null(c) if v is None else pc.fill_null(pc.equal(c, pa.scalar(v, c.type)), False)
        mask = pc.and_(mask, m)
    return mask


def _count(mask) -> int:
    return int(pc.sum(pc.cast(mask, pa.int64())).as_py() or 0)


def _describe(where: Mapping[str, Any]) -> str:
    shown = [f"{k}={v!r}" for k, v in where.items() if v is not None]
    return ", ".join(shown) if shown else "(no filter)"


def _check_source(tables: Tables, source_id: str | None, what: str) -> str:
    if source_id is None or str(source_id).strip() == "":
        raise EditError(f"{what} must name its source: pass --source-id ID (an id of sources.parquet; "
                        "add a new one with `netdep sources add`)")
    known = set(tables["sources"].column("source_id").to_pylist())
    if source_id not in known:
        close = difflib.get_close_matches(source_id, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise EditError(f"source_id: unknown source '{source_id}'{hint}; add it first with "
                        f"`netdep sources add {source_id} --title … --publisher … --url …`")
    return str(source_id)


def _set_columns(table: pa.Table, name: str, mask, values: Mapping[str, Any]) -> pa.Table:
    schema = arrow_schema(name)
    for column, value in values.items():
        i = table.schema.get_field_index(column)
        typ = schema.field(column).type
        col = table.column(i).cast(typ)
        new = pc.if_else(mask, pa.scalar(value, typ), col)
        table = table.set_column(i, pa.field(column, typ), new)
    return table


# -- flows ---------------------------------------------------------------------------------------------------


def list_flows(data_dir: str | Path | None = None, **where: Any) -> pa.Table:
    """Flows matching ``where`` (year, layer, commodity, origin, destination, route), in key order.

    >>> list_flows("data", year=2025, origin="RUS", destination="CHN", commodity="pipeline_gas").num_rows
    1
    """
    from .store import load

    _only(where, FLOW_FILTERS)
    flows = canonical("flows", load(_dir(data_dir))["flows"])  # validated: listing a broken folder says why
    return flows.filter(select(flows, "flows", where))


def _only(where: Mapping[str, Any], allowed: Iterable[str]) -> None:
    bad = [k for k in where if k not in allowed]
    if bad:
        raise EditError(f"cannot filter on {', '.join(bad)}; filters: {', '.join(allowed)}")


def add_flows(rows: Iterable[Mapping[str, Any]], data_dir: str | Path | None = None, *, dry_run: bool = False,
              wait: float = DEFAULT_WAIT) -> EditResult:
    """Add new flows (each with a ``source_id`` that exists); ``layer`` defaults to the commodity's.

    Refuses a flow whose key already exists (change it with :func:`set_flows`).
    """
    rows = [dict(r) for r in rows]

    def change(tables: Tables) -> dict[str, pa.Table]:
        layers = dict(zip(tables["commodities"].column("commodity").to_pylist(),
                          tables["commodities"].column("layer").to_pylist()))
        flows = tables["flows"]
        keys = TABLES["flows"].key
        existing = set(zip(*(flows.column(k).to_pylist() for k in keys)))
        new = []
        for n, r in enumerate(rows, 1):
            rec = {c: coerce("flows", c, v) for c, v in r.items()}
            if rec.get("layer") is None and rec.get("commodity") in layers:
                rec["layer"] = layers[rec["commodity"]]
            rec["source_id"] = _check_source(tables, rec.get("source_id"), f"new flow {n}")
            k = tuple(rec.get(c) for c in keys)
            if k in existing:
                raise EditError(f"flows: a flow with key {_describe(dict(zip(keys, k)))} already exists; "
                                "change it with `netdep flows set`")
            existing.add(k)
            new.append(rec)
        return {"flows": pa.concat_tables([canonical("flows", flows), table_from_rows("flows", new)])}

    return transact(change, data_dir, dry_run=dry_run, wait=wait)


def _source_from(values: dict[str, Any], source_id: str | None) -> str | None:
    """The source of a change: ``--source-id`` if given, else a ``source_id=`` among the values (removed)."""
    given = values.pop("source_id", None)
    return source_id or given


def set_flows(values: Mapping[str, Any], data_dir: str | Path | None = None, *, where: Mapping[str, Any],
              source_id: str | None = None, all_rows: bool = False, dry_run: bool = False,
              wait: float = DEFAULT_WAIT) -> EditResult:
    """Set ``values`` (column -> value) on the flows matching ``where``.

    Changing anything but ``note`` needs ``source_id`` (an existing source), which
    the changed rows then cite. An empty ``where`` needs ``all_rows=True``.
    """
    _only(where, FLOW_FILTERS)
    values = {c: coerce("flows", c, v) for c, v in values.items()}
    source_id = _source_from(values, source_id)
    if not values and source_id is None:
        raise EditError("nothing to set: give COLUMN=VALUE (e.g. value=38.8) and --source-id")

    def change(tables: Tables) -> dict[str, pa.Table]:
        flows = canonical("flows", tables["flows"])
        mask = _matching(flows, "flows", where, all_rows)
        cols = dict(values)
        if source_id is not None or set(cols) - UNSOURCED_COLUMNS["flows"]:
            cols["source_id"] = _check_source(tables, source_id, "a changed flow")
        if set(cols) <= {"note"}:
            return {"flows": _set_columns(flows, "flows", mask, cols)}
        rows = flows.to_pylist()
        prices = _build_prices(_dir(data_dir))
        for i in (j for j, m in enumerate(mask.to_pylist()) if m):
            rows[i] = derive_flow(rows[i], cols, prices)
        return {"flows": table_from_rows("flows", rows)}

    return transact(change, data_dir, dry_run=dry_run, wait=wait)


#: the valuation clause the build writes into a flow's note (netdep.build: "US$ value at HOW = PRICE (SOURCE)")
_VALUED = re.compile(r"US\$ value at (?P<how>.+?) = (?P<price>[0-9]+(?:\.[0-9]+)?) \((?P<src>[^)]*)\)")


def _build_prices(d: Path) -> dict[tuple[int, str], float]:
    """The reference prices the build valued flows with (``DATA/src/prices_*.csv``), when the folder has them."""
    import csv

    prices = {}
    for p in sorted((d / "src").glob("prices_*.csv")):
        try:
            with open(p, newline="", encoding="utf-8-sig") as f:
                for r in csv.DictReader(f):
                    prices[(int(r["year"]), r["series"])] = float(r["price"])
        except (OSError, KeyError, ValueError, csv.Error):
            continue  # the build reports a broken price file; the note's price is used instead
    return prices


def derive_flow(row: Mapping[str, Any], values: Mapping[str, Any],
                prices: Mapping[tuple[int, str], float] | None = None) -> dict[str, Any]:
    """``row`` with ``values`` set and its derived columns kept in step, as the build derives them.

    * ``value_usd_bn``: when ``value`` changes and the row was valued by the build (its note holds
      ``US$ value at HOW = PRICE (SOURCE)``), recomputed as ``round(value x price x factor, 4)`` with the
      factor of :data:`netdep.build.VALUATION` and the build's price for the row's year (``prices``,
      from ``DATA/src/prices_*.csv``; else the price the note states); when it was not, cleared (a US$
      figure for the old volume would be wrong) unless ``values`` sets it.
    * ``note``: unless ``values`` sets it, says what was edited: ``edited: value 36.721 -> 38.8, …``
      (replacing the clause of an earlier edit, so the note does not grow with every edit).

    >>> r = {"commodity": "pipeline_gas", "value": 10.0, "value_usd_bn": 4.0569, "source_id": "a",
    ...      "note": "EI; US$ value at TTF $/MMBtu x 34.12 million MMBtu/bcm = 11.89 (ei_sr_2026)"}
    >>> new = derive_flow(r, {"value": 20.0, "source_id": "b"})
    >>> new["value_usd_bn"], new["note"].split("; ")[-1]
    (8.1137, 'edited: value 10.0 -> 20.0, source_id a -> b, value_usd_bn 4.0569 -> 8.1137 (recomputed)')
    """
    from .build import VALUATION

    new = {**row, **values}
    note = row.get("note") or ""
    v = values.get("value")
    valid = isinstance(v, (int, float)) and math.isfinite(v) and v >= 0  # else the edit is refused for `value`
    if valid and "value_usd_bn" not in values and v != row.get("value"):
        m = _VALUED.search(note)
        if m and row.get("commodity") in VALUATION:
            series, factor, _ = VALUATION[row["commodity"]]
            price = (prices or {}).get((row.get("year"), series), float(m["price"]))
            new["value_usd_bn"] = round(float(new["value"]) * price * factor, 4)
        elif row.get("value_usd_bn") is not None:
            new["value_usd_bn"] = None
            values = {**values, "value_usd_bn": None}
    if "note" not in values:
        changed = [f"{c} {row.get(c)} -> {new.get(c)}" for c in values if c != "note" and row.get(c) != new.get(c)]
        if "value_usd_bn" not in values and row.get("value_usd_bn") != new.get("value_usd_bn"):
            changed.append(f"value_usd_bn {row.get('value_usd_bn')} -> {new.get('value_usd_bn')} (recomputed)")
        if changed:  # one edited clause: a later edit replaces the earlier one (git keeps the history)
            edited = "edited: " + ", ".join(changed)
            note = re.sub(r"(?:^|; )edited: .*$", "", note)
            new["note"] = f"{note}; {edited}" if note else edited
    return new


def _matching(table: pa.Table, name: str, where: Mapping[str, Any], all_rows: bool):
    if not any(v is not None for v in where.values()) and not all_rows:
        raise EditError(f"no filter given: this would touch every row of {name}.parquet; add filters "
                        "(--year, --origin, …) or pass --all")
    mask = select(table, name, where)
    if _count(mask) == 0:
        raise EditError(f"no {name} row matches {_describe(where)}{_hint(table, where)}; "
                        f"`netdep {name} list` shows what exists")
    return mask


def _hint(table: pa.Table, where: Mapping[str, Any]) -> str:
    """Point at a filter value that no row has at all, with the closest one that exists."""
    for column, value in where.items():
        if value is None or value == "":
            continue
        known = sorted({str(v) for v in table.column(column).to_pylist() if v is not None})
        if str(value) not in known:
            close = difflib.get_close_matches(str(value), known, n=1)
            return f" ({column} '{value}' is in no row" + (f"; did you mean '{close[0]}'?)" if close else ")")
    return ""


def delete_flows(data_dir: str | Path | None = None, *, where: Mapping[str, Any], all_rows: bool = False,
                 dry_run: bool = False, wait: float = DEFAULT_WAIT) -> EditResult:
    """Delete the flows matching ``where`` (an empty ``where`` needs ``all_rows=True``)."""
    _only(where, FLOW_FILTERS)

    def change(tables: Tables) -> dict[str, pa.Table]:
        flows = canonical("flows", tables["flows"])
        mask = _matching(flows, "flows", where, all_rows)
        return {"flows": flows.filter(pc.invert(mask))}

    return transact(change, data_dir, dry_run=dry_run, wait=wait)


# -- sources and routes --------------------------------------------------------------------------------------


def add_source(row: Mapping[str, Any], data_dir: str | Path | None = None, *, dry_run: bool = False,
               wait: float = DEFAULT_WAIT) -> EditResult:
    """Add one source (``source_id``, ``title``, ``publisher``, ``url``; ``published`` and ``note`` optional)."""
    rec = {c: coerce("sources", c, v) for c, v in row.items()}

    def change(tables: Tables) -> dict[str, pa.Table]:
        sources = tables["sources"]
        if rec.get("source_id") in set(sources.column("source_id").to_pylist()):
            raise EditError(f"sources: source '{rec['source_id']}' already exists; pick another source_id")
        return {"sources": pa.concat_tables([canonical("sources", sources), table_from_rows("sources", [rec])])}

    return transact(change, data_dir, dry_run=dry_run, wait=wait)


def set_route(route: str, values: Mapping[str, Any], data_dir: str | Path | None = None, *,
              source_id: str | None = None, dry_run: bool = False, wait: float = DEFAULT_WAIT) -> EditResult:
    """Set columns of one route (status, capacity, open_from, open_to, note, …).

    A new ``capacity`` (or any column but name, status, years and note) needs ``source_id``.
    """
    values = {c: coerce("routes", c, v) for c, v in values.items()}
    if "route" in values:
        raise EditError("routes: route: the key cannot be set; add a new route instead")
    source_id = _source_from(values, source_id)
    if not values and source_id is None:
        raise EditError("nothing to set: give --status, --capacity, --open-from, --open-to or --note")

    def change(tables: Tables) -> dict[str, pa.Table]:
        routes = canonical("routes", tables["routes"])
        known = routes.column("route").to_pylist()
        if route not in known:
            close = difflib.get_close_matches(route, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise EditError(f"routes: route: unknown route '{route}'{hint}; routes are listed in routes.parquet")
        cols = dict(values)
        if source_id is not None or set(cols) - UNSOURCED_COLUMNS["routes"]:
            cols["source_id"] = _check_source(tables, source_id, f"route '{route}' with a new {', '.join(cols)}")
        mask = pc.equal(routes.column("route"), route)
        return {"routes": _set_columns(routes, "routes", mask, cols)}

    return transact(change, data_dir, dry_run=dry_run, wait=wait)
