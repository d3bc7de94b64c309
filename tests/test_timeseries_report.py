"""Issue 10: the report's time-series section (computed from flows and flows_monthly)."""

from __future__ import annotations

from pathlib import Path

from netdep import db
from netdep.reporting.timeseries import line_chart, share_series, timeseries_section, yearly_eu_gas

ROOT = Path(__file__).resolve().parents[1]


def test_share_series_hand_computed():
    rows = [("2021-01", "RUS", 3.0), ("2021-01", "NOR", 6.0), ("2021-01", "BLR", 1.0), ("2021-02", "NOR", 2.0)]
    assert share_series(rows, {"RUS"}) == [("2021-01", 0.3), ("2021-02", 0.0)]
    assert share_series(rows, {"RUS", "BLR"}) == [("2021-01", 0.4), ("2021-02", 0.0)]


def test_yearly_eu_gas_against_flows():
    con = db.connect(ROOT / "data")
    try:
        got = {r["year"]: r for r in yearly_eu_gas(con)}
        # oracle: the same ratio from pair_flows
        ru, tot = con.execute("""select sum(value) filter (where origin = 'RUS'), sum(value) from pair_flows
            where year = 2021 and destination = 'EU27' and commodity in ('pipeline_gas', 'lng')""").fetchone()
    finally:
        con.close()
    assert abs(got[2021]["share"] - ru / tot) < 1e-12
    assert {2017, 2018, 2019, 2020, 2021, 2022, 2023, 2025} <= set(got)
    assert got[2024]["partial"] and got[2024]["covered"] == "lng"  # 2024: LNG only, stated as partial
    assert not any(got[y]["partial"] for y in (2017, 2021, 2022, 2025))
    assert round(100 * got[2017]["share"], 1) == 47.9 and round(100 * got[2023]["share"], 1) == 15.0


def test_section_has_the_charts_and_monthly_table():
    sec = timeseries_section(ROOT / "data")
    charts = {i[1]: i[2] for i in sec["items"] if i[0] == "chart"}
    assert set(charts) == {"timeseries_eu_gas_yearly", "timeseries_eu_gas_monthly", "timeseries_china_crude_monthly"}
    for c in charts.values():  # charts as data: drawn as SVG and PNG with a source line
        assert c.kind == "lines" and c.source.startswith("Source") and c.year
        assert c.svg().startswith("<svg") and c.png().startswith(b"\x89PNG")
    tables = [i for i in sec["items"] if i[0] == "table"]
    monthly = next(t for t in tables if t[1][0] == "year" and t[1][1] == "01")
    assert [r[0] for r in monthly[2]] == [2019, 2020, 2021, 2022]
    assert monthly[2][3][8] == "–"  # 2022-08: only 15 of 27 members reported; dropped as incomplete
    assert monthly[2][3][7] != "–"


def test_line_chart_ticks_are_years():
    c = line_chart({"a": [(2019.0, 1.0), (2021.5, 2.0)]}, "T", "unit", "Source: x")
    assert c.data["xs"] == [2019.0, 2021.5] and c.year == "2019–2021"
    fig = c.figure()
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "2019" in labels and "2021" in labels and not any("e+" in x or "." in x for x in labels)
