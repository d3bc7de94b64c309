"""BACI import: every row against the CSV, EU folding, code mapping, byte-identical re-import."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from netdep.bulk.baci import import_baci
from netdep.bulk.codes import EU27, read_country_codes
from netdep.errors import SourceFormatError

ROOT = Path(__file__).resolve().parents[1]


def _gen():
    spec = importlib.util.spec_from_file_location("gen_baci", ROOT / "scripts" / "gen_baci.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def baci_files(tmp_path_factory) -> dict[str, Path]:
    """A generated 2-year BACI file of 20,000 rows a year, with its code files."""
    return _gen().generate(tmp_path_factory.mktemp("baci") / "baci.csv", rows=20_000, years=2, seed=7)


def _expected(files: dict[str, Path], eu_bloc: bool):
    """The flows the import must write, computed independently with csv and Decimal."""
    iso = {}
    with open(files["country_codes"], newline="") as f:
        for r in csv.DictReader(f):
            iso[int(r["country_code"])] = r["country_iso3"]
    flows: dict[tuple, list] = {}
    intra: dict[tuple, Decimal] = {}
    with open(files["csv"], newline="") as f:
        for r in csv.DictReader(f):
            o, d = iso[int(r["i"])], iso[int(r["j"])]
            key_k = f"hs6:{int(r['k']):06d}"
            q = None if r["q"].strip() == "NA" else Decimal(r["q"])
            if eu_bloc and o in EU27 and d in EU27:
                intra[(int(r["t"]), key_k)] = intra.get((int(r["t"]), key_k), Decimal(0)) + Decimal(r["v"])
                continue
            if eu_bloc:
                o = "EU27" if o in EU27 else o
                d = "EU27" if d in EU27 else d
            acc = flows.setdefault((int(r["t"]), key_k, o, d), [Decimal(0), Decimal(0), False])
            acc[0] += Decimal(r["v"])
            if q is None:
                acc[2] = True
            else:
                acc[1] += q
    return flows, intra


def _written(out: Path):
    rows = {}
    for p in sorted((out / "hs6").glob("year=*/part-0.parquet")):
        year = int(p.parent.name.split("=")[1])
        for r in pq.read_table(p).to_pylist():
            rows[(year, r["commodity"], r["origin"], r["destination"])] = r
    return rows


@pytest.mark.parametrize("eu_bloc", [False, True])
def test_every_row_matches_the_csv(baci_files, tmp_path, eu_bloc):
    r = import_baci(baci_files["csv"], country_codes=baci_files["country_codes"], eu_bloc=eu_bloc, out=tmp_path)
    flows, intra = _expected(baci_files, eu_bloc)
    got = _written(tmp_path)
    assert r.rows_in == 40_000
    assert sum(r.rows_out.values()) == len(got) == len(flows)
    assert set(got) == set(flows)
    for key, (v, q, q_missing) in flows.items():
        row = got[key]
        assert row["value"] == pytest.approx(float(v) / 1e6, rel=1e-12), key
        assert row["value_usd_bn"] == row["value"]
        assert (row["quantity_t"] is None) == q_missing, key
        if not q_missing:
            assert row["quantity_t"] == pytest.approx(float(q), rel=1e-12), key
        assert (row["layer"], row["route"], row["source_id"], row["note"]) == ("trade", None, "cepii_baci", None)
    if eu_bloc:
        assert not any(o in EU27 or d in EU27 for _, _, o, d in got), "members must be folded into EU27"
        assert not any(o == d for _, _, o, d in got), "intra-EU flows must be dropped"
        assert any("EU27" in (o, d) for _, _, o, d in got)
        written = {}
        for p in (tmp_path / "hs6_intra_eu").glob("year=*/part-0.parquet"):
            y = int(p.parent.name.split("=")[1])
            written.update({(y, x["commodity"]): x["value"] for x in pq.read_table(p).to_pylist()})
        assert set(written) == set(intra)
        assert all(written[k] == pytest.approx(float(v) / 1e6, rel=1e-12) for k, v in intra.items())
        assert sum(r.intra_eu_rows.values()) > 0
    else:
        assert not (tmp_path / "hs6_intra_eu").exists()


def test_rows_sorted_and_partitioned_by_year(baci_files, tmp_path):
    import_baci(baci_files["csv"], country_codes=baci_files["country_codes"], out=tmp_path)
    years = sorted(p.parent.name for p in (tmp_path / "hs6").glob("year=*/part-0.parquet"))
    assert years == ["year=2020", "year=2021"]
    t = pq.read_table(tmp_path / "hs6" / "year=2020" / "part-0.parquet")
    assert "year" not in t.column_names  # the partition lives in the path
    keys = list(zip(*(t.column(c).to_pylist() for c in ("commodity", "origin", "destination"))))
    assert keys == sorted(keys)
    assert pq.ParquetFile(tmp_path / "hs6" / "year=2020" / "part-0.parquet").metadata.row_group(0).column(
        0).compression == "ZSTD"


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.parquet"))}


def test_reimport_is_byte_identical(baci_files, tmp_path):
    kw = dict(country_codes=baci_files["country_codes"], product_codes=baci_files["product_codes"], eu_bloc=True)
    import_baci(baci_files["csv"], out=tmp_path / "a", **kw)
    first = _hashes(tmp_path / "a")
    import_baci(baci_files["csv"], out=tmp_path / "a", **kw)  # again, over itself
    import_baci(baci_files["csv"], out=tmp_path / "b", **kw)  # and elsewhere
    assert len(first) == 6  # 2 hs6 + 2 intra-EU partitions, countries, products
    assert _hashes(tmp_path / "a") == first == _hashes(tmp_path / "b")
    assert not [p for p in (tmp_path / "a").rglob("*") if p.name.startswith(".netdep-tmp")]


def test_pycountry_fallback_maps_like_the_code_file(baci_files, tmp_path):
    import_baci(baci_files["csv"], country_codes=baci_files["country_codes"], out=tmp_path / "file")
    import_baci(baci_files["csv"], out=tmp_path / "pycountry")  # Comtrade codes 251, 842, ... via the alias table
    a, b = _hashes(tmp_path / "file"), _hashes(tmp_path / "pycountry")
    assert {k: v for k, v in a.items() if k.startswith("hs6/")} == {k: v for k, v in b.items() if k.startswith("hs6/")}


def test_old_country_code_header(tmp_path):
    f = tmp_path / "cc.csv"
    f.write_text("country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha\n"
                 "251,France,France,FR,FRA\n842,USA,United States of America,US,USA\n490,Other Asia nes,,,N/A\n")
    assert read_country_codes(f) == {251: ("FRA", "France"), 842: ("USA", "USA")}


def test_one_year_reimport_keeps_other_years(baci_files, tmp_path):
    import_baci(baci_files["csv"], country_codes=baci_files["country_codes"], out=tmp_path)
    before = _hashes(tmp_path)["hs6/year=2021/part-0.parquet"]
    one = tmp_path / "2020.csv"
    one.write_text("t,i,j,k,v,q\n2020,156,842,854231,1.5,NA\n")
    import_baci(one, country_codes=baci_files["country_codes"], out=tmp_path)
    assert pq.read_table(tmp_path / "hs6" / "year=2020" / "part-0.parquet").num_rows == 1
    assert _hashes(tmp_path)["hs6/year=2021/part-0.parquet"] == before


@pytest.mark.parametrize("text, message", [
    ("year,exporter,importer\n2020,1,2\n", "not a BACI file"),
    ("t,i,j,k,v,q\n2020,156,842,85x231,1.5,NA\n", 'converting column "k"'),
    ("t,i,j,k,v,q\n2020,156,842,854231,-1.5,NA\n", "negative value"),
    ("t,i,j,k,v,q\n2020,156,99999,854231,1.5,NA\n", "99999"),
    ("t,i,j,k,v,q\n2020,156,842,854231,1.5,NA\n2020,156,156,854231,1.5,NA\n",
     r"bad.csv:3: j: importer equals exporter i \(a self-loop"),
    ("t,i,j,k,v,q\n0,156,842,854231,1.5,NA\n", r"bad.csv:2: year: not a year between 1900 and 2100"),
    ("t,i,j,k,v,q\n3000,156,842,854231,1.5,NA\n", r"bad.csv:2: year: not a year between 1900 and 2100"),
    ("t,i,j,k,v,q\n2020,156,842,854231,1.5,-2\n", r"bad.csv:2: q: negative quantity"),
    ("t,i,j,k,v,q\n2020,156,842,854231,1.5,NA\n2020,156,251,854231,1.5,NA\n2020,156,842,854231,2.5,NA\n",
     r"bad.csv:4: t,i,j,k: duplicate key \(same year, exporter, importer and product as row 2\)"),
])
def test_bad_files_raise_source_format_error(tmp_path, text, message):
    f = tmp_path / "bad.csv"
    f.write_text(text)
    with pytest.raises(SourceFormatError, match=message):
        import_baci(f, out=tmp_path / "out")
    assert not list((tmp_path / "out").glob("hs6/year=*")) if (tmp_path / "out").exists() else True
