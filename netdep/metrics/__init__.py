"""The measures, one family per module (re-exported here).

* :mod:`.dependency` — import and export shares, share of consumption (Keohane & Nye 1977).
* :mod:`.concentration` — Herfindahl–Hirschman index of suppliers and buyers (Hirschman 1945).
* :mod:`.asymmetry` — who needs whom more, per pair.
* :mod:`.vulnerability` — supply from one partner that others could not replace with spare route capacity.
* :mod:`.centrality` — strength, PageRank, eigenvector/Katz, betweenness, Bonacich power, dependency centrality.
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
    pagerank,
    strength,
)
from .concentration import STRATEGIC_HHI, concentration_records, hhi
from .dependency import dependency_records
from .vulnerability import vulnerability_records

__all__ = [
    "dependency_records",
    "hhi",
    "concentration_records",
    "STRATEGIC_HHI",
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
