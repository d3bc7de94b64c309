"""The scenario CLI as a user runs it: bad files exit 1 with file, operation and field named, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
HEAD = 'name = "bad"\nbase_year = 2023\n'


def _reroute(**fields) -> str:
    f = {"origin": "RUS", "commodity": "pipeline_gas", "from": "CHN", "to": "EU27", "share": 0.5, **fields}
    body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in f.items() if v is not None)
    return HEAD + '[[operations]]\ntype = "reroute"\n' + body


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netdep", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


BAD = {
    "toml_syntax": (HEAD + '[[operations]]\ntype = "reroute"\nshare = 0.5 0.5\n', ["bad.toml:5", "line 5",
                                                                                  "TOML syntax error"]),
    "share_above_1": (_reroute(share=1.5), ["operations[0] (reroute): share", "1.5 is outside 0–1"]),
    "negative_amount": (_reroute(share=None, amount=-3.0), ["operations[0] (reroute): amount", "negative"]),
    "unknown_actor": (_reroute(to="EUU"), ["operations[0] (reroute): to", "unknown actor 'EUU'", "EU27"]),
    "unknown_commodity": (_reroute(commodity="gas"), ["operations[0] (reroute): commodity", "unknown commodity"]),
    "unknown_route": (_reroute(route="nord_stream_3"), ["operations[0] (reroute): route", "unknown route"]),
    "route_not_joining": (_reroute(route="power_of_siberia_1"), ["operations[0] (reroute): route",
                                                                "joins RUS -> CHN, not RUS -> EU27"]),
    "route_wrong_commodity": (_reroute(route="druzhba"), ["operations[0] (reroute): route",
                                                          "carries crude_oil, not pipeline_gas"]),
    "missing_flow": (_reroute(**{"from": "USA"}), ["operations[0] (reroute): from", "no pipeline_gas flow RUS → USA"]),
    "unknown_op": (HEAD + '[[operations]]\ntype = "teleport"\n', ["operations[0] (teleport): type",
                                                                 "unknown operation type"]),
    "eu27_for_crude": (_reroute(commodity="crude_oil"), ["operations[0] (reroute): to", "REG_EUROPE"]),
    "unknown_field": (_reroute(shares=0.2), ["operations[0] (reroute): shares", "unknown field"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_exits_1_with_a_clear_message(tmp_path, case):
    text, needles = BAD[case]
    f = tmp_path / "bad.toml"
    f.write_text(text)
    r = _cli("scenario", "run", str(f), "--data", str(DATA), "--format", "json")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert "bad.toml" in r.stderr
    for n in needles:
        assert n in r.stderr, (n, r.stderr)


def test_operation_line_is_named(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(_reroute(share=2.0))
    r = _cli("scenario", "run", str(f), "--data", str(DATA))
    assert "bad.toml:3: operations[0] (reroute): share" in r.stderr


def test_run_json_shapes():
    r = _cli("scenario", "run", "russian_energy_to_europe_half", "--data", str(DATA), "--format", "json")
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert {"before", "after", "delta", "moves", "headlines"} <= set(obj)
    from netdep.reporting.render import JSON_FIELDS

    for t, fields in JSON_FIELDS.items():
        assert set(obj["before"][t][0]) == set(fields)
        assert set(obj["after"][t][0]) == set(fields)
    m = obj["moves"][0]
    assert {"op", "commodity", "origin", "from", "to", "requested", "moved", "bound"} <= set(m)


def test_run_md_and_html(tmp_path):
    r = _cli("scenario", "run", "power_of_siberia_2", "--data", str(DATA), "--format", "html", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "power_of_siberia_2.html").read_text()
    assert "<svg" in html and "Headlines" in html
    r = _cli("scenario", "run", "power_of_siberia_2", "--data", str(DATA))
    assert r.returncode == 0 and r.stdout.startswith("# Scenario: Power of Siberia 2 built")
    assert "route capacity bit" in r.stdout or "no bound bit" in r.stdout


def test_list_and_sweep(tmp_path):
    r = _cli("scenario", "list", "--data", str(DATA))
    assert r.returncode == 0 and "sanctions_relief" in r.stdout
    r = _cli("scenario", "sweep", "sanctions_relief", "--data", str(DATA), "--param", "0.factor", "--from", "1",
             "--to", "2.5417", "--steps", "5", "--out", str(tmp_path), "--table", "parquet")
    assert r.returncode == 0, r.stderr
    files = {p.name for p in tmp_path.iterdir()}
    assert "sanctions_relief_0_factor.parquet" in files and "sanctions_relief_0_factor.png" in files
    r = _cli("scenario", "sweep", "sanctions_relief", "--data", str(DATA), "--param", "9.factor", "--from", "1",
             "--to", "2", "--steps", "3", "--out", str(tmp_path))
    assert r.returncode == 1 and "--param" in r.stderr and "Traceback" not in r.stderr


def test_run_closure_flag_and_east_siberia(tmp_path):
    f = tmp_path / "east.toml"
    f.write_text('name = "east"\nbase_year = 2023\n[[operations]]\ntype = "reroute"\norigin = "RUS"\n'
                 'commodity = "pipeline_gas"\nfrom = "CHN"\nto = "EU27"\nshare = 1.0\n')
    r = _cli("scenario", "run", str(f), "--data", str(DATA), "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr  # nothing moves, and that is a result, not an error
    assert "closure merit" in r.stdout and "moved 0 bcm; no supply system connects" in r.stdout
    assert "rus_east_siberia" in r.stdout
    r = _cli("scenario", "run", "power_of_siberia_2", "--data", str(DATA), "--closure", "additive", "--format", "json")
    obj = json.loads(r.stdout)
    assert obj["meta"]["closure"] == "additive" and obj["headlines"][0].startswith("Market closure: additive")
    bal = [d for d in obj["displacement"] if d["kind"] == "balance" and d["importer"] == "EU27"]
    assert bal and bal[0]["after"] == bal[0]["after_ops"]  # additive: nothing rebalances


def test_sweep_bounds_and_outputs(tmp_path):
    r = _cli("scenario", "sweep", "sanctions_relief", "--data", str(DATA), "--param", "0.factor", "--from", "1",
             "--to", "2", "--steps", "20", "--max-steps", "10", "--out", str(tmp_path))
    assert r.returncode == 1 and "--steps: 20 is above --max-steps 10" in r.stderr and "--max-steps 20" in r.stderr
    r = _cli("scenario", "sweep", "sanctions_relief", "--data", str(DATA), "--param", "0.factor", "--from", "1",
             "--to", "2", "--steps", "3", "--out", str(tmp_path), "--no-png")
    assert r.returncode == 0, r.stderr
    files = {p.name for p in tmp_path.iterdir()}
    assert "sanctions_relief_0_factor_summary.csv" in files  # the summary always
    assert not any(n.endswith((".parquet", "factor.csv")) for n in files)  # the long table only on request
    summary = (tmp_path / "sanctions_relief_0_factor_summary.csv").read_text().splitlines()
    assert summary[0].startswith("0.factor,") and len(summary) == 4


def test_sweep_refuses_a_csv_long_table_above_200000_rows_and_says_how(tmp_path):
    """Bounded work: a long table too big for a spreadsheet is refused with the way out (Parquet), nothing written."""
    r = _cli("scenario", "sweep", "russian_energy_to_europe_half", "--data", str(DATA), "--param", "1.share",
             "--from", "0", "--to", "1", "--steps", "30", "--table", "csv", "--no-png", "--out", str(tmp_path))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "--table csv: the long table has" in r.stderr and "write it as --table parquet" in r.stderr
    assert not list(tmp_path.glob("*.csv"))
