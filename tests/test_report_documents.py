"""The document model and its charts: every chart labelled (title, unit, year, source), readable, the same
bytes every time; scenario reports with numbered sources; the product section with its year and CEPII."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from netdep.reporting import build_report
from netdep.reporting.document import Document, Section
from netdep.reporting.figures import Chart, source_line
from netdep.reporting.formats import FORMATS, render
from netdep.reporting.render import report_document
from netdep.store import load

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def data():
    return load(DATA)


@pytest.fixture(scope="module")
def doc(data) -> Document:
    return report_document(data, build_report(data, year=2023, compare_year=2021))


def charts_of(doc: Document) -> list[Chart]:
    return [c for s in doc.all_sections() for _, c, _ in s.charts() if isinstance(c, Chart)]


def test_every_chart_has_title_unit_year_and_source(doc):
    charts = charts_of(doc)
    assert {c.name for c in charts} >= {"matrix_energy", "matrix_trade", "hhi", "energy_network", "russia_buyers",
                                        "supply_dependence", "scenarios_russia_china"}
    for c in charts:
        assert c.title and c.unit and c.year is not None, c.name
        assert c.source.startswith(("Source: ", "Sources: ")), c.name
        assert "_" not in c.title, f"{c.name}: an identifier in the title: {c.title}"


def test_labels_are_drawn_on_the_figure(doc):
    c = next(c for c in charts_of(doc) if c.name == "russia_buyers")
    fig = c.figure()
    assert "Russia's energy buyers, 2021 and 2023" in fig._suptitle.get_text()
    assert fig._supxlabel.get_text().startswith("Source")  # the source line travels with a pasted PNG
    ax = fig.axes[0]
    assert ax.get_xlabel() == c.unit
    assert "crude oil → China" in [t.get_text() for t in ax.get_yticklabels()]


def test_network_labels_do_not_overlap(doc):
    c = next(c for c in charts_of(doc) if c.name == "energy_network")
    fig = c.figure()
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    names = {n[3] for n in c.data["nodes"].values()}
    labels = [t for t in fig.axes[0].texts if t.get_text() in names]
    assert sorted(t.get_text() for t in labels) == sorted(names)  # every actor labelled once
    assert all(t.get_fontsize() == 8 for t in labels)  # none fell back to the crowded placement
    boxes = [t.get_window_extent(r) for t in labels]
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, labels), 2):
        assert not a.overlaps(b), f"{ta.get_text()!r} overlaps {tb.get_text()!r}"


def test_same_chart_same_bytes():
    def make() -> Chart:
        return Chart("t", "paired_bars", {"items": [("crude oil → China", 0.3, 0.44)], "labels": ("2021", "2023")},
                     title="Russia's buyers", unit="share of exports", year=2023, source="Source: Energy Institute")

    a, b = make(), make()
    assert a.svg() == b.svg() and a.png() == b.png()
    assert a.png()[:8] == b"\x89PNG\r\n\x1a\n" and a.svg().startswith("<svg")


def test_source_line_names_publishers_once():
    rows = [{"publisher": "Energy Institute"}, {"publisher": "Eurostat"}, {"publisher": "Energy Institute"},
            {"publisher": "CEPII"}, {"publisher": "OECD"}]
    assert source_line(rows[:1]) == "Source: Energy Institute"
    assert source_line(rows) == "Sources: Energy Institute; Eurostat; CEPII; and 1 more (see the sources list)"


def test_one_registry_renders_the_same_document():
    s = Section("Shares")
    s.p("China took 44.4% of Russia's crude exports [1]; see operations[0].")
    s.table(["supplier", "share", ""], [["Russia", 0.444, ""]])
    d = Document("T", [s], sources=[{"n": 1, "source_id": "x", "title": "Statistical Review", "publisher": "EI",
                                     "published": "2024", "url": "https://www.energyinst.org/"}])
    assert set(FORMATS) >= {"md", "html", "json"}
    md, html, js = render(d, "md"), render(d, "html"), render(d, "json")
    assert "| Russia | 0.444 |" in md and "## Sources" in md and '<a id="src-1"></a>Statistical Review' in md
    assert "<div class='scroll'><table>" in html and "<a href='#src-1'>[1]</a>" in html
    assert "operations[0]" in html and "#src-0" not in html  # an index is not a citation
    assert '"type": "sources"' in js and '"columns": ["supplier", "share", ""]' in js


# ---- scenario reports ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scenario_result(data):
    from netdep.scenario import bundled_path
    from netdep.scenario import load as load_scenario

    return load_scenario(bundled_path("russian_energy_to_europe_half", DATA)).run(data)


def test_scenario_document_has_numbered_sources_and_a_named_chart(data, scenario_result):
    from netdep.scenario.render import document

    d = document(data, scenario_result)
    last = d.all_sections()[-1]
    assert last.title == "Sources" and last.items[0][0] == "sources"
    srcs = last.items[0][1]
    assert [x["n"] for x in srcs] == list(range(1, len(srcs) + 1))
    flow_ids = {f["source_id"] for f in data.rows("flows") if f["year"] == 2023}
    assert flow_ids <= {x["source_id"] for x in srcs}
    (c,) = charts_of(d)
    assert c.title.startswith("Russian gas and crude back to Europe (half)") and c.year == 2023
    md = render(d, "md")
    assert "charts/russian_energy_to_europe_half_key_shares.svg" in md and "## Sources" in md


def test_key_shares_come_from_the_records(data, scenario_result):
    """The chart's numbers are the dependency records' shares (not parsed from sentences)."""
    from netdep.scenario.render import key_shares

    res = scenario_result
    rows = key_shares(data, res.before, res.after)
    lab = "Russia's dependence on China as a buyer of its energy exports"
    before = next(r["share_out"] for r in res.before["dependencies"] if r["layer"] == "energy"
                  and r["commodity"] == "*" and r["origin"] == "RUS" and r["destination"] == "CHN")
    after = next(r["share_out"] for r in res.after["dependencies"] if r["layer"] == "energy"
                 and r["commodity"] == "*" and r["origin"] == "RUS" and r["destination"] == "CHN")
    assert (lab, before, after) in rows and after < before
    assert not any(re.search(r"\b[A-Z]{3} on [A-Z]{3}\b", r[0]) for r in rows)  # no "RUS on CHN"


def test_sweep_axis_says_what_moves_in_which_unit(data):
    from netdep.scenario import bundled_path
    from netdep.scenario import load as load_scenario
    from netdep.scenario.render import param_label

    sc = load_scenario(bundled_path("russian_energy_to_europe_half", DATA))
    assert param_label(data, sc, "0.share") == ("share of Russia's pipeline gas exports to China rerouted to the EU "
                                                "(%)", 100.0)
    dec = load_scenario(bundled_path("eu_china_decoupling", DATA))
    label, k = param_label(data, dec, "0.factor")
    assert k == 1.0 and "scale factor" in label and "China → the EU" in label


@pytest.mark.slow
def test_scenario_run_writes_png_and_svg_next_to_the_report(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "netdep", "scenario", "run", "russian_energy_to_europe_half",
                           "--data", str(DATA), "--format", "md", "--out", str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert names == ["russian_energy_to_europe_half_key_shares.png", "russian_energy_to_europe_half_key_shares.svg"]
    assert "wrote 2 chart files" in proc.stdout


# ---- the product section ---------------------------------------------------------------------------------------

def test_product_section_states_its_year_and_cites_cepii(data_copy, tmp_path):
    from netdep.cli import run

    csv = tmp_path / "baci.csv"
    csv.write_text("t,i,j,k,v,q\n2022,156,842,854231,3000,1\n2022,392,842,854231,1000,NA\n"
                   "2022,156,251,854231,4000,2\n2022,842,156,300490,900,3\n2022,276,156,300490,100,1\n")
    assert run(["import", "baci", str(csv), "--eu-bloc", "--out", str(data_copy), "--no-progress"]) == 0
    d = load(data_copy)
    doc = report_document(d, build_report(d, year=2023, compare_year=2021))
    sec = next(s for s in doc.sections if s.title.startswith("Products where"))
    assert sec.title.endswith(", 2022")  # the data's year, not the report's
    text = " ".join(it[1] for it in sec.items if it[0] == "p")
    assert "Year: 2022, not 2023" in text and "CEPII BACI" in text
    srcs = next(it[1] for s in doc.all_sections() for it in s.items if it[0] == "sources")
    baci = next(x for x in srcs if x["source_id"] == "cepii_baci")
    assert baci["publisher"] == "CEPII" and f"[{baci['n']}]" in text


def test_same_bytes_whichever_format_is_asked_first():
    def make() -> Chart:
        return Chart("t", "bars", {"items": [("Russia", 0.3), ("China", 0.5)], "threshold": 0.4},
                     title="HHI", unit="HHI (0–1)", year=2023, source="Source: Energy Institute")

    a, b = make(), make()
    svg_a, png_a = a.svg(), a.png()
    png_b, svg_b = b.png(), b.svg()
    assert svg_a == svg_b and png_a == png_b
