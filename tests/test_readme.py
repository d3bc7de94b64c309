"""The README is part of the work: its Quickstart, its command list and its data dictionary stay true."""

from __future__ import annotations

import re
from pathlib import Path

import click

from netdep.cli import _register, main, run

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "netdep") -> list[str]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            out += commands(cmd, path)
        else:
            out.append(path)
    return out


def test_quickstart_is_exactly_two_commands():
    m = re.search(r"^## Quickstart\n(.*?)^## ", README, re.S | re.M)
    block = re.search(r"```[^\n]*\n(.*?)```", m.group(1), re.S).group(1)
    lines = [line for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(lines) == 2
    assert "netdep report" in lines[0] and "pytest" in lines[1]


def test_every_command_is_documented():
    _register()
    missing = []
    for path in commands(main):
        words = path.split()
        if words[1] == "import" and words[2] == "csv":  # the default subcommand: `netdep import DIR`
            words = words[:2]
        if " ".join(words) not in README:
            missing.append(path)
    assert not missing, f"commands not shown in README.md: {missing}"


def test_data_dictionary_matches_the_schema(capsys):
    assert run(["schema", "--format", "markdown"]) == 0
    table = capsys.readouterr().out.strip()
    assert table in README


def test_every_query_file_is_listed():
    for p in sorted((ROOT / "queries").glob("*.sql")):
        if p.name != "setup.sql":
            assert f"`{p.name}`" in README, p.name
