"""`netdep flows set` keeps value_usd_bn and the note in step, as the build derives them (issue 17)."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
from conftest_edit import FLOW, SOURCE, run_cli

from netdep.build import VALUATION
from netdep.edit import set_flows


def _row(d: Path) -> dict:
    (row,) = [r for r in pq.read_table(d / "flows.parquet").to_pylist() if all(r[k] == v for k, v in FLOW.items())]
    return row


def _price(d: Path, year: int, series: str) -> float:
    for p in sorted((d / "src").glob("prices_*.csv")):
        for r in csv.DictReader(p.open(encoding="utf-8-sig")):
            if int(r["year"]) == year and r["series"] == series:
                return float(r["price"])
    raise LookupError(series)


def test_set_value_recomputes_usd_with_the_build_price_and_notes_the_edit(data_copy: Path) -> None:
    before = _row(data_copy)
    series, factor, _ = VALUATION["pipeline_gas"]
    price = _price(data_copy, FLOW["year"], series)
    assert before["value_usd_bn"] == round(before["value"] * price * factor, 4)  # the build's rule
    r = run_cli("flows", "set", "--data", str(data_copy), "--year", "2025", "--origin", "RUS", "--destination",
                "CHN", "--commodity", "pipeline_gas", "value=38.8", "--source-id", SOURCE)
    assert r.returncode == 0, r.stderr
    after = _row(data_copy)
    assert after["value"] == 38.8
    assert after["value_usd_bn"] == round(38.8 * price * factor, 4)  # hand-checked: 38.8 x 11.89 x 0.03412
    assert after["note"] == (f"{before['note']}; edited: value {before['value']} -> 38.8, value_usd_bn "
                             f"{before['value_usd_bn']} -> {after['value_usd_bn']} (recomputed)")


def test_set_usd_explicitly_is_kept_and_a_note_edit_changes_nothing_else(data_copy: Path) -> None:
    before = _row(data_copy)
    set_flows({"value": 40.0, "value_usd_bn": 17.5}, data_copy, where=FLOW, source_id=SOURCE)
    row = _row(data_copy)
    assert (row["value"], row["value_usd_bn"]) == (40.0, 17.5)
    edited = f"edited: value {before['value']} -> 40.0, value_usd_bn {before['value_usd_bn']} -> 17.5"
    assert row["note"].endswith(edited)
    set_flows({"note": "checked"}, data_copy, where=FLOW)
    assert _row(data_copy) == {**row, "note": "checked"}


def test_unvalued_row_drops_a_stale_usd_figure(data_copy: Path) -> None:
    rows = pq.read_table(data_copy / "flows.parquet").to_pylist()
    r = next(x for x in rows if x["value_usd_bn"] is not None and "US$ value at" not in (x["note"] or "")
             and x["layer"] == "trade")
    where = {k: r[k] for k in ("year", "layer", "commodity", "origin", "destination")}
    set_flows({"value": r["value"] * 2}, data_copy, where=where, source_id=SOURCE)
    (new,) = [x for x in pq.read_table(data_copy / "flows.parquet").to_pylist()
              if all(x[k] == v for k, v in where.items())]
    assert new["value_usd_bn"] is None and f"value_usd_bn {r['value_usd_bn']} -> None" in new["note"]


def test_a_second_edit_replaces_the_edited_clause(data_copy: Path) -> None:
    first = _row(data_copy)["note"]
    set_flows({"value": 40.0}, data_copy, where=FLOW, source_id=SOURCE)
    set_flows({"value": 41.0}, data_copy, where=FLOW, source_id=SOURCE)
    note = _row(data_copy)["note"]
    assert note.count("edited:") == 1 and note.startswith(first + "; edited: value 40.0 -> 41.0")
