"""Derive data/src/series_monthly.csv from public monthly datasets (paths as arguments; never copied).

Usage:
    python scripts/import_monthly_series.py --eurostat EUROSTAT.csv.gz --china CHINA.csv --iea IEA.csv \
        [--out data/src/series_monthly.csv]

What is kept (see netdep/series.py and the README, "Monthly series"):
* Eurostat monthly imports by partner (nrg_ti_gasm, nrg_ti_oilm, nrg_122m): summed over the 27 EU member
  reporters, intra-EU partners dropped; months where fewer than 80% of the usual number of members report are
  dropped as incomplete; partners that are not actors of data/src/actors.csv summed as ROW;
  Eurostat's UNMAPPED partner (codes it could not name) kept as origin 'UNSPECIFIED'.
* China customs (GACC) monthly imports from Russia: volumes (Mt) and values (US$ mn).
* IEA Gas Trade Flows: points where gas leaves Russia, Belarus, Ukraine or Türkiye, mapped to routes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netdep.series import SERIES_COLUMNS  # noqa: E402

EU_MEMBERS = {
    "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia", "Finland", "France",
    "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia", "Lithuania", "Luxembourg", "Malta",
    "Netherlands", "Poland", "Portugal", "Romania", "Slovakia", "Slovenia", "Spain", "Sweden",
}
PARTNERS = {  # Eurostat partner name -> actor (others: ROW)
    "Russia": "RUS", "Norway": "NOR", "Algeria": "DZA", "Qatar": "QAT", "United States": "USA",
    "Nigeria": "NGA", "Libya": "LBY", "Azerbaijan": "AZE", "Ukraine": "UKR", "Belarus": "BLR",
    "Turkey": "TUR", "United Kingdom": "GBR", "Saudi Arabia": "SAU", "Iraq": "IRQ", "Kazakhstan": "KAZ",
    "Colombia": "COL", "Australia": "AUS", "South Africa": "ZAF", "Egypt": "EGY", "Oman": "OMN",
    "Iran": "IRN", "Canada": "CAN", "Mexico": "MEX", "China": "CHN", "India": "IND", "UNMAPPED": "UNSPECIFIED",
}
EUROSTAT_SOURCE = {"nrg_ti_gasm": "eurostat_nrg_ti_gasm", "nrg_ti_oilm": "eurostat_nrg_ti_oilm",
                   "nrg_122m": "eurostat_nrg_122m"}
IEA_ACTORS = {"Russia": "RUS", "Belarus": "BLR", "Ukraine": "UKR", "Republic of Türkiye": "TUR",
              "Germany": "DEU", "Poland": "POL", "Slovak Republic": "SVK", "Hungary": "HUN", "Romania": "ROU",
              "Bulgaria": "BGR", "Greece": "GRC", "Finland": "FIN", "Estonia": "EST", "Latvia": "LVA",
              "Lithuania": "LTU", "Liquefied Natural Gas": "LNG", "North Macedonia": "MKD",
              "Moldova, Republic": "MDA"}
IEA_ROUTES = {  # borderpoint -> route of data/src/routes.csv
    "Nord Stream": "nord_stream_1", "Kondratki": "yamal_europe",
    "Velke Kapusany": "ukraine_transit", "Budince": "ukraine_transit", "Beregdaróc": "ukraine_transit",
    "Drozdowicze": "ukraine_transit", "Isaccea": "ukraine_transit", "Mediesu Aurit": "ukraine_transit",
    "Malkoclar": "turkstream_europe", "Kiyikoy": "turkstream_turkey", "Samsun": "blue_stream",
}
IEA_EXITS = {"Russia", "Belarus", "Ukraine", "Republic of Türkiye"}


def _open(path: str):
    return gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")


def eurostat_rows(path: str) -> list[dict]:
    """Extra-EU27 imports by partner, month and commodity (see the module docstring)."""
    acc: dict[tuple, float] = defaultdict(float)
    reporters: dict[tuple, set[str]] = defaultdict(set)
    with _open(path) as f:
        for r in csv.DictReader(f):
            if r["reporter"] not in EU_MEMBERS:
                continue
            sid = EUROSTAT_SOURCE[r["eurostat_dataset"]]
            group = "gas" if r["commodity"] in ("gas_all", "lng") else r["commodity"]
            if r["commodity"] != "lng":  # LNG has few importers; gas completeness is judged on all gas
                reporters[(group, r["unit"], r["month"])].add(r["reporter"])
            if r["partner"] in EU_MEMBERS:
                continue
            origin = PARTNERS.get(r["partner"], "ROW")
            acc[(r["month"], r["commodity"], r["unit"], origin, sid)] += float(r["value"])
    # a month in which fewer than 80% of the usual number of member states report is incomplete (the latest
    # months of the export, e.g. gas 2022-08 with 15 reporters against 32): dropped, not shown as a fall
    usual: dict[tuple, int] = defaultdict(int)
    for (group, unit, _), rep in reporters.items():
        usual[(group, unit)] = max(usual[(group, unit)], len(rep))
    complete = {k for k, rep in reporters.items() if len(rep) >= 0.8 * usual[k[:2]]}
    acc = {k: v for k, v in acc.items()
           if ("gas" if k[1] in ("gas_all", "lng") else k[1], k[2], k[0]) in complete}
    out = []
    gas = defaultdict(dict)
    for (month, commodity, unit, origin, sid), v in acc.items():
        if commodity in ("gas_all", "lng"):
            gas[(month, unit, origin, sid)][commodity] = v
            continue
        out.append(_row(month, "energy", commodity, origin, "EU27", v / 1e6, "Mt", sid, "t / 1e6"))
    for (month, unit, origin, sid), g in gas.items():
        scale, u = (1e-9, "bcm") if unit == "m3" else (1.0, "TJ")
        lng = g.get("lng", 0.0)
        pipe = g.get("gas_all", 0.0) - lng
        how = "m3 / 1e9" if unit == "m3" else "TJ GCV"
        if lng > 0:
            out.append(_row(month, "energy", "lng", origin, "EU27", lng * scale, u, sid, f"G3200, {how}"))
        if pipe > 0:
            out.append(_row(month, "energy", "pipeline_gas", origin, "EU27", pipe * scale, u, sid,
                            f"G3000 less G3200, {how}"))
    return out


def china_rows(path: str) -> list[dict]:
    """GACC monthly imports from Russia: volumes in Mt, values in US$ mn."""
    out = []
    with _open(path) as f:
        for r in csv.DictReader(f):
            if r["partner"] != "Russia" or r["commodity"] == "coal":  # coal = steam + coking, kept split
                continue
            v = float(r["value"])
            if r["measure"] == "volume":
                value, unit = (v / 1e9, "Mt") if r["unit"] == "kg" else (v / 1e6, "Mt")
            else:
                value, unit = v / 1e6, "USD_mn"
            out.append(_row(r["month"], "energy", r["commodity"], "RUS", "CHN", value, unit, "gacc_monthly",
                            f"{r['series_name']} ({r['unit']})"))
    return out


def iea_rows(path: str) -> list[dict]:
    """IEA entry-point flows leaving Russia, Belarus, Ukraine or Türkiye (mcm/month)."""
    out = []
    with _open(path) as f:
        for r in csv.DictReader(f):
            if r["exit"] not in IEA_EXITS or not r["value_mcm"]:
                continue
            v = float(r["value_mcm"])
            if v <= 0:
                continue
            point = r["borderpoint"]
            route = IEA_ROUTES.get(point) if r["entry"] != "Liquefied Natural Gas" else None
            out.append(_row(r["month"], "energy", "pipeline_gas", IEA_ACTORS.get(r["exit"], "ROW"),
                            IEA_ACTORS.get(r["entry"], "ROW"), v, "mcm", "iea_gtf_2024_03",
                            f"{r['exit']} -> {r['entry']}", route=route, point=point))
    return out


def _row(month, layer, commodity, origin, destination, value, unit, source_id, note, route=None, point=None):
    return {"month": month, "layer": layer, "commodity": commodity, "origin": origin, "destination": destination,
            "route": route or "", "point": point or "", "value": round(value, 6), "unit": unit,
            "source_id": source_id, "note": note}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--eurostat", required=True)
    p.add_argument("--china", required=True)
    p.add_argument("--iea", required=True)
    p.add_argument("--out", default="data/src/series_monthly.csv")
    a = p.parse_args(argv)
    for path in (a.eurostat, a.china, a.iea):
        if not Path(path).is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return 1
    try:
        rows = eurostat_rows(a.eurostat) + china_rows(a.china) + iea_rows(a.iea)
    except (KeyError, ValueError) as exc:
        print(f"error: unexpected layout ({exc!r}); expected the reference folder's tidy CSVs", file=sys.stderr)
        return 1
    rows.sort(key=lambda r: (r["source_id"], r["commodity"], r["unit"], r["origin"], r["destination"],
                             r["point"], r["month"]))
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp_", suffix=".csv")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, list(SERIES_COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)
    print(f"{len(rows)} monthly rows -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
