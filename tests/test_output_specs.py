"""Output record specs drive the outputs (issue 9): JSON fields, the long table and the README's output dictionary."""

from __future__ import annotations

import json
from pathlib import Path

from netdep.cli import run
from netdep.schema import LONG_RECORD, OUTPUT_RECORDS, RECORD_FIELDS, output_arrow_schema

ROOT = Path(__file__).resolve().parents[1]


def test_output_dictionary_in_readme_matches_the_specs(capsys):
    assert run(["schema", "--outputs", "--format", "markdown"]) == 0
    table = capsys.readouterr().out.strip()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "### Output dictionary" in readme
    assert table in readme, "README's output dictionary is stale: paste `netdep schema --outputs --format markdown`"


def test_every_spec_field_has_a_role_type_and_description():
    for r in (*OUTPUT_RECORDS.values(), LONG_RECORD):
        assert r.key and r.measures, r.name
        for f in r.fields:
            assert f.role in ("key", "measure", "label", "range") and f.type in ("string", "int", "float", "bool"), f
            assert f.description.endswith("."), f


def test_long_table_and_keys_come_from_the_specs():
    from netdep.scenario.measures import FIELDS, KEYS, LONG_SCHEMA

    assert LONG_SCHEMA == output_arrow_schema("long")
    assert LONG_SCHEMA.names == list(LONG_RECORD.names())
    for t, r in OUTPUT_RECORDS.items():
        assert KEYS[t] == r.key and FIELDS[t] == r.measures
        assert RECORD_FIELDS[t] == r.names()


def test_report_and_scenario_json_carry_exactly_the_spec_fields():
    from netdep.reporting.compute import build_report
    from netdep.reporting.render import to_json
    from netdep.scenario import bundled
    from netdep.scenario import run as run_scenario
    from netdep.store import load

    obj = json.loads(to_json(build_report(load(), year=2023, compare_year=2021)))
    for t, fields in RECORD_FIELDS.items():
        assert obj[t], t
        assert all(tuple(r) == fields for r in obj[t]), t
    result = run_scenario(bundled()[0])
    res = result.to_json_obj()
    for t, fields in RECORD_FIELDS.items():
        assert all(tuple(r) == fields for r in res["before"][t] + res["after"][t]), t
        assert all(set(r) <= {*fields, "change"} for r in res["delta"][t]), t
    long = result.table
    assert set(long.column("measure").unique().to_pylist()) >= set(OUTPUT_RECORDS["dependencies"].measures)


def test_scenario_revenue_records_carry_exactly_the_spec_fields():
    import netdep.scenario as sc
    from netdep.schema import REVENUE_RECORD
    from netdep.store import load

    res = sc.load("russian_gas_contract_europe").run(load())
    assert res.revenue and all(tuple(r) == REVENUE_RECORD.names() for r in res.revenue)
