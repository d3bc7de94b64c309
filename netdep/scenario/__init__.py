"""Capacity-aware rerouting scenarios: what-ifs on one base year, compared measure by measure.

A scenario (a TOML file, :mod:`.spec`) lists operations — ``reroute``, ``scale``, ``set_route``,
``add_flow`` — that change the base year's flows and routes (:mod:`.engine`). Reroutes are
bounded by route capacity (:mod:`netdep.routes`) and by the exporter's supply systems (:mod:`.systems`:
which fields reach which buyer, their deliverability); then the market closes (:mod:`.closure`:
``additive``, ``proportional``, ``merit`` — the default — or ``optimal``). The measures of the dependency report are
computed before and after (:mod:`.measures`) and returned as one long table with a ``scenario``
column (:mod:`.results`); :mod:`.sweep` moves one parameter over a range, fast.

>>> import netdep.scenario as sc
>>> from netdep.store import load
>>> data = load()
>>> s = sc.load(sc.bundled_path("russian_energy_to_europe_half"))
>>> [(m.commodity, m.bound) for m in s.plan(data)]       # the dry run: what would move
[('pipeline_gas', 'no_connection'), ('crude_oil', 'none'), ('pipeline_gas', 'none')]
>>> changed = s.apply(data)                              # a validated copy of the data
>>> res = sc.run(s.path)
>>> res.table.group_by(["scenario"]).aggregate([("value", "count")]).num_rows
2
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ScenarioError
from ..store import Data
from .engine import Move, State, run_operations, state_to_data
from .results import ScenarioResult, compare
from .spec import Operation, ScenarioSpec, parse_file, parse_text

__all__ = ["Scenario", "load", "run", "bundled", "bundled_path", "scenario_dir", "Move", "ScenarioResult",
           "ScenarioSpec", "Operation", "parse_text", "resolve_scenario"]


def scenario_dir(data_path: Path | None = None) -> Path:
    """``<data>/scenarios``: the bundled scenarios beside the data (default data folder)."""
    from ..store import default_data_dir

    return (data_path if data_path is not None else default_data_dir()) / "scenarios"


def bundled(data_path: Path | None = None) -> list[Path]:
    """The bundled scenario files, sorted by name."""
    return sorted(scenario_dir(data_path).glob("*.toml"))


def bundled_path(stem: str, data_path: Path | None = None) -> Path:
    """The bundled scenario called ``stem`` (file name without ``.toml``)."""
    p = scenario_dir(data_path) / f"{stem}.toml"
    if not p.is_file():
        names = ", ".join(x.stem for x in bundled(data_path))
        raise ScenarioError(f"no bundled scenario '{stem}'; bundled: {names}")
    return p


@dataclass
class Scenario:
    """A loaded scenario file: ``plan`` (dry run), ``state``, ``apply`` (changed data), ``run`` (measures)."""

    spec: ScenarioSpec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def path(self) -> Path | None:
        return self.spec.path

    def year(self, data: Data) -> int:
        """The base year (the file's, else the latest year with every layer)."""
        if self.spec.base_year is not None:
            if self.spec.base_year not in data.years:
                raise ScenarioError(f"{self.spec.path or self.name}: base_year: no flows in {self.spec.base_year}; "
                                    f"years with data: {', '.join(map(str, data.years))}")
            return self.spec.base_year
        from ..metrics.tables import default_years

        return default_years(data)[0]

    def state(self, data: Data) -> State:
        """Run the operations, then the market closure; the resulting base-year flows, routes and moves."""
        from .closure import close
        from .engine import initial_state

        year = self.year(data)
        return close(data, self.spec, run_operations(data, self.spec, year), initial_state(data, year))

    def plan(self, data: Data) -> list[Move]:
        """The dry run: what each reroute and add_flow would move, and the bound that bit (no measures)."""
        return self.state(data).moves

    def apply(self, data: Data, validate: bool = True) -> Data:
        """A copy of ``data`` with the scenario applied (validated with :func:`netdep.checks.check_tables`)."""
        out = state_to_data(data, self.state(data), self.name)
        if validate:
            from ..checks import check_tables
            from ..errors import ValidationError

            tables, problems = check_tables(out.tables)
            if problems:
                raise ValidationError([f"scenario {self.name}: {p}" for p in problems])
            out = Data(tables, data.path)
        return out

    def run(self, data: Data) -> ScenarioResult:
        """Measures before and after, delta, moves and headlines."""
        return compare(data, self.spec, self.year(data), self.state(data))


def resolve_scenario(path: str | Path, data_path: str | Path | None = None) -> Path:
    """A scenario file's path, or the bundled scenario of that name (as the CLI accepts: ``"gas_cutoff"``)."""
    p = Path(path)
    if p.is_file() or p.suffix == ".toml" or "/" in str(path) or "\\" in str(path):
        return p
    return bundled_path(str(path), Path(data_path) if data_path is not None else None)


def load(path: str | Path, data_path: str | Path | None = None) -> Scenario:
    """Read and check a scenario file (TOML) or a bundled scenario by name; data checks run in ``plan``/``apply``."""
    return Scenario(parse_file(resolve_scenario(path, data_path)))


def run(path: str | Path, data_dir: str | Path | None = None, data: Data | None = None) -> ScenarioResult:
    """Load the scenario at ``path`` and run it on ``data`` (default: :func:`netdep.store.load` of ``data_dir``).

    ``.table`` is one long Arrow table with a ``scenario`` column (``base`` and the scenario's name);
    ``.before``, ``.after``, ``.delta`` hold the records; ``.moves`` what moved and which bound bit.
    """
    from ..store import load as load_data

    data = data if data is not None else load_data(data_dir)
    return load(path, data_dir if data_dir is not None else data.path).run(data)
