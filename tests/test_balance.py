"""Issue 10: balance residuals per importer and fuel, printed by `netdep validate` as warnings (exit unchanged)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from netdep.balance import balance_residuals, residual_row
from netdep.store import load

ROOT = Path(__file__).resolve().parents[1]


def test_residual_hand_computed():
    r = residual_row({"production": 34.5, "consumption": 316.9}, imports=290.3, exports=0.2)
    assert round(r["residual"], 1) == 7.7 and round(r["residual_pct"], 2) == 2.43


def test_residuals_against_the_tables():
    data = load(ROOT / "data")
    rows = {(r["actor"], r["year"], r["fuel"]): r for r in balance_residuals(data, ("EU27", "CHN"))}
    # oracle: sums straight from the rows
    flows = data.rows("flows")
    imports = sum(f["value"] for f in flows if f["year"] == 2023 and f["destination"] == "EU27"
                  and f["commodity"] in ("pipeline_gas", "lng"))
    bal = next(b for b in data.rows("balances") if (b["actor"], b["year"], b["commodity"]) == ("EU27", 2023,
                                                                                               "natural_gas"))
    r = rows[("EU27", 2023, "natural_gas")]
    assert abs(r["imports"] - imports) < 1e-9
    assert abs(r["residual"] - (bal["production"] + imports - r["exports"] - bal["consumption"])) < 1e-9
    assert {y for (a, y, f) in rows if (a, f) == ("EU27", "natural_gas")} == set(range(2017, 2026))
    assert ("EU27", 2023, "oil") not in rows  # oil trade is for a Europe region, not the EU
    assert rows[("EU27", 2024, "natural_gas")]["trade_coverage"] == "partial: lng"
    # -18.8 with the Review's EU/non-EU split; -7.6 after the TurkStream correction (flows_corrections.csv)
    assert round(rows[("EU27", 2025, "natural_gas")]["residual"], 1) == -7.6


def test_validate_prints_residuals_as_warnings_and_exits_0():
    p = subprocess.run([sys.executable, "-m", "netdep", "validate", "--data", str(ROOT / "data")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0
    assert p.stdout.startswith("ok: ")
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith("warning: balance ")]
    assert any(ln.startswith("warning: balance EU27 natural_gas 2025:") and "residual -7.6 bcm" in ln
               for ln in lines)
    assert any(ln.startswith("warning: balance CHN oil 2021:") for ln in lines)
    assert "Traceback" not in p.stderr
