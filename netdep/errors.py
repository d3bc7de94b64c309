"""The few exceptions netdep raises. Each derives from ``NetdepError`` and a built-in.

>>> issubclass(ValidationError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "NetdepError",
    "ValidationError",
    "SourceFormatError",
    "ScenarioError",
    "EditError",
    "LockError",
    "StoreError",
]


class NetdepError(Exception):
    """Root of every error netdep raises on purpose."""


class ValidationError(NetdepError, ValueError):
    """Data that breaks the contract. ``problems`` holds one ``FILE:ROW: column: …`` line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = self.problems[:20]
        more = len(self.problems) - len(head)
        text = "\n".join(head) + (f"\n… and {more} more problems" if more > 0 else "")
        super().__init__(text)


class SourceFormatError(NetdepError, ValueError):
    """A source file (workbook, CSV, TOML) that cannot be read as expected."""


class ScenarioError(NetdepError, ValueError):
    """A scenario file that is malformed or asks for something impossible."""


class EditError(NetdepError, ValueError):
    """An edit that cannot be applied (no matching row, missing source, …)."""


class LockError(NetdepError, TimeoutError):
    """Another writer holds the data folder's lock for longer than we may wait."""


class StoreError(NetdepError, OSError):
    """A data folder that cannot be read or written as a whole (unfinished commit, another writer, OS error)."""
