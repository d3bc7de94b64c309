"""Every command has --help; --version; --data pointing nowhere is a clear error, never a traceback."""

from __future__ import annotations

import subprocess

import click
import pytest

import netdep
from netdep.cli import _register, main, run

_register()


def _walk(cmd: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = [(path, cmd)]
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            out += _walk(cmd.commands[name], (*path, name))
    return out


COMMANDS = _walk(main)
NAMES = {" ".join(p) for p, _ in COMMANDS}


def test_the_foundation_commands_are_registered():
    assert {"", "validate", "schema", "sql", "import"} <= NAMES
    assert len(COMMANDS) >= 5


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "netdep")
def test_help(path, capsys):
    code = run([*path, "--help"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Usage: netdep")
    assert "--help" in out


def test_help_subprocess(netdep_cmd):
    p = subprocess.run([*netdep_cmd, "--help"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0
    for name in ("validate", "schema", "sql"):
        assert name in p.stdout


def test_version(netdep_cmd):
    p = subprocess.run([*netdep_cmd, "--version"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0
    assert p.stdout.strip() == f"netdep, version {netdep.__version__}"


def _run(argv: list[str]) -> int:
    try:
        return run(argv)
    except SystemExit as exc:  # `validate` exits by itself
        return exc.code


READERS = [p for p, c in COMMANDS
           if not isinstance(c, click.Group) and any(x.name == "data_dir" for x in c.params)
           and not any(x.required for x in c.params)]


def test_data_reading_commands_found():
    assert {("validate",), ("sql",)} <= set(READERS)


@pytest.mark.parametrize("path", READERS, ids=lambda p: " ".join(p))
def test_missing_data_folder(path, tmp_path, capsys):
    missing = tmp_path / "no-such-folder"
    extra = ["-c", "select 1"] if path == ("sql",) else []
    code = _run([*path, "--data", str(missing), *extra])
    err = capsys.readouterr().err
    assert code == 1
    assert str(missing) in err  # names the folder it could not use
    if path in (("validate",), ("sql",)):
        assert f"{missing}: no such data folder (pass --data DIR)" in err
    assert "Traceback" not in err
    assert not missing.exists()  # nothing created where the user pointed by mistake


def test_missing_data_folder_subprocess(netdep_cmd, tmp_path):
    missing = tmp_path / "nowhere"
    for args in (["validate"], ["sql", "-c", "select count(*) from flows"]):
        p = subprocess.run([*netdep_cmd, *args, "--data", str(missing)], capture_output=True, text=True,
                           timeout=60)
        assert p.returncode == 1, args
        assert "no such data folder" in p.stderr
        assert "Traceback" not in p.stderr + p.stdout


def test_unknown_command_is_a_usage_error(capsys):
    code = run(["no-such-command"])
    assert code == 2
    assert "No such command" in capsys.readouterr().err


def test_schema_command(capsys):
    assert run(["schema", "flows", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| flows.parquet | year (key) | int | yes |" in out
    code = run(["schema", "nope"])
    assert code == 2 and "unknown table 'nope'" in capsys.readouterr().err
