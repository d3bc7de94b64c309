"""The measure registry: every measure once — name, family, record, formula, reference and its kernels.

A measure is a number of an output record (:data:`netdep.schema.OUTPUT_RECORDS`): a field of a
``dependencies``, ``concentration``, ``asymmetry`` or ``vulnerability`` record, or a ``measure`` name of a
``centrality`` record. Its **kernels** are the implementations, by backend:

* ``reference`` — the networkx definition in :mod:`netdep.metrics`, on one graph (assembled per year by
  :func:`netdep.metrics.tables.core_tables`; the report and ``netdep scenario run`` use it);
* ``batched`` — the NumPy kernel of the sweep path (:mod:`netdep.scenario.fast`), on a stack of graphs
  ``(states, n, n)``;
* ``sql`` — the DuckDB view of ``netdep/sql/views.sql`` that gives the same number.

A kernel is named as ``module:function`` (or ``views.sql:view``) and resolved only when asked
(:func:`kernel`): the registry sits in the measures layer and never imports the scenario layer above it.
``tests/test_measure_backends.py`` runs the same hand-checked oracle for every registered measure on every
backend it declares, and fails for a measure without one.

Adding a measure: its function in the family's module, one :class:`Measure` here, its field in the record spec
(:mod:`netdep.schema`; centrality: a name in :data:`netdep.metrics.centrality.MEASURES`), its oracle in
``tests/test_measure_backends.py`` — and, for the sweep, its batched kernel in :mod:`netdep.scenario.fast`.

>>> MEASURES["concentration.hhi"].formula
'HHI(a) = Σ_p s_p² over named partners p of a (remainders add nothing)'
>>> sorted(MEASURES["dependencies.share_in"].kernels)
['batched', 'reference', 'sql']
>>> centrality_names()[:4]
('in_strength', 'out_strength', 'pagerank', 'pagerank_exporter')
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..schema import OUTPUT_RECORDS

__all__ = ["Measure", "MEASURES", "FAMILIES", "BACKENDS", "kernel", "measures_of", "centrality_names",
           "by_family"]

FAMILIES = ("dependency", "concentration", "asymmetry", "vulnerability", "centrality")
BACKENDS = ("reference", "batched", "sql")


@dataclass(frozen=True)
class Measure:
    """One measure: ``record.name`` is its id (``dependencies.share_in``)."""

    name: str  # the record field (centrality: the measure name)
    family: str  # one of FAMILIES
    record: str  # an output record of netdep.schema.OUTPUT_RECORDS
    formula: str
    reference: str
    kernels: Mapping[str, str] = field(default_factory=dict)  # backend -> "module:function" | "views.sql:view"
    names: tuple[str, ...] = ()  # centrality: the record measure names it is written under (default: name)

    @property
    def id(self) -> str:
        return f"{self.record}.{self.name}"

    @property
    def backends(self) -> tuple[str, ...]:
        return tuple(b for b in BACKENDS if b in self.kernels)

    @property
    def record_names(self) -> tuple[str, ...]:
        return self.names or (self.name,)


_M = "netdep.metrics."
_F = "netdep.scenario.fast:"
KN = "Keohane & Nye, Power and Interdependence (1977)"
_DEP = {"reference": _M + "dependency:dependency_records", "batched": _F + "_deps", "sql": "views.sql:dependencies"}
_COV = {"reference": _M + "coverage:coverage", "batched": _F + "_coverage", "sql": "views.sql:dependencies"}
_CONC = {"reference": _M + "concentration:concentration_records", "batched": _F + "_conc",
         "sql": "views.sql:concentration"}
_ASYM = {"reference": _M + "asymmetry:asymmetry_records", "batched": _F + "_asym"}
# the batched path takes vulnerability per state from the reference (it depends on routes, not on a matrix)
_VUL = {"reference": _M + "vulnerability:vulnerability_records", "batched": _F + "_vulnerability"}


def _cent(ref: str, batched: str) -> dict[str, str]:
    return {"reference": _M + "centrality:" + ref, "batched": _F + batched}


_LIST = [
    # dependency (per flow o -> d of a graph)
    Measure("share_in", "dependency", "dependencies", "w(o→d) / Σ_x w(x→d)", KN + ", sensitivity", _DEP),
    Measure("share_out", "dependency", "dependencies", "w(o→d) / Σ_y w(o→y)", KN + ", sensitivity", _DEP),
    Measure("share_of_consumption", "dependency", "dependencies", "w(o→d) / consumption(d) of the balance_of fuel",
            KN + ", sensitivity; IEA import dependence", _DEP),
    Measure("coverage_in", "dependency", "dependencies", "Σ named partners' w(x→d) / total imports of d, where the "
            "total is known (a remainder partner or a complete matrix), else None", "netdep.metrics.coverage", _COV),
    Measure("coverage_out", "dependency", "dependencies", "Σ named partners' w(o→y) / total exports of o, where "
            "known, else None", "netdep.metrics.coverage", _COV),
    # concentration (per actor and side)
    Measure("hhi", "concentration", "concentration", "HHI(a) = Σ_p s_p² over named partners p of a (remainders "
            "add nothing)", "Hirschman, National Power and the Structure of Foreign Trade (1945); Herfindahl (1950)",
            _CONC),
    Measure("top_share", "concentration", "concentration", "max_p s_p over named partners", "Hirschman (1945)",
            _CONC),
    Measure("unattributed_share", "concentration", "concentration", "u = Σ s_r over remainder aggregates r; the true "
            "HHI lies in [HHI, HHI + u²]", "netdep.metrics.concentration", _CONC),
    Measure("partners", "concentration", "concentration", "number of partners, remainders included",
            "netdep.metrics.concentration", _CONC),
    Measure("coverage", "concentration", "concentration", "1 − u where the world total is known, else None",
            "netdep.metrics.coverage", _CONC),
    # asymmetry (per relationship "s supplies b")
    Measure("buyer_dependence", "asymmetry", "asymmetry", "w(s→b) / in(b)", KN, _ASYM),
    Measure("supplier_dependence", "asymmetry", "asymmetry", "w(s→b) / out(s)", KN, _ASYM),
    Measure("asymmetry", "asymmetry", "asymmetry", "buyer_dependence − supplier_dependence", KN, _ASYM),
    Measure("coverage_in", "asymmetry", "asymmetry", "coverage of b's imports (as dependencies.coverage_in)",
            "netdep.metrics.coverage", _ASYM),
    Measure("coverage_out", "asymmetry", "asymmetry", "coverage of s's exports (as dependencies.coverage_out)",
            "netdep.metrics.coverage", _ASYM),
    # vulnerability (per importer a and partner p, energy)
    Measure("at_risk", "vulnerability", "vulnerability", "w(p→a)", "netdep.metrics.vulnerability", _VUL),
    Measure("share_in", "vulnerability", "vulnerability", "w(p→a) / Σ_x w(x→a)", KN, _VUL),
    Measure("replaceable", "vulnerability", "vulnerability", "min(at_risk, Σ spare capacity of other suppliers' "
            "known routes into a, bounded by their known offer); None where a seaborne gate is unknown",
            "Regulation (EU) 2017/1938, Annex II (N−1 logic)", _VUL),
    Measure("replaceable_known", "vulnerability", "vulnerability", "the same over known routes only (lower bound)",
            "netdep.metrics.vulnerability", _VUL),
    Measure("unreplaceable", "vulnerability", "vulnerability", "at_risk − replaceable",
            "netdep.metrics.vulnerability", _VUL),
    Measure("unreplaceable_share", "vulnerability", "vulnerability", "unreplaceable / Σ_x w(x→a)",
            "netdep.metrics.vulnerability", _VUL),
    # centrality (per actor of a graph; one record per measure name)
    Measure("in_strength", "centrality", "centrality", "s_in(i) = Σ_j w(j→i)",
            "Barrat et al., PNAS 101:3747 (2004)", _cent("strength", "_centrality_values")),
    Measure("out_strength", "centrality", "centrality", "s_out(i) = Σ_j w(i→j)",
            "Barrat et al., PNAS 101:3747 (2004)", _cent("strength", "_centrality_values")),
    Measure("pagerank", "centrality", "centrality", "x = α Aᵀ D_out⁻¹ x + (1 − α)/n, α = 0.85, on supplier→buyer "
            "edges (importer side)", "Brin & Page (1998)", _cent("pagerank", "_pagerank")),
    Measure("pagerank_exporter", "centrality", "centrality", "PageRank on the reversed graph (exporter side)",
            "Brin & Page (1998)", _cent("pagerank_exporter", "_pagerank")),
    Measure("eigenvector_or_katz", "centrality", "centrality", "eigenvector: x ∝ Aᵀ x where the graph is strongly "
            "connected; else Katz: x ∝ (I − α Aᵀ)⁻¹ 1, α = 0.9 / ρ(A)", "Bonacich (1972); Katz (1953)",
            _cent("eigenvector_or_katz", "_eig_or_katz"), names=("eigenvector", "katz")),
    Measure("betweenness", "centrality", "centrality", "B(v) = Σ_{s≠v≠t} σ_st(v) / σ_st, normalised, distance = "
            "1/w", "Freeman (1977); Brandes (2001)", _cent("betweenness", "_betweenness")),
    Measure("supply_dependence", "centrality", "centrality", "SD(j) = Σ_i w(j→i) / in(i) over named importers i",
            KN + "; Hirschman (1945), ch. 2", _cent("supply_dependence", "_dependence")),
    Measure("market_dependence", "centrality", "centrality", "MD(j) = Σ_i w(i→j) / out(i) over named exporters i",
            KN + "; Hirschman (1945), ch. 2", _cent("market_dependence", "_dependence")),
]

#: every measure, by id (``record.name``), in the order of the records
MEASURES: dict[str, Measure] = {m.id: m for m in _LIST}
assert len(MEASURES) == len(_LIST), "a measure is registered twice"
assert all(m.family in FAMILIES and m.record in OUTPUT_RECORDS for m in _LIST)


def measures_of(record: str) -> tuple[Measure, ...]:
    """The registered measures of one output record, in registry order."""
    return tuple(m for m in MEASURES.values() if m.record == record)


def by_family(family: str) -> tuple[Measure, ...]:
    """The registered measures of one family (:data:`FAMILIES`)."""
    return tuple(m for m in MEASURES.values() if m.family == family)


def centrality_names() -> tuple[str, ...]:
    """Every measure name a ``centrality`` record may carry, in registry order (eigenvector before katz)."""
    return tuple(n for m in measures_of("centrality") for n in m.record_names)


def kernel(measure: str, backend: str) -> Callable | str:
    """The kernel of ``measure`` (an id) on ``backend``: the function, or for ``sql`` the view's SQL text.

    >>> kernel("concentration.hhi", "reference").__name__
    'concentration_records'
    >>> "CREATE OR REPLACE VIEW concentration" in kernel("concentration.hhi", "sql")
    True
    """
    target = MEASURES[measure].kernels[backend]
    where, name = target.split(":")
    if where.endswith(".sql"):
        text = (Path(__file__).resolve().parents[1] / "sql" / where).read_text(encoding="utf-8")
        start = text.index(f"CREATE OR REPLACE VIEW {name} AS")
        end = text.find("CREATE OR REPLACE VIEW", start + 1)
        return text[start:end if end >= 0 else None]
    return getattr(importlib.import_module(where), name)
