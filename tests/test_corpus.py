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
    assert problems == []  # speed is measured, not asserted (a shared machine); see the printed time


# -- issue 16: every class of hostile input and fault, run through the real CLI ---------------------------------
#
# Each case: a build step on a private copy (data/ and whatever else the case needs), the command, the exit
# status, the message a line of the output must start with, and whether data/ must stay byte-for-byte the same.


@dataclass(frozen=True)
class Fault:
    name: str
    klass: str  # the class (counts reported per class)
    args: tuple[str, ...]  # {data}, {case} are replaced; --data is NOT added
    expected: str  # a line of stdout or stderr starts with this
    build: Callable[[Path], None] = lambda d: None
    code: int = 1
    unchanged: bool = True  # data/ byte-for-byte the same afterwards
    cwd: str | None = None  # run in {case}/<cwd> (None: the case folder)
    after: Callable[[Path], None] = lambda d: None  # more assertions on the case folder


def _staged_commit(d: Path, swapped: int) -> None:
    """What a writer SIGKILLed inside commit_files leaves: a journal, ``swapped`` of its files already moved."""
    import json
    import os

    from netdep.store import JOURNAL_NAME, TMP_PREFIX, generation

    data = d / "data"
    tables, _ = read_tables(data)
    src = tables["sources"].to_pylist()
    src.append({**src[0], "source_id": "zz_new_source", "title": "only in the new version"})
    flows = tables["flows"].to_pylist()
    flows[0] = {**flows[0], "source_id": "zz_new_source"}
    from netdep.store import _stage, canonical, table_from_rows

    staged = {"sources.parquet": _stage(data, "sources", canonical("sources", table_from_rows("sources", src))),
              "flows.parquet": _stage(data, "flows", canonical("flows", table_from_rows("flows", flows)))}
    g = generation(data)
    journal = {"files": {t: p.name for t, p in staged.items()}, "from_generation": g, "to_generation": g + 1,
               "pid": 0}
    (data / JOURNAL_NAME).write_text(json.dumps(journal))
    for target, p in list(staged.items())[:swapped]:
        os.replace(p, data / target)
    assert all(p.name.startswith(TMP_PREFIX) for p in staged.values())


def _journal_completed(d: Path) -> None:
    from netdep.store import JOURNAL_NAME

    tables, problems = read_tables(d / "data")
    assert not problems and not (d / "data" / JOURNAL_NAME).exists()
    assert "zz_new_source" in tables["sources"].column("source_id").to_pylist()
    assert tables["flows"].column("source_id")[0].as_py() == "zz_new_source"  # new as a whole


def _link_lock(target: str) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        if target == "file":
            (d / "precious.txt").write_text("keep me")
        (d / "data" / ".lock").symlink_to(d / ("precious.txt" if target == "file" else "made_through_link"))
    return build


def _lock_untouched(d: Path) -> None:
    assert not (d / "made_through_link").exists()
    if (d / "precious.txt").exists():
        assert (d / "precious.txt").read_text() == "keep me"


def _add_actor(code: str) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        actors = pq.read_table(d / "data" / "actors.parquet")
        new = pa.Table.from_pylist([{"actor": code, "name": "Russia again", "kind": "country", "members": []}],
                                   schema=actors.schema)
        _put(d, pa.concat_tables([actors, new]), "actors")
    return build


def _route_column(column: str, value, route: str = "power_of_siberia_1") -> Callable[[Path], None]:
    def build(d: Path) -> None:
        t = pq.read_table(d / "data" / "routes.parquet")
        rows = t.to_pylist()
        for r in rows:
            if r["route"] == route:
                r[column] = value
        _put(d, pa.Table.from_pylist(rows, schema=t.schema), "routes")
    return build


def _export_then(cut: Callable[[Path], None]) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        from netdep.exchange import export_csv

        export_csv(d / "data", d / "csv")
        cut(d / "csv" / "flows.csv")
    return build


def _cut_short(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 3])  # what a full disk leaves: the start of the file


def _cut_at_line(p: Path) -> None:
    lines = p.read_bytes().splitlines(keepends=True)
    p.write_bytes(b"".join(lines[:10]))


def _long_cell_then_bad(p: Path) -> None:
    lines = p.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ',"' + "x" * 200_000 + '"'  # note over 131,072 characters
    lines[3] = lines[3].replace(",\"", ",\"AUSS\"", 0)
    cells = lines[3].split(",")
    cells[5] = "x"  # value of spreadsheet row 4
    lines[3] = ",".join(cells)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _csv_value(value: str) -> Callable[[Path], None]:
    return _csv("\n".join([CSV_HEADER, CSV_ROWS[0].replace("1.5", value), CSV_ROWS[1]]) + "\n")


def _two_folders(kind: str) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        (d / "old").mkdir()
        (d / "new").mkdir()
        if kind == "partitions":
            t = pa.table({"year": pa.array([2022], pa.int64()), "origin": ["CHN"], "value": [1.5]})
            for side, v in (("old", 1.5), ("new", 2.5)):
                p = d / side / "hs6" / "year=2022"
                p.mkdir(parents=True)
                pq.write_table(t.set_column(2, "value", pa.array([v])), p / "part-0.parquet")
    return build


def _baci(text: str) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        (d / "baci.csv").write_text("t,i,j,k,v,q\n" + text)
    return build


def _stray_dir(d: Path) -> None:
    from netdep.store import TMP_PREFIX

    (d / "data" / f"{TMP_PREFIX}duckdb-killed").mkdir()
    (d / "data" / f"{TMP_PREFIX}duckdb-killed" / "spill.tmp").write_bytes(b"x" * 100)


def _no_flows(d: Path) -> None:
    (d / "data" / "flows.parquet").unlink()


def _stray_gone(d: Path) -> None:
    from netdep.store import TMP_PREFIX

    assert not list((d / "data").glob(f"{TMP_PREFIX}*"))


def _file_as_parent(d: Path) -> None:
    (d / "out").write_text("a file where the export folder should be")


class _Killed(BaseException):
    """Stands for SIGKILL inside a commit."""


BACI_OLD = "2021,156,842,854231,1.5,NA\n2022,156,842,854231,2.5,NA\n2022,251,276,854231,4,NA\n"
BACI_NEW = "2021,156,842,854231,10.5,NA\n2022,156,842,854231,20.5,NA\n2022,251,276,854231,40,NA\n"


def _baci_imported(d: Path) -> None:
    from netdep.bulk.baci import import_baci

    (d / "old.csv").write_text("t,i,j,k,v,q\n" + BACI_OLD)
    (d / "new.csv").write_text("t,i,j,k,v,q\n" + BACI_NEW)
    import_baci(d / "old.csv", out=d / "data")


def _half_staged_partition(d: Path) -> None:
    """An import killed while writing a partition: a partial staged file next to the partition."""
    from netdep.store import TMP_PREFIX

    _baci_imported(d)
    part = d / "data" / "hs6" / "year=2022"
    (part / f"{TMP_PREFIX}part-0-killed.staged").write_bytes((part / "part-0.parquet").read_bytes()[:200])
    (d / "data" / "hs6" / "year=2023").mkdir()  # a partition folder the killed import had just made
    (d / "data" / "hs6" / "year=2023" / f"{TMP_PREFIX}part-0-killed2.staged").write_bytes(b"PAR1")


def _staged_gone(d: Path) -> None:
    from netdep.store import TMP_PREFIX

    assert not list((d / "data").rglob(f"{TMP_PREFIX}*"))
    assert not (d / "data" / "hs6" / "year=2023").exists()


def _interrupted_import(swaps: int, lose: str | None = None) -> Callable[[Path], None]:
    """`import_baci` of new.csv stopped inside its commit after ``swaps`` staged files were moved in (the
    journal stays); ``lose``: then delete the staged file of that target, as a careless clean-up would."""
    def build(d: Path) -> None:
        import json
        import os

        from netdep.bulk.baci import import_baci
        from netdep.store import JOURNAL_NAME

        _baci_imported(d)
        real, moved = os.replace, []

        def replace(src, dst):
            if str(src).endswith(".staged"):
                if len(moved) == swaps:
                    raise _Killed
                moved.append(dst)
            return real(src, dst)

        os.replace = replace
        try:
            import_baci(d / "new.csv", out=d / "data")
        except _Killed:
            pass
        finally:
            os.replace = real
        journal = json.loads((d / "data" / JOURNAL_NAME).read_text())
        if lose:
            (d / "data" / Path(lose).parent / journal["files"][lose]).unlink()
    return build


def _partitions_new(d: Path) -> None:
    from netdep.store import JOURNAL_NAME

    assert not (d / "data" / JOURNAL_NAME).exists()
    t = pq.read_table(d / "data" / "hs6" / "year=2021" / "part-0.parquet")
    u = pq.read_table(d / "data" / "hs6" / "year=2022" / "part-0.parquet")
    assert t.column("value").to_pylist() == [10.5e-6] and sorted(u.column("value").to_pylist()) == [20.5e-6, 40e-6]


def _scenario_file(d: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "sanctions_relief.toml"
    (d / "s.toml").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")


SET = ("flows", "set", "--data", "{data}", "--year", "2025", "--origin", "AUS", "note=corpus")
FAULTS = [
    # multi-table writes: an import killed between two swaps, the journal completed by the next command
    Fault("journal_between_swaps", "atomic multi-table writes", ("validate", "--data", "{data}"), "ok:",
          lambda d: _staged_commit(d, 1), code=0, unchanged=False, after=_journal_completed),
    Fault("journal_before_swaps", "atomic multi-table writes", ("validate", "--data", "{data}"), "ok:",
          lambda d: _staged_commit(d, 0), code=0, unchanged=False, after=_journal_completed),
    Fault("journal_not_netdeps", "atomic multi-table writes", ("validate", "--data", "{data}"),
          "error: {data}/.netdep-journal.json: not a netdep journal",
          lambda d: (d / "data" / ".netdep-journal.json").write_text("{not json")),
    # partitioned imports (netdep import baci / icio): the same journal over partitions
    Fault("partition_journal_between_swaps", "atomic multi-table writes",
          ("sql", "--data", "{data}", "--format", "csv", "-c", "SELECT year, value * 1e6 AS v FROM hs6_flows "
           "WHERE year = 2021"), "2021,10.5", _interrupted_import(1), code=0, unchanged=False,
          after=_partitions_new),
    Fault("partition_staged_file_missing", "atomic multi-table writes", ("validate", "--data", "{data}"),
          "error: {data}/.netdep-journal.json: lists the staged file hs6/year=2022/.netdep-tmp-part-0-",
          _interrupted_import(1, lose="hs6/year=2022/part-0.parquet")),
    Fault("partition_half_staged_ignored", "atomic multi-table writes",
          ("sql", "--data", "{data}", "--format", "csv", "-c", "SELECT year, value * 1e6 AS v FROM hs6_flows "
           "ORDER BY year, v"), "2022,4", _half_staged_partition, code=0),
    Fault("partition_half_staged_cleaned", "atomic multi-table writes",
          ("import", "baci", "{case}/new.csv", "--out", "{data}", "--no-progress"), "read 3 BACI rows",
          _half_staged_partition, code=0, unchanged=False, after=_staged_gone),
    # the lock
    Fault("lock_symlink", "lock", SET, "error: {data}/.lock: is a symbolic link; netdep never follows",
          _link_lock("file"), after=_lock_untouched),
    Fault("lock_dangling_symlink", "lock", SET, "error: {data}/.lock: is a symbolic link", _link_lock("dangling"),
          after=_lock_untouched),
    Fault("lock_directory", "lock", SET, "error: {data}/.lock: is a directory, not netdep's lock file",
          lambda d: (d / "data" / ".lock").mkdir()),
    # the SQL session
    Fault("sql_copy_into_data", "SQL file access",
          ("sql", "--data", "{data}", "-c", "COPY (SELECT 1 AS a) TO '{data}/flows.parquet' (FORMAT csv)"),
          "error: Permission Error: Cannot access file"),
    Fault("sql_read_other_file", "SQL file access",
          ("sql", "--data", "{data}", "-c", "SELECT * FROM read_csv('/etc/passwd')"),
          "error: Permission Error: Cannot access file \"/etc/passwd\""),
    Fault("sql_copy_elsewhere", "SQL file access",
          ("sql", "--data", "{data}", "-c", "COPY flows TO '{case}/stolen.csv'"), "error: Permission Error",
          after=lambda d: not (d / "stolen.csv").exists() or pytest.fail("file written")),
    Fault("sql_attach", "SQL file access", ("sql", "--data", "{data}", "-c", "ATTACH '{case}/x.duckdb' AS x"),
          "error: Permission Error"),
    Fault("sql_unlock", "SQL file access", ("sql", "--data", "{data}", "-c", "SET enable_external_access = true"),
          "error: Invalid Input Error: Cannot change configuration option"),
    # ./data that exists but is broken: an error, never the bundled data
    Fault("dot_data_broken_validate", "no silent fall-back", ("validate",), "flows.parquet: file is missing",
          _no_flows),
    Fault("dot_data_broken_edit", "no silent fall-back", ("flows", "set", "--year", "2025", "--origin", "AUS",
                                                          "note=corpus"),
          "flows.parquet: file is missing", _no_flows),
    Fault("dot_data_named", "no silent fall-back", ("validate",), "data: {data} (./data)", _no_flows),
    # keys and magnitudes
    Fault("actor_trailing_space", "keys and magnitudes", ("validate", "--data", "{data}"),
          "actors.parquet:48: actor: 'RUS ' is not a valid key: it must be an ISO 3166-1 alpha-3 code in upper "
          "case, 'EU27', 'ROW' or 'REG_*' (did you mean 'RUS'?)", _add_actor("RUS ")),
    Fault("actor_lower_case", "keys and magnitudes", ("validate", "--data", "{data}"),
          "actors.parquet:48: actor: 'rus' is not a valid key", _add_actor("rus")),
    Fault("huge_value", "keys and magnitudes", ("validate", "--data", "{data}"),
          f"flows.parquet:{K}: value: is 1e+308 ", _set("value", 1e308)),
    Fault("huge_usd", "keys and magnitudes", ("validate", "--data", "{data}"),
          f"flows.parquet:{K}: value_usd_bn: is 1e+300 USD_bn, more than any single figure in USD_bn can be",
          _set("value_usd_bn", 1e300)),
    # CSV exchange
    Fault("csv_cut_mid_line", "CSV", ("import", "{case}/csv", "--data", "{data}"),
          "flows.csv: does not end with a line break but `netdep export` wrote", _export_then(_cut_short)),
    Fault("csv_cut_at_line", "CSV", ("import", "{case}/csv", "--data", "{data}"),
          "flows.csv: has 9 rows but `netdep export` wrote", _export_then(_cut_at_line)),
    Fault("csv_long_cell", "CSV", ("import", "{case}/csv", "--data", "{data}"),
          "flows.csv:4: value: 'x' is not a number", _export_then(_long_cell_then_bad)),
    Fault("csv_underscore_number", "CSV", ("import", "{case}/csv", "--data", "{data}"),
          "flows.csv:2: value: '1_000' is not a number", _csv_value("1_000")),
    Fault("csv_arabic_indic_digits", "CSV", ("import", "{case}/csv", "--data", "{data}"),
          "flows.csv:2: value: '١٢' is not a number", _csv_value("١٢")),
    # diff
    Fault("diff_empty_folders", "diff", ("diff", "--exit-code", "{case}/old", "{case}/new"),
          "error: {case}/old and {case}/new: neither folder holds a Parquet file", _two_folders("empty")),
    Fault("diff_partitions_differ", "diff", ("diff", "--exit-code", "{case}/old", "{case}/new"),
          "hs6/year=2022/part-0.parquet: 1 added, 1 removed, 0 changed", _two_folders("partitions")),
    # OS errors and odd files
    Fault("export_parent_is_file", "OS errors", ("export", "{case}/out/csv", "--data", "{data}"),
          "error: {case}/out/csv: a part of the path is a file, not a folder", _file_as_parent),
    Fault("stray_tmp_directory", "OS errors", SET, "written: flows.parquet", _stray_dir, code=0, unchanged=False,
          after=_stray_gone),
    Fault("generation_garbage", "OS errors", ("validate", "--data", "{data}"),
          "error: {data}/.netdep-generation: 'x' is not a commit count",
          lambda d: (d / "data" / ".netdep-generation").write_text("x")),
    # unbounded work: refused before any is done, with the option that asks for more
    Fault("sweep_steps_above_max", "unbounded work",
          ("scenario", "sweep", "{case}/s.toml", "--data", "{data}", "--param", "0.factor", "--from", "1", "--to",
           "2", "--steps", "20000", "--out", "{case}/sweeps"),
          "error: --steps: 20000 is above --max-steps 1001; each step recomputes every measure",
          _scenario_file, after=lambda d: not (d / "sweeps").exists() or pytest.fail("sweep output written")),
    Fault("sweep_steps_above_given_max", "unbounded work",
          ("scenario", "sweep", "{case}/s.toml", "--data", "{data}", "--param", "0.factor", "--from", "1", "--to",
           "2", "--steps", "12", "--max-steps", "11", "--out", "{case}/sweeps"),
          "error: --steps: 12 is above --max-steps 11", _scenario_file),
    # smaller
    Fault("sql_param_nan", "smaller", ("sql", "--data", "{data}", "-c", "SELECT :y AS y", "-p", "y=nan"),
          "Error: Invalid value for -p: y=nan: not a finite number", code=2),
    Fault("json_without_nan", "smaller",
          ("sql", "--data", "{data}", "--format", "json", "-c", "SELECT 'nan'::DOUBLE AS x"), '  "x": null',
          code=0),
    Fault("flow_on_closed_route", "smaller", ("validate", "--data", "{data}"),
          "flows.parquet:", _route_column("open_to", 2020)),
    Fault("route_open_from_negative", "smaller", ("validate", "--data", "{data}"),
          "routes.parquet:", _route_column("open_from", -5)),
    Fault("edit_underscore_number", "smaller", ("flows", "set", "--data", "{data}", "--year", "2025", "--origin",
                                                "RUS", "--destination", "CHN", "--commodity", "pipeline_gas",
                                                "value=1_000", "--source-id", SOURCE),
          "error: flows: value: '1_000' is not a number"),
    Fault("baci_self_loop", "smaller", ("import", "baci", "{case}/baci.csv", "--out", "{case}/out", "--no-progress"),
          "error: {case}/baci.csv:3: j: importer equals exporter i",
          _baci("2020,156,842,854231,1.5,NA\n2020,156,156,854231,1.5,NA\n")),
    Fault("baci_year_0", "smaller", ("import", "baci", "{case}/baci.csv", "--out", "{case}/out", "--no-progress"),
          "error: {case}/baci.csv:2: year: not a year between 1900 and 2100", _baci("0,156,842,854231,1.5,NA\n")),
    Fault("baci_year_3000", "smaller", ("import", "baci", "{case}/baci.csv", "--out", "{case}/out",
                                        "--no-progress"),
          "error: {case}/baci.csv:2: year: not a year between 1900 and 2100", _baci("3000,156,842,854231,1.5,NA\n")),
    Fault("baci_duplicate_rows", "smaller", ("import", "baci", "{case}/baci.csv", "--out", "{case}/out",
                                             "--no-progress"),
          "error: {case}/baci.csv:3: t,i,j,k: duplicate key",
          _baci("2020,156,842,854231,1.5,NA\n2020,156,842,854231,1.5,NA\n")),
    Fault("baci_negative_quantity", "smaller", ("import", "baci", "{case}/baci.csv", "--out", "{case}/out",
                                                "--no-progress"),
          "error: {case}/baci.csv:2: q: negative quantity", _baci("2020,156,842,854231,1.5,-3\n")),
]


@pytest.fixture(scope="session")
def fault_corpus(corpus: Path) -> Path:
    """tests/corpus/faults/<case>/: data/ (a copy of the small base), what the case adds, expected.txt."""
    base = corpus / "_base" / "data"
    root = corpus / "faults"
    for f in FAULTS:
        d = root / f.name
        shutil.copytree(base, d / "data")
        f.build(d)
        (d / "expected.txt").write_text(f"exit {f.code}: {f.expected}\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_case(fault: Fault, fault_corpus: Path, tmp_path: Path) -> None:
    d = tmp_path / fault.name
    shutil.copytree(fault_corpus / fault.name, d, symlinks=True)
    if (d / "data" / ".lock").is_symlink():  # copytree keeps the link but it must point into this copy
        target = "precious.txt" if (d / "precious.txt").exists() else "made_through_link"
        (d / "data" / ".lock").unlink()
        (d / "data" / ".lock").symlink_to(d / target)
    sub = {"{data}": str(d / "data"), "{case}": str(d)}

    def fill(s: str) -> str:
        for k, v in sub.items():
            s = s.replace(k, v)
        return s

    before = snapshot(d / "data")
    env = {**__import__("os").environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([*NETDEP, *map(fill, fault.args)], capture_output=True, text=True, cwd=d, env=env,
                       timeout=120)
    text = r.stdout + r.stderr
    assert r.returncode == fault.code, f"exit {r.returncode}\n{text}"
    assert "Traceback" not in text
    expected = fill(fault.expected)
    assert any(line.startswith(expected) for line in text.splitlines()), f"expected {expected!r}:\n{text}"
    if fault.unchanged:
        assert snapshot(d / "data") == before, "the data folder changed"
    fault.after(d)


def test_fault_classes_are_all_covered() -> None:
    counts: dict[str, int] = {}
    for f in FAULTS:
        counts[f.klass] = counts.get(f.klass, 0) + 1
    print("\nfault corpus cases per class:", counts)
    assert set(counts) == {"atomic multi-table writes", "lock", "SQL file access", "no silent fall-back",
                           "keys and magnitudes", "CSV", "diff", "OS errors", "unbounded work", "smaller"}
