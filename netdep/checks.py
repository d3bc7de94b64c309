"""The validation rules, one small function each.

Every rule returns problems as ``FILE:ROW: column: what is wrong`` strings, with
ROW counted from 1 over data rows. :func:`check_tables` runs the structural
rules first (columns, types); the row rules run only on tables whose structure
is sound, on tables cast to the spec's Arrow types.

>>> from netdep.store import read_tables
>>> tables, _ = read_tables()
>>> check_tables(tables)[1]
[]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from .geography import overlap_set
from .schema import TABLE_ORDER, TABLES, arrow_schema

__all__ = ["check_tables", "RULES", "EXPECTED_UNITS", "member_set", "MAX_PER_RULE", "KEY_PATTERNS", "MAX_PER_UNIT"]

MAX_PER_RULE = 50  # problems reported per rule and table, so a 10^6-row mistake stays readable

EXPECTED_UNITS = {
    "crude_oil": ("Mt",), "oil_products": ("Mt",), "pipeline_gas": ("bcm",), "lng": ("bcm",),
    "natural_gas": ("bcm",), "oil": ("Mt",), "coal": ("EJ", "Mt"), "goods": ("USD_bn",),
    "fdi_stock": ("USD_bn",),
}

#: documented key patterns (``netdep schema``): actor codes and snake_case identifiers
KEY_PATTERNS = {
    ("actors", "actor"): (r"[A-Z]{3}|EU27|ROW|REG_[A-Z0-9_]+",
                          "an ISO 3166-1 alpha-3 code in upper case, 'EU27', 'ROW' or 'REG_*'"),
    ("commodities", "commodity"): (r"[a-z0-9][a-z0-9_]*", "lower-case letters, digits and '_'"),
    ("routes", "route"): (r"[a-z0-9][a-z0-9_]*", "lower-case letters, digits and '_'"),
    ("sources", "source_id"): (r"[a-z0-9][a-z0-9_]*", "lower-case letters, digits and '_'"),
}

#: the largest value one row may hold, per unit: about ten times the world's yearly total
#: (world gas production ~4,100 bcm; coal ~9,000 Mt; primary energy ~620 EJ: Energy Institute,
#: Statistical Review of World Energy 2025; world GDP ~110,000 US$ bn: IMF WEO, October 2025).
#: Beyond these a figure is a unit or typing mistake, and sums of such values overflow.
MAX_PER_UNIT = {"bcm": 5e4, "Mt": 1e5, "EJ": 1e4, "USD_bn": 1e6}

Problem = str
Tables = dict[str, pa.Table]


def _printable(text: str) -> str:
    """Control characters (e.g. a stray \\r in a value) escaped, so each problem stays on one line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text))


def _loc(table: str, row: int | None, column: str | None, what: str) -> Problem:
    column, what = (_printable(column) if column else column), _printable(what)
    where = f"{table}.parquet" + (f":{row + 1}" if row is not None else "")
    return f"{where}: {column}: {what}" if column else f"{where}: {what}"


def _type_ok(actual: pa.DataType, logical: str) -> bool:
    if pa.types.is_null(actual):
        return True
    if logical == "string":
        return pa.types.is_string(actual) or pa.types.is_large_string(actual) or (
            hasattr(pa.types, "is_string_view") and pa.types.is_string_view(actual)) or (
            pa.types.is_dictionary(actual) and pa.types.is_string(actual.value_type))
    if logical == "int":  # pandas writes a nullable integer column as float64 (checked for whole numbers)
        return pa.types.is_integer(actual) or pa.types.is_floating(actual)
    if logical == "float":
        return pa.types.is_floating(actual) or pa.types.is_integer(actual) or pa.types.is_decimal(actual)
    if logical == "list<string>":
        return (pa.types.is_list(actual) or pa.types.is_large_list(actual)) and _type_ok(actual.value_type, "string")
    return False


def check_structure(name: str, table: pa.Table) -> list[Problem]:
    """Missing, extra and wrongly typed columns; zero rows where data is required."""
    spec = TABLES[name]
    problems = []
    have = set(table.column_names)
    for col in spec.columns:
        if col.name not in have:
            problems.append(_loc(name, None, col.name, f"column is missing (expected {col.type}: {col.description})"))
        elif not _type_ok(table.schema.field(col.name).type, col.type):
            problems.append(_loc(name, None, col.name,
                                 f"has type {table.schema.field(col.name).type}, expected {col.type}"))
        elif col.type == "int" and pa.types.is_floating(table.schema.field(col.name).type):
            c = table.column(col.name)
            frac = pc.and_(pc.is_valid(c), pc.invert(pc.equal(pc.floor(c), c)))  # NaN != NaN: caught too
            for i in _head(_indices(frac)):
                problems.append(_loc(name, i, col.name, f"is {c[i].as_py()}; expected a whole number"))
    for extra in sorted(have - {c.name for c in spec.columns}):
        close = difflib.get_close_matches(extra, [c.name for c in spec.columns], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(_loc(name, None, extra, f"unknown column{hint}; `netdep schema {name}` lists the columns"))
    if not problems and table.num_rows == 0 and name in ("actors", "commodities", "flows", "sources"):
        problems.append(_loc(name, None, None, "has zero rows"))
    return problems


def _cast(name: str, table: pa.Table) -> pa.Table:
    schema = arrow_schema(name)
    cols = []
    for f in schema:
        c = table.column(f.name)
        if pa.types.is_dictionary(c.type):
            c = c.cast(c.type.value_type)
        cols.append(c.cast(f.type))
    return pa.table(cols, schema=pa.schema([pa.field(f.name, f.type) for f in schema]))


def _indices(mask: pa.ChunkedArray | pa.Array) -> list[int]:
    mask = pc.fill_null(mask, False)
    idx = pc.indices_nonzero(mask) if hasattr(pc, "indices_nonzero") else None
    if idx is None:  # pragma: no cover
        return [i for i, v in enumerate(mask.to_pylist()) if v]
    return idx.to_pylist()


def _head(rows: list[int]) -> list[int]:
    return rows[:MAX_PER_RULE]


def check_required(name: str, t: pa.Table) -> Iterator[Problem]:
    """Required columns have no nulls (nor empty strings)."""
    for col in TABLES[name].columns:
        if not col.required:
            continue
        c = t.column(col.name)
        mask = pc.is_null(c)
        if col.type == "string":
            mask = pc.or_(mask, pc.equal(pc.utf8_trim_whitespace(pc.fill_null(c, "")), ""))
        for i in _head(_indices(mask)):
            yield _loc(name, i, col.name, "is empty but required")


def check_finite(name: str, t: pa.Table) -> Iterator[Problem]:
    """Numeric values are finite and, where the spec says so, non-negative."""
    for col in TABLES[name].columns:
        if col.type != "float":
            continue
        c = t.column(col.name)
        bad_nan = pc.is_nan(c)
        bad_inf = pc.is_inf(c)
        for i in _head(_indices(pc.or_(bad_nan, bad_inf))):
            yield _loc(name, i, col.name, f"is {t.column(col.name)[i].as_py()}; values must be finite")
        if col.non_negative:
            neg = pc.less(c, 0)
            for i in _head(_indices(neg)):
                yield _loc(name, i, col.name, f"is negative ({c[i].as_py()}); values must be >= 0")


def check_allowed(name: str, t: pa.Table) -> Iterator[Problem]:
    """Columns with a closed set of values hold only those."""
    for col in TABLES[name].columns:
        if col.allowed is None:
            continue
        c = t.column(col.name)
        bad = pc.invert(pc.is_in(c, value_set=pa.array(col.allowed)))
        bad = pc.and_(bad, pc.is_valid(c))
        for i in _head(_indices(bad)):
            yield _loc(name, i, col.name, f"'{c[i].as_py()}' is not one of {', '.join(col.allowed)}")


def check_keys(name: str, t: pa.Table) -> Iterator[Problem]:
    """The table's key is unique."""
    key = TABLES[name].key
    if t.num_rows == 0:
        return
    idx = pa.array(range(t.num_rows))
    g = t.select(list(key)).append_column("__i", idx)
    counts = g.group_by(list(key), use_threads=False).aggregate([("__i", "count"), ("__i", "min")])
    dup = counts.filter(pc.greater(counts.column("__i_count"), 1))
    if dup.num_rows == 0:
        return
    firsts = set(dup.column("__i_min").to_pylist())
    dupkeys = {tuple(r[k] for k in key) for r in dup.select(list(key)).to_pylist()}
    rows = t.select(list(key)).to_pylist()
    n = 0
    for i, r in enumerate(rows):
        k = tuple(r[c] for c in key)
        if k in dupkeys and i not in firsts:
            shown = ", ".join(f"{c}={r[c]!r}" for c in key)
            yield _loc(name, i, key[-1] if len(key) == 1 else ",".join(key),
                       f"duplicate key ({shown}); keep one row per key")
            n += 1
            if n >= MAX_PER_RULE:
                return


SINGULAR = {"actors": "actor", "commodities": "commodity", "routes": "route", "sources": "source"}


def _known(tables: Tables, ref: str) -> set:
    tname, cname = ref.split(".")
    t = tables.get(tname)
    if t is None or cname not in t.column_names:
        return set()
    return {v for v in t.column(cname).to_pylist() if v is not None}  # a null key is reported by check_required


def check_references(name: str, t: pa.Table, tables: Tables) -> Iterator[Problem]:
    """Every reference resolves: actors, commodities, routes, sources."""
    for col in TABLES[name].columns:
        if not col.references:
            continue
        target_table = col.references.split(".")[0]
        if target_table not in tables:
            continue  # missing or unreadable: reported once on its own, not as every row's reference
        known = _known(tables, col.references)
        c = t.column(col.name)
        if col.type == "list<string>":
            flat = pc.list_flatten(c)
            parents = pc.list_parent_indices(c)
            bad = pc.invert(pc.is_in(flat, value_set=pa.array(sorted(known), pa.string())))
            for j in _head(_indices(bad)):
                i = parents[j].as_py()
                yield _loc(name, i, col.name, f"unknown {SINGULAR[target_table]} '{flat[j].as_py()}'"
                           f"{_suggest(flat[j].as_py(), known)}; {target_table} are listed in {target_table}.parquet")
            continue
        bad = pc.and_(pc.is_valid(c), pc.invert(pc.is_in(c, value_set=pa.array(sorted(known), pa.string()))))
        for i in _head(_indices(bad)):
            v = c[i].as_py()
            yield _loc(name, i, col.name, f"unknown {SINGULAR[target_table]} '{v}'{_suggest(v, known)}; "
                       f"{target_table} are listed in {target_table}.parquet")


def _suggest(value: str, known: set) -> str:
    close = difflib.get_close_matches(str(value), sorted(map(str, known)), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_key_patterns(name: str, t: pa.Table) -> Iterator[Problem]:
    """Keys follow the documented patterns: ``'RUS '`` or ``'rus'`` are not a new country."""
    for (tname, cname), (pattern, what) in KEY_PATTERNS.items():
        if tname != name:
            continue
        c = t.column(cname)
        ok = pc.match_substring_regex(c, f"^(?:{pattern})$")
        for i in _head(_indices(pc.and_(pc.is_valid(c), pc.invert(ok)))):
            v = c[i].as_py()
            fixed = v.strip().upper() if cname == "actor" else re.sub(r"\W+", "_", v.strip().lower())
            hint = f" (did you mean '{fixed}'?)" if re.fullmatch(pattern, fixed) and fixed != v else ""
            yield _loc(name, i, cname, f"'{v}' is not a valid key: it must be {what}{hint}")


def _limits(tables: Tables, commodity: pa.ChunkedArray) -> pa.Array:
    units = dict(zip(tables["commodities"].column("commodity").to_pylist(),
                     tables["commodities"].column("unit").to_pylist()))
    keys = sorted(units)
    idx = pc.index_in(commodity, value_set=pa.array(keys, pa.string()))
    limits = pa.array([MAX_PER_UNIT.get(units[k], float("inf")) for k in keys] + [float("inf")], pa.float64())
    return pc.take(limits, pc.fill_null(idx, len(keys)))


def check_magnitudes(tables: Tables) -> Iterator[Problem]:
    """Values are within what their unit allows (:data:`MAX_PER_UNIT`), so sums stay finite and meaningful."""
    units = dict(zip(tables["commodities"].column("commodity").to_pylist(),
                     tables["commodities"].column("unit").to_pylist()))
    checks = [("flows", "value", None), ("flows", "value_usd_bn", "USD_bn"), ("routes", "capacity", None),
              ("balances", "production", None), ("balances", "consumption", None)]
    for name, cname, unit in checks:
        t = tables[name]
        c = t.column(cname)
        limit = (pa.array([MAX_PER_UNIT[unit]] * t.num_rows, pa.float64()) if unit
                 else _limits(tables, t.column("commodity")))
        for i in _head(_indices(pc.fill_null(pc.greater(c, limit), False))):
            u = unit or units.get(t.column("commodity")[i].as_py(), "")
            yield _loc(name, i, cname, f"is {c[i].as_py():g} {u}, more than any single figure in {u} can be "
                       f"(limit {MAX_PER_UNIT[u]:g}, about ten times the world's yearly total); check the unit")


def check_route_years(tables: Tables) -> Iterator[Problem]:
    """A flow uses a route only in the years the route carried flows (``open_from`` .. ``open_to``)."""
    routes = {r["route"]: r for r in tables["routes"].to_pylist()}
    f = tables["flows"]
    idx = _indices(pc.is_valid(f.column("route")))
    n = 0
    for i, r in zip(idx, f.take(pa.array(idx, pa.int64())).select(["year", "route"]).to_pylist() if idx else []):
        route = routes.get(r["route"])
        if route is None:
            continue
        lo, hi = route["open_from"], route["open_to"]
        if (lo is not None and r["year"] < lo) or (hi is not None and r["year"] > hi):
            span = f"{lo if lo is not None else '?'}-{hi if hi is not None else 'open'}"
            yield _loc("flows", i, "route", f"route '{r['route']}' carried flows only in {span} "
                       f"(routes.parquet, status {route['status']}), not in {r['year']}")
            n += 1
            if n >= MAX_PER_RULE:
                return


def check_layer_and_unit(tables: Tables) -> Iterator[Problem]:
    """A flow's layer is its commodity's; a commodity's unit is the one its kind uses."""
    com = {r["commodity"]: r for r in tables["commodities"].to_pylist()}
    for i, r in enumerate(com.values()):
        expected = EXPECTED_UNITS.get(r["commodity"])
        if expected and r["unit"] not in expected:
            yield _loc("commodities", i, "unit", f"{r['commodity']} must be measured in {' or '.join(expected)}, "
                       f"not {r['unit']}")
        if r["layer"] == "energy" and r["ej_per_unit"] is None:
            yield _loc("commodities", i, "ej_per_unit", f"energy commodity {r['commodity']} needs its energy content")
        if r["layer"] != "energy" and r["ej_per_unit"] is not None:
            yield _loc("commodities", i, "ej_per_unit", "only energy commodities have an energy content")
    f = tables["flows"]
    layer_of = pa.array([com.get(c, {}).get("layer") for c in f.column("commodity").to_pylist()], pa.string())
    bad = pc.and_(pc.is_valid(layer_of), pc.not_equal(f.column("layer"), layer_of))
    for i in _head(_indices(bad)):
        yield _loc("flows", i, "layer", f"is '{f.column('layer')[i].as_py()}' but commodity "
                   f"'{f.column('commodity')[i].as_py()}' belongs to layer '{layer_of[i].as_py()}'")


def check_self_loops(tables: Tables) -> Iterator[Problem]:
    """No flow from an actor to itself (intra-bloc flows are not imports)."""
    f = tables["flows"]
    for i in _head(_indices(pc.equal(f.column("origin"), f.column("destination")))):
        yield _loc("flows", i, "destination", f"equals origin '{f.column('origin')[i].as_py()}'; "
                   "flows inside one actor are not trade between actors")


def check_routes_join(tables: Tables) -> Iterator[Problem]:
    """A flow's route carries its commodity and joins its origin and destination."""
    routes = {r["route"]: r for r in tables["routes"].to_pylist()}
    f = tables["flows"]
    idx = _indices(pc.is_valid(f.column("route")))
    if not idx:
        return
    sub = f.take(pa.array(idx)).select(["commodity", "origin", "destination", "route"]).to_pylist()
    n = 0
    for i, r in zip(idx, sub):
        route = routes.get(r["route"])
        if route is None:
            continue  # reported by check_references
        why = route_mismatch(route, r["commodity"], r["origin"], r["destination"])
        if why:
            yield _loc("flows", i, "route", f"route '{r['route']}' {why}")
            n += 1
            if n >= MAX_PER_RULE:
                return


def route_mismatch(route: dict, commodity: str, origin: str, destination: str) -> str | None:
    """Why ``route`` cannot carry ``commodity`` from ``origin`` to ``destination`` (None if it can).

    A route whose origin or destination is ``ROW`` is open at that end (an LNG
    export plant ships anywhere; a regasification terminal receives from anyone).
    """
    if route["commodity"] != commodity:
        return f"carries {route['commodity']}, not {commodity}"
    if route["origin"] not in (origin, "ROW") or route["destination"] not in (destination, "ROW"):
        return (f"joins {route['origin']} -> {route['destination']}, not {origin} -> {destination}")
    return None


def member_set(actor: dict) -> frozenset[str] | None:
    """What an actor covers, for the overlap rule; None for a remainder aggregate
    (:func:`netdep.geography.overlap_set`)."""
    return overlap_set(actor)


def check_overlap(tables: Tables) -> Iterator[Problem]:
    """No two actors of one (year, commodity) graph overlap (EU27 with DEU, or with REG_EUROPE)."""
    actors = {r["actor"]: r for r in tables["actors"].to_pylist()}
    sets = {a: member_set(r) for a, r in actors.items()}
    f = tables["flows"].select(["year", "commodity", "origin", "destination"])
    first: dict[tuple, dict[str, int]] = {}
    for i, r in enumerate(f.to_pylist()):
        g = first.setdefault((r["year"], r["commodity"]), {})
        g.setdefault(r["origin"], i)
        g.setdefault(r["destination"], i)
    n = 0
    for (year, commodity), seen in sorted(first.items()):
        names = sorted(a for a in seen if sets.get(a) is not None)
        for x in range(len(names)):
            for y in range(x + 1, len(names)):
                a, b = names[x], names[y]
                common = sets[a] & sets[b]
                if common:
                    later, earlier = (a, b) if seen[a] > seen[b] else (b, a)
                    row = seen[later]
                    col = "origin" if f.column("origin")[row].as_py() == later else "destination"
                    shared = ", ".join(sorted(common)[:5])
                    yield _loc("flows", row, col, f"actor '{later}' overlaps '{earlier}' in the {year} {commodity} "
                               f"graph (both cover {shared}); flows would be counted twice — use one of them")
                    n += 1
                    if n >= MAX_PER_RULE:
                        return


def check_actors(tables: Tables) -> Iterator[Problem]:
    """Countries have no members; blocs and regions list theirs."""
    for i, r in enumerate(tables["actors"].to_pylist()):
        members = r["members"] or []
        if r["kind"] == "country" and members:
            yield _loc("actors", i, "members", f"country '{r['actor']}' cannot have members")
        if r["kind"] in ("bloc", "region") and not members:
            yield _loc("actors", i, "members", f"{r['kind']} '{r['actor']}' must list its members")
        if r["actor"] in members:
            yield _loc("actors", i, "members", f"'{r['actor']}' lists itself as a member")


def check_routes(tables: Tables) -> Iterator[Problem]:
    """Route years are ordered and a route's ends differ."""
    for i, r in enumerate(tables["routes"].to_pylist()):
        if r["open_from"] is not None and r["open_to"] is not None and r["open_from"] > r["open_to"]:
            yield _loc("routes", i, "open_to", f"{r['open_to']} is before open_from {r['open_from']}")
        if r["origin"] == r["destination"]:
            yield _loc("routes", i, "destination", "equals origin")


def check_sources(tables: Tables) -> Iterator[Problem]:
    """Every source has a web address."""
    for i, r in enumerate(tables["sources"].to_pylist()):
        if r["url"] and not str(r["url"]).startswith(("http://", "https://")):
            yield _loc("sources", i, "url", f"'{r['url']}' is not an http(s) address")


def check_years(name: str, t: pa.Table) -> Iterator[Problem]:
    """Years are plausible calendar years."""
    for cname in ("year", "open_from", "open_to"):
        if cname in t.column_names:
            c = t.column(cname)
            bad = pc.or_(pc.less(c, 1900), pc.greater(c, 2100))
            for i in _head(_indices(bad)):
                yield _loc(name, i, cname, f"{c[i].as_py()} is not a year between 1900 and 2100")


ROW_RULES: tuple[Callable, ...] = (check_required, check_finite, check_allowed, check_keys, check_years,
                                   check_key_patterns)
CROSS_RULES: tuple[Callable, ...] = (check_layer_and_unit, check_self_loops, check_routes_join, check_overlap,
                                     check_actors, check_routes, check_sources, check_magnitudes, check_route_years)


def check_prices_policy(tables: Tables) -> Iterator[Problem]:
    """Price units match the commodity's unit; policy years are ordered; limits use a known unit."""
    units = {r["commodity"]: (r["unit"],) for r in tables["commodities"].select(["commodity", "unit"]).to_pylist()}
    units.update(EXPECTED_UNITS)  # the canonical unit, so one wrong commodities row is reported once
    for i, r in enumerate(tables["prices"].select(["commodity", "unit"]).to_pylist()):
        want = tuple(f"USD_bn/{u}" for u in units.get(r["commodity"], ("?",)))
        if r["unit"] not in want:
            yield _loc("prices", i, "unit", f"is '{r['unit']}'; expected '{want[0]}' for {r['commodity']}")
    for i, r in enumerate(tables["policy"].to_pylist()):
        for c in ("year_from", "year_to"):
            if r[c] is not None and not 1900 <= r[c] <= 2100:
                yield _loc("policy", i, c, f"{r[c]} is not a year between 1900 and 2100")
        if r["year_to"] is not None and r["year_from"] is not None and r["year_to"] < r["year_from"]:
            yield _loc("policy", i, "year_to", f"{r['year_to']} is before year_from {r['year_from']}")
        want = ("USD/bbl",) if r["kind"] == "price_cap" else units.get(r["commodity"], ("?",))
        if r["unit"] not in want:
            yield _loc("policy", i, "unit", f"is '{r['unit']}'; expected '{want[0]}' for a {r['kind']}")
        if r["kind"] in ("embargo", "phase_out") and r["limit"] != 0:
            yield _loc("policy", i, "limit", f"is {r['limit']}; an {r['kind']} has limit 0")


CROSS_RULES = CROSS_RULES + (check_prices_policy,)
RULES = ROW_RULES + (check_references,) + CROSS_RULES


def check_tables(tables: Tables) -> tuple[Tables, list[Problem]]:
    """Run every rule; return the tables cast to the spec's types and the problems found."""
    problems: list[Problem] = []
    cast: Tables = {}
    for name in TABLE_ORDER:
        if name not in tables:
            problems.append(f"{name}.parquet: file is missing")
            continue
        errs = check_structure(name, tables[name])
        if errs:
            problems += errs
            continue
        try:
            cast[name] = _cast(name, tables[name])
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            problems.append(_loc(name, None, None, f"cannot be read with the spec's types ({exc})"))
    for name, t in cast.items():
        for rule in ROW_RULES:
            problems += list(rule(name, t))
        problems += list(check_references(name, t, cast))
    if problems or len(cast) < len(TABLE_ORDER):
        return cast, problems
    for rule in CROSS_RULES:
        problems += list(rule(cast))
    return cast, problems
