"""One test per validation rule: break a copy of the data in exactly one way, run `netdep validate`.

Each broken table is written with plain ``pyarrow.parquet.write_table`` (not through netdep), so the
validator sees a file as another tool would write it. ROW in ``FILE:ROW: column: …`` counts data rows
from 1, so a problem at list index ``i`` is reported at row ``i + 1``.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from netdep.cli import run

# --------------------------------------------------------------------------- helpers


def read(d: Path, name: str) -> list[dict]:
    return pq.read_table(d / f"{name}.parquet").to_pylist()


def schema_of(d: Path, name: str) -> pa.Schema:
    """The file's schema with every field nullable (so a test can put a null where the spec forbids it)."""
    s = pq.read_schema(d / f"{name}.parquet")
    return pa.schema([f.with_nullable(True) for f in s])


def write(d: Path, name: str, rows: list[dict], schema: pa.Schema | None = None) -> None:
    schema = schema or schema_of(d, name)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), d / f"{name}.parquet")


def find(rows: list[dict], **kv) -> int:
    """Index of the one row matching ``kv``."""
    hits = [i for i, r in enumerate(rows) if all(r[k] == v for k, v in kv.items())]
    assert len(hits) == 1, (kv, hits)
    return hits[0]


def validate(d: Path, capsys) -> tuple[int, str, str]:
    """Run `netdep validate --data d` in-process; return (exit status, stdout, stderr)."""
    try:
        code = run(["validate", "--data", str(d)])
    except SystemExit as exc:  # the command exits 1 itself after printing the problems
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def problem_lines(err: str, d: Path) -> list[str]:
    """The problem lines of validate's stderr, without the closing 'N problems in DIR' line."""
    lines = err.strip().splitlines()
    assert lines[-1].endswith(f" in {d}"), lines[-1]
    return lines[:-1]


# --------------------------------------------------------------------------- the broken copies
# Each returns (the exact expected problem line, key words of the message). Each breaks one thing.

FLOW = {"year": 2023, "layer": "energy", "commodity": "lng", "origin": "QAT", "destination": "CHN"}


def missing_file(d):
    (d / "routes.parquet").unlink()
    return f"routes.parquet: file is missing from {d}", ["missing"]


def empty_file(d):
    (d / "balances.parquet").write_bytes(b"")
    return ("balances.parquet: file is empty (0 bytes); restore it or rebuild with scripts/build_data.py",
            ["empty", "0 bytes"])


def not_parquet(d):
    (d / "actors.parquet").write_text("actor,name\nRUS,Russia\n", encoding="utf-8")
    return None, ["actors.parquet: not a readable Parquet file", "restore it from git"]


def zero_rows(d):
    write(d, "flows", [])
    return "flows.parquet: has zero rows", ["zero rows"]


def missing_column(d):
    rows = read(d, "flows")
    s = schema_of(d, "flows")
    write(d, "flows", [{k: v for k, v in r.items() if k != "value"} for r in rows],
          s.remove(s.get_field_index("value")))
    return None, ["flows.parquet: value: column is missing (expected float"]


def unknown_column(d):
    rows = read(d, "sources")
    s = schema_of(d, "sources").append(pa.field("titel", pa.string()))
    write(d, "sources", [{**r, "titel": "x"} for r in rows], s)
    return ("sources.parquet: titel: unknown column (did you mean 'title'?); `netdep schema sources` lists the columns",
            ["unknown column", "did you mean 'title'"])


def wrong_type(d):
    rows = read(d, "flows")
    s = schema_of(d, "flows")
    s = s.set(s.get_field_index("value"), pa.field("value", pa.string()))
    write(d, "flows", [{**r, "value": str(r["value"])} for r in rows], s)
    return "flows.parquet: value: has type string, expected float", ["has type string", "expected float"]


def fractional_year(d):
    """A float year column (as pandas writes nullable integers) must hold whole numbers."""
    rows = read(d, "flows")
    i = find(rows, **FLOW)
    for r in rows:
        r["year"] = float(r["year"])
    rows[i]["year"] = 2023.5
    s = schema_of(d, "flows")
    write(d, "flows", rows, s.set(s.get_field_index("year"), pa.field("year", pa.float64())))
    return f"flows.parquet:{i + 1}: year: is 2023.5; expected a whole number", ["whole number"]


def _set(d, table, where: dict, **values):
    rows = read(d, table)
    i = find(rows, **where)
    rows[i].update(values)
    write(d, table, rows)
    return i + 1


def required_null(d):
    row = _set(d, "flows", FLOW, source_id=None)
    return f"flows.parquet:{row}: source_id: is empty but required", ["empty but required"]


def required_blank(d):
    row = _set(d, "actors", {"actor": "NOR"}, name="  ")
    return f"actors.parquet:{row}: name: is empty but required", ["empty but required"]


def nan_value(d):
    row = _set(d, "flows", FLOW, value=math.nan)
    return f"flows.parquet:{row}: value: is nan; values must be finite", ["finite"]


def inf_value(d):
    row = _set(d, "flows", FLOW, value_usd_bn=math.inf)
    return f"flows.parquet:{row}: value_usd_bn: is inf; values must be finite", ["finite"]


def negative_value(d):
    row = _set(d, "flows", FLOW, value=-1.5)
    return f"flows.parquet:{row}: value: is negative (-1.5); values must be >= 0", ["negative", ">= 0"]


def negative_capacity(d):
    row = _set(d, "routes", {"route": "yamal_europe"}, capacity=-32.9)
    return f"routes.parquet:{row}: capacity: is negative (-32.9); values must be >= 0", ["negative"]


def bad_layer(d):
    row = _set(d, "flows", FLOW, layer="energie")
    return f"flows.parquet:{row}: layer: 'energie' is not one of trade, energy, investment", ["is not one of"]


def bad_kind(d):
    row = _set(d, "actors", {"actor": "QAT"}, kind="state")
    return f"actors.parquet:{row}: kind: 'state' is not one of country, bloc, region, aggregate", ["is not one of"]


def bad_mode(d):
    row = _set(d, "routes", {"route": "druzhba"}, mode="truck")
    return f"routes.parquet:{row}: mode: 'truck' is not one of pipeline, lng, seaborne, rail", ["is not one of"]


def bad_status(d):
    row = _set(d, "routes", {"route": "nord_stream_1"}, status="broken")
    return (f"routes.parquet:{row}: status: 'broken' is not one of operating, offline, planned, destroyed",
            ["is not one of"])


def duplicate_source(d):
    rows = read(d, "sources")
    rows.append(dict(rows[3]))
    write(d, "sources", rows)
    return (f"sources.parquet:{len(rows)}: source_id: duplicate key (source_id='{rows[3]['source_id']}'); "
            "keep one row per key", ["duplicate key"])


def duplicate_flow(d):
    rows = read(d, "flows")
    i = find(rows, **FLOW)
    rows.insert(i + 1, {**rows[i], "value": 1.0})  # the second of the two is reported
    write(d, "flows", rows)
    return (f"flows.parquet:{i + 2}: year,layer,commodity,origin,destination,route: duplicate key (year=2023, "
            "layer='energy', commodity='lng', origin='QAT', destination='CHN', route=None); keep one row per key",
            ["duplicate key"])


def year_out_of_range(d):
    row = _set(d, "flows", FLOW, year=1823)
    return f"flows.parquet:{row}: year: 1823 is not a year between 1900 and 2100", ["not a year"]


def unknown_actor(d):
    row = _set(d, "flows", FLOW, origin="QTA")
    return (f"flows.parquet:{row}: origin: unknown actor 'QTA' (did you mean 'QAT'?); "
            "actors are listed in actors.parquet", ["unknown actor", "did you mean 'QAT'"])


def unknown_commodity(d):
    row = _set(d, "flows", FLOW, commodity="lgn")
    return (f"flows.parquet:{row}: commodity: unknown commodity 'lgn' (did you mean 'lng'?); "
            "commodities are listed in commodities.parquet", ["unknown commodity"])


def unknown_route(d):
    row = _set(d, "flows", {**FLOW, "commodity": "pipeline_gas", "origin": "RUS", "destination": "CHN"},
               route="power_of_sibiria_1")
    return (f"flows.parquet:{row}: route: unknown route 'power_of_sibiria_1' (did you mean 'power_of_siberia_1'?); "
            "routes are listed in routes.parquet", ["unknown route"])


def unknown_source(d):
    row = _set(d, "balances", {"actor": "CHN", "year": 2023, "commodity": "natural_gas"}, source_id="nowhere_at_all")
    return (f"balances.parquet:{row}: source_id: unknown source 'nowhere_at_all'; "
            "sources are listed in sources.parquet", ["unknown source"])


def unknown_via(d):
    row = _set(d, "routes", {"route": "druzhba"}, via=["BLR", "UKRR"])
    return (f"routes.parquet:{row}: via: unknown actor 'UKRR' (did you mean 'UKR'?); actors are listed in "
            "actors.parquet", ["unknown actor", "did you mean 'UKR'"])


def layer_mismatch(d):
    row = _set(d, "flows", FLOW, layer="trade")
    return (f"flows.parquet:{row}: layer: is 'trade' but commodity 'lng' belongs to layer 'energy'",
            ["belongs to layer"])


def wrong_unit(d):
    row = _set(d, "commodities", {"commodity": "pipeline_gas"}, unit="Mt")
    return f"commodities.parquet:{row}: unit: pipeline_gas must be measured in bcm, not Mt", ["must be measured in"]


def missing_energy_content(d):
    row = _set(d, "commodities", {"commodity": "lng"}, ej_per_unit=None)
    return (f"commodities.parquet:{row}: ej_per_unit: energy commodity lng needs its energy content",
            ["energy content"])


def energy_content_outside_energy(d):
    row = _set(d, "commodities", {"commodity": "goods"}, ej_per_unit=0.5)
    return (f"commodities.parquet:{row}: ej_per_unit: only energy commodities have an energy content",
            ["only energy commodities"])


def self_loop(d):
    row = _set(d, "flows", FLOW, destination="QAT")
    return (f"flows.parquet:{row}: destination: equals origin 'QAT'; flows inside one actor are not trade "
            "between actors", ["equals origin"])


def route_wrong_pair(d):
    row = _set(d, "flows", {**FLOW, "commodity": "pipeline_gas", "origin": "NOR", "destination": "EU27"},
               route="power_of_siberia_1")
    return f"flows.parquet:{row}: route: route 'power_of_siberia_1' joins RUS -> CHN, not NOR -> EU27", ["joins"]


def route_wrong_commodity(d):
    row = _set(d, "flows", {**FLOW, "commodity": "crude_oil", "origin": "RUS", "destination": "CHN"},
               route="power_of_siberia_1")
    return (f"flows.parquet:{row}: route: route 'power_of_siberia_1' carries pipeline_gas, not crude_oil",
            ["carries pipeline_gas"])


def overlap_country_in_bloc(d):
    actors = read(d, "actors")
    actors.append({"actor": "DEU", "name": "Germany", "kind": "country", "members": []})
    write(d, "actors", actors)
    flows = read(d, "flows")
    flows.append({**flows[find(flows, **{**FLOW, "commodity": "pipeline_gas", "origin": "NOR",
                                         "destination": "EU27"})], "destination": "DEU", "value": 40.0})
    write(d, "flows", flows)
    return (f"flows.parquet:{len(flows)}: destination: actor 'DEU' overlaps 'EU27' in the 2023 pipeline_gas graph "
            "(both cover DEU); flows would be counted twice — use one of them", ["overlaps", "counted twice"])


def overlap_region_with_bloc(d):
    """REG_EUROPE in the gas graph overlaps EU27, NOR and REG_REST_OF_EUROPE: one problem each."""
    flows = read(d, "flows")
    flows.append({**flows[find(flows, **{**FLOW, "commodity": "pipeline_gas", "origin": "NOR",
                                         "destination": "EU27"})], "origin": "RUS", "destination": "REG_EUROPE",
                  "value": 1.0})
    write(d, "flows", flows)
    head = f"flows.parquet:{len(flows)}: destination: actor 'REG_EUROPE' overlaps"
    return ([f"{head} 'EU27' in the 2023 pipeline_gas graph (both cover AUT, BEL, BGR, CYP, CZE); flows would be "
             "counted twice — use one of them",
             f"{head} 'NOR' in the 2023 pipeline_gas graph (both cover NOR); flows would be counted twice — use "
             "one of them",
             f"{head} 'REG_REST_OF_EUROPE' in the 2023 pipeline_gas graph (both cover ALB, BIH, CHE, GBR, GEO); "
             "flows would be counted twice — use one of them"], ["overlaps"])


def country_with_members(d):
    row = _set(d, "actors", {"actor": "TUR"}, members=["GEO"])
    return f"actors.parquet:{row}: members: country 'TUR' cannot have members", ["cannot have members"]


def bloc_without_members(d):
    row = _set(d, "actors", {"actor": "EU27"}, members=[])
    return f"actors.parquet:{row}: members: bloc 'EU27' must list its members", ["must list its members"]


def region_lists_itself(d):
    row = _set(d, "actors", {"actor": "REG_AUSTRALASIA"}, members=["AUS", "REG_AUSTRALASIA"])
    return f"actors.parquet:{row}: members: 'REG_AUSTRALASIA' lists itself as a member", ["lists itself"]


def route_years_reversed(d):
    row = _set(d, "routes", {"route": "nord_stream_1"}, open_from=2023, open_to=2022)
    return f"routes.parquet:{row}: open_to: 2022 is before open_from 2023", ["is before open_from"]


def route_ends_equal(d):
    row = _set(d, "routes", {"route": "espo_china_spur"}, destination="RUS")
    return f"routes.parquet:{row}: destination: equals origin", ["equals origin"]


def source_url_not_http(d):
    row = _set(d, "sources", {"source_id": "ei_sr_2024"}, url="ftp://example.org/review.xlsx")
    return f"sources.parquet:{row}: url: 'ftp://example.org/review.xlsx' is not an http(s) address", ["http(s)"]


CASES: list[Callable] = [
    missing_file, empty_file, not_parquet, zero_rows, missing_column, unknown_column, wrong_type, fractional_year,
    required_null, required_blank, nan_value, inf_value, negative_value, negative_capacity,
    bad_layer, bad_kind, bad_mode, bad_status, duplicate_source, duplicate_flow, year_out_of_range,
    unknown_actor, unknown_commodity, unknown_route, unknown_source, unknown_via,
    layer_mismatch, wrong_unit, missing_energy_content, energy_content_outside_energy, self_loop,
    route_wrong_pair, route_wrong_commodity, overlap_country_in_bloc, overlap_region_with_bloc,
    country_with_members, bloc_without_members, region_lists_itself, route_years_reversed, route_ends_equal,
    source_url_not_http,
]


def _check(code: int, err: str, d: Path, expected: str | list[str] | None, words: list[str]) -> None:
    """Exit 1, no traceback, exactly the expected problem line(s) (one unless a list is given)."""
    assert code == 1
    assert "Traceback" not in err
    problems = problem_lines(err, d)
    if isinstance(expected, list):
        assert sorted(problems) == sorted(expected)
    else:
        assert len(problems) == 1, problems  # broken in exactly one way -> exactly one problem
        if expected is not None:
            assert problems[0] == expected
    for w in words:
        assert all(w in p for p in problems)
    n = len(problems)
    assert err.strip().splitlines()[-1] == f"{n} problem{'s' if n != 1 else ''} in {d}"


@pytest.mark.parametrize("breaker", CASES, ids=[c.__name__ for c in CASES])
def test_rule(breaker, data_copy, capsys):
    expected, words = breaker(data_copy)
    code, out, err = validate(data_copy, capsys)
    _check(code, err, data_copy, expected, words)
    assert out == ""  # no summary line when the data is refused


@pytest.mark.parametrize("breaker", [missing_file, nan_value, overlap_country_in_bloc, unknown_via],
                         ids=lambda c: c.__name__)
def test_rule_subprocess(breaker, data_copy, netdep_cmd):
    """The same through a new interpreter, as a user runs it."""
    expected, words = breaker(data_copy)
    p = subprocess.run([*netdep_cmd, "validate", "--data", str(data_copy)], capture_output=True, text=True,
                       timeout=60)
    assert "Traceback" not in p.stderr + p.stdout
    _check(p.returncode, p.stderr, data_copy, expected, words)


def test_many_problems_are_all_reported(data_copy, capsys):
    """Two tables broken: both problems are listed, then the count."""
    e1, _ = nan_value(data_copy)
    e2, _ = bad_kind(data_copy)
    code, _, err = validate(data_copy, capsys)
    assert code == 1
    assert sorted(problem_lines(err, data_copy)) == sorted([e1, e2])
    assert err.strip().splitlines()[-1] == f"2 problems in {data_copy}"


def test_clean_data_summary(data_copy, capsys):
    code, out, err = validate(data_copy, capsys)
    assert code == 0, err
    # issue 10: balance residuals are printed as warnings; nothing else on stderr
    assert all(ln.startswith("warning: balance ") for ln in err.splitlines())
    lines = out.strip().splitlines()
    assert len(lines) == 1
    n_flows = pq.read_metadata(data_copy / "flows.parquet").num_rows
    n_actors = pq.read_metadata(data_copy / "actors.parquet").num_rows
    line = lines[0]
    assert line.startswith("ok: 8 tables, ")
    assert f"{n_flows} flows" in line
    assert "years 2017–2025" in line
    assert f"{n_actors} actors" in line


def test_clean_data_subprocess(data_copy, netdep_cmd):
    p = subprocess.run([*netdep_cmd, "validate", "--data", str(data_copy)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("ok: 8 tables")


def test_repository_data_is_valid():
    """The bundled data itself (read only)."""
    from netdep.store import load

    data = load(Path(__file__).resolve().parents[1] / "data")
    assert data["flows"].num_rows > 300


def test_other_commands_refuse_bad_data(data_copy, capsys):
    """Every command that reads data validates first: `netdep sql` refuses the same broken copy."""
    expected, _ = nan_value(data_copy)
    code = run(["sql", "--data", str(data_copy), "-c", "select 1"])
    err = capsys.readouterr().err
    assert code == 1
    assert expected in err and "Traceback" not in err

