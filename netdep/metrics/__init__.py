"""The measures, one family per module (re-exported here).

* :mod:`.dependency` — import and export shares, share of consumption (Keohane & Nye 1977).
* :mod:`.concentration` — Herfindahl–Hirschman index of suppliers and buyers (Hirschman 1945).
* :mod:`.asymmetry` — who needs whom more, per pair.
* :mod:`.vulnerability` — supply from one partner that others could not replace with spare route capacity.
* :mod:`.centrality` — strength, importer- and exporter-side PageRank, eigenvector/Katz, betweenness,
  supply-side and market-side dependence.
* :mod:`.coverage` — how much of a total the named partners account for, and whether the total is known.

:mod:`.registry` lists every measure once (family, output record, formula, reference, kernels per backend);
:mod:`.tables` builds every measure table of a year.
"""

from .asymmetry import asymmetry, asymmetry_records
from .centrality import (
    MEASURES,
    betweenness,
    bonacich_power,
    centrality_records,
    dependency_centrality,
    dependency_graph,
    eigenvector_or_katz,
    market_dependence,
    pagerank,
    pagerank_exporter,
    strength,
    strongly_connected,
    supply_dependence,
)
from .concentration import IMPORT_IN_DEMAND, STRATEGIC_HHI, concentration_records, fuel_balance, hhi, strategic_screen
from .coverage import coverage, is_complete_matrix
from .dependency import dependency_records
from .vulnerability import vulnerability_records

__all__ = [
    "dependency_records",
    "hhi",
    "concentration_records",
    "STRATEGIC_HHI",
    "IMPORT_IN_DEMAND",
    "strategic_screen",
    "fuel_balance",
    "coverage",
    "is_complete_matrix",
    "pagerank_exporter",
    "supply_dependence",
    "market_dependence",
    "strongly_connected",
    "asymmetry",
    "asymmetry_records",
    "vulnerability_records",
    "MEASURES",
    "strength",
    "pagerank",
    "eigenvector_or_katz",
    "betweenness",
    "bonacich_power",
    "dependency_graph",
    "dependency_centrality",
    "centrality_records",
]
