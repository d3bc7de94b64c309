"""Prices, valuation with provenance, revenue and legal limits (issue 13)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from netdep.checks import check_tables
from netdep.db import connect
from netdep.prices import best_price, legal_limit, revenue, value_flows, world_prices_from_build
from netdep.store import load, read_tables

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT.parent / "shared" / "reference"  # ../shared beside the clone, as in CI


@pytest.fixture(scope="module")
def data():
    return load(ROOT / "data")


def test_every_valued_energy_flow_says_which_price(data):
    sources = {r["source_id"] for r in data.rows("sources")}
    t = value_flows(data).to_pylist()
    energy = [r for r in t if r["layer"] == "energy"]
    assert energy and all(r["price_basis"] in ("benchmark", "customs_unit_value", "contract",
                                               "discount_to_benchmark") for r in energy)
    assert all(r["price_source_id"] in sources and r["price"] > 0 and r["price_match"] for r in energy)
    assert all(r["value_usd_bn"] == round(r["value"] * r["price"], 4) for r in energy)
    assert all(r["price_basis"] == "as_published" for r in t if r["layer"] != "energy")


def test_revenue_conserved_when_prices_do_not_change(data):
    """Valuing at the build's one world price per commodity and year reproduces flows.value_usd_bn."""
    world = world_prices_from_build(str(ROOT / "data" / "src"))
    published = {(r["year"], r["commodity"], r["origin"], r["destination"], r["route"]): r["value_usd_bn"]
                 for r in data.rows("flows")}
    revalued = value_flows(data, world).to_pylist()
    energy = [r for r in revalued if r["layer"] == "energy"]
    assert len(energy) > 2000
    for r in energy:  # both round to 4 decimals; price x factor is folded once here, so allow one last digit
        assert r["value_usd_bn"] == pytest.approx(
            published[(r["year"], r["commodity"], r["origin"], r["destination"], r["route"])], abs=1.5e-4)
    total_before = sum(v for k, v in published.items() if v is not None)
    assert sum(r["value_usd_bn"] for r in revalued if r["value_usd_bn"] is not None) == pytest.approx(
        total_before, abs=0.05)


def test_most_specific_price_wins():
    """Hand-built oracle: route > exporter+importer > exporter > world; a non-matching row never applies."""
    rows = [
        {"commodity": "pipeline_gas", "year": 2021, "exporter": None, "importer": None, "route": None,
         "price": 0.5, "basis": "benchmark", "source_id": "w"},
        {"commodity": "pipeline_gas", "year": 2021, "exporter": "RUS", "importer": None, "route": None,
         "price": 0.4, "basis": "discount_to_benchmark", "source_id": "x"},
        {"commodity": "pipeline_gas", "year": 2021, "exporter": "RUS", "importer": "CHN", "route": None,
         "price": 0.3, "basis": "customs_unit_value", "source_id": "p"},
        {"commodity": "pipeline_gas", "year": 2021, "exporter": "RUS", "importer": "CHN", "route": "pos1",
         "price": 0.2, "basis": "contract", "source_id": "r"},
        {"commodity": "pipeline_gas", "year": 2021, "exporter": "NOR", "importer": None, "route": None,
         "price": 9.0, "basis": "contract", "source_id": "n"},
    ]
    assert best_price(rows, "pipeline_gas", 2021, "RUS", "CHN", "pos1")["price"] == 0.2
    assert best_price(rows, "pipeline_gas", 2021, "RUS", "CHN", None)["price"] == 0.3
    assert best_price(rows, "pipeline_gas", 2021, "RUS", "TUR", None)["price"] == 0.4
    assert best_price(rows, "pipeline_gas", 2021, "QAT", "TUR", None)["price"] == 0.5
    assert best_price(rows, "pipeline_gas", 2022, "RUS", "CHN", None) is None


def test_customs_prices_replace_the_world_price(data):
    v = {(r["year"], r["commodity"], r["origin"], r["destination"]): r for r in value_flows(data).to_pylist()}
    pos = v[(2021, "pipeline_gas", "RUS", "CHN")]
    # GACC 2021: US$ 1.510 bn / 7.537 Mt at 0.73 Mt/bcm -> 0.1463 US$ bn/bcm (TTF would be 0.5345)
    assert pos["price_basis"] == "customs_unit_value" and pos["price_match"] == "route+exporter+importer"
    assert pos["price"] == pytest.approx(1.510 / (7.537 / 0.73), rel=2e-3)
    eu = v[(2021, "pipeline_gas", "RUS", "EU27")]
    assert eu["price_source_id"] == "eurostat_comext_hs" and eu["price_match"] == "exporter+importer"
    # products are not valued at the crude price: product worth = Brent + NWE margin (2023: 82.64 + 10.54)
    prod = v[(2023, "oil_products", "RUS", "CHN")]
    assert prod["price"] == pytest.approx((82.6423 + 10.5366) * 7.33e-3, rel=1e-5)


def test_sql_views_agree_with_python(data):
    con = connect(ROOT / "data")
    sql = con.execute("SELECT year, commodity, origin, destination, coalesce(route, ''), value_usd_bn, "
                      "price_basis, price_source_id FROM flows_valued").fetchall()
    py = [(r["year"], r["commodity"], r["origin"], r["destination"], r["route"] or "", r["value_usd_bn"],
           r["price_basis"], r["price_source_id"]) for r in value_flows(data).to_pylist()]
    assert sorted(sql, key=str) == sorted(py, key=str)
    rev = con.execute("SELECT round(sum(revenue_usd_bn), 4) FROM revenue WHERE exporter = 'RUS' AND year = 2023"
                      ).fetchone()[0]
    assert rev == pytest.approx(sum(r["revenue_usd_bn"] for r in revenue(data, "RUS", [2023])), abs=1e-3)


def test_revenue_by_buyer_adds_up_to_flows(data):
    rows = revenue(data, "RUS", [2023])
    flows = [r for r in value_flows(data).to_pylist()
             if r["origin"] == "RUS" and r["year"] == 2023 and r["layer"] == "energy"]
    assert len(rows) == len(flows) and {r["buyer"] for r in rows} >= {"CHN", "IND", "EU27", "TUR"}
    chn_gas = [r for r in rows if r["buyer"] == "CHN" and r["commodity"] == "pipeline_gas"]
    assert chn_gas[0]["revenue_usd_bn"] == round(chn_gas[0]["volume"] * chn_gas[0]["price"], 4)


def test_legal_limits(data):
    crude = legal_limit(data, "crude_oil", "RUS", "EU27", 2023)
    assert crude.limit == 0.0 and "embargo" in crude.kinds and "eurlex_2022_879" in crude.source_ids
    assert legal_limit(data, "crude_oil", "RUS", "DEU", 2023).limit == 0.0  # a member is bound by the bloc
    assert legal_limit(data, "crude_oil", "RUS", "EU27", 2022) is None  # both measures bind from 2023
    piped = legal_limit(data, "crude_oil", "RUS", "EU27", 2023, route="druzhba")
    assert piped.limit is None and piped.price_cap == 60.0  # pipeline crude exempt, price cap still there
    assert legal_limit(data, "crude_oil", "RUS", "IND", 2025).price_cap == 47.6  # the lower cap of 2025
    assert legal_limit(data, "crude_oil", "RUS", "EU27", 2021) is None
    assert legal_limit(data, "lng", "RUS", "CHN", 2025) is None
    assert legal_limit(data, "lng", "RUS", "CHN", 2025, via="EU27").limit == 0.0  # transshipment ban
    assert legal_limit(data, "lng", "RUS", "EU27", 2026) is None
    assert legal_limit(data, "lng", "RUS", "EU27", 2027).kinds == ("phase_out",)
    assert legal_limit(data, "pipeline_gas", "RUS", "EU27", 2027) is None
    assert legal_limit(data, "pipeline_gas", "RUS", "EU27", 2028).limit == 0.0


def test_bad_price_and_policy_rows_are_reported(data):
    tables, _ = read_tables(ROOT / "data")
    prices = tables["prices"].to_pylist()
    prices[0]["unit"] = "USD_bn/bcm" if prices[0]["commodity"] == "coal" else "USD_bn/EJ"
    policy = tables["policy"].to_pylist()
    policy[0]["year_to"] = policy[0]["year_from"] - 1
    policy[1]["kind"] = "tariff"
    bad = dict(tables, prices=pa.Table.from_pylist(prices, schema=tables["prices"].schema),
               policy=pa.Table.from_pylist(policy, schema=tables["policy"].schema))
    _, problems = check_tables(bad)
    assert any(p.startswith("policy.parquet:2: kind: ") for p in problems), problems
    policy[1]["kind"] = tables["policy"].column("kind")[1].as_py()
    bad["policy"] = pa.Table.from_pylist(policy, schema=tables["policy"].schema)
    _, problems = check_tables(bad)
    assert any(p.startswith("prices.parquet:1: unit: is ") for p in problems), problems
    assert any(p.startswith("policy.parquet:1: year_to: ") and "before year_from" in p for p in problems)


@pytest.mark.skipif(not (REF / "series" / "china_customs_monthly_imports_from_russia.csv").exists(),
                    reason="reference series absent")
def test_prices_csv_is_reproducible(tmp_path):
    out = tmp_path / "prices.csv"
    shutil.copy(ROOT / "data" / "src" / "prices.csv", out)
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "import_prices.py"),
                        str(REF / "raw" / "statistical-review-2026-edition-data-2025.json"),
                        str(REF / "series" / "china_customs_monthly_imports_from_russia.csv"),
                        str(REF / "series" / "comext_hs_energy_imports_monthly_2019_2021.csv.gz"),
                        "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == (ROOT / "data" / "src" / "prices.csv").read_bytes()


def test_revenue_report_section(data):
    from netdep.reporting.revenue import revenue_by_buyer, revenue_section

    by_year = revenue_by_buyer(data)
    assert 2023 in by_year and 2024 not in by_year  # 2024 has only some energy commodities
    direct = sum(r["revenue_usd_bn"] for r in revenue(data, "RUS", [2023]))
    assert sum(by_year[2023].values()) == pytest.approx(direct, abs=1e-3)
    sec = revenue_section(data)
    tables = [i for i in sec["items"] if i[0] == "table"]
    charts_ = [i for i in sec["items"] if i[0] == "chart"]
    assert len(tables) == 2 and len(charts_) == 1 and charts_[0][2].svg().startswith("<svg")
    k = tables[0][1].index("2023")
    assert tables[0][2][-1][0] == "total" and float(tables[0][2][-1][k]) == pytest.approx(direct, abs=0.06)
    text = " ".join(i[1] for i in sec["items"] if i[0] == "p")
    assert "no energy flows in the data yet" not in text  # every sentence follows the data
    assert all(row[-1] for row in tables[1][2][:-1])  # every 2023 figure names its price source


def test_russian_export_prices_2022_2025(data):
    """2022-2025 Russian flows use Russia-specific prices, not world benchmarks (hand-checked arithmetic)."""
    v = {(r["year"], r["commodity"], r["origin"], r["destination"]): r for r in value_flows(data).to_pylist()}
    chn = v[(2023, "crude_oil", "RUS", "CHN")]  # GACC 2023: US$ 60.6 bn / 107 Mt
    assert (chn["price_basis"], chn["price_match"], chn["price_source_id"]) == (
        "customs_unit_value", "exporter+importer", "tass_com_1734985")
    assert chn["price"] == pytest.approx(60.6 / 107, abs=1e-6)
    assert chn["value_usd_bn"] == pytest.approx(107.015 * 60.6 / 107, abs=1e-3)  # 60.61, not 64.83 at Brent
    ind = v[(2023, "crude_oil", "RUS", "IND")]  # Urals 2023 = (11 x 62.89 + 64.23) / 12 = 63.00 $/bbl
    assert (ind["price_basis"], ind["price_match"], ind["price_source_id"]) == (
        "discount_to_benchmark", "exporter", "brecorder_com_40276218")
    urals = (11 * 62.89 + 64.23) / 12
    assert ind["price"] == pytest.approx(urals * 7.33e-3, abs=1e-6)
    brent = best_price(data.rows("prices"), "crude_oil", 2023, "QAT", "IND")  # any other seller: Brent
    assert brent["basis"] == "benchmark" and (brent["price"] - ind["price"]) / 7.33e-3 == pytest.approx(19.64, abs=0.01)
    pos = v[(2023, "pipeline_gas", "RUS", "CHN")]  # 297.3 $/1000 m3 against TTF 12.87 $/MMBtu (0.439 bn/bcm)
    assert pos["price_basis"] == "contract" and pos["price"] == pytest.approx(0.2973)
    assert pos["price"] < 0.7 * best_price(data.rows("prices"), "pipeline_gas", 2023, "NOR", "EU27")["price"]
    assert v[(2022, "pipeline_gas", "RUS", "EU27")]["price"] == pytest.approx(0.9838)
    for y in (2022, 2023, 2024, 2025):  # every Russian crude flow of these years has a Russian price
        crude = [r for k, r in v.items() if k[0] == y and k[1] == "crude_oil" and k[2] == "RUS"]
        assert crude and all(r["price_match"] != "world" for r in crude), y


def test_russian_revenue_2023_below_the_benchmark_valuation(data):
    """Revaluing 2023 at world benchmarks only gives the old total (296.99); Russian prices give less."""
    world = [p for p in data.rows("prices") if p["exporter"] is None and p["importer"] is None
             and p["route"] is None]
    at_world = [r for r in value_flows(data, world).to_pylist()
                if r["origin"] == "RUS" and r["year"] == 2023 and r["layer"] == "energy"]
    assert sum(r["value_usd_bn"] for r in at_world) == pytest.approx(296.99, abs=0.01)
    specific = sum(r["revenue_usd_bn"] for r in revenue(data, "RUS", [2023]))
    discounts = sum(r["value"] * (r["price"] - p["price"]) for r in at_world
                    if (p := best_price(data.rows("prices"), r["commodity"], 2023, "RUS", r["destination"],
                                        r["route"])) is not None)
    assert specific == pytest.approx(296.99 - discounts, abs=0.01) and specific < 296.99 - 20
