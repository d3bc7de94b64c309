"""Product measures: DuckDB SQL equals the pandas groupby baseline; hand-checked HHI, ties and flags."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from netdep.bulk.baci import import_baci
from netdep.bulk.measures import compute_measures, measures_pandas
from netdep.errors import NetdepError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def imported(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("gen_baci", ROOT / "scripts" / "gen_baci.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    d = tmp_path_factory.mktemp("measures")
    files = gen.generate(d / "src" / "baci.csv", rows=60_000, years=3, seed=11)
    import_baci(files["csv"], country_codes=files["country_codes"], eu_bloc=True, out=d)
    compute_measures(d)
    return d


def _duck(d: Path, year: int) -> pd.DataFrame:
    return pq.read_table(d / "hs6_measures" / f"year={year}" / "part-0.parquet").to_pandas()


@pytest.mark.parametrize("year", [2020, 2021, 2022])
def test_duckdb_equals_pandas(imported, year):
    a, b = _duck(imported, year), measures_pandas(imported, year)
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b) > 10_000
    for c in a.columns:
        x, y = a[c], b[c]
        if x.dtype.kind == "f":
            np.testing.assert_allclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-9, atol=0, err_msg=c)
        else:
            xs = [None if pd.isna(v) else v for v in x]
            ys = [None if pd.isna(v) else v for v in y]
            assert xs == ys, c
    assert a.geodep_dependent.any() and a.ec_dependent.fillna(False).any()  # the flags are exercised
    assert a.loc[a.importer != "EU27", "ec_dependent"].isna().all()


def _tiny(tmp_path: Path, rows: str, eu_bloc: bool = True) -> pd.DataFrame:
    f = tmp_path / "b.csv"
    f.write_text("t,i,j,k,v,q\n" + rows)
    import_baci(f, eu_bloc=eu_bloc, out=tmp_path)
    compute_measures(tmp_path)
    return _duck(tmp_path, 2022).set_index(["importer", "commodity"])


def test_hand_checked(tmp_path):
    # USA imports product 1 from China (3000) and Japan (1000); product 2 from China and Japan, tied.
    # The EU imports product 1 from China (4000); intra-EU trade in it: France -> Germany 1000;
    # the EU exports 500 of product 1 to the USA... as does Japan (so Japan's exports are known).
    m = _tiny(tmp_path, "2022,156,842,000001,3000,1\n2022,392,842,000001,1000,1\n"
                        "2022,156,842,000002,700,NA\n2022,392,842,000002,700,NA\n"
                        "2022,156,251,000001,4000,1\n2022,251,276,000001,1000,1\n")
    usa = m.loc[("USA", "hs6:000001")]
    assert usa.import_value == pytest.approx(4000 / 1e6)
    assert usa.hhi == pytest.approx(0.75**2 + 0.25**2)
    assert (usa.top_supplier, usa.top_share, usa.suppliers) == ("CHN", pytest.approx(0.75), 2)
    assert usa.export_value == 0 and bool(usa.geodep_not_substitutable)
    # world exports of product 1: CHN 7000, JPN 1000 -> W = (7/8)^2 + (1/8)^2
    assert usa.world_export_hhi == pytest.approx((7 / 8) ** 2 + (1 / 8) ** 2)
    assert bool(usa.geodep_dependent)
    tie = m.loc[("USA", "hs6:000002")]
    assert (tie.top_supplier, tie.top_share, tie.hhi) == ("CHN", pytest.approx(0.5), pytest.approx(0.5))
    eu = m.loc[("EU27", "hs6:000001")]
    assert eu.intra_eu_value == pytest.approx(1000 / 1e6)
    assert eu.ec_extra_share == pytest.approx(4000 / 5000)  # extra / (extra + intra)
    assert eu.ec_import_export_ratio == pytest.approx(4000 / 1000)  # extra imports / (0 extra exports + intra)
    assert bool(eu.ec_dependent)
    assert pd.isna(usa.ec_dependent)


def test_ec_flag_fails_when_intra_eu_trade_dominates(tmp_path):
    m = _tiny(tmp_path, "2022,156,251,000001,1000,1\n2022,251,276,000001,5000,1\n")
    eu = m.loc[("EU27", "hs6:000001")]
    assert eu.hhi == 1.0 and eu.ec_extra_share == pytest.approx(1 / 6)
    assert not bool(eu.ec_dependent)


def test_no_hs6_data_is_a_clear_error(tmp_path):
    with pytest.raises(NetdepError, match="netdep import baci"):
        compute_measures(tmp_path)
