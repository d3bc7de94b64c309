"""Write a synthetic CEPII BACI file (``t,i,j,k,v,q``) of any size, with its country and product code files.

Real BACI cannot be downloaded here, so tests and benchmarks use this stand-in with the same format and a
realistic structure:

* ~200 countries with UN M49 / Comtrade numeric codes as BACI uses them (France 251, Norway 579, India 699,
  Switzerland 757, USA 842; the other EU27 members with their ISO 3166 numeric codes), so ``--eu-bloc`` is
  meaningful; names and ISO codes come from ``pycountry``;
* ~5,000 HS6 products with Pareto-distributed popularity;
* gravity-shaped sparsity: a flow exporter i -> importer j of product k is drawn with probability
  proportional to size(i)^a * size(j)^b * popularity(k), so big economies trade many products with many
  partners and small ones few;
* heavy-tailed values (lognormal noise on a gravity mean), in thousands of US$ with 3 decimals, with ties
  (a share of small values rounded to whole thousands); quantity in tonnes, ~6 % ``NA``.

Deterministic: the same ``--rows``, ``--years`` and ``--seed`` give the same bytes. ``--rows`` is per year.

Usage::

    python scripts/gen_baci.py --rows 2000000 --years 1 --seed 1 /tmp/baci.csv
    # also writes /tmp/baci_country_codes.csv and /tmp/baci_product_codes.csv
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# BACI / UN Comtrade codes that differ from ISO 3166-1 numeric (country including territories).
COMTRADE_CODES = {"FRA": 251, "NOR": 579, "IND": 699, "CHE": 757, "USA": 842}
EU27 = ("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA",
        "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE")
# The largest traders, in rough order: they get the largest sizes.
BIG = ("CHN", "USA", "DEU", "JPN", "KOR", "FRA", "ITA", "NLD", "GBR", "IND", "CAN", "MEX", "RUS", "BEL", "ESP",
       "SGP", "CHE", "TWN", "VNM", "POL", "AUS", "BRA", "MYS", "THA", "IDN", "SAU", "ARE", "TUR", "SWE", "AUT")
FIRST_YEAR = 2020
CHUNK = 1_000_000


def countries(n: int = 200) -> list[tuple[int, str, str, str]]:
    """``n`` countries as (BACI code, name, ISO2, ISO3): EU27 and the big traders first, then by ISO numeric."""
    import pycountry

    every = {c.alpha_3: c for c in pycountry.countries}
    chosen = list(dict.fromkeys(BIG + EU27))
    rest = sorted((c for c in every.values() if c.alpha_3 not in chosen), key=lambda c: int(c.numeric))
    chosen += [c.alpha_3 for c in rest][: n - len(chosen)]
    out = []
    for iso3 in chosen:
        c = every[iso3]
        out.append((COMTRADE_CODES.get(iso3, int(c.numeric)), c.name, c.alpha_2, iso3))
    return out


def products(n: int = 5000) -> list[str]:
    """``n`` distinct HS6 codes spread over chapters 01-97 (a fixed draw, independent of the seed)."""
    rng = np.random.default_rng(0)
    chapters = np.array([c for c in range(1, 98) if c != 77])
    codes: set[str] = set()
    while len(codes) < n:
        ch = rng.choice(chapters)
        codes.add(f"{ch:02d}{rng.integers(1, 100):02d}{rng.integers(10, 100):02d}")
    return sorted(codes)


def _triples(rng: np.random.Generator, rows: int, size: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """``rows`` distinct keys (i * C + j) * P + k, drawn by gravity, sorted."""
    c, p = len(size), len(pop)
    if rows > c * (c - 1) * p:
        raise SystemExit(f"--rows {rows} exceeds the {c * (c - 1) * p} possible flows")
    w_exp, w_imp, w_k = size**0.9, size**0.7, pop
    w_exp, w_imp, w_k = w_exp / w_exp.sum(), w_imp / w_imp.sum(), w_k / w_k.sum()
    seen = np.zeros(c * c * p, dtype=bool)  # one byte per possible flow: 200 MB at 200 x 200 x 5000
    have = 0
    while have < rows:
        m = max(int(1.2 * (rows - have)), 100_000)
        i = rng.choice(c, m, p=w_exp)
        j = rng.choice(c, m, p=w_imp)
        k = rng.choice(p, m, p=w_k)
        ok = i != j
        seen[(i[ok].astype(np.int64) * c + j[ok]) * p + k[ok]] = True
        have = int(np.count_nonzero(seen))
    keys = np.flatnonzero(seen)
    del seen
    if len(keys) > rows:
        keys = np.sort(rng.choice(keys, rows, replace=False))
    return keys


def _decimal3(milli: np.ndarray) -> pa.Array:
    """Exact decimal128(18, 3) from integer thousandths (no float rounding on the way)."""
    buf = np.zeros((len(milli), 2), dtype=np.int64)
    buf[:, 0] = milli
    return pa.Array.from_buffers(pa.decimal128(18, 3), len(milli), [None, pa.py_buffer(buf.tobytes())])


def generate(out: Path, rows: int, years: int = 1, seed: int = 0) -> dict[str, Path]:
    """Write ``out`` (BACI CSV) and its ``*_country_codes.csv`` and ``*_product_codes.csv``; return the paths."""
    rng = np.random.default_rng(seed)
    ctry = countries()
    prod = products()
    c, p = len(ctry), len(prod)
    size = np.sort(rng.lognormal(0.0, 1.6, c))[::-1] * 1e3  # biggest first, as the BIG list; top share ~14 %
    pop = rng.pareto(1.3, p) + 1.0
    keys = _triples(rng, rows, size, pop)
    k_idx = keys % p
    ij = keys // p
    i_idx, j_idx = ij // c, ij % c
    codes = np.array([x[0] for x in ctry], dtype=np.int32)
    k_codes = pa.array(prod).take(pa.array(k_idx))
    base = (size[i_idx] * size[j_idx]) ** 0.45 * pop[k_idx] ** 0.5 * 0.02
    price = rng.lognormal(1.0, 1.2, p)  # thousand US$ per tonne, per product
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    opts = pacsv.WriteOptions(include_header=False, quoting_style="none")
    schema = pa.schema([("t", pa.int32()), ("i", pa.int32()), ("j", pa.int32()), ("k", pa.string()),
                        ("v", pa.decimal128(18, 3)), ("q", pa.string())])
    with open(out, "wb") as f, pacsv.CSVWriter(f, schema, write_options=opts) as w:
        f.write(b"t,i,j,k,v,q\n")
        for y in range(years):
            v = base * rng.lognormal(0.0, 1.6, len(keys))
            milli = np.maximum(np.round(v * 1000), 1).astype(np.int64)
            tie = (rng.random(len(keys)) < 0.15) & (milli < 50_000)  # small values reported in whole thousands
            milli[tie] = np.maximum(np.round(milli[tie] / 1000), 1).astype(np.int64) * 1000
            q_milli = np.maximum(np.round(milli / price[k_idx] * rng.lognormal(0, 0.3, len(keys))), 1)
            q_na = rng.random(len(keys)) < 0.06
            for s in range(0, len(keys), CHUNK):
                e = min(s + CHUNK, len(keys))
                q = pc.cast(_decimal3(q_milli[s:e].astype(np.int64)), pa.string())
                q = pc.if_else(pa.array(q_na[s:e]), pa.scalar("NA"), q)
                batch = pa.record_batch([
                    pa.array(np.full(e - s, FIRST_YEAR + y, dtype=np.int32)),
                    pa.array(codes[i_idx[s:e]]), pa.array(codes[j_idx[s:e]]), k_codes[s:e],
                    _decimal3(milli[s:e]), q], schema=schema)
                w.write_batch(batch)
    stem = out.with_suffix("")
    cc = Path(f"{stem}_country_codes.csv")
    cc.write_text("country_code,country_name,country_iso2,country_iso3\n" + "".join(
        f'{code},"{name}",{iso2},{iso3}\n' for code, name, iso2, iso3 in sorted(ctry)), encoding="utf-8")
    pcodes = Path(f"{stem}_product_codes.csv")
    pcodes.write_text("code,description\n" + "".join(
        f'{k},"Synthetic product {k} (HS chapter {k[:2]})"\n' for k in prod), encoding="utf-8")
    return {"csv": out, "country_codes": cc, "product_codes": pcodes}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="BACI CSV to write")
    ap.add_argument("--rows", type=int, required=True, help="rows per year")
    ap.add_argument("--years", type=int, default=1, choices=(1, 2, 3))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(a.out, a.rows, a.years, a.seed)
    print(f"wrote {a.rows * a.years:,} rows to {paths['csv']} (+ {paths['country_codes'].name}, "
          f"{paths['product_codes'].name}) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
