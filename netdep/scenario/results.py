"""Run a scenario: measures before and after, their difference, one long table with a scenario column.

>>> from netdep.scenario import bundled, run
>>> res = run(bundled()[0])
>>> res.table.column_names[:3], "base" in set(res.table.column("scenario").to_pylist())
(['scenario', 'table', 'year'], True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..schema import RECORD_FIELDS as JSON_FIELDS
from .measures import FIELDS, KEYS, long_table, measure_tables, record_key

__all__ = ["ScenarioResult", "delta_tables", "compare"]


def delta_tables(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Record by record: numeric fields after − before (None where either is None).

    Records present on one side only are kept with ``change`` = ``"added"`` or ``"removed"`` and the
    other side counted as absent (None), so their numeric deltas are None; the rest have ``"changed"``.
    """
    out: dict[str, list[dict]] = {}
    for t in KEYS:
        b = {record_key(t, r): r for r in before.get(t, [])}
        a = {record_key(t, r): r for r in after.get(t, [])}
        rows = []
        for k in sorted(set(a) | set(b), key=lambda k: tuple("" if v is None else str(v) for v in k)):
            rb, ra = b.get(k), a.get(k)
            rec = dict(zip(KEYS[t], k))
            for f in FIELDS[t]:
                x = None if rb is None else rb.get(f)
                y = None if ra is None else ra.get(f)
                rec[f] = None if x is None or y is None else y - x
            if t == "dependencies":
                rec["unit"] = (ra or rb).get("unit")
            if t == "concentration":
                rec["top_partner"] = (ra or rb).get("top_partner")
            rec["change"] = "added" if rb is None else "removed" if ra is None else "changed"
            rows.append(rec)
        out[t] = rows
    return out


def _shape(table: str, rows: list[dict]) -> list[dict]:
    fields = JSON_FIELDS[table]
    return [{k: r.get(k) for k in fields} for r in rows]


@dataclass
class ScenarioResult:
    """A scenario's run: ``table`` (one long table, ``scenario`` = ``base`` or the name), ``before``,
    ``after`` and ``delta`` records, the ``moves`` and the headline sentences."""

    name: str
    description: str
    year: int
    path: Path | None
    before: dict[str, list[dict]]
    after: dict[str, list[dict]]
    delta: dict[str, list[dict]]
    moves: list[dict]
    headlines: list[str] = field(default_factory=list)
    bounds: list[str] = field(default_factory=list)
    closure: str = "additive"  # how markets rebalanced (.closure.MODES)
    displacement: list[dict] = field(default_factory=list)  # .closure.Closure.records
    revenue: list[dict] = field(default_factory=list)  # .revenue.revenue_records: Russia's, before and after
    _table: pa.Table | None = None

    @property
    def table(self) -> pa.Table:
        """One long table for base and scenario; ``group_by`` everything but scenario and value to compare."""
        if self._table is None:
            self._table = pa.concat_tables([long_table(self.before, "base"), long_table(self.after, self.name)])
        return self._table

    def to_json_obj(self) -> dict[str, Any]:
        """``meta``, ``headlines``, ``bounds``, ``moves`` and ``before``/``after``/``delta`` in report shapes."""
        obj: dict[str, Any] = {
            "meta": {"scenario": self.name, "description": self.description, "base_year": self.year,
                     "file": str(self.path) if self.path else None, "generator": "netdep scenario run",
                     "closure": self.closure},
            "headlines": self.headlines, "bounds": self.bounds, "displacement": self.displacement,
            "revenue": self.revenue,
            "moves": [{k: m[k] for k in ("op", "type", "commodity", "origin", "from", "to", "route", "requested",
                                         "moved", "dropped", "bound", "detail", "unit")} for m in self.moves],
        }
        for side, tables in (("before", self.before), ("after", self.after)):
            obj[side] = {t: _shape(t, tables[t]) for t in KEYS}
        obj["delta"] = {t: [{k: r.get(k) for k in (*JSON_FIELDS[t], "change") if k in r} for r in self.delta[t]]
                        for t in KEYS}
        return obj

    def ranked(self, table: str, n: int | None = None) -> list[tuple[float, dict, dict | None, dict | None]]:
        """Delta records of ``table`` ranked by the size of the shift: (size, delta, before, after).

        Size: share points for dependencies (largest of share_in, share_out), HHI points for
        concentration, and for centrality the change relative to the largest value of that measure
        in that graph (measures have different scales).
        """
        b = {record_key(table, r): r for r in self.before[table]}
        a = {record_key(table, r): r for r in self.after[table]}
        scale: dict[tuple, float] = {}
        if table == "centrality":
            for r in (*self.before[table], *self.after[table]):
                k = (r["layer"], r["commodity"], r["measure"])
                scale[k] = max(scale.get(k, 0.0), abs(r["value"]))
        out = []
        for d in self.delta[table]:
            k = record_key(table, d)
            rb, ra = b.get(k), a.get(k)
            if table == "dependencies":
                size = max(abs(_num(rb, ra, "share_in")), abs(_num(rb, ra, "share_out")))
            elif table == "concentration":
                size = abs(_num(rb, ra, "hhi"))
            else:
                s = scale.get((d["layer"], d["commodity"], d["measure"])) or 1.0
                size = abs(_num(rb, ra, "value")) / s
            if size > 1e-12:
                out.append((size, d, rb, ra))
        out.sort(key=lambda x: (-x[0], tuple(str(v) for v in record_key(table, x[1]))))
        return out[:n] if n else out


def _num(rb: dict | None, ra: dict | None, f: str) -> float:
    x = (rb or {}).get(f) or 0.0
    y = (ra or {}).get(f) or 0.0
    return y - x


def compare(data, spec, year: int, state) -> ScenarioResult:
    """Measures of the base data and of the state's data, their delta, moves and headlines."""
    from .engine import state_to_data
    from .headlines import bound_sentences, closure_sentences, headlines, revenue_sentences
    from .measures import layers_of
    from .revenue import revenue_records

    after_data = state_to_data(data, state, spec.name)
    layers = layers_of(data, year)
    before = measure_tables(data, year, layers)
    after = measure_tables(after_data, year, layers)
    moves = [m.record() for m in state.moves]
    res = ScenarioResult(spec.name, spec.description, year, spec.path, before, after, delta_tables(before, after),
                         moves)
    clo = getattr(state, "closure", None)
    if clo is not None:
        res.closure, res.displacement = clo.mode, clo.records
    from ..metrics.ranges import scenario_ranges  # issue 15: shares and HHI before/after with their ranges

    scenario_ranges(data, after_data, year, layers, before, after)
    res.revenue = revenue_records(data, year, [f for f in data.rows("flows") if f["year"] == year],
                                  list(state.rows.values()), state.prices)
    res.headlines = (closure_sentences(data, res.closure, res.displacement, year) + headlines(data, before, after)
                     + revenue_sentences(data, res.revenue))
    res.bounds = bound_sentences(data, moves)
    return res
