"""Every ```python block of README.md runs as written after the Quickstart's NON-editable install.

The test does what the Quickstart says — a fresh venv, ``pip install .`` (a wheel built from this tree, with
only the declared dependencies) — then runs each block in that venv's interpreter from the clone's root, in
isolated mode (``python -I``), so ``import netdep`` is the installed package and not this source tree, and a
missing dependency (pandas is not one) fails the block. pip's cache is reused; the test skips with the reason
when packages cannot be installed here (no index reachable).
"""

from __future__ import annotations

import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
OFFLINE = ("Could not find a version", "No matching distribution", "Failed to establish a new connection",
           "Temporary failure in name resolution", "NewConnectionError", "ProxyError", "Network is unreachable")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block."""
    out = []
    for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M):
        out.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
    return out


BLOCKS = python_blocks(README)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 2 and all("import netdep" in code for _, code in BLOCKS)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a fresh venv with ``pip install .`` done (non-editable)."""
    env_dir = tmp_path_factory.mktemp("readme_venv") / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = env_dir / "bin" / "python"
    proc = subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(ROOT)], capture_output=True, text=True,
                          timeout=1500)
    if proc.returncode != 0:
        log = proc.stdout + proc.stderr
        if any(s in log for s in OFFLINE):
            pytest.skip(f"cannot install the package's dependencies here (offline?): {log.strip()[-300:]}")
        pytest.fail(f"pip install . failed:\n{log[-3000:]}")
    where = subprocess.run([str(py), "-I", "-c", "import netdep, sys; print(netdep.__file__)"], capture_output=True,
                           text=True, cwd=ROOT)
    assert str(env_dir) in where.stdout, f"netdep imported from {where.stdout or where.stderr}"
    return py


@pytest.mark.slow
@pytest.mark.parametrize("line,code", BLOCKS, ids=[f"README.md:{n}" for n, _ in BLOCKS])
def test_readme_python_block_runs_after_a_non_editable_install(installed, line, code, tmp_path):
    script = tmp_path / f"readme_{line}.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([str(installed), "-I", str(script)], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert proc.returncode == 0, f"README.md:{line}: the example fails after `pip install .`:\n{proc.stderr[-2000:]}"


def test_the_runner_would_catch_a_missing_dependency(tmp_path):
    """The oracle for the runner: a block importing a package that is not installed fails."""
    script = tmp_path / "x.py"
    script.write_text("import netdep_no_such_package\n")
    assert subprocess.run([sys.executable, "-I", str(script)], capture_output=True, cwd=ROOT).returncode != 0
