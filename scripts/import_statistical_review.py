"""Turn a Statistical Review all-data workbook (or its JSON re-parse) into cited source CSVs.

Usage:
    python scripts/import_statistical_review.py WORKBOOK --source-id ID [--year Y] \
        [--balances-years 2021,2023] [--prices-years 2021,2023] [--out data/src]

Writes ``flows_<ID>.csv`` (bilateral matrices), and, when asked, ``balances_<ID>.csv``
and ``prices_<ID>.csv``. The workbook itself is never copied into the project.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netdep import ei  # noqa: E402
from netdep.errors import NetdepError  # noqa: E402

FLOW_FIELDS = ["year", "layer", "commodity", "origin", "destination", "value", "route", "source_id", "note"]


def _years(text: str | None) -> list[int]:
    return [int(y) for y in text.split(",")] if text else []


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workbook")
    p.add_argument("--source-id", required=True)
    p.add_argument("--year", type=int, help="data year, when the sheet titles are wrong")
    p.add_argument("--missing-ok", default="", help="commodities an edition may lack, comma-separated (e.g. coal)")
    p.add_argument("--balances-years")
    p.add_argument("--prices-years")
    p.add_argument("--out", default="data/src")
    a = p.parse_args(argv)
    try:
        grids = ei.read_grids(a.workbook)
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        flows = ei.flow_records(grids, a.source_id, year=a.year,
                                 missing_ok=[c for c in a.missing_ok.split(",") if c])
        with open(out / f"flows_{a.source_id}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, FLOW_FIELDS, lineterminator="\n")
            w.writeheader()
            w.writerows(flows)
        print(f"{len(flows)} flow rows -> {out / f'flows_{a.source_id}.csv'}")
        if a.balances_years:
            rows: dict[tuple, dict] = {}
            for actor, year, commodity, field, value, sheet in ei.balance_rows(grids, _years(a.balances_years)):
                rec = rows.setdefault((actor, year, commodity), {
                    "actor": actor, "year": year, "commodity": commodity, "production": "",
                    "consumption": "", "source_id": a.source_id, "note": ""})
                rec[field] = round(value, 3)
                rec["note"] = (rec["note"] + "; " if rec["note"] else "") + f"{field}: EI sheet '{sheet.strip()}'"
            with open(out / f"balances_{a.source_id}.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, ["actor", "year", "commodity", "production", "consumption", "source_id", "note"],
                                   lineterminator="\n")
                w.writeheader()
                w.writerows(rows[k] for k in sorted(rows))
            print(f"{len(rows)} balance rows -> {out / f'balances_{a.source_id}.csv'}")
        if a.prices_years:
            prices = [{"year": y, "series": s, "price": round(v, 4), "unit": u, "source_id": a.source_id,
                       "note": f"EI sheet '{sh.strip()}', column '{s}'"}
                      for y, s, v, u, sh in ei.price_rows(grids, _years(a.prices_years))]
            with open(out / f"prices_{a.source_id}.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, ["year", "series", "price", "unit", "source_id", "note"], lineterminator="\n")
                w.writeheader()
                w.writerows(sorted(prices, key=lambda r: (r["series"], r["year"])))
            print(f"{len(prices)} price rows -> {out / f'prices_{a.source_id}.csv'}")
    except NetdepError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
