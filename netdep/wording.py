"""How actors, commodities and shares are named in sentences: one vocabulary for the report and scenarios.

>>> pct(0.1504)
'15.0%'
>>> pct(None)
'n/a'
>>> COMMODITY["lng"]
'LNG'
"""

from __future__ import annotations

from .store import Data

__all__ = ["SHORT", "COMMODITY", "short_name", "pct"]

SHORT = {"EU27": "the EU", "REG_EUROPE": "Europe", "USA": "the US", "CHN": "China", "RUS": "Russia",
         "ROW": "the rest of the world", "GBR": "the UK", "KOR": "South Korea"}
COMMODITY = {"crude_oil": "crude oil", "oil_products": "oil products", "pipeline_gas": "pipeline gas",
             "lng": "LNG", "coal": "coal", "goods": "goods", "fdi_stock": "FDI stock",
             "natural_gas": "gas (pipeline + LNG)", "oil": "oil (crude + products)"}

def short_name(data: Data, actor: str | None) -> str:
    if actor is None:
        return "none"
    if actor in SHORT:
        return SHORT[actor]
    return next((a["name"] for a in data.rows("actors") if a["actor"] == actor), actor)


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"
