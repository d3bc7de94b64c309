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
