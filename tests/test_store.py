"""Reading, atomic and deterministic writing, and files written by other tools (pandas, polars, DuckDB)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from netdep.errors import ValidationError
from netdep.schema import TABLE_ORDER
from netdep.store import TMP_PREFIX, default_data_dir, load, write_table

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- load / default folder


def test_default_data_dir_is_dot_data_when_present(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert default_data_dir() == ROOT / "data"


def test_default_data_dir_elsewhere_falls_back_to_shipped_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./data here
    d = default_data_dir()
    assert d != tmp_path / "data"
    assert (d / "flows.parquet").is_file()
    assert load(d)["flows"].num_rows > 300


def test_load_gives_every_table_cast_to_the_spec(data_copy):
    data = load(data_copy)
    assert sorted(data.tables) == sorted(TABLE_ORDER)
    assert data.path == data_copy
    assert data["flows"].schema.field("year").type == pa.int64()
    assert data.years[0] == 2017 and 2023 in data.years and data.years[-1] >= 2024
    rows = data.rows("actors")
    assert {"RUS", "CHN", "EU27", "USA"} <= {r["actor"] for r in rows}
    assert data.rows("actors") is rows  # cached


def test_load_refuses_a_missing_folder(tmp_path):
    with pytest.raises(ValidationError) as e:
        load(tmp_path / "nope")
    assert e.value.problems == [f"{tmp_path / 'nope'}: no such data folder (pass --data DIR)"]


def test_load_refuses_bad_data(data_copy):
    (data_copy / "sources.parquet").unlink()
    with pytest.raises(ValidationError) as e:
        load(data_copy)
    assert e.value.problems == [f"sources.parquet: file is missing from {data_copy}"]


# --------------------------------------------------------------------------- atomic writes


def _no_temporaries(d: Path) -> None:
    assert not [p.name for p in d.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_write_table_replaces_via_a_temporary_in_the_same_folder(data_copy, monkeypatch):
    table = load(data_copy)["actors"]
    calls = []
    real_replace = os.replace

    def spy(src, dst, *a, **kw):
        calls.append((Path(src), Path(dst)))
        assert Path(src).exists() and pq.read_table(src).num_rows == table.num_rows  # fully written first
        return real_replace(src, dst, *a, **kw)

    def spy_data(src, dst, *a, **kw):
        if Path(dst).suffix != ".parquet":  # the generation counter (see test_journal_*)
            return real_replace(src, dst, *a, **kw)
        return spy(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", spy_data)
    target = write_table(data_copy, "actors", table)
    assert target == data_copy / "actors.parquet"
    assert len(calls) == 1
    src, dst = calls[0]
    assert src.parent == data_copy and src.name.startswith(TMP_PREFIX)
    assert dst == target
    _no_temporaries(data_copy)
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    assert load(data_copy)["actors"].equals(table)


def test_failed_cast_leaves_the_old_file_intact(data_copy):
    path = data_copy / "flows.parquet"
    before = path.read_bytes()
    t = pq.read_table(path)
    bad = t.set_column(t.schema.get_field_index("value"), "value", pa.array(["lots"] * t.num_rows))
    with pytest.raises(pa.ArrowInvalid):
        write_table(data_copy, "flows", bad)
    assert path.read_bytes() == before
    _no_temporaries(data_copy)


def test_interrupted_replace_leaves_the_old_file_and_no_temporary(data_copy, monkeypatch):
    """A failure after the temporary is written (here: os.replace interrupted) keeps the old bytes."""
    path = data_copy / "actors.parquet"
    before = path.read_bytes()
    table = load(data_copy)["actors"].slice(0, 3)

    def interrupted(src, dst, *a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_table(data_copy, "actors", table)
    monkeypatch.undo()
    assert path.read_bytes() == before
    _no_temporaries(data_copy)


def test_replace_onto_a_directory_fails_cleanly(tmp_path, data_copy):
    """A real OS error from os.replace (target is a non-empty folder): raised, temporary removed."""
    out = tmp_path / "out"
    (out / "actors.parquet").mkdir(parents=True)
    (out / "actors.parquet" / "keep").write_text("x")
    with pytest.raises(OSError):
        write_table(out, "actors", load(data_copy)["actors"])
    _no_temporaries(out)
    assert (out / "actors.parquet" / "keep").read_text() == "x"


# --------------------------------------------------------------------------- deterministic writes


def test_same_table_same_bytes(tmp_path, data_copy):
    flows = load(data_copy)["flows"]
    shuffled = flows.take(pa.array(list(range(flows.num_rows))[::-1]))  # row order must not matter
    write_table(tmp_path / "a", "flows", flows)
    write_table(tmp_path / "b", "flows", shuffled)
    write_table(tmp_path / "c", "flows", flows)
    a = (tmp_path / "a" / "flows.parquet").read_bytes()
    assert a == (tmp_path / "b" / "flows.parquet").read_bytes()
    assert a == (tmp_path / "c" / "flows.parquet").read_bytes()


def test_build_data_twice_gives_identical_bytes(tmp_path):
    outs = []
    for k in ("one", "two"):
        out = tmp_path / k
        p = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_data.py"),
                            "--src", str(ROOT / "data" / "src"), "--out", str(out)],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        outs.append(out)
    names = sorted(p.name for p in outs[0].glob("*.parquet"))
    assert names == sorted([f"{n}.parquet" for n in TABLE_ORDER] + ["series_monthly.parquet", "route_capacity.parquet",
                                                                   "alternatives.parquet"])  # issue 15
    for n in names:
        assert (outs[0] / n).read_bytes() == (outs[1] / n).read_bytes(), n
    _no_temporaries(outs[0])
    # and what it built is valid and equal, table by table, to the committed data
    built, committed = load(outs[0]), load(ROOT / "data")
    for n in TABLE_ORDER:
        assert built[n].equals(committed[n]), n


# --------------------------------------------------------------------------- files written by other tools


def _rewrite_pandas(src: Path, dst: Path) -> None:
    import pandas as pd

    for n in TABLE_ORDER:
        pd.read_parquet(src / f"{n}.parquet").to_parquet(dst / f"{n}.parquet", index=False)


def _rewrite_polars(src: Path, dst: Path) -> None:
    import polars as pl

    for n in TABLE_ORDER:
        pl.read_parquet(src / f"{n}.parquet").write_parquet(dst / f"{n}.parquet")


def _rewrite_duckdb(src: Path, dst: Path) -> None:
    import duckdb

    con = duckdb.connect()
    for n in TABLE_ORDER:
        cols = [f.name for f in pq.read_schema(src / f"{n}.parquet")]
        years = [c for c in ("year", "open_from", "open_to") if c in cols]
        select = ("SELECT * REPLACE (" + ", ".join(f"CAST({c} AS INTEGER) AS {c}" for c in years) + ")"
                  if years else "SELECT *")
        s, d = str(src / f"{n}.parquet"), str(dst / f"{n}.parquet")
        con.execute(f"COPY ({select} FROM read_parquet('{s}')) TO '{d}' (FORMAT parquet)")
    con.close()


@pytest.mark.parametrize("writer", [_rewrite_pandas, _rewrite_polars, _rewrite_duckdb],
                         ids=["pandas", "polars", "duckdb"])
def test_parquet_written_by_other_tools_validates(writer, data_copy, tmp_path, capsys):
    from netdep.cli import run

    out = tmp_path / "rewritten"
    out.mkdir()
    writer(data_copy, out)
    types = {str(f.type) for n in TABLE_ORDER for f in pq.read_schema(out / f"{n}.parquet")}
    if writer is _rewrite_duckdb:
        assert "int32" in types  # the tool's own choice, not netdep's int64
    else:
        assert "large_string" in types
    original = load(data_copy)
    data = load(out)
    for n in TABLE_ORDER:
        assert data[n].equals(original[n]), n  # cast back to the spec: the same table
    assert run(["validate", "--data", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {len(TABLE_ORDER)} tables")


def test_pandas_float_years_are_accepted_but_fractions_are_not(data_copy):
    """pandas turns a nullable integer column into float64: whole numbers pass, 2019.5 does not."""
    t = pq.read_table(data_copy / "routes.parquet")
    years = t.column("open_from").to_pylist()
    i = next(k for k, v in enumerate(years) if v is not None)
    years = [None if v is None else float(v) for v in years]
    idx = t.schema.get_field_index("open_from")
    pq.write_table(t.set_column(idx, "open_from", pa.array(years, pa.float64())), data_copy / "routes.parquet")
    assert load(data_copy)["routes"].column("open_from").type == pa.int64()
    years[i] += 0.5
    pq.write_table(t.set_column(idx, "open_from", pa.array(years, pa.float64())), data_copy / "routes.parquet")
    with pytest.raises(ValidationError) as e:
        load(data_copy)
    assert e.value.problems == [f"routes.parquet:{i + 1}: open_from: is {years[i]}; expected a whole number"]
