"""The ``netdep`` command line: thin commands over the library.

Each command module registers its commands on :data:`main`. Library errors
(:class:`~netdep.errors.NetdepError`) become a message on stderr and exit
status 1 here, at the boundary, never a traceback.
"""

from __future__ import annotations

import sys

import click

from ..errors import NetdepError

__all__ = ["main", "run", "import_group", "DefaultGroup", "os_error_message"]


class DefaultGroup(click.Group):
    """A group that runs ``default`` when the first argument is not a subcommand (``netdep import DIR``)."""

    def __init__(self, *args, default: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default

    def parse_args(self, ctx, args):
        if self.default and args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="netdep")
def main() -> None:
    """netdep: who depends on whom in trade, energy and investment, and what shifts when flows are rerouted.

    Every command takes --data DIR (default: ./data when it exists, else the data shipped with netdep).
    """


@main.group("import", cls=DefaultGroup, default="csv")
def import_group() -> None:
    """Import data: `netdep import DIR` (CSV folder from `netdep export`) or `netdep import baci FILE.csv`."""


def _register() -> None:
    from . import data_cmds  # noqa: F401

    for name in ("report_cmds", "scenario_cmds", "edit_cmds", "scale_cmds"):
        try:
            __import__(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a command family not built yet
            if exc.name != f"{__name__}.{name}":
                raise


def run(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning netdep errors into exit status 1 without a traceback."""
    _register()
    try:
        main.main(args=argv, standalone_mode=False, prog_name="netdep")
    except NetdepError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:  # `netdep ... | head`
        return 0
    except OSError as exc:  # read-only folder, unwritable --out, full disk, a folder where a file should be
        click.echo(f"error: {os_error_message(exc)}", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    return 0


def os_error_message(exc: OSError) -> str:
    """``FILE: what is wrong; what to do`` for an operating-system error."""
    import errno

    hints = {errno.ENOSPC: "the disk is full; free space and run the command again (nothing was half-written)",
             errno.EDQUOT: "the disk quota is exceeded; free space and run the command again",
             errno.EROFS: "the file system is read-only; write somewhere else",
             errno.EACCES: "permission denied; check the folder's permissions or write somewhere else",
             errno.EPERM: "operation not permitted; check the folder's permissions or write somewhere else",
             errno.EISDIR: "is a directory where a file was expected; move it away",
             errno.ENOTDIR: "a part of the path is a file, not a folder",
             errno.ENOENT: "no such file or folder"}
    what = hints.get(exc.errno or -1, exc.strerror or str(exc))
    name = exc.filename if exc.filename is not None else ""
    return f"{name}: {what}" if name else f"{what} ({exc})"


def entry() -> None:  # console_scripts target
    sys.exit(run())
