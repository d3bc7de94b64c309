"""Issue 10: yearly energy matrices 2017-2025 in the bundled data, one Statistical Review edition per data year."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdep import db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def con():
    c = db.connect(ROOT / "data")
    yield c
    c.close()


def test_every_year_has_an_energy_matrix_from_one_edition(con):
    rows = con.execute("""
        select year, count(*) n, count(distinct commodity) c, string_agg(distinct source_id, ',') s
        from flows where layer = 'energy' and source_id like 'ei_sr_%' group by year order by year""").fetchall()
    got = {y: (n, c, s) for y, n, c, s in rows}
    for year in (2017, 2018, 2019, 2020, 2021, 2022, 2023, 2025):
        n, commodities, source = got[year]
        assert n > 400, year  # a full matrix, not token rows
        assert commodities >= 4, year  # crude, products, pipeline gas, LNG (+ coal from 2018)
        assert source == f"ei_sr_{year + 1}", year  # the edition published the year after
    # every edition used is in sources with its publisher
    editions = con.execute("select source_id, publisher from sources where source_id like 'ei_sr_%'").fetchall()
    assert {s for s, _ in editions} >= {f"ei_sr_{y}" for y in (2018, 2019, 2020, 2021, 2022, 2023, 2024, 2026)}


def test_russia_eu_pipeline_gas_series(con):
    """RUS->EU27 pipeline gas from the matrices, bcm: extra-EU imports only (intra-European transit dropped)."""
    got = dict(con.execute("""select year, round(sum(value), 1) from flows where commodity = 'pipeline_gas'
                              and origin = 'RUS' and destination = 'EU27' group by year""").fetchall())
    assert got[2017] == 155.0 and got[2019] == 166.0 and got[2021] == 132.3 and got[2022] == 61.5
    assert got[2023] == 25.7
    # falls every year from 2019 on
    assert got[2019] > got[2020] > got[2021] > got[2022] > got[2023]
