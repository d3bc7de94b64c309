"""The one reader of the cited CSV files in ``data/src`` (build, alternatives): rows as dicts, or a clear error.

>>> from pathlib import Path
>>> rows = read_rows(Path("data/src/commodities.csv"))
>>> rows[0]["commodity"]
'coal'
"""

from __future__ import annotations

import csv
from pathlib import Path

from .errors import SourceFormatError

__all__ = ["read_rows"]


def read_rows(path: Path) -> list[dict[str, str]]:
    """``path``'s rows (UTF-8, BOM allowed), each a dict by header; ``FILE: cannot read`` or ``FILE:ROW: …`` else."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceFormatError(f"{path}: cannot read ({exc})") from None
    for i, r in enumerate(rows, start=1):
        if None in r or any(v is None for v in r.values()):
            raise SourceFormatError(f"{path.name}:{i}: row has a different number of fields than the header")
    return rows
