"""The HTML report in headless Chromium: every chart present, no broken reference, nothing fetched."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (.ci/run installs Debian's chromium)")


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    subprocess.run([sys.executable, "-m", "netdep", "report", "--data", str(ROOT / "data"), "--out", str(out),
                    "--format", "html"], check=True, capture_output=True, cwd=ROOT)
    return out / "report.html"


def test_rendered_dom_has_every_chart_and_no_broken_anchor(html, tmp_path):
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                          html.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "</html>" in dom, "Chromium rendered nothing"
    figures = re.findall(r"<figure class=\"chart\" id=\"chart-([\w-]+)\">\s*<svg", dom)
    source_figures = re.findall(r"<figure class='chart' id='chart-([\w-]+)'>", html.read_text())
    assert figures and sorted(figures) == sorted(source_figures)  # every chart rendered as inline SVG
    ids = set(re.findall(r'id="([^"]+)"', dom))
    for target in re.findall(r'href="#([^"]+)"', dom):
        assert target in ids, f"broken in-page reference #{target}"
    assert not re.search(r'<(img|script|link|iframe)[^>]+(src|href)="https?:', dom)  # nothing fetched


def test_screenshot_is_not_blank(html, tmp_path):
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                    "--window-size=1200,2400", html.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 50_000  # a blank page compresses to a few kB


# ---- responsive layout: the page never gets wider than the screen ----------------------------------------------
#
# Headless Chromium will not make a window narrower than 500 px, so a phone screen is an <iframe> of the
# width wanted: the page inside lays out (and runs its media queries) for that width exactly.

PROBE = """<script>window.addEventListener('load', () => {
  const f = document.getElementById('f'), d = f.contentDocument, w = f.contentWindow.innerWidth;
  const wide = [...d.body.querySelectorAll('*')].filter(e => !e.closest('.scroll') && !e.closest('svg')
      && e.getBoundingClientRect().right > w + 1).map(e => e.tagName + (e.id ? '#' + e.id : '')).slice(0, 5);
  const boxes = [...d.querySelectorAll('.scroll')];
  const p = document.createElement('pre'); p.id = 'probe';
  p.textContent = JSON.stringify({scroll_width: d.documentElement.scrollWidth, viewport: w, wide: wide,
      tables: d.querySelectorAll('table').length, boxed: d.querySelectorAll('.scroll > table').length,
      scrolling_boxes: boxes.filter(b => b.scrollWidth > b.clientWidth).length,
      charts: [...d.querySelectorAll('figure.chart svg')].map(s => Math.round(s.getBoundingClientRect().width)),
      figures: [...d.querySelectorAll('figure.chart')].map(f => Math.round(f.getBoundingClientRect().right))});
  document.body.appendChild(p);
});</script>"""


def framed(page: Path, width: int, height: int, out: Path) -> Path:
    """A host page showing ``page`` in an iframe ``width`` px wide, with the probe."""
    from html import escape

    out.write_text(f"<!DOCTYPE html><html><body style='margin:0'><iframe id='f' style='width:{width}px;"
                   f"height:{height}px;border:0;display:block' srcdoc=\"{escape(page.read_text(), quote=True)}\">"
                   f"</iframe>{PROBE}</body></html>", encoding="utf-8")
    return out


def measure(page: Path, width: int, tmp_path: Path) -> dict:
    import json

    host = framed(page, width, 900, tmp_path / f"host_{width}.html")
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
                          f"--window-size={max(width, 500) + 40},900", "--virtual-time-budget=5000", "--dump-dom",
                          host.as_uri()], capture_output=True, text=True, timeout=180).stdout
    m = re.search(r"<pre id=\"probe\">(.*?)</pre>", dom, re.S)
    assert m, "the probe did not run"
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture(scope="module")
def scenario_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scenario_browser")
    subprocess.run([sys.executable, "-m", "netdep", "scenario", "run", "russian_energy_to_europe_half", "--data",
                    str(ROOT / "data"), "--format", "html", "--out", str(out)], check=True, capture_output=True,
                   cwd=ROOT)
    return out / "russian_energy_to_europe_half.html"


@pytest.mark.slow
@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("which", ["report", "scenario"])
def test_no_horizontal_overflow_at_desktop_and_phone_width(which, width, html, scenario_html, tmp_path):
    page = html if which == "report" else scenario_html
    m = measure(page, width, tmp_path)
    assert m["viewport"] == width
    assert m["scroll_width"] <= m["viewport"], f"page is {m['scroll_width']} px wide at {width} px: {m['wide']}"
    assert not m["wide"]
    assert m["tables"] > 0 and m["boxed"] == m["tables"]  # every table in its own scrolling box
    assert m["figures"] and max(m["figures"]) <= width  # every chart's box fits the screen
    if width == 390:
        assert m["scrolling_boxes"] > 0  # the wide tables scroll inside their box instead of widening the page
        assert min(m["charts"]) >= 500  # charts keep their own, readable size and scroll inside their figure
    else:
        assert max(m["charts"]) <= width
