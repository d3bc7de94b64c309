"""CSV export/import: a lossless round trip (types, nulls vs empty strings, lists, Unicode), clear refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest_edit import ROOT, run_cli, snapshot

from netdep.errors import ValidationError
from netdep.exchange import export_csv, import_csv, read_csv_tables
from netdep.schema import TABLE_ORDER
from netdep.store import read_tables, table_from_rows, write_table


def _tables(d: Path) -> dict[str, pa.Table]:
    return {n: pq.read_table(d / f"{n}.parquet") for n in TABLE_ORDER}


def _tricky(d: Path) -> None:
    """Put hard-to-round-trip values into a data folder (still valid)."""
    t, _ = read_tables(d)
    sources = t["sources"].to_pylist()
    sources.append({"source_id": "zz_unicode", "title": 'Gazprom «Сила Сибири», "quoted", comma, and\nnewline',
                    "publisher": "中国海关 / Ελληνικά", "url": "https://example.org/a,b?c=\"d\"", "published": "",
                    "note": "  leading and trailing spaces  "})
    write_table(d, "sources", table_from_rows("sources", sources))
    flows = t["flows"].to_pylist()
    flows[0] = {**flows[0], "value": 0.1 + 0.2, "value_usd_bn": 1e-300, "note": "", "source_id": "zz_unicode"}
    flows[1] = {**flows[1], "value": 1234.56789123456789, "value_usd_bn": None, "note": None}
    write_table(d, "flows", table_from_rows("flows", flows))
    routes = t["routes"].to_pylist()
    countries = [a["actor"] for a in t["actors"].to_pylist() if a["kind"] == "country"]
    routes[0] = {**routes[0], "via": countries[:2], "open_from": None, "note": "a;b"}
    write_table(d, "routes", table_from_rows("routes", routes))


def test_round_trip_is_lossless(tmp_path: Path, data_copy: Path) -> None:
    _tricky(data_copy)
    want = _tables(data_copy)
    assert want["sources"].filter(pa.compute.equal(want["sources"]["source_id"], "zz_unicode"))["published"][0] \
        .as_py() == ""  # an empty string, not a null
    export_csv(data_copy, tmp_path / "csv")
    text = (tmp_path / "csv" / "sources.csv").read_text(encoding="utf-8")
    assert '"中国海关 / Ελληνικά"' in text
    assert '"[""ARE"",""AUS""]"' in (tmp_path / "csv" / "routes.csv").read_text(encoding="utf-8")
    got = read_csv_tables(tmp_path / "csv")
    for n in TABLE_ORDER:
        assert got[n].equals(want[n]), n  # in file order, which export writes in key order
    fresh = tmp_path / "fresh"
    shutil.copytree(ROOT / "data", fresh, ignore=shutil.ignore_patterns("src"))
    r = import_csv(tmp_path / "csv", fresh)
    assert r.written and {d.table for d in r.diffs if d} == {"sources", "flows", "routes"}
    after = _tables(fresh)
    for n in TABLE_ORDER:
        assert after[n].equals(want[n]), n
        assert (fresh / f"{n}.parquet").read_bytes() == (data_copy / f"{n}.parquet").read_bytes(), n


def test_cli_export_import_round_trip(tmp_path: Path, data_copy: Path) -> None:
    out = tmp_path / "csv"
    r = run_cli("export", "--format", "csv", str(out), "--data", str(data_copy))
    expected = sorted([*(f"{n}.csv" for n in TABLE_ORDER), "netdep-export.json"])
    assert r.returncode == 0 and sorted(p.name for p in out.iterdir()) == expected
    before = snapshot(data_copy)
    r = run_cli("import", str(out), "--data", str(data_copy))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "no change; nothing written"
    assert snapshot(data_copy) == before


def test_bom_and_windows_line_endings_are_read(tmp_path: Path, data_copy: Path) -> None:
    export_csv(data_copy, tmp_path / "csv", tables=["flows"])
    p = tmp_path / "csv" / "flows.csv"
    data = p.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # written with a BOM, so Excel reads UTF-8 ("€", Cyrillic)
    p.write_bytes(data.replace(b"\n", b"\r\n"))
    assert read_csv_tables(tmp_path / "csv")["flows"].equals(_tables(data_copy)["flows"])
    p.write_bytes(data[3:])  # and without one
    assert read_csv_tables(tmp_path / "csv")["flows"].equals(_tables(data_copy)["flows"])


def _write(d: Path, text: str, name: str = "flows") -> Path:
    d.mkdir(exist_ok=True)
    (d / f"{name}.csv").write_bytes(text.encode("utf-8"))
    return d


HEADER = "year,layer,commodity,origin,destination,value,value_usd_bn,route,source_id,note"
ROW = '2025,"energy","coal","AUS","CHN",1.5,,,"ei_sr_2026",'


@pytest.mark.parametrize("text, message", [
    (HEADER.replace(",", ";") + "\n" + ROW.replace(",", ";") + "\n",
     "flows.csv: header: fields are separated by ';', not commas; save the file as comma-separated CSV (UTF-8)"),
    (HEADER + "\n" + ROW + "\n" + ROW.rsplit(",", 1)[0] + "\n",
     "flows.csv:3: row has 9 fields but the header has 10; check for a missing or extra comma"),
    (HEADER + "\n" + ROW.replace("1.5", "1,5") + "\n",
     "flows.csv:2: row has 11 fields but the header has 10"),
    (HEADER + "\n" + ROW.replace("1.5", "abc") + "\n", "flows.csv:2: value: 'abc' is not a number"),
    (HEADER + "\n" + ROW.replace("2025", "2025.5") + "\n", "flows.csv:2: year: '2025.5' is not an integer"),
    (HEADER.replace(",note", "") + "\n" + ROW[:-1] + "\n", "flows.csv: note: column is missing"),
    (HEADER + ",extra\n" + ROW + ",1\n", "flows.csv: extra: unknown column"),
    ("", "flows.csv: file is empty; it needs a header line"),
])
def test_bad_csv_is_refused_with_file_row_column(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        read_csv_tables(_write(tmp_path / "csv", text))
    assert any(p.startswith(message) for p in err.value.problems), err.value.problems


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "csv"
    d.mkdir()
    (d / "flows.csv").write_bytes((HEADER + "\n" + ROW.replace("AUS", "Ä") + "\n").encode("latin-1"))
    with pytest.raises(ValidationError, match=r"flows.csv:2: text is not UTF-8 \(byte 0xc4\); save the file as"):
        read_csv_tables(d)


def test_import_problems_name_the_csv_row(tmp_path: Path, data_copy: Path) -> None:
    export_csv(data_copy, tmp_path / "csv", tables=["flows"])
    p = tmp_path / "csv" / "flows.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if ',"CHN",' in line) + 1  # spreadsheet row: header is row 1
    lines[row - 1] = lines[row - 1].replace(',"CHN",', ',"CHNN",', 1)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(data_copy)
    with pytest.raises(ValidationError) as err:
        import_csv(tmp_path / "csv", data_copy)
    assert err.value.problems == [f"flows.csv:{row}: destination: unknown actor 'CHNN' (did you mean 'CHN'?); "
                                  "actors are listed in actors.parquet"]
    assert snapshot(data_copy) == before
