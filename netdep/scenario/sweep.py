"""Sweep one operation's parameter over a range and compute every measure at each step.

``param`` is ``OP_INDEX.FIELD`` (operations numbered from 0, parent file first), e.g. ``0.share``.
The operations before the swept one run once, and so do the later ones that cannot depend on it
(reroutes and add_flows of a commodity no other operation from the swept one on touches); the
swept one and the other later ones run per step (capacity limits are cached, so a share sweep
costs one bisection); the measures of all steps are computed together by
:class:`.fast.FastMeasures`. :func:`naive_sweep` is the reference: the
whole scenario and every networkx graph and measure rebuilt at each step.

>>> from netdep.store import load
>>> from netdep.scenario import bundled_path, load as load_scenario
>>> res = sweep(load(), load_scenario(bundled_path("russian_energy_to_europe_half")), "0.share", [0.0, 1.0])
>>> res.table.num_rows > 0, res.values
(True, [0.0, 1.0])
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..errors import ScenarioError
from ..store import Data
from .closure import close
from .engine import State, initial_state, run_operations, state_to_data
from .measures import long_table, measure_tables
from .spec import check_operation

__all__ = ["SweepResult", "sweep", "naive_sweep", "parse_param", "sweep_values", "spec_with"]


@dataclass
class SweepResult:
    """The long table of every measure at every step (columns ``step`` and ``param``), and the moves."""

    param: str
    values: list[float]
    table: pa.Table
    moves: list[list[dict]]
    revenue: list[dict[str, tuple[float, float]]] | None = None  # per step: .revenue.by_group (Russia)


def sweep_values(start: float, stop: float, steps: int) -> list[float]:
    """``steps`` evenly spaced values from ``start`` to ``stop`` inclusive."""
    if steps < 1:
        raise ScenarioError(f"--steps: {steps} is not a positive number of steps")
    return [float(v) for v in np.linspace(start, stop, steps)] if steps > 1 else [float(start)]


def parse_param(scenario, param: str) -> tuple[int, str]:
    """``"1.share"`` → (1, "share"), checked against the scenario's operations."""
    ops = scenario.spec.operations
    head, _, fieldname = param.partition(".")
    if not head.isdigit() or not fieldname:
        raise ScenarioError(f"--param: '{param}' is not OP_INDEX.FIELD (e.g. 0.share)")
    i = int(head)
    if i >= len(ops):
        raise ScenarioError(f"--param: {scenario.path or scenario.name} has operations 0–{len(ops) - 1}, not {i}")
    op = ops[i]
    from .ops import OPERATIONS

    sweepable = OPERATIONS[op.type].sweepable
    if fieldname not in sweepable or (fieldname not in op.fields and not (op.type == "reroute" and fieldname in
                                                                          ("share", "amount"))):
        nums = [k for k in op.fields if k in sweepable]
        raise ScenarioError(f"--param: operations[{i}] ({op.type}) has no numeric field '{fieldname}'; "
                            f"it has {', '.join(nums) or 'none'}")
    return i, fieldname


def spec_with(spec, index: int, fieldname: str, value: float):
    """A copy of ``spec`` with operations[index].fieldname = value (checked)."""
    new = copy.copy(spec)
    new.operations = list(spec.operations)
    op = copy.copy(spec.operations[index])
    op.fields = dict(op.fields)
    if op.type == "reroute" and fieldname in ("share", "amount"):
        op.fields.pop("share", None)
        op.fields.pop("amount", None)
    op.fields[fieldname] = value
    check_operation(op)
    new.operations[index] = op
    return new


def _independent(ops, index: int) -> list[int]:
    """Operations after ``index`` that do not depend on the swept one: when every operation from ``index`` on
    is a reroute or add_flow, one whose commodity no other of them touches reads and changes flows no other
    touches, so it gives the same result (and move) run once before the sweep as after the swept one."""
    from .ops import OPERATIONS  # own_commodity: reads and changes only its commodity's flows; routes untouched

    tail = ops[index:]
    if any(not OPERATIONS[op.type].own_commodity for op in tail):
        return []
    com = [op.fields["commodity"] for op in tail]
    return [index + k for k in range(1, len(tail)) if com.count(com[k]) == 1]


def _states(data: Data, scenario, index: int, fieldname: str, values: Sequence[float],
            progress: Callable[[int], None] | None) -> list[State]:
    year = scenario.year(data)
    specs = [spec_with(scenario.spec, index, fieldname, v) for v in values]
    ops = scenario.spec.operations
    from .ops import OPERATIONS

    base = initial_state(data, year)
    if OPERATIONS[ops[index].type].declarative:  # the law itself moves: every step from the base year
        out = []
        for s in specs:
            out.append(close(data, s, run_operations(data, s, year), base))
            if progress:
                progress(1)
        return out
    hoisted = _independent(ops, index)
    prefix = run_operations(data, _prefix(scenario.spec, index), year)
    for j in hoisted:  # once, with their own index (moves and notes keep it)
        prefix = run_operations(data, _prefix(scenario.spec, j + 1), year, state=prefix, start=j)
    per_step = [i for i in range(index, len(ops)) if i not in hoisted]
    out = []
    for s in specs:
        if not hoisted:
            st = run_operations(data, s, year, state=prefix, start=index)
        else:
            st = prefix
            for i in per_step:
                st = run_operations(data, _prefix(s, i + 1), year, state=st, start=i)
            st.moves.sort(key=lambda m: m.op)  # the order a run in file order gives
        out.append(close(data, s, st, base))
        if progress:
            progress(1)
    return out


def _prefix(spec, index: int):
    """The operations before ``index``, and the declarative ones after it (the law holds from the start)."""
    from .ops import OPERATIONS

    new = copy.copy(spec)
    new.operations = list(spec.operations[:index]) + [op for op in spec.operations[index:]
                                                       if OPERATIONS[op.type].declarative]
    return new


def sweep(data: Data, scenario, param: str, values: Sequence[float],
          progress: Callable[[int], None] | None = None) -> SweepResult:
    """Every measure at each value of ``param`` (fast path; see the module docstring)."""
    from .fast import FastMeasures

    index, fieldname = parse_param(scenario, param)
    states = _states(data, scenario, index, fieldname, values, progress)
    fm = FastMeasures(data, scenario.year(data))
    table = fm.long(states, scenario.name)
    table = table.append_column("param", _param_column(table.column("step"), values))
    if progress:
        progress(1)
    return SweepResult(param, list(values), table, [[m.record() for m in s.moves] for s in states],
                       step_revenue(data, scenario.year(data), states))


def step_revenue(data: Data, year: int, states: Sequence[State]) -> list[dict[str, tuple[float, float]]]:
    """Russia's energy export revenue per fuel, (before, after) in US$ bn, at each step (:mod:`.revenue`)."""
    from .revenue import by_group, revenue_records

    base = [f for f in data.rows("flows") if f["year"] == year]
    return [by_group(revenue_records(data, year, base, list(st.rows.values()), st.prices)) for st in states]


def _param_column(step: pa.ChunkedArray, values: Sequence[float]) -> pa.ChunkedArray:
    """``values[step]``, chunk by chunk; step chunks sharing one buffer share one param chunk."""
    vals = np.asarray(values, dtype=float)
    done: dict[tuple[int, int, int], pa.Array] = {}
    out = []
    for c in step.chunks:
        key = (c.buffers()[1].address, c.offset, len(c))
        if key not in done:
            done[key] = pa.array(vals[c.to_numpy()])
        out.append(done[key])
    return pa.chunked_array(out, pa.float64())


def naive_sweep(data: Data, scenario, param: str, values: Sequence[float]) -> SweepResult:
    """The reference: at each value, the whole scenario, every networkx graph and every measure rebuilt."""
    index, fieldname = parse_param(scenario, param)
    year = scenario.year(data)
    parts, moves, states = [], [], []
    for step, v in enumerate(values):
        sp = spec_with(scenario.spec, index, fieldname, v)
        st = close(data, sp, run_operations(data, sp, year), initial_state(data, year))
        t = long_table(measure_tables(state_to_data(data, st), year), scenario.name)
        parts.append(t.append_column("step", pa.array(np.full(t.num_rows, step, dtype=np.int64)))
                     .append_column("param", pa.array(np.full(t.num_rows, float(v)))))
        moves.append([m.record() for m in st.moves])
        states.append(st)
    return SweepResult(param, list(values), pa.concat_tables(parts), moves, step_revenue(data, year, states))
