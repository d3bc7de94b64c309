"""How a source is shown in a report's source list: its tier and, for press and reprints, the original publisher.

>>> tier_text({"tier": "press", "original_publisher": "Eurostat", "publisher": "Cyprus Mail"})
' Tier: press (original: Eurostat).'
>>> tier_text({"tier": "agency", "original_publisher": "Energy Institute", "publisher": "Energy Institute"})
' Tier: agency.'
>>> tier_text({})
''
"""

from __future__ import annotations

from typing import Any

__all__ = ["tier_text"]


def tier_text(source: dict[str, Any]) -> str:
    """`` Tier: T (original: P).`` for a source row; the original only when it differs from the publisher."""
    tier = source.get("tier")
    if not tier:
        return ""
    orig = source.get("original_publisher")
    if orig and tier in ("press", "reprint") and orig != source.get("publisher"):
        return f" Tier: {tier} (original: {orig})."
    return f" Tier: {tier}."
