"""Cell formatting shared by the formats."""

from __future__ import annotations

import math
from typing import Any


def fmt_cell(v: Any) -> str:
    """A table cell: '–' for missing, 3 significant digits below 1000, thousands separators above."""
    if v is None:
        return "–"
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def kept_columns(columns: list[str], rows: list[list[Any]]) -> list[int]:
    """Columns to show: those with a heading or any value (an unused 'compare year' column is dropped)."""
    return [i for i, c in enumerate(columns) if c != "" or any(r[i] not in ("", None) for r in rows)]
