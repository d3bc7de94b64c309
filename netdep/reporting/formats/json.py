"""JSON: the document as data (sections with their items; charts as kind + data + labels)."""

from __future__ import annotations

import json as _json
from typing import Any

from ..document import Document
from ..figures import Chart
from . import register


def _item(item: tuple) -> dict[str, Any]:
    kind = item[0]
    if kind == "p":
        return {"type": "paragraph", "text": item[1]}
    if kind == "list":
        return {"type": "list", "items": list(item[1])}
    if kind == "table":
        return {"type": "table", "columns": list(item[1]), "rows": [list(r) for r in item[2]]}
    if kind == "chart":
        c = item[2]
        body = c.to_json() if isinstance(c, Chart) else {"name": item[1], "svg": c}
        return {"type": "chart", "alt": item[3], **body}
    if kind == "sources":
        keys = ("n", "source_id", "title", "publisher", "published", "url", "tier", "original_publisher")
        return {"type": "sources", "sources": [{k: x.get(k) for k in keys} for x in item[1]]}
    return {"type": kind, "value": list(item[1:])}


@register("json")
def to_json(doc: Document, chart_dir: str = "charts") -> str:
    obj = {"title": doc.title, "intro": doc.intro, "meta": doc.meta,
           "sections": [{"title": s.title, "items": [_item(it) for it in s.items]} for s in doc.all_sections()]}
    return _json.dumps(obj, ensure_ascii=False, allow_nan=False, default=str)
