"""Edits through the library and the CLI: add, set, delete, dry run, sources, routes; always sourced and validated."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_edit import FLOW, SOURCE, flow_value, run_cli, snapshot

from netdep.edit import add_flows, add_source, coerce, delete_flows, list_flows, set_flows, set_route
from netdep.errors import EditError, ValidationError
from netdep.store import load

NEW_SOURCE = {"source_id": "gazprom_2026", "title": "Gazprom: Power of Siberia deliveries 2025",
              "publisher": "Gazprom", "url": "https://www.gazprom.com/press/news/"}
NEW_FLOW = {"year": 2025, "commodity": "goods", "origin": "RUS", "destination": "JPN", "value": 9.5,
            "source_id": SOURCE}


def test_list_filters(data_copy: Path) -> None:
    t = list_flows(data_copy, **FLOW)
    assert t.num_rows == 1
    assert t.to_pylist()[0]["route"] == "power_of_siberia_1"
    assert list_flows(data_copy, year=2025, origin="RUS", destination="CHN").num_rows == 5
    assert list_flows(data_copy, route="power_of_siberia_1").num_rows == 3
    no_route = list_flows(data_copy, year=2025, origin="RUS", destination="CHN", route="")
    assert no_route.num_rows == 4 and set(no_route["route"].to_pylist()) == {None}
    with pytest.raises(EditError, match="cannot filter on value"):
        list_flows(data_copy, value=1)


def test_set_changes_exactly_one_row_and_its_source(data_copy: Path) -> None:
    add_source(NEW_SOURCE, data_copy)
    before = pq.read_table(data_copy / "flows.parquet").to_pylist()
    r = set_flows({"value": "38.8"}, data_copy, where=FLOW, source_id="gazprom_2026")
    assert r.written
    (d,) = r.diffs
    assert (len(d.added), len(d.removed), len(d.changed)) == (0, 0, 1)
    i = _row(data_copy) - 1
    usd = round(38.8 * 11.89 * 34.12e-3, 4)  # the build's valuation (2025 TTF 11.89 $/MMBtu), kept in step
    note = (f"{before[i]['note']}; edited: value 36.721 -> 38.8, source_id ei_sr_2026 -> gazprom_2026, "
            f"value_usd_bn 14.8972 -> {usd} (recomputed)")
    assert d.changed[0].changes == {"value": (36.721, 38.8), "source_id": ("ei_sr_2026", "gazprom_2026"),
                                    "value_usd_bn": (14.8972, usd), "note": (before[i]["note"], note)}
    after = pq.read_table(data_copy / "flows.parquet").to_pylist()
    assert [a for a, b in zip(after, before) if a != b] == [{**before[i], "value": 38.8, "source_id": "gazprom_2026",
                                                             "value_usd_bn": usd, "note": note}]
    load(data_copy)


def test_set_requires_an_existing_source(data_copy: Path) -> None:
    before = snapshot(data_copy)
    with pytest.raises(EditError, match="must name its source: pass --source-id"):
        set_flows({"value": 1.0}, data_copy, where=FLOW)
    with pytest.raises(EditError, match="unknown source 'ei_sr_2062' \\(did you mean 'ei_sr_2026'\\?\\)"):
        set_flows({"value": 1.0}, data_copy, where=FLOW, source_id="ei_sr_2062")
    assert snapshot(data_copy) == before
    note = list_flows(data_copy, **FLOW)["note"][0].as_py()
    r = set_flows({"note": "checked"}, data_copy, where=FLOW)  # a note is not a figure: no source needed
    assert r.diffs[0].changed[0].changes == {"note": (note, "checked")}


def test_set_needs_a_filter_or_all(data_copy: Path) -> None:
    with pytest.raises(EditError, match="no filter given: this would touch every row of flows.parquet"):
        set_flows({"note": "x"}, data_copy, where={})
    with pytest.raises(EditError, match=r"no flows row matches .*origin 'RUSS' is in no row; did you mean 'RUS'"):
        set_flows({"note": "x"}, data_copy, where={**FLOW, "origin": "RUSS"})


def test_set_that_breaks_a_rule_is_refused_and_nothing_written(data_copy: Path) -> None:
    before = snapshot(data_copy)
    with pytest.raises(ValidationError) as err:
        set_flows({"value": -1}, data_copy, where=FLOW, source_id=SOURCE)
    assert err.value.problems == [f"flows.parquet:{_row(data_copy)}: value: is negative (-1.0); values must be >= 0"]
    with pytest.raises(ValidationError, match=r"flows.parquet:\d+: destination: equals origin 'RUS'"):
        set_flows({"destination": "RUS"}, data_copy, where=FLOW, source_id=SOURCE)
    assert snapshot(data_copy) == before


def _row(d: Path) -> int:
    rows = pq.read_table(d / "flows.parquet").to_pylist()
    return 1 + next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in FLOW.items()))


def test_dry_run_writes_nothing(data_copy: Path) -> None:
    before = snapshot(data_copy)
    r = set_flows({"value": 1.0}, data_copy, where=FLOW, source_id=SOURCE, dry_run=True)
    assert not r.written and str(r) == "dry run, nothing written: flows.parquet: 0 added, 0 removed, 1 changed"
    r = add_flows([NEW_FLOW], data_copy, dry_run=True)
    assert len(r.diffs[0].added) == 1
    r = delete_flows(data_copy, where=FLOW, dry_run=True)
    assert len(r.diffs[0].removed) == 1
    assert snapshot(data_copy) == before


def test_add_and_delete(data_copy: Path) -> None:
    n = pq.read_metadata(data_copy / "flows.parquet").num_rows
    r = add_flows([NEW_FLOW], data_copy)
    assert r.diffs[0].added[0]["layer"] == "trade"  # filled in from the commodity
    assert pq.read_metadata(data_copy / "flows.parquet").num_rows == n + 1
    with pytest.raises(EditError, match="already exists; change it with `netdep flows set`"):
        add_flows([NEW_FLOW], data_copy)
    with pytest.raises(EditError, match="new flow 1 must name its source"):
        add_flows([{**NEW_FLOW, "year": 2024, "source_id": None}], data_copy)
    r = delete_flows(data_copy, where={k: NEW_FLOW[k] for k in ("year", "commodity", "origin", "destination")})
    assert len(r.diffs[0].removed) == 1
    assert pq.read_metadata(data_copy / "flows.parquet").num_rows == n


def test_sources_and_routes(data_copy: Path) -> None:
    add_source(NEW_SOURCE, data_copy)
    with pytest.raises(EditError, match="source 'gazprom_2026' already exists"):
        add_source(NEW_SOURCE, data_copy)
    with pytest.raises(ValidationError, match=r"sources.parquet:\d+: url: 'ftp://x' is not an http\(s\) address"):
        add_source({**NEW_SOURCE, "source_id": "other", "url": "ftp://x"}, data_copy)
    r = set_route("blue_stream", {"status": "offline", "open_to": "2025"}, data_copy)
    assert r.diffs[0].changed[0].changes == {"status": ("operating", "offline"), "open_to": (None, 2025)}
    with pytest.raises(EditError, match="with a new capacity must name its source"):
        set_route("blue_stream", {"capacity": 10}, data_copy)
    r = set_route("blue_stream", {"capacity": 10}, data_copy, source_id="gazprom_2026")
    assert r.diffs[0].changed[0].changes["capacity"] == (16.0, 10.0)
    with pytest.raises(EditError, match="unknown route 'blue_steam' \\(did you mean 'blue_stream'\\?\\)"):
        set_route("blue_steam", {"status": "offline"}, data_copy)
    with pytest.raises(ValidationError, match="status: 'closed' is not one of operating"):
        set_route("blue_stream", {"status": "closed"}, data_copy)


def test_coerce() -> None:
    assert coerce("flows", "year", "2024") == 2024
    assert coerce("routes", "via", "UKR; POL") == ["UKR", "POL"]
    assert coerce("routes", "via", '["UKR"]') == ["UKR"]
    assert coerce("flows", "note", "") is None
    with pytest.raises(EditError, match="flows: value: 'abc' is not a number"):
        coerce("flows", "value", "abc")
    with pytest.raises(EditError, match="flows: valu: unknown column \\(did you mean 'value'\\?\\)"):
        coerce("flows", "valu", "1")


# -- the CLI ----------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_session(data_copy: Path) -> None:
    d = str(data_copy)
    r = run_cli("flows", "list", "--year", "2025", "--origin", "RUS", "--destination", "CHN",
                "--commodity", "pipeline_gas", "--format", "json", "--data", d)
    assert r.returncode == 0 and json.loads(r.stdout)[0]["value"] == 36.721
    before = snapshot(data_copy)
    r = run_cli("flows", "set", "--year", "2025", "--origin", "RUS", "--destination", "CHN", "--commodity",
                "pipeline_gas", "value=38.8", "--data", d)
    assert r.returncode == 1 and "must name its source" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("flows", "set", "--year", "2025", "--origin", "RUS", "--destination", "CHN", "--commodity",
                "pipeline_gas", "value=38.8", "--source-id", SOURCE, "--dry-run", "--data", d)
    assert r.returncode == 0, r.stderr
    assert "dry run, nothing written: flows.parquet: 0 added, 0 removed, 1 changed" in r.stdout
    assert "36.721" in r.stdout and "38.8" in r.stdout
    assert snapshot(data_copy) == before
    r = run_cli("sources", "add", "gazprom_2026", "--title", NEW_SOURCE["title"], "--publisher", "Gazprom",
                "--url", NEW_SOURCE["url"], "--data", d)
    assert r.returncode == 0 and "written: sources.parquet: 1 added" in r.stdout
    r = run_cli("flows", "set", "--year", "2025", "--origin", "RUS", "--destination", "CHN", "--commodity",
                "pipeline_gas", "value=38.8", "--source-id", "gazprom_2026", "--data", d)
    assert r.returncode == 0 and "written: flows.parquet: 0 added, 0 removed, 1 changed" in r.stdout
    assert flow_value(data_copy) == 38.8
    r = run_cli("flows", "set", "--year", "2025", "--origin", "RUS", "value=-5", "--source-id", SOURCE, "--data", d)
    assert r.returncode == 1
    assert "value: is negative (-5.0); values must be >= 0" in r.stderr
    assert f"nothing in {d} was changed" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("routes", "set", "blue_stream", "--status", "offline", "--data", d)
    assert r.returncode == 0 and "written: routes.parquet: 0 added, 0 removed, 1 changed" in r.stdout
    r = run_cli("flows", "add", "--year", "2025", "--commodity", "goods", "--origin", "RUS", "--destination", "JPN",
                "--value", "9.5", "--source-id", SOURCE, "--data", d)
    assert r.returncode == 0 and "written: flows.parquet: 1 added" in r.stdout
    r = run_cli("flows", "delete", "--year", "2025", "--commodity", "goods", "--origin", "RUS", "--destination", "JPN",
                "--data", d)
    assert r.returncode == 0 and "written: flows.parquet: 0 added, 1 removed" in r.stdout
    r = run_cli("flows", "delete", "--data", d)
    assert r.returncode == 1 and "no filter given" in r.stderr
    assert run_cli("validate", "--data", d).returncode == 0


@pytest.mark.parametrize("cmd", [["flows", "list"], ["flows", "add"], ["flows", "set"], ["flows", "delete"],
                                 ["sources", "add"], ["routes", "set"], ["export"], ["import", "csv"], ["diff"]])
def test_every_command_has_help_and_data_option(cmd: list[str]) -> None:
    from click.testing import CliRunner

    from netdep.cli import _register, main

    _register()
    r = CliRunner().invoke(main, [*cmd, "--help"])
    assert r.exit_code == 0 and "Usage:" in r.output
    if cmd != ["diff"]:
        assert "--data DIR" in r.output or "--data DIRECTORY" in r.output or "--data" in r.output
