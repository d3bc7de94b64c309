"""Long work shows progress on stderr when stderr is a terminal; otherwise (pipes, logs, tests) it stays quiet."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ["-m", "netdep", "scenario", "sweep", "russian_energy_to_europe_half", "--data", str(ROOT / "data"),
         "--param", "0.share", "--from", "0", "--to", "1", "--steps", "3", "--no-png", "--table", "parquet"]


def test_quiet_when_stderr_is_not_a_terminal(tmp_path):
    proc = subprocess.run([sys.executable, *SWEEP, "--out", str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "sweep 0.share" not in proc.stdout  # the bar never lands in stdout


@pytest.mark.slow
def test_bar_on_stderr_when_it_is_a_terminal(tmp_path):
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, *SWEEP, "--out", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=slave, cwd=ROOT, env={**os.environ, "COLUMNS": "100", "TERM": "xterm"})
    os.close(slave)
    seen = b""
    while True:
        r, _, _ = select.select([master], [], [], 1.0)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    out = proc.stdout.read().decode()
    proc.wait()
    os.close(master)
    assert proc.returncode == 0
    assert b"sweep 0.share" in seen  # drawn on the terminal
    assert "sweep 0.share" not in out and "steps of 0.share" in out  # stdout keeps only the summary
