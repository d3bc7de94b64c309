"""Data flows one way (issue 9): store → views and graphs → measures → scenarios → documents → CLI.

Every ``import`` in ``netdep/`` — at module level or inside a function — is read with :mod:`ast`, and no module
may import one from a layer above its own. The table below is the allowed order; a module's layer is that of the
longest prefix listed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "netdep"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("netdep.errors", "netdep.schema", "netdep.geography", "netdep.lock", "netdep.progress", "netdep.ei",
                    "netdep.series", "netdep.capacity", "netdep.alternatives", "netdep.srccsv")),
    ("store", ("netdep.store", "netdep.checks", "netdep.build", "netdep.balance", "netdep.summary",
               "netdep.diff", "netdep.edit", "netdep.exchange")),
    ("views and graphs", ("netdep.db", "netdep.graph", "netdep.routes", "netdep.prices", "netdep.bulk")),
    ("measures", ("netdep.metrics", "netdep.wording")),
    ("scenarios", ("netdep.scenario",)),
    ("documents", ("netdep.reporting", "netdep.scenario.render", "netdep.scenario.report")),
    ("interface", ("netdep.cli", "netdep.__main__", "netdep")),
]


def layer_of(module: str) -> int:
    best, rank = "", None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > len(best):
                best, rank = p, i
    assert rank is not None, f"{module} has no layer in tests/test_architecture.py"
    return rank


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every netdep module ``path`` imports, resolved to absolute names."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import x` / `from .pkg import mod`: the names may be modules themselves
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if (PKG.parent / (sub.replace(".", "/") + ".py")).exists()
                          or (PKG.parent / sub.replace(".", "/")).is_dir() else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m == "netdep" or m.startswith("netdep.")}


def all_modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if "_data" not in p.parts)


def test_every_module_has_a_layer() -> None:
    names = [_module_name(p) for p in all_modules()]
    assert len(names) > 50 and "netdep.scenario.ops.set_policy" in names
    missing = []
    for m in names:
        try:
            layer_of(m)
        except AssertionError:
            missing.append(m)
    assert missing == [], f"modules with no layer in tests/test_architecture.py: {missing}"


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_from_a_layer_above_its_own(path: Path) -> None:
    me = _module_name(path)
    mine = layer_of(me)
    above = sorted(f"{m} ({LAYERS[layer_of(m)][0]})" for m in imports_of(path) if layer_of(m) > mine)
    assert not above, f"{me} ({LAYERS[mine][0]}) imports from above its layer: {', '.join(above)}"


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The check can fail: a measures module importing the report renderer is flagged."""
    fake = PKG / "metrics" / "_tmp_violation_probe.py"
    try:
        fake.write_text("from ..reporting import render\n", encoding="utf-8")
        assert imports_of(fake) == {"netdep.reporting.render"}
        assert layer_of("netdep.reporting.render") > layer_of(_module_name(fake))
    finally:
        fake.unlink()


def test_importing_scenarios_does_not_load_the_documents() -> None:
    code = ("import sys, netdep.scenario, netdep.metrics; "
            "print(sorted(m for m in sys.modules if m.startswith('netdep.reporting') "
            "or m in ('netdep.scenario.render', 'netdep.scenario.report')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
