"""Derive data/src/route_capacity_gem.csv (EU27 LNG regasification capacity by year) from GEM's Europe Gas Tracker.

Usage:
    python scripts/import_route_capacity.py --gem Europe-Gas-Tracker-2024-01.xlsx \
        [--out data/src/route_capacity_gem.csv] [--years 2017-2025]

Rule: the capacity of route ``eu_lng_regas`` in year Y is the sum of ``CapacityInBcm/y`` over the tracker's
import-terminal units in the 27 EU member states that are operating (or retired/mothballed with a stop year
after Y) and started in or before Y. Years after the tracker's date (January 2024) add the units under
construction whose expected start is in or before Y, and say so in the note. The workbook is never copied.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

EU = {"Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Czech Republic", "Denmark", "Estonia",
      "Finland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia", "Lithuania", "Luxembourg",
      "Malta", "Netherlands", "Poland", "Portugal", "Romania", "Slovakia", "Slovenia", "Spain", "Sweden"}
TRACKER_YEAR = 2023  # the January 2024 edition knows units operating by the end of 2023


def _num(v) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def regas_by_year(units: list[dict], years: range) -> list[dict]:
    """One row per year for ``eu_lng_regas`` (see the module docstring for the rule)."""
    out = []
    imports = [u for u in units if u.get("FacilityType") == "Import" and u.get("Country") in EU]
    for y in years:
        total, n, building = 0.0, 0, 0.0
        for u in imports:
            start, stop, cap = _num(u.get("StartYear1")), _num(u.get("StopYear")), _num(u.get("CapacityInBcm/y"))
            if start is None or cap is None or start > y:
                continue
            status = u.get("Status")
            if status == "Operating" or (status in ("Retired", "Mothballed", "Idle") and stop and stop > y):
                total += cap
                n += 1
            elif status == "Construction" and y > TRACKER_YEAR:
                building += cap
        note = f"{n} operating EU27 import-terminal units started by {y} (GEM Europe Gas Tracker, Jan 2024)"
        if building:
            note += f"; plus {building:.1f} bcm/y of units under construction in Jan 2024 expected by {y}"
        out.append({"route": "eu_lng_regas", "year": y, "capacity": round(total + building, 1),
                    "status": "operating", "source_id": "gem_egt_2024_01", "note": note})
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gem", required=True)
    p.add_argument("--out", default="data/src/route_capacity_gem.csv")
    p.add_argument("--years", default="2017-2025")
    a = p.parse_args(argv)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(a.gem, read_only=True, data_only=True)
        rows = [list(r) for r in wb["LNG terminals - data"].iter_rows(values_only=True)]
        wb.close()
    except Exception as exc:  # a missing file, not a workbook, no such sheet
        print(f"error: {a.gem}: cannot read the GEM 'LNG terminals - data' sheet ({exc})", file=sys.stderr)
        return 1
    header = rows[0]
    units = [dict(zip(header, r)) for r in rows[1:]]
    y0, y1 = (int(x) for x in a.years.split("-"))
    out_rows = regas_by_year(units, range(y0, y1 + 1))
    out = Path(a.out)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp_", suffix=".csv")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["route", "year", "capacity", "status", "source_id", "note"], lineterminator="\n")
        w.writeheader()
        w.writerows(out_rows)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)
    print(f"{len(out_rows)} rows -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
