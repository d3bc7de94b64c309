"""`netdep report` as a user runs it: files, content computed from the data, options and errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import netdep

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netdep", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("rep") / "reports"
    return run("report", "--data", str(DATA), "--out", str(out)), out


def share_out_sql(year: int, commodity: str, origin: str, destination: str) -> float:
    con = duckdb.connect()
    (v,) = con.execute("""SELECT sum(value) FILTER (WHERE destination = $d) / sum(value)
                          FROM read_parquet($f) WHERE year = $y AND commodity = $c AND origin = $o""",
                       {"f": str(DATA / "flows.parquet"), "y": year, "c": commodity, "o": origin,
                        "d": destination}).fetchone()
    return v


def test_default_run_writes_md_html_and_charts(written):
    proc, out = written
    assert proc.returncode == 0, proc.stderr
    assert (out / "report.md").exists() and (out / "report.html").exists()
    charts = sorted(p.name for p in (out / "charts").glob("*.svg"))
    want = {"matrix_energy.svg", "matrix_trade.svg", "hhi.svg", "energy_network.svg", "russia_buyers.svg"}
    assert want <= set(charts)
    pngs = sorted(p.name for p in (out / "charts").glob("*.png"))
    assert pngs == [c.replace(".svg", ".png") for c in charts]  # a PNG next to every SVG, to paste
    md = (out / "report.md").read_text()
    for c in charts:
        assert f"charts/{c}" in md  # every chart is linked
    assert "wrote" in proc.stdout and "netdep report 2023 (vs 2021)" in proc.stdout


def test_headline_matches_the_data(written):
    proc, out = written
    expected = share_out_sql(2023, "crude_oil", "RUS", "CHN")
    before = share_out_sql(2021, "crude_oil", "RUS", "CHN")
    sentence = (f"China took {100 * expected:.1f}% of Russia's crude oil exports in 2023, up from "
                f"{100 * before:.1f}% in 2021")
    assert sentence in proc.stdout
    assert sentence in (out / "report.md").read_text()


def test_every_cited_source_is_listed(written):
    _, out = written
    md = (out / "report.md").read_text()
    listed = {int(n) for n in re.findall(r'<a id="src-(\d+)"></a>', md)}
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", md)}
    assert cited and cited <= listed
    html = (out / "report.html").read_text()
    assert "<script" not in html and "<link" not in html and "src='http" not in html  # self-contained


def test_json_to_stdout_only(tmp_path):
    proc = run("report", "--data", str(DATA), "--format", "json", "--out", str(tmp_path / "r"))
    assert proc.returncode == 0
    obj = json.loads(proc.stdout)
    assert obj["meta"]["year"] == 2023 and obj["meta"]["compare_year"] == 2021
    assert not (tmp_path / "r").exists()


def test_layer_and_years_options():
    proc = run("report", "--data", str(DATA), "--format", "json", "--layer", "trade", "--year", "2024",
               "--compare-year", "2021")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert {r["layer"] for r in obj["dependencies"]} == {"trade"}
    assert {r["year"] for r in obj["dependencies"]} == {2021, 2024}
    assert {r["layer"] for r in obj["centrality"]} == {"trade"}


def test_unknown_year_is_a_clear_error():
    proc = run("report", "--data", str(DATA), "--year", "1990", "--format", "json")
    assert proc.returncode == 1
    assert "no flows in 1990" in proc.stderr and "Traceback" not in proc.stderr


def test_python_api_returns_the_same_tables():
    rep = netdep.report(DATA, year=2023)
    proc = run("report", "--data", str(DATA), "--format", "json")
    obj = json.loads(proc.stdout)
    assert len(rep.tables["dependencies"]) == len(obj["dependencies"])
    t = rep.table("concentration")
    assert t.num_rows == len(obj["concentration"]) and "hhi" in t.column_names
    df = t.to_pandas()
    eu = df[(df.actor == "EU27") & (df.commodity == "pipeline_gas") & (df.side == "in") & (df.year == 2023)]
    assert eu.iloc[0]["top_partner"] == "NOR"
