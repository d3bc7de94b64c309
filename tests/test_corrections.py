"""Issue 10 corrections: flows_corrections.csv supersedes source rows; Druzhba by leg; Kazakhstan transit."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from netdep.build import build_tables
from netdep.errors import SourceFormatError
from netdep.routes import capacity, is_open, routes_in_year
from netdep.scenario.systems import Systems
from netdep.store import load

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "data" / "src"


@pytest.fixture(scope="module")
def flows():
    return build_tables(SRC)["flows"].to_pylist()


@pytest.fixture(scope="module")
def data():
    return load(ROOT / "data")


def _rows(flows, year, commodity, origin, destination):
    return [f for f in flows if (f["year"], f["commodity"], f["origin"], f["destination"])
            == (year, commodity, origin, destination)]


def test_2025_eu_pipeline_gas_corrected_and_russian_total_kept(flows):
    eu = _rows(flows, 2025, "pipeline_gas", "RUS", "EU27")
    rest = _rows(flows, 2025, "pipeline_gas", "RUS", "REG_REST_OF_EUROPE")
    assert [(f["value"], f["source_id"], f["route"]) for f in eu] == [
        (15.5, "tass_2026_turkstream_2025", "turkstream_europe")]  # 18.0 into the EU less Serbia's 2.5
    assert [f["value"] for f in rest] == [20.468]
    # the correction moves volume between the EU and non-EU Europe; the Review's Russia total stays
    assert round(eu[0]["value"] + rest[0]["value"], 3) == round(4.275 + 31.693, 3)


def test_the_replaced_figure_stays_in_the_csv_as_an_alternative():
    with open(SRC / "flows_corrections.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    alt = {(r["origin"], r["destination"], r["value"]) for r in rows
           if r["year"] == "2025" and r["choice"] == "alternative" and r["source_id"] == "ei_sr_2026"}
    assert alt == {("RUS", "EU27", "4.275"), ("RUS", "REG_REST_OF_EUROPE", "31.693")}
    with open(SRC / "flows_ei_sr_2026.csv", newline="", encoding="utf-8") as f:
        ei = [r for r in csv.DictReader(f) if (r["commodity"], r["origin"], r["destination"])
              == ("pipeline_gas", "RUS", "EU27")]
    assert [r["value"] for r in ei] == ["4.275"]  # the imported Review file is untouched


def test_pos1_stays_on_one_basis_with_gazprom_as_alternative(flows, data):
    pos = {y: _rows(flows, y, "pipeline_gas", "RUS", "CHN")[0] for y in (2021, 2023, 2025)}
    assert {y: f["source_id"] for y, f in pos.items()} == {2021: "ei_sr_2022", 2023: "ei_sr_2024",
                                                           2025: "ei_sr_2026"}
    sy = Systems.of(data)
    tied = {f["year"]: f["value"] for f in sy.flows if f["system"] == "rus_east_siberia"}
    assert {y: round(pos[y]["value"], 3) for y in pos} == tied  # flows, route use and systems agree
    with open(SRC / "flows_corrections.csv", newline="", encoding="utf-8") as f:
        alt = {r["year"]: float(r["value"]) for r in csv.DictReader(f)
               if (r["origin"], r["destination"], r["choice"]) == ("RUS", "CHN", "alternative")}
    assert alt["2023"] == 22.7 and alt["2021"] == 10.324


def test_replaces_must_name_an_existing_row(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SRC, src)
    with open(src / "flows_corrections.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerow(
            ["2025", "energy", "pipeline_gas", "RUS", "EU27", "1", "", "", "tass_2026_turkstream_2025",
             "preferred", "ei_sr_2024", "wrong edition"])
    with pytest.raises(SourceFormatError, match=r"^flows_corrections\.csv:\d+: replaces: no ei_sr_2024 row"):
        build_tables(src)


def test_druzhba_by_leg(data):
    r23 = {r["route"]: r for r in routes_in_year(data, 2023)}
    assert is_open(r23["druzhba"], 2023) and r23["druzhba"]["capacity"] == 15.0
    assert r23["druzhba"]["via"] == ["BLR", "UKR"]
    north = capacity(data, "druzhba_north", 2023)
    assert north.status == "offline" and not is_open(r23["druzhba_north"], 2023)
    assert capacity(data, "druzhba_north", 2021).status == "operating"
    # the embargo's pipeline exemption still names a route that exists (the southern leg)
    exempt = {p["except_route"] for p in data.rows("policy") if p["except_route"]}
    assert exempt == {"druzhba"} and exempt <= set(r23)


def test_kazakhstan_transit_connects_west_siberian_crude_to_china(data):
    r = {x["route"]: x for x in routes_in_year(data, 2023)}["kazakhstan_transit"]
    assert (r["origin"], r["destination"], r["via"], r["capacity"]) == ("RUS", "CHN", ["KAZ"], 10.0)
    sy = Systems.of(data)
    assert "kazakhstan_transit" in sy.routes_of("rus_crude_west")
    to_chn = {(f["system"], f["route"]): f["value"] for f in sy.flows
              if f["year"] == 2023 and f["commodity"] == "crude_oil" and f["destination"] == "CHN"}
    assert to_chn[("rus_crude_west", "kazakhstan_transit")] == 9.989
    # the pipeline crude to China is split, not grown: ESPO spur + Kazakhstan = the earlier 40.372 Mt
    assert round(to_chn[("rus_crude_east", "espo_china_spur")] + 9.989, 3) == 40.372


# which publisher reports each trade/FDI series (one reporter basis per series, issue 10)
_REPORTER = {
    "EU27": {"Eurostat", "European Commission"},
    ("CHN", "USA"): {"US Census Bureau", "US Bureau of Economic Analysis"},
    ("RUS", "USA"): {"US Census Bureau", "US Chamber of Commerce"},
    ("CHN", "RUS"): {"General Administration of Customs of China"},
}


def test_one_reporter_basis_per_trade_series(data):
    pub = {s["source_id"]: s["original_publisher"] or s["publisher"] for s in data.rows("sources")}
    series: dict[tuple, set[str]] = {}
    for f in data.rows("flows"):
        if f["layer"] in ("trade", "investment") and "ROW" not in (f["origin"], f["destination"]):
            key = (f["layer"], f["commodity"], f["origin"], f["destination"])
            series.setdefault(key, set()).add(pub[f["source_id"]])
    checked = 0
    for (_, _, o, d), pubs in sorted(series.items()):
        want = _REPORTER["EU27"] if "EU27" in (o, d) else _REPORTER.get(tuple(sorted((o, d))))
        if want is None:
            continue
        assert pubs <= want, f"{o} -> {d}: reported by {pubs}, expected one basis among {want}"
        checked += 1
    assert checked == 26  # every EU27, US-China, US-Russia and China-Russia series (all but Russia -> Turkey)
    usa_chn = {f["year"]: (f["value"], f["source_id"]) for f in data.rows("flows")
               if (f["layer"], f["origin"], f["destination"]) == ("trade", "USA", "CHN")}
    assert usa_chn[2021] == (151.07, "cnsnews_com_51989b")  # US Census exports, as in 2023 and 2024


def test_reprints_replaced_by_the_primary_dataset(data):
    tiers = {s["source_id"]: s["tier"] for s in data.rows("sources")}
    fdi = [f for f in data.rows("flows") if f["commodity"] == "fdi_stock" and f["year"] in (2022, 2023)
           and "EU27" in (f["origin"], f["destination"])]
    assert fdi and {tiers[f["source_id"]] for f in fdi} == {"primary"}
    assert {f["source_id"] for f in fdi} == {"eurostat_bop_fdi6_pos_2022", "eurostat_bop_fdi6_pos_2023"}


# reprint -> press (or primary) replacements (issue 10): the row keeps its value, cites a news organisation's report
# (or the office itself) and names the statistics office it quotes; the content site it replaced cites no such row
_REPLACED = {
    # (year, commodity, origin, destination): (value, new source, original publisher, replaced reprint)
    (2024, "lng", "RUS", "CHN"): (11.302, "scmp_2025_china_energy_bets", "General Administration of Customs of China",
                                  "frominsideasia_com_52343a"),
    (2024, "lng", "AUS", "CHN"): (35.632, "scmp_2025_china_energy_bets", "General Administration of Customs of China",
                                  "frominsideasia_com_52343a"),
    (2021, "goods", "EU27", "CHN"): (263.742, "reuters_2022_eu_china_trade", "Eurostat", "textile_future_com_d7212b"),
    (2021, "goods", "EU27", "RUS"): (105.26, "rtbf_2022_eu_russia_2021", "Eurostat", "recyclind_it_0687cb"),
    (2021, "goods", "RUS", "EU27"): (186.867, "rtbf_2022_eu_russia_2021", "Eurostat", "recyclind_it_0687cb"),
    (2023, "goods", "EU27", "USA"): (543.137, "rtp_2025_eu_us_2023", "Eurostat", "citynotizie_it_9303e5"),
    (2023, "goods", "USA", "EU27"): (374.67, "rtp_2025_eu_us_2023", "Eurostat", "citynotizie_it_9303e5"),
    (2022, "goods", "EU27", "WORLD"): (2708.632, "aa_2023_eu_trade_2022", "Eurostat", "etribuna_com_63316c"),
    (2022, "goods", "WORLD", "EU27"): (3163.633, "aa_2023_eu_trade_2022", "Eurostat", "etribuna_com_63316c"),
    # Kyodo's unrounded Census figure; the advocacy group's rounded $427 bn stays as an alternative row
    (2023, "goods", "CHN", "USA"): (427.23, "kyodo_2024_us_china_2023", "US Census Bureau",
                                    "prosperousamerica_org_c63547"),
    (2023, "goods", "USA", "CHN"): (147.8, "kyodo_2024_us_china_2023", "US Census Bureau",
                                    "prosperousamerica_org_c63547"),
    # the Bank of Russia's own page (-28.3% on the 2022 level of $592.1 bn = 424.5); first estimate 422.7 an alternative
    (2023, "goods", "RUS", "WORLD"): (424.5, "cbr_bop_2023", "Bank of Russia", "briefly_news_com_92cefa"),
    # China's 2021 world imports: exports $3.36 tn - AP's surplus $676.4 bn (was the WSJ's $676.43 bn via a reprint)
    (2021, "goods", "WORLD", "CHN"): (2683.6, "ajc_com_d940be", "General Administration of Customs of China",
                                      "sott_net_de03a6"),
}
_STILL_CITED = {"prosperousamerica_org_c63547", "briefly_news_com_92cefa"}  # by other years or alternative rows


@pytest.mark.parametrize("key", sorted(_REPLACED), ids=lambda k: "-".join(map(str, k)))
def test_reprints_replaced_by_press_reports(flows, data, key):
    value, source_id, original, old = _REPLACED[key]
    src_rows = [r for name in ("flows_trade_investment.csv", "flows_energy_2024.csv")
                for r in csv.DictReader((SRC / name).open(encoding="utf-8"))]
    rows = [r for r in src_rows if r["choice"] == "preferred"
            and (int(r["year"]), r["commodity"], r["origin"], r["destination"]) == key]
    assert [(float(r["value"]), r["source_id"]) for r in rows] == [(value, source_id)]  # same figure, new citation
    if old not in _STILL_CITED:
        assert not [r for r in src_rows if r["source_id"] == old]  # not even as an alternative
    assert old in rows[0]["note"] and source_id in rows[0]["note"]  # the note says what it replaced
    src = {s["source_id"]: s for s in data.rows("sources")}
    tier = "primary" if source_id == "cbr_bop_2023" else "press"
    assert (src[source_id]["tier"], src[source_id]["original_publisher"]) == (tier, original)
    assert src[old]["tier"] == "reprint"


def test_replaced_figures_kept_as_alternatives():
    rows = list(csv.DictReader((SRC / "flows_trade_investment.csv").open(encoding="utf-8")))
    alt = {(r["origin"], r["destination"], r["source_id"]): float(r["value"]) for r in rows
           if r["year"] == "2023" and r["choice"] == "alternative"}
    assert alt[("CHN", "USA", "prosperousamerica_org_c63547")] == 427.0
    assert alt[("RUS", "WORLD", "interfax_2024_cbr_bop_2023")] == 422.7
    # the derivations the notes state
    assert round(427.23 - 279.42, 1) == 147.8 and round(592.1 * (1 - 0.283), 1) == 424.5
