"""Derive data/src/prices.csv from public price sheets and customs series (same inputs, same bytes).

Usage: python scripts/import_prices.py EI_JSON GACC_CSV COMEXT_CSV_GZ [--out data/src/prices.csv]

* EI_JSON: the Energy Institute Statistical Review 2026 all-data workbook as JSON
  (sheets 'Spot crude prices', 'Gas Prices ', 'Coal & Uranium - Prices',
  'Oil - Regional refining margins') -> world benchmarks 2017-2025 (``basis = benchmark``).
* GACC_CSV: China customs monthly imports from Russia (value USD, volume kg/t) ->
  customs unit values of crude oil, pipeline gas (= Power of Siberia 1) and coal.
* COMEXT_CSV_GZ: Eurostat Comext monthly EU27_2020 imports by partner (EUR, 100 kg),
  2019-2021 -> CIF unit values of EU imports from Russia and from all extra-EU partners,
  converted at the ECB annual average US$/EUR reference rate.

Hand-entered rows are kept from the existing file: rows whose ``basis`` is ``contract`` or
``discount_to_benchmark``, and every row whose ``source_id`` is not one this script writes
(:data:`GENERATED_SOURCES`), e.g. annual customs unit values published in the press (2022-2025).
Prices are in US$ bn per unit of the commodity (the unit of ``flows.value``);
the note gives the published figure and the conversion.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

COLUMNS = ["commodity", "year", "exporter", "importer", "route", "price", "unit", "basis", "source_id", "note"]
YEARS = range(2017, 2026)
BBL_PER_T = 7.33           # as netdep.build.VALUATION
MMBTU_PER_BCM = 34.12e6    # million MMBtu per bcm x 1e6
MT_PER_EJ_COAL = 40.0      # as netdep.build.VALUATION (NW Europe coal, 6,000 kcal/kg)
MT_LNG_PER_BCM = 1 / 1.36  # commodities.csv: 1 Mt LNG = 1.36 bcm
MT_GAS_PER_BCM = 0.73      # EI approximate conversion factors: 1 bcm natural gas = 0.73 Mt
#: ECB euro foreign exchange reference rates, US$ per EUR, annual average
USD_PER_EUR = {2019: 1.1195, 2020: 1.1422, 2021: 1.1827}
#: the sources whose rows this script derives (and so replaces on every run)
GENERATED_SOURCES = ("ei_sr_2026", "gacc_imports_ru", "eurostat_comext_hs")
UNIT = {"crude_oil": "USD_bn/Mt", "oil_products": "USD_bn/Mt", "pipeline_gas": "USD_bn/bcm",
        "lng": "USD_bn/bcm", "coal": "USD_bn/EJ"}


def _series(sheet: dict, column: str) -> dict[int, float]:
    grid = sheet["grid"]
    head = next(r for r in grid if any(str(c).replace("\n", " ").startswith(column) for c in r))
    j = next(i for i, c in enumerate(head) if str(c).replace("\n", " ").startswith(column))
    out = {}
    for r in grid:
        if str(r[0]).isdigit() and int(r[0]) in YEARS and r[j] not in ("", "-", None):
            out[int(r[0])] = float(r[j])
    return out


def benchmarks(ei_json: Path) -> list[dict]:
    sheets = json.loads(ei_json.read_text(encoding="utf-8"))["sheets"]
    brent = _series(sheets["Spot crude prices"], "Brent")
    nwe_margin = _series(sheets["Oil - Regional refining margins"], "NWE Light Sweet Cracking")
    ttf = _series(sheets["Gas Prices "], "Netherlands TTF")
    japan = _series(sheets["Gas Prices "], "Japan")
    coal = _series(sheets["Coal & Uranium - Prices"], "Northwest Europe")
    rows = []
    for y in YEARS:
        rows.append(_row("crude_oil", y, brent[y] * BBL_PER_T * 1e-3, "benchmark", "ei_sr_2026",
                         f"Brent {brent[y]:.2f} $/bbl (EI sheet 'Spot crude prices') x {BBL_PER_T} bbl/t"))
        if y in nwe_margin:
            p = brent[y] + nwe_margin[y]
            rows.append(_row("oil_products", y, p * BBL_PER_T * 1e-3, "benchmark", "ei_sr_2026",
                             f"product worth = Brent {brent[y]:.2f} + NWE light sweet cracking margin "
                             f"{nwe_margin[y]:.2f} = {p:.2f} $/bbl (EI sheets 'Spot crude prices', "
                             f"'Oil - Regional refining margins'; margin is after variable costs, so a lower "
                             f"bound on product value) x {BBL_PER_T} bbl/t"))
        rows.append(_row("pipeline_gas", y, ttf[y] * 34.12e-3, "benchmark", "ei_sr_2026",
                         f"Netherlands TTF {ttf[y]:.4f} $/MMBtu (EI sheet 'Gas Prices') x 34.12 million MMBtu/bcm"))
        rows.append(_row("lng", y, japan[y] * 34.12e-3, "benchmark", "ei_sr_2026",
                         f"Japan LNG cif {japan[y]:.4f} $/MMBtu (EI sheet 'Gas Prices') x 34.12 million MMBtu/bcm"))
        rows.append(_row("coal", y, coal[y] * MT_PER_EJ_COAL * 1e-3, "benchmark", "ei_sr_2026",
                         f"Northwest Europe coal {coal[y]:.2f} $/t (EI sheet 'Coal & Uranium - Prices') x 40 Mt/EJ"))
    return rows


def gacc(path: Path) -> list[dict]:
    """Yearly unit values of China's imports from Russia over the months that report both value and volume."""
    kinds = {"crude_oil": ("crude_oil", 1e-9, "Mt", None), "pipeline_gas": ("pipeline_gas", 1e-9 / MT_GAS_PER_BCM,
             "bcm", "power_of_siberia_1"), "coal": ("coal", 1e-6 / MT_PER_EJ_COAL, "EJ", None)}
    cells: dict[tuple, dict[str, float]] = defaultdict(dict)
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["partner"] == "Russia" and r["commodity"] in kinds:
                cells[(r["commodity"], r["month"])][r["measure"]] = float(r["value"])
    by_year: dict[tuple, list] = defaultdict(list)
    for (c, m), v in cells.items():
        if "value" in v and "volume" in v and v["volume"] > 0 and int(m[:4]) in YEARS:
            by_year[(c, int(m[:4]))].append((m, v["value"], v["volume"]))
    rows = []
    for (c, y), months in sorted(by_year.items()):
        if len(months) < 10:  # a year needs at least 10 months with both value and volume
            continue
        commodity, to_unit, unit, route = kinds[c]
        usd, vol = sum(m[1] for m in months), sum(m[2] for m in months)
        qty = vol * to_unit
        vol_txt = f"{vol / 1e9:.3f} Mt" if c != "coal" else f"{vol / 1e6:.3f} Mt"
        conv = {"crude_oil": "", "pipeline_gas": f" (gas at {MT_GAS_PER_BCM} Mt/bcm, EI conversion factors)",
                "coal": f" (coal at {MT_PER_EJ_COAL:g} Mt/EJ as the NW Europe benchmark)"}[c]
        rows.append(_row(commodity, y, usd * 1e-9 / qty, "customs_unit_value", "gacc_imports_ru",
                         f"China customs imports from Russia, {len(months)} months: US$ {usd / 1e9:.3f} bn / "
                         f"{vol_txt}" + (f" = {qty:.3f} {unit}" if c != "crude_oil" else "") + conv,
                         exporter="RUS", importer="CHN", route=route))
    return rows


def comext(path: Path) -> list[dict]:
    """CIF unit values of EU27_2020 imports, by partner (RU, and all extra-EU), 2019-2021."""
    hs = {"2709": ("crude_oil", 1e-7, "Mt"), "2710": ("oil_products", 1e-7, "Mt"),
          "271111": ("lng", 1e-7 / MT_LNG_PER_BCM, "bcm"), "271121": ("pipeline_gas", 1e-7 / MT_GAS_PER_BCM, "bcm"),
          "2701": ("coal", 1e-7 / MT_PER_EJ_COAL, "EJ")}
    sums: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    months: dict[tuple, set] = defaultdict(set)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["reporter_code"] != "EU27_2020" or r["partner_code"] not in ("RU", "EU27_2020_EXTRA"):
                continue
            if r["hs_code"] in hs and r["value"]:
                k = (r["hs_code"], r["partner_code"], int(r["month"][:4]))
                sums[k][r["unit"]] += float(r["value"])
                months[k].add(r["month"])
    rows = []
    for (code, partner, y), s in sorted(sums.items()):
        if y not in USD_PER_EUR or s["100kg"] <= 0 or len(months[(code, partner, y)]) < 12:
            continue
        commodity, to_unit, unit = hs[code]
        qty = s["100kg"] * to_unit
        usd = s["EUR"] * USD_PER_EUR[y]
        who = "Russia" if partner == "RU" else "all extra-EU partners"
        extra = " (confidential cells absent: no 271121 from RU for DE, AT, ES, FR, NL)" if (
            code == "271121" and partner == "RU") else ""
        rows.append(_row(commodity, y, usd * 1e-9 / qty, "customs_unit_value", "eurostat_comext_hs",
                         f"EU27 CIF imports HS {code} from {who}, 12 months: EUR {s['EUR'] / 1e9:.3f} bn x "
                         f"{USD_PER_EUR[y]} US$/EUR (ECB, source ecb_eurofxref) / {s['100kg'] / 1e7:.3f} Mt"
                         + (f" = {qty:.3f} {unit}" if unit != "Mt" else "") + extra,
                         exporter="RUS" if partner == "RU" else None, importer="EU27"))
    return rows


def _row(commodity, year, price, basis, source_id, note, exporter=None, importer=None, route=None) -> dict:
    return {"commodity": commodity, "year": year, "exporter": exporter or "", "importer": importer or "",
            "route": route or "", "price": f"{price:.6g}", "unit": UNIT[commodity], "basis": basis,
            "source_id": source_id, "note": note}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("ei_json", type=Path)
    p.add_argument("gacc_csv", type=Path)
    p.add_argument("comext_csv_gz", type=Path)
    p.add_argument("--out", type=Path, default=Path("data/src/prices.csv"))
    a = p.parse_args(argv)
    for f in (a.ei_json, a.gacc_csv, a.comext_csv_gz):
        if not f.exists():
            print(f"error: {f}: no such file", file=sys.stderr)
            return 1
    kept = []
    if a.out.exists():
        with open(a.out, newline="", encoding="utf-8") as f:
            kept = [r for r in csv.DictReader(f) if r["basis"] in ("contract", "discount_to_benchmark")
                    or r["source_id"] not in GENERATED_SOURCES]
    rows = benchmarks(a.ei_json) + gacc(a.gacc_csv) + comext(a.comext_csv_gz) + kept
    rows.sort(key=lambda r: (r["commodity"], int(r["year"]), r["exporter"], r["importer"], r["route"], r["basis"]))
    fd, tmp = tempfile.mkstemp(dir=a.out.parent, suffix=".tmp")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, a.out)
    print(f"{a.out}: {len(rows)} rows ({len(kept)} hand-entered kept)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
