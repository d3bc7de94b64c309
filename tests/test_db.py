"""DuckDB views, bound parameters, queries/setup.sql and `netdep sql` output formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from netdep import db
from netdep.cli import run
from netdep.errors import NetdepError, ValidationError

ROOT = Path(__file__).resolve().parents[1]
VIEWS = ["sources", "actors", "commodities", "routes", "flows", "balances",
         "flows_named", "pair_flows", "dependencies", "concentration"]


@pytest.fixture(scope="module")
def con():
    c = db.connect(ROOT / "data")
    yield c
    c.close()


@pytest.mark.parametrize("view", VIEWS)
def test_view_has_rows(con, view):
    assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0


def test_views_agree_with_the_tables(con):
    n_flows = con.execute("SELECT count(*) FROM flows").fetchone()[0]
    assert con.execute("SELECT count(*) FROM flows_named").fetchone()[0] == n_flows  # every flow joins its actors
    names = con.execute("SELECT origin_name, destination_name, unit FROM flows_named WHERE year = 2023 AND "
                    "commodity = 'pipeline_gas' AND origin = 'RUS' AND destination = 'CHN'").fetchall()
    assert names == [("Russia", "China", "bcm")]
    # import shares of each (year, commodity, destination) add up to 1
    bad = con.execute("SELECT year, commodity, destination, sum(share_in) s FROM dependencies "
                  "GROUP BY ALL HAVING abs(s - 1) > 1e-9").fetchall()
    assert bad == []
    share = con.execute("SELECT share_in FROM dependencies WHERE year = 2023 AND commodity = 'pipeline_gas' "
                    "AND origin = 'RUS' AND destination = 'CHN'").fetchone()[0]
    assert share == pytest.approx(0.347, abs=0.001)
    hhi = con.execute("SELECT hhi FROM concentration WHERE year = 2023 AND commodity = 'pipeline_gas' "
                  "AND actor = 'CHN' AND side = 'in'").fetchone()[0]
    assert 0 < hhi <= 1


def test_connect_validates_first(data_copy):
    (data_copy / "flows.parquet").write_bytes(b"")
    with pytest.raises(ValidationError):
        db.connect(data_copy)


def test_query_parameters():
    sql = "SELECT ':quoted' AS a, x::int FROM flows WHERE year = :year AND origin = :origin OR year = :year -- :c"
    assert db.query_parameters(sql) == ["year", "origin"]


def test_run_sql_binds_parameters(con):
    cols, rows = db.run_sql(con, "SELECT count(*) AS n FROM flows WHERE year = :year AND origin = :origin",
                            {"year": 2023, "origin": "RUS"})
    assert cols == ["n"] and rows[0][0] > 10


def test_run_sql_never_formats_values_in(con):
    evil = "RUS' OR '1'='1"
    cols, rows = db.run_sql(con, "SELECT count(*) FROM flows WHERE origin = :o", {"o": evil})
    assert rows == [(0,)]  # the whole string is one value: no injection
    cols, rows = db.run_sql(con, "SELECT :name AS v", {"name": "O'Brien"})
    assert rows == [("O'Brien",)]
    cols, rows = db.run_sql(con, "SELECT count(*) FROM actors WHERE name = :n", {"n": "x'; DROP VIEW flows; --"})
    assert rows == [(0,)]
    assert con.execute("SELECT count(*) FROM flows").fetchone()[0] > 300  # still there


def test_run_sql_missing_parameter(con):
    with pytest.raises(db.SqlError, match="needs parameter\\(s\\) year"):
        db.run_sql(con, "SELECT * FROM flows WHERE year = :year")


def test_run_sql_error_is_netdep_error(con):
    with pytest.raises(NetdepError):
        db.run_sql(con, "SELECT * FROM no_such_view")


def test_setup_sql_file_is_current(capsys):
    assert (ROOT / "queries" / "setup.sql").read_text(encoding="utf-8") == db.setup_sql("data")
    assert run(["sql", "--setup", "--data", str(ROOT / "data")]) == 0
    out = capsys.readouterr().out  # absolute paths: usable from any folder
    assert out == db.setup_sql(str((ROOT / "data").resolve()))


def _sql(capsys, *args) -> tuple[int, str, str]:
    code = run(["sql", "--data", str(ROOT / "data"), *args])
    o = capsys.readouterr()
    return code, o.out, o.err


QUERY = "SELECT actor, name, members FROM actors WHERE actor IN ('EU27', 'RUS') ORDER BY actor"


def test_sql_format_json(capsys):
    code, out, err = _sql(capsys, "-c", QUERY, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["actor"] for r in rows] == ["EU27", "RUS"]
    assert rows[1]["members"] == [] and "DEU" in rows[0]["members"]


def test_sql_format_csv(capsys):
    code, out, _ = _sql(capsys, "-c", QUERY, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["name"] for r in rows] == ["European Union (27)", "Russia"]


def test_sql_format_markdown(capsys):
    code, out, _ = _sql(capsys, "-c", QUERY, "--format", "markdown")
    lines = out.strip().splitlines()
    assert code == 0
    assert lines[0] == "| actor | name | members |" and lines[1] == "|---|---|---|"
    assert lines[3] == "| RUS | Russia |  |"


def test_sql_format_table(capsys):
    code, out, _ = _sql(capsys, "-c", QUERY)
    assert code == 0
    assert "actor" in out and "Russia" in out and out.strip().endswith("(2 rows)")


def test_sql_parameters_on_the_command_line(capsys):
    code, out, _ = _sql(capsys, "-c", "SELECT name FROM actors WHERE actor = :a", "-p", "a=NOR", "--format", "json")
    assert code == 0 and json.loads(out) == [{"name": "Norway"}]
    code, _, err = _sql(capsys, "-c", "SELECT name FROM actors WHERE actor = :a")
    assert code == 1 and "needs parameter(s) a" in err and "Traceback" not in err


def test_sql_bad_query_is_a_clear_error(capsys):
    code, _, err = _sql(capsys, "-c", "SELEC nonsense")
    assert code == 1 and err.startswith("error: ") and "Traceback" not in err
