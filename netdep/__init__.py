"""netdep: who depends on whom in trade, energy and investment, and what shifts when flows are rerouted.

>>> import netdep
>>> data = netdep.load()
>>> rep = netdep.report(year=2023)
>>> rep.year, sorted(rep.tables)[:2]
(2023, ['asymmetry', 'centrality'])

Heavy modules (networkx, scipy, pandas) are imported only when a function needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import EditError, LockError, NetdepError, ScenarioError, SourceFormatError, ValidationError
from .store import Data, load

__all__ = [
    "load",
    "Data",
    "report",
    "connect",
    "NetdepError",
    "ValidationError",
    "SourceFormatError",
    "ScenarioError",
    "EditError",
    "LockError",
]

__version__ = "0.1.0"


def report(data_dir: str | Path | None = None, year: int | None = None, compare_year: int | None = None,
           layer: str | None = None) -> Any:
    """Compute the dependency report; returns a :class:`netdep.reporting.Report` whose ``.tables`` hold
    the records the CLI prints (``.table(name)`` gives an Arrow table, ``.to_pandas()`` a DataFrame)."""
    from .reporting import build_report

    return build_report(load(data_dir), year=year, compare_year=compare_year, layer=layer)


def connect(data_dir: str | Path | None = None):
    """A DuckDB connection with netdep's views (see :func:`netdep.db.connect`)."""
    from .db import connect as _connect

    return _connect(data_dir)
