"""Scenario operations, one module each: its fields, its checks, what it does, what a sweep may move.

An operation type is an :class:`OpType` registered in :data:`OPERATIONS`; :mod:`..spec` checks a file's
operations against it and :func:`..engine.run_operations` runs it. A new operation type is one new module
here that defines ``OP`` and one line in :data:`_MODULES`.

>>> sorted(OPERATIONS)
['add_flow', 'reroute', 'scale', 'set_policy', 'set_price', 'set_route']
>>> OPERATIONS["set_price"].sweepable
('price',)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

__all__ = ["OpType", "OPERATIONS"]


@dataclass(frozen=True)
class OpType:
    """One operation type.

    ``required``/``optional``: its field names; ``check(op)``: checks that need no data (field types and
    finiteness are checked for every type by :func:`..spec.check_operation` first); ``apply(op, i, ctx,
    state)``: changes the state; ``sweepable``: numeric fields ``netdep scenario sweep`` may move;
    ``own_commodity``: reads and changes only its commodity's flows (a sweep may run it once when no
    other operation touches that commodity); ``declarative``: it states the scenario's world (its law)
    and is applied before every other operation, whatever its place in the file.
    """

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    check: Callable[[Any], None]
    apply: Callable[[Any, int, Any, Any], None]
    sweepable: tuple[str, ...] = ()
    own_commodity: bool = False
    summary: str = ""
    declarative: bool = False  # applied before every other operation, whatever its place (the scenario's law)


_MODULES = ("reroute", "scale", "set_route", "add_flow", "set_price", "set_policy")
OPERATIONS: dict[str, OpType] = {}
for _m in _MODULES:
    _op = import_module(f"{__name__}.{_m}").OP
    OPERATIONS[_op.name] = _op
