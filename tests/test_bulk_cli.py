"""CLI smoke for `netdep import baci` and `netdep measures`, the SQL views and the report section."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netdep.bulk.report import product_section, product_section_markdown
from netdep.cli import run

ROWS = ("t,i,j,k,v,q\n"
        "2022,156,842,854231,3000,1\n2022,392,842,854231,1000,NA\n"  # USA: CHN 75 %
        "2022,156,251,854231,4000,2\n2022,251,276,854231,500,1\n"    # EU27 from CHN; FRA->DEU intra-EU
        "2022,842,156,300490,900,3\n2022,276,156,300490,100,1\n")    # CHN: USA 90 %


@pytest.fixture
def baci_csv(tmp_path: Path) -> Path:
    f = tmp_path / "baci.csv"
    f.write_text(ROWS)
    (tmp_path / "products.csv").write_text('code,description\n854231,"Processors, controllers"\n300490,Medicaments\n')
    return f


def test_import_measures_sql_report(baci_csv, data_copy, capsys):
    args = ["import", "baci", str(baci_csv), "--eu-bloc", "--out", str(data_copy), "--no-progress",
            "--product-codes", str(baci_csv.parent / "products.csv")]
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "read 6 BACI rows" in out and "1 intra-EU rows dropped" in out
    assert run(["measures", "--data", str(data_copy)]) == 0
    assert "measures:" in capsys.readouterr().out
    assert run(["sql", "--data", str(data_copy), "--format", "csv", "-c",
                "SELECT importer, top_supplier, round(top_share, 2) AS s, ec_dependent FROM hs6_dependencies "
                "ORDER BY importer"]) == 0
    assert capsys.readouterr().out.splitlines() == ["importer,top_supplier,s,ec_dependent", "CHN,USA,0.9,",
                                                    "EU27,CHN,1,True", "USA,CHN,0.75,"]
    assert run(["sql", "--data", str(data_copy), "--format", "csv", "-c",
                "SELECT count(*) FILTER (WHERE commodity LIKE 'hs6:%') AS n, count(*) > n AS more FROM flows_all"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "5,True"
    section = product_section(data_copy)
    assert section["year"] == 2022 and section["source"] == "hs6_measures"
    rows = {b["importer"]: b["rows"] for b in section["importers"]}
    assert [(r["product"], r["top_supplier"]) for r in rows["EU27"]] == [("hs6:854231", "CHN")]
    assert rows["CHN"][0]["description"] == "Medicaments"
    md = product_section_markdown(section)
    assert "### the EU (EU27)" in md and "| hs6:854231 | Processors, controllers | CHN | 100% |" in md


def test_report_section_without_measures_or_eu(baci_csv, tmp_path):
    out = tmp_path / "d"
    assert product_section(out) is None and product_section_markdown(None) == ""
    from netdep.bulk.baci import import_baci

    import_baci(baci_csv, out=out)  # no --eu-bloc, no measures written: computed on the fly
    s = product_section(out)
    assert s["source"] == "computed"
    eu = next(b for b in s["importers"] if b["importer"] == "EU27")
    assert "--eu-bloc" in eu["note"] and "--eu-bloc" in product_section_markdown(s)


@pytest.mark.parametrize("content, message", [
    ("a,b\n1,2\n", "not a BACI file"),
    ("t,i,j,k,v,q\n2022,156,842,854231,abc,1\n", 'converting column "v"'),
])
def test_bad_file_exits_1_with_message_no_traceback(tmp_path, netdep_cmd, content, message):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    p = subprocess.run([*netdep_cmd, "import", "baci", str(f), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert message in p.stderr and "Traceback" not in p.stderr


def test_measures_without_hs6_exits_1(tmp_path, capsys):
    assert run(["measures", "--data", str(tmp_path)]) == 1
    assert "netdep import baci" in capsys.readouterr().err


def test_commands_have_help():
    for args in (["import", "baci", "--help"], ["measures", "--help"]):
        p = subprocess.run([sys.executable, "-m", "netdep", *args], capture_output=True, text=True)
        assert p.returncode == 0 and "Usage" in p.stdout


def test_setup_sql_has_no_bulk_views_without_hs6(tmp_path):
    from netdep.db import setup_sql

    for src in Path(__file__).resolve().parents[1].joinpath("data").glob("*.parquet"):
        shutil.copy2(src, tmp_path / src.name)
    assert "hs6_flows" not in setup_sql(str(tmp_path))
