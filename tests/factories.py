"""Small hand-made data sets for tests (import with ``from factories import tiny_data``)."""

from __future__ import annotations

from netdep.store import Data, table_from_rows


def tiny_data(flows, routes) -> Data:
    sources = [{"source_id": "s", "title": "t", "publisher": "p", "url": "https://example.org", "published": None,
                "note": None}]
    actors = [{"actor": a, "name": a, "kind": "aggregate" if a == "ROW" else "country", "members": []}
              for a in ("A", "B", "C", "ROW")]
    commodities = [{"commodity": c, "layer": "energy", "unit": "bcm", "ej_per_unit": 0.036, "balance_of": None,
                    "description": c, "source_id": None} for c in ("pipeline_gas", "lng")]
    fl = [{"year": 2023, "layer": "energy", "commodity": c, "origin": o, "destination": d, "value": v,
           "value_usd_bn": None, "route": r, "source_id": "s", "note": None} for c, o, d, v, r in flows]
    rt = [{"route": n, "name": n, "mode": m, "commodity": c, "origin": o, "destination": d, "via": [], "capacity": cap,
           "status": "operating", "open_from": None, "open_to": None, "source_id": "s", "note": None}
          for n, m, c, o, d, cap in routes]
    return Data({"sources": table_from_rows("sources", sources), "actors": table_from_rows("actors", actors),
                 "commodities": table_from_rows("commodities", commodities), "routes": table_from_rows("routes", rt),
                 "flows": table_from_rows("flows", fl), "balances": table_from_rows("balances", [])})
