"""Scenario files: parse the TOML, check every operation's fields, resolve ``extends``.

A scenario file (TOML, read with :mod:`tomllib`) holds ``name``, ``description``,
``base_year`` and ``[[operations]]``, an array of tables, each with a ``type``:

========== ===================================================================================
type       fields (``?`` = optional)
========== ===================================================================================
reroute    origin, commodity, from, to, share (0–1) | amount (≥ 0), route?, on_excess? ("stay"|"drop")
scale      factor (≥ 0) and at least one filter: layer?, commodity?, origin?, destination?
set_route  route, and at least one of status?, capacity?, open_from?, open_to? ("none" clears a year)
add_flow   origin, destination, commodity, value (≥ 0), reason, value_usd_bn?, route?, source_id?
set_price  commodity, exporter, price (≥ 0), importer?, route?, unit?
set_policy commodity, origin, limit (≥ 0 | "none" lifts), destination?, kind?, route?, reason?
========== ===================================================================================

Each type is one module of :mod:`.ops` (its fields, checks, what it does and what a sweep may move);
this module checks what every type shares (field names and types, finite numbers).

``closure`` (``additive`` | ``proportional`` | ``merit``, the default | ``optimal``) says how markets
rebalance after the operations, and ``[merit]`` overrides the displacement order per importer and
group (``EU27.gas = ["lng:USA", "lng", "pipeline_gas"]``); see :mod:`.closure`. A file that
extends another inherits both unless it sets them.

``extends = "other.toml"`` (relative to the file) puts the other file's operations
first; its name, description and base year apply unless this file sets them.

Operations are numbered from 0 in the order they run, parent file first: the
index in ``--param 1.share`` and in error messages. Errors name the file, the
``[[operations]]`` header's line, the operation's index within its file and its
type, and the field::

    scen.toml:14: operations[1] (reroute): share: 1.5 is outside 0–1

Checks against the data (unknown actor, commodity, route; a route that does not
join the pair) run when the scenario is planned or applied (:mod:`.engine`).

>>> s = parse_text('name = "x"\\nbase_year = 2023\\n[[operations]]\\ntype = "scale"\\ncommodity = "goods"\\n'
...                'factor = 2.0\\n', "x.toml")
>>> s.operations[0].type, s.operations[0].fields["factor"]
('scale', 2.0)
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ScenarioError

__all__ = ["Operation", "ScenarioSpec", "parse_file", "parse_text", "FIELD_TYPES"]  # OP_FIELDS: see __getattr__

FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "origin": str, "destination": str, "commodity": str, "from": str, "to": str, "route": str, "on_excess": str,
    "layer": str, "status": str, "reason": str, "source_id": str, "exporter": str, "importer": str, "unit": str,
    "kind": str,
    "share": (int, float), "amount": (int, float), "factor": (int, float), "capacity": (int, float),
    "value": (int, float), "value_usd_bn": (int, float), "open_from": (int, str), "open_to": (int, str),
    "price": (int, float), "limit": (int, float, str),
}
NUMERIC = ("share", "amount", "factor", "capacity", "value", "value_usd_bn", "price", "limit")
TOP_KEYS = ("name", "description", "base_year", "extends", "operations", "closure", "merit")


@dataclass
class Operation:
    """One ``[[operations]]`` entry: its type, fields, and where it was written."""

    type: str
    fields: dict[str, Any]
    file: str
    index: int  # within its file
    line: int | None = None

    def where(self, fieldname: str | None = None) -> str:
        """``file:line: operations[i] (type): field`` for error messages."""
        loc = f"{self.file}:{self.line}" if self.line else self.file
        s = f"{loc}: operations[{self.index}] ({self.type})"
        return f"{s}: {fieldname}" if fieldname else s

    def error(self, fieldname: str | None, what: str) -> ScenarioError:
        return ScenarioError(f"{self.where(fieldname)}: {what}")


@dataclass
class ScenarioSpec:
    """A parsed scenario: metadata and the operations in the order they run (parent file first)."""

    name: str
    description: str
    base_year: int | None
    operations: list[Operation] = field(default_factory=list)
    path: Path | None = None
    extends: list[Path] = field(default_factory=list)
    closure: str = "merit"  # how markets rebalance (.closure.MODES)
    merit: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # importer -> group -> order


def _hint(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _op_lines(text: str) -> list[int]:
    """Line numbers (1-based) of each ``[[operations]]`` header."""
    return [i + 1 for i, line in enumerate(text.splitlines()) if re.match(r"\s*\[\[\s*operations\s*\]\]", line)]


def __getattr__(name: str):
    if name == "OP_FIELDS":  # operation type -> (required fields, optional fields), from .ops
        from .ops import OPERATIONS

        return {k: (o.required, o.optional) for k, o in OPERATIONS.items()}
    raise AttributeError(name)


def check_operation(op: Operation) -> None:
    """Check an operation's type, field names, field types and ranges (no data needed)."""
    from .ops import OPERATIONS

    if op.type not in OPERATIONS:
        raise op.error("type", f"unknown operation type '{op.type}'{_hint(op.type, list(OPERATIONS))}; "
                               f"use one of {', '.join(OPERATIONS)}")
    required, optional = OPERATIONS[op.type].required, OPERATIONS[op.type].optional
    for k in op.fields:
        if k not in required and k not in optional:
            raise op.error(k, f"unknown field{_hint(k, required + optional)}; {op.type} takes "
                              f"{', '.join(required)} and optionally {', '.join(optional)}")
    for k in required:
        if k not in op.fields:
            raise op.error(k, f"is missing; {op.type} needs {', '.join(required)}")
    for k, v in op.fields.items():
        want = FIELD_TYPES[k]
        if isinstance(v, bool) or not isinstance(v, want):
            kind = ("a year or \"none\"" if k in ("open_from", "open_to") else "a number or \"none\""
                    if k == "limit" else "a number" if k in NUMERIC else "a string")
            raise op.error(k, f"{v!r} is not {kind}")
        if k in NUMERIC and not isinstance(v, str) and not (float(v) == float(v) and abs(float(v)) != float("inf")):
            raise op.error(k, f"{v!r} is not a finite number")
    OPERATIONS[op.type].check(op)


def parse_text(text: str, file: str = "<scenario>", base_dir: Path | None = None,
               _seen: tuple[Path, ...] = ()) -> ScenarioSpec:
    """Parse scenario TOML ``text``; ``file`` names it in errors; ``base_dir`` resolves ``extends``."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{file}:{m.group(1)}" if m else file
        raise ScenarioError(f"{where}: TOML syntax error: {exc}") from None
    for k in doc:
        if k not in TOP_KEYS:
            raise ScenarioError(f"{file}: {k}: unknown key{_hint(k, TOP_KEYS)}; a scenario has "
                                f"{', '.join(TOP_KEYS)}")
    parent: ScenarioSpec | None = None
    extends: list[Path] = []
    if "extends" in doc:
        if not isinstance(doc["extends"], str):
            raise ScenarioError(f"{file}: extends: {doc['extends']!r} is not a file name")
        p = ((base_dir or Path.cwd()) / doc["extends"]).resolve()
        if p in _seen:
            raise ScenarioError(f"{file}: extends: '{doc['extends']}' extends this file again (a cycle)")
        if not p.is_file():
            raise ScenarioError(f"{file}: extends: no such file '{doc['extends']}' (looked in {p.parent})")
        parent = parse_file(p, _seen=_seen)
        extends = [p, *parent.extends]
    name = doc.get("name", parent.name if parent else None)
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f"{file}: name: is missing or empty; give the scenario a name")
    desc = doc.get("description", parent.description if parent else "")
    if not isinstance(desc, str):
        raise ScenarioError(f"{file}: description: is not a string")
    year = doc.get("base_year", parent.base_year if parent else None)
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ScenarioError(f"{file}: base_year: {year!r} is not a year")
    raw = doc.get("operations", [])
    if not isinstance(raw, list) or not all(isinstance(o, dict) for o in raw):
        raise ScenarioError(f"{file}: operations: write each operation as an [[operations]] table")
    lines = _op_lines(text)
    ops = list(parent.operations) if parent else []
    for i, o in enumerate(raw):
        fields = {k: v for k, v in o.items() if k != "type"}
        op = Operation(type=o.get("type", ""), fields=fields, file=file, index=i,
                       line=lines[i] if i < len(lines) else None)
        if "type" not in o:
            from .ops import OPERATIONS

            raise op.error("type", f"is missing; use one of {', '.join(OPERATIONS)}")
        check_operation(op)
        ops.append(op)
    if not ops:
        raise ScenarioError(f"{file}: operations: the scenario has no [[operations]]")
    closure, merit = _closure_keys(doc, file, parent)
    return ScenarioSpec(name=name.strip(), description=desc.strip(), base_year=year, operations=ops,
                        extends=extends, closure=closure, merit=merit)


def _closure_keys(doc: dict, file: str, parent: ScenarioSpec | None) -> tuple[str, dict]:
    """``closure`` (a mode of :data:`.closure.MODES`) and ``[merit]`` (importer.group = [entries]), checked."""
    from .closure import DEFAULT_MODE, GROUPS, MODES

    mode = doc.get("closure", parent.closure if parent else DEFAULT_MODE)
    if not isinstance(mode, str) or mode not in MODES:
        raise ScenarioError(f"{file}: closure: {mode!r} is not one of {', '.join(MODES)}"
                            f"{_hint(str(mode), MODES)}")
    merit = {k: {g: list(v) for g, v in d.items()} for k, d in (parent.merit if parent else {}).items()}
    raw = doc.get("merit", {})
    if not isinstance(raw, dict):
        raise ScenarioError(f"{file}: merit: write it as a table, e.g. [merit] EU27.gas = [\"lng\", \"pipeline_gas\"]")
    for imp, groups in raw.items():
        if not isinstance(groups, dict):
            raise ScenarioError(f"{file}: merit.{imp}: give an order per group, e.g. merit.{imp}.gas = [\"lng\"]")
        for g, order in groups.items():
            if g not in GROUPS:
                raise ScenarioError(f"{file}: merit.{imp}.{g}: unknown group{_hint(g, list(GROUPS))}; groups are "
                                    f"{', '.join(GROUPS)}")
            if not isinstance(order, list) or not order or not all(isinstance(e, str) for e in order):
                raise ScenarioError(f"{file}: merit.{imp}.{g}: {order!r} is not a list of commodity or "
                                    "commodity:ORIGIN entries")
            for e in order:
                c = e.partition(":")[0]
                if c not in GROUPS[g]:
                    raise ScenarioError(f"{file}: merit.{imp}.{g}: '{e}': {c} is not in group {g} "
                                        f"({', '.join(GROUPS[g])})")
            merit.setdefault(imp, {})[g] = list(order)
    return mode, merit


def parse_file(path: str | Path, _seen: tuple[Path, ...] = ()) -> ScenarioSpec:
    """Parse a scenario file (see the module docstring)."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"{p}: no such scenario file (`netdep scenario list` shows the bundled ones)")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{p}: cannot read the file ({exc})") from None
    spec = parse_text(text, str(path), p.resolve().parent, _seen=(*_seen, p.resolve()))
    spec.path = p
    return spec
