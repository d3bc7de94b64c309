"""World scale: bulk product-level trade (CEPII BACI, HS6) as partitioned Parquet, measured in DuckDB.

The stages are separate and each callable alone:

* :func:`import_baci` - BACI CSV -> ``<data>/hs6/year=YYYY/part-0.parquet``;
* :func:`compute_measures` - dependency measures and EU / GeoDep flags for every (year, importer, product)
  -> ``<data>/hs6_measures``;
* :func:`pagerank_layers` - PageRank on every product layer at once (networkx semantics);
* :func:`product_section` - "products where the EU / China / US depend on one supplier".

Heavy modules (scipy, pandas) load only when their function is called.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["import_baci", "compute_measures", "measures_pandas", "pagerank_layers", "layer_pagerank",
           "product_section", "product_section_markdown", "bulk_views_sql"]

_WHERE = {
    "import_baci": "baci", "compute_measures": "measures", "measures_pandas": "measures",
    "pagerank_layers": "centrality", "layer_pagerank": "centrality", "product_section": "report",
    "product_section_markdown": "report", "bulk_views_sql": "views",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
