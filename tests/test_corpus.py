"""The bad-input corpus: each case breaks one thing; the real CLI exits 1 with FILE:ROW: column: and changes nothing.

The cases are generated into tests/corpus/<case>/ (gitignored) from a small valid data folder, each with
its expected message in expected.txt; every test runs on a private copy.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest_edit import NETDEP, ROOT, SOURCE, small_data, snapshot

from netdep.store import read_tables

CORPUS = ROOT / "tests" / "corpus"
K = 5  # the data row (1-based) a row-level case breaks
MILLION = 1_000_000
LOCATED = re.compile(r"^[\w.]+\.(parquet|csv)(:\d+)?: ", re.M)  # FILE: or FILE:ROW: at the start of a line


@dataclass(frozen=True)
class Case:
    name: str
    expected: str  # a line of the output starts with this
    build: Callable[[Path], None]  # breaks the case's folder (data/ and, for imports, csv/)
    command: str = "validate"  # or "import"


def _flows(d: Path) -> pa.Table:
    return pq.read_table(d / "data" / "flows.parquet")


def _put(d: Path, table: pa.Table, name: str = "flows") -> None:
    pq.write_table(table, d / "data" / f"{name}.parquet")  # as an outside tool would: no validation, no sorting


def _set(column: str, value, row: int = K - 1) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        t = _flows(d)
        values = t.column(column).to_pylist()
        values[row] = value
        i = t.schema.get_field_index(column)
        _put(d, t.set_column(i, t.schema.field(column), pa.array(values, t.schema.field(column).type)))
    return build


def _row(d: Path, pred: Callable[[dict], bool]) -> int:
    return next(i for i, r in enumerate(_flows(d).to_pylist()) if pred(r))


def _bytes(make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        p = d / "data" / "flows.parquet"
        p.write_bytes(make(p.read_bytes()))
    return build


def _zero_rows(d: Path) -> None:
    _put(d, _flows(d).slice(0, 0))


def _missing_column(d: Path) -> None:
    _put(d, _flows(d).drop_columns(["source_id"]))


def _extra_column(d: Path) -> None:
    t = _flows(d)
    _put(d, t.append_column("valu", pa.array([1.0] * t.num_rows)))


def _wrong_type(d: Path) -> None:
    t = _flows(d)
    i = t.schema.get_field_index("value")
    _put(d, t.set_column(i, "value", pc.cast(t.column("value"), pa.string())))


def _duplicate_key(d: Path) -> None:
    t = _flows(d)
    _put(d, pa.concat_tables([t.slice(0, K - 1), t.slice(K - 2, 1), t.slice(K - 1)]))  # row K repeats row K-1


def _overlap(d: Path) -> None:
    """DEU as a country actor, and a flow to it in a graph where EU27 (which contains DEU) appears."""
    actors = pq.read_table(d / "data" / "actors.parquet")
    deu = pa.table({"actor": ["DEU"], "name": ["Germany"], "kind": ["country"], "members": [[]]},
                   schema=actors.schema)
    _put(d, pa.concat_tables([actors, deu]), "actors")
    t = _flows(d)
    eu = t.to_pylist()[_row(d, lambda r: r["destination"] == "EU27")]
    new = {**eu, "destination": "DEU", "value": 1.0, "value_usd_bn": None, "route": None, "note": None}
    _put(d, pa.concat_tables([t, pa.Table.from_pylist([new], schema=t.schema)]))


def _self_loop(d: Path) -> None:
    _set("destination", _flows(d).column("origin")[K - 1].as_py())(d)


def _route_not_joining(d: Path) -> None:
    i = _row(d, lambda r: r["commodity"] == "pipeline_gas" and r["origin"] != "RUS" and r["route"] is None)
    _set("route", "power_of_siberia_1", i)(d)


def _million_rows(d: Path) -> None:
    """10^6 valid flows between countries (distinct keys, no overlaps), the last one negative."""
    tables, _ = read_tables(d / "data")
    countries = np.array([a["actor"] for a in tables["actors"].to_pylist() if a["kind"] == "country"])
    com = tables["commodities"].to_pylist()
    pairs = np.array([(a, b) for a in range(len(countries)) for b in range(len(countries)) if a != b])
    idx = np.arange(MILLION)
    pair, rest = pairs[idx % len(pairs)], idx // len(pairs)
    c = rest % len(com)
    value = np.ones(MILLION)
    value[-1] = -1.0
    t = pa.table({
        "year": pa.array(1900 + rest // len(com), pa.int64()),
        "layer": pa.array(np.array([x["layer"] for x in com])[c]),
        "commodity": pa.array(np.array([x["commodity"] for x in com])[c]),
        "origin": pa.array(countries[pair[:, 0]]), "destination": pa.array(countries[pair[:, 1]]),
        "value": pa.array(value), "value_usd_bn": pa.nulls(MILLION, pa.float64()),
        "route": pa.nulls(MILLION, pa.string()), "source_id": pa.array(np.full(MILLION, SOURCE)),
        "note": pa.nulls(MILLION, pa.string()),
    })
    _put(d, t)


CSV_HEADER = "year,layer,commodity,origin,destination,value,value_usd_bn,route,source_id,note"
CSV_ROWS = ['2025,"energy","coal","AUS","CHN",1.5,,,"ei_sr_2026",',
            '2025,"energy","coal","AUS","IND",2.5,,,"ei_sr_2026",']


def _csv(text: str | bytes) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        (d / "csv").mkdir()
        (d / "csv" / "flows.csv").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return build


CASES = [
    Case("truncated_parquet", "flows.parquet: not a readable Parquet file", _bytes(lambda b: b[: len(b) // 2])),
    Case("not_parquet", "flows.parquet: not a readable Parquet file", _bytes(lambda b: b"year,layer\n2025,trade\n")),
    Case("empty_file", "flows.parquet: file is empty (0 bytes)", _bytes(lambda b: b"")),
    Case("zero_rows", "flows.parquet: has zero rows", _zero_rows),
    Case("missing_column", "flows.parquet: source_id: column is missing", _missing_column),
    Case("extra_column", "flows.parquet: valu: unknown column (did you mean 'value'?)", _extra_column),
    Case("wrong_type", "flows.parquet: value: has type string, expected float", _wrong_type),
    Case("nan", f"flows.parquet:{K}: value: is nan; values must be finite", _set("value", math.nan)),
    Case("inf", f"flows.parquet:{K}: value: is inf; values must be finite", _set("value", math.inf)),
    Case("minus_inf", f"flows.parquet:{K}: value: is -inf; values must be finite", _set("value", -math.inf)),
    Case("negative", f"flows.parquet:{K}: value: is negative (-2.5); values must be >= 0", _set("value", -2.5)),
    Case("unknown_actor", f"flows.parquet:{K}: origin: unknown actor 'AUSS' (did you mean 'AUS'?)",
         _set("origin", "AUSS")),
    Case("unknown_commodity", f"flows.parquet:{K}: commodity: unknown commodity 'cole' (did you mean 'coal'?)",
         _set("commodity", "cole")),
    Case("unknown_route", f"flows.parquet:{K}: route: unknown route 'power_of_siberia_9'",
         _set("route", "power_of_siberia_9")),
    Case("unknown_source", f"flows.parquet:{K}: source_id: unknown source 'ei_sr_2062'",
         _set("source_id", "ei_sr_2062")),
    Case("duplicate_key", f"flows.parquet:{K}: year,layer,commodity,origin,destination,route: duplicate key",
         _duplicate_key),
    Case("overlap", "flows.parquet:", _overlap),  # row and graph asserted in test_overlap_names_the_graph
    Case("self_loop", f"flows.parquet:{K}: destination: equals origin", _self_loop),
    Case("route_not_joining", "flows.parquet:", _route_not_joining),
    Case("million_rows", f"flows.parquet:{MILLION}: value: is negative (-1.0); values must be >= 0", _million_rows),
    Case("csv_bom_bad_value", "flows.csv:3: value: 'x' is not a number",
         _csv(b"\xef\xbb\xbf" + "\n".join([CSV_HEADER, CSV_ROWS[0], CSV_ROWS[1].replace("2.5", "x")]).encode()),
         "import"),
    Case("csv_crlf_unknown_actor", "flows.csv:2: origin: unknown actor 'AUSS' (did you mean 'AUS'?)",
         _csv("\r\n".join([CSV_HEADER, CSV_ROWS[0].replace("AUS", "AUSS"), CSV_ROWS[1]]) + "\r\n"), "import"),
    Case("csv_semicolon", "flows.csv: header: fields are separated by ';', not commas",
         _csv("\n".join(x.replace(",", ";") for x in [CSV_HEADER, *CSV_ROWS])), "import"),
    Case("csv_ragged", "flows.csv:3: row has 11 fields but the header has 10",
         _csv("\n".join([CSV_HEADER, CSV_ROWS[0], CSV_ROWS[1] + ",extra"])), "import"),
    Case("csv_not_utf8", "flows.csv:2: text is not UTF-8 (byte 0xc4)",
         _csv("\n".join([CSV_HEADER, CSV_ROWS[0].replace("AUS", "Ä")]).encode("latin-1")), "import"),
]


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Generate tests/corpus/<case>/ afresh (deterministic)."""
    if CORPUS.exists():
        for p in CORPUS.iterdir():
            if p.is_dir():
                shutil.rmtree(p)
    base = small_data(CORPUS / "_base" / "data")
    for case in CASES:
        d = CORPUS / case.name
        shutil.copytree(base, d / "data")
        case.build(d)
        (d / "expected.txt").write_text(case.expected + "\n", encoding="utf-8")
    return CORPUS


def _run(args: list[str], d: Path) -> subprocess.Popen:
    return subprocess.Popen([*NETDEP, *args, "--data", str(d)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Case, corpus: Path, tmp_path: Path) -> None:
    shutil.copytree(corpus / case.name, tmp_path / case.name)
    d = tmp_path / case.name / "data"
    before = snapshot(d)
    if case.command == "import":
        cmds = [["import", str(tmp_path / case.name / "csv")]]
    else:  # validate, and an edit on the broken folder (refused: it would write a broken folder)
        cmds = [["validate"]]
        if case.name != "million_rows":
            cmds.append(["flows", "set", "--year", "2025", "--origin", "AUS", "note=corpus"])
    t0 = time.monotonic()
    procs = [_run(c, d) for c in cmds]  # in parallel: each is refused without writing
    outs = [p.communicate(timeout=120) for p in procs]
    elapsed = time.monotonic() - t0
    for cmd, p, (out, err) in zip(cmds, procs, outs):
        text = out + err
        assert p.returncode == 1, f"{cmd}: exit {p.returncode}\n{text}"
        assert "Traceback" not in text
        assert any(line.startswith(case.expected) for line in err.splitlines()), f"{cmd}:\n{err}"
        assert LOCATED.search(err)
    assert snapshot(d) == before, "the data folder changed"
    if case.name == "million_rows":
        print(f"\n10^6-row flows file: `netdep validate` exit 1 in {elapsed:.1f} s")
        assert elapsed < 20


def test_overlap_names_the_graph(corpus: Path) -> None:
    err = subprocess.run([*NETDEP, "validate", "--data", str(corpus / "overlap" / "data")], capture_output=True,
                         text=True).stderr
    assert re.search(r"^flows\.parquet:\d+: destination: actor 'DEU' overlaps 'EU27' in the 2025 \w+ graph "
                     r"\(both cover DEU\); flows would be counted twice", err, re.M), err


def test_route_not_joining_names_the_route(corpus: Path) -> None:
    err = subprocess.run([*NETDEP, "validate", "--data", str(corpus / "route_not_joining" / "data")],
                         capture_output=True, text=True).stderr
    assert re.search(r"^flows\.parquet:\d+: route: route 'power_of_siberia_1' joins RUS -> CHN, not \w+ -> \w+",
                     err, re.M), err


def test_million_valid_rows_validate_within_seconds(corpus: Path) -> None:
    from netdep.checks import check_tables

    tables, _ = read_tables(corpus / "million_rows" / "data")
    flows = tables["flows"]
    tables["flows"] = flows.set_column(5, "value", pc.abs(flows.column("value")))  # now valid
    t0 = time.monotonic()
    _, problems = check_tables(tables)
    elapsed = time.monotonic() - t0
    print(f"\ncheck_tables on 10^6 valid flows: {elapsed:.2f} s")
    assert problems == []
    assert elapsed < 10
