"""pandas, polars and pyarrow each read every data/*.parquet as it is."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from netdep.schema import TABLE_ORDER, TABLES

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "data" / f"{n}.parquet" for n in TABLE_ORDER]
LIST_COLUMNS = {"actors": "members", "routes": "via"}


def test_every_table_has_a_file():
    assert all(f.is_file() for f in FILES)
    extra = ["series_monthly.parquet", "route_capacity.parquet",  # issue 10: outside the six-table contract
             "alternatives.parquet"]  # issue 15: alternative figures, beside the core tables
    assert sorted(p.name for p in (ROOT / "data").glob("*.parquet")) == sorted([f.name for f in FILES] + extra)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_pyarrow(path):
    t = pq.read_table(path)
    assert t.num_rows == pq.read_metadata(path).num_rows > 0
    assert t.column_names == [c.name for c in TABLES[path.stem].columns]
    if path.stem in LIST_COLUMNS:
        values = t.column(LIST_COLUMNS[path.stem]).to_pylist()
        assert all(isinstance(v, list) for v in values)
        assert any(v for v in values)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_pandas(path):
    pd = pytest.importorskip("pandas")
    df = pd.read_parquet(path)
    assert len(df) == pq.read_metadata(path).num_rows
    assert list(df.columns) == [c.name for c in TABLES[path.stem].columns]
    if path.stem in LIST_COLUMNS:
        values = df[LIST_COLUMNS[path.stem]].tolist()
        assert not any(isinstance(v, str) or v is None for v in values)  # array-likes, never strings or nulls
        as_lists = [list(v) for v in values]
        assert any(as_lists) and all(all(isinstance(x, str) for x in v) for v in as_lists)
    if path.stem == "flows":
        assert str(df["year"].dtype) == "int64"
        assert df["value"].dtype.kind == "f"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_polars(path):
    pl = pytest.importorskip("polars")
    df = pl.read_parquet(path)
    assert df.height == pq.read_metadata(path).num_rows
    assert df.columns == [c.name for c in TABLES[path.stem].columns]
    if path.stem in LIST_COLUMNS:
        col = df[LIST_COLUMNS[path.stem]]
        assert col.dtype == pl.List(pl.String)
        values = col.to_list()
        assert all(isinstance(v, list) for v in values) and any(values)
    if path.stem == "flows":
        assert df["year"].dtype == pl.Int64 and df["value"].dtype == pl.Float64


def test_readers_agree_on_the_eu_members():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    path = ROOT / "data" / "actors.parquet"
    a = {r["actor"]: r["members"] for r in pq.read_table(path).to_pylist()}
    b = {r.actor: list(r.members) for r in pd.read_parquet(path).itertuples()}
    c = {r["actor"]: r["members"] for r in pl.read_parquet(path).to_dicts()}
    assert a == b == c
    assert len(a["EU27"]) == 27 and "DEU" in a["EU27"]
