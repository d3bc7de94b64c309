"""Read, validate and write the Parquet tables of a data folder.

>>> data = load()                      # ./data, else the data shipped with netdep
>>> sorted(data.tables)[:3]
['actors', 'balances', 'commodities']
>>> data.rows("commodities")[0]["commodity"]
'coal'
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import StoreError, ValidationError
from .schema import TABLE_ORDER, TABLES, arrow_schema

__all__ = ["Data", "load", "read_tables", "read_consistent", "default_data_dir", "write_table", "write_tables",
           "commit_files",
           "recover", "generation", "clean_stray_temporaries", "remove_empty_dirs", "TMP_PREFIX", "JOURNAL_NAME",
           "GENERATION_NAME"]

T = TypeVar("T")
TMP_PREFIX = ".netdep-tmp-"
JOURNAL_NAME = ".netdep-journal.json"
GENERATION_NAME = ".netdep-generation"


def default_data_dir() -> Path:
    """``./data`` when that folder exists (even if broken: it is then refused, never skipped), else the
    data shipped inside the package."""
    here = Path.cwd() / "data"
    if here.is_dir():
        return here
    packaged = Path(__file__).resolve().parent / "_data"
    if (packaged / "flows.parquet").exists():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"  # editable install from a checkout


@dataclass
class Data:
    """The tables of one data folder, as Arrow tables (validated when built by :func:`load`)."""

    tables: dict[str, pa.Table]
    path: Path | None = None
    _rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]

    def rows(self, name: str) -> list[dict[str, Any]]:
        """The table as a list of dicts (cached)."""
        if name not in self._rows:
            self._rows[name] = self.tables[name].to_pylist()
        return self._rows[name]

    def df(self, name: str):  # -> pandas.DataFrame; pandas imported only when asked
        """The table as a pandas DataFrame."""
        return self.tables[name].to_pandas()

    def replace(self, **tables: pa.Table) -> Data:
        """A copy with some tables replaced (not validated)."""
        new = dict(self.tables)
        new.update(tables)
        return Data(new, self.path)

    @property
    def years(self) -> list[int]:
        return sorted(set(self.tables["flows"].column("year").to_pylist()))


def _read_one(path: Path, name: str) -> tuple[pa.Table | None, list[str]]:
    file = f"{name}.parquet"
    if not path.exists():
        return None, [f"{file}: file is missing from {path.parent}"]
    if path.stat().st_size == 0:
        return None, [f"{file}: file is empty (0 bytes); restore it or rebuild with scripts/build_data.py"]
    try:
        # ParquetFile.read avoids pyarrow.dataset (and with it a pandas import): faster start-up
        return pq.ParquetFile(path).read(), []
    except (pa.ArrowInvalid, OSError) as exc:
        reason = str(exc).splitlines()[0]
        return None, [f"{file}: not a readable Parquet file ({reason}); restore it from git "
                      f"or rebuild with scripts/build_data.py"]


def read_tables(data_dir: str | Path | None = None) -> tuple[dict[str, pa.Table], list[str]]:
    """Read every table of ``data_dir`` without validating; return tables and read problems.

    The tables come from one generation of the folder: an unfinished commit is completed first
    (:func:`recover`), and a read that overlapped another writer's commit is repeated.
    """
    d = Path(data_dir) if data_dir is not None else default_data_dir()
    for _ in range(50):
        recover(d)
        before = generation(d)
        tables, problems = {}, []
        for name in TABLE_ORDER:
            table, errs = _read_one(d / f"{name}.parquet", name)
            problems += errs
            if table is not None:
                tables[name] = table
        if not (d / JOURNAL_NAME).exists() and generation(d) == before:
            return tables, problems
    raise StoreError(f"{d}: the tables kept changing while being read (another writer commits "
                     "continuously); retry")


def read_consistent(data_dir: str | Path, read: Callable[[], T], tries: int = 50) -> T:
    """``read()`` as of one generation of ``data_dir``: repeated when a commit overlapped it.

    An unfinished commit is completed first (:func:`recover`); the generation is read before and after
    ``read()``, and a read that overlapped a commit (the generation moved, or a journal appeared) is run
    again -- also when it failed, since a file can vanish between a glob and its open while a commit
    removes a partition. Use it around several queries of one :func:`netdep.db.connect` connection (or
    any reads of partitioned tables) that must see the same version of the folder.

    >>> read_consistent("data", lambda: generation("data")) >= 0
    True
    """
    d = Path(data_dir)
    for _ in range(tries):
        recover(d)
        before = generation(d)
        try:
            result = read()
        except Exception:
            if generation(d) == before and not os.path.lexists(d / JOURNAL_NAME):
                raise  # a real error, not a commit in the way
            continue
        if generation(d) == before and not os.path.lexists(d / JOURNAL_NAME):
            return result
    raise StoreError(f"{d}: the data kept changing while being read (another writer commits "
                     "continuously); retry")


def load(data_dir: str | Path | None = None, validate: bool = True) -> Data:
    """Read and validate the tables of ``data_dir`` (default: :func:`default_data_dir`).

    Raises :class:`~netdep.errors.ValidationError` listing every problem as
    ``FILE:ROW: column: what is wrong``.
    """
    from .checks import check_tables  # local: checks imports store's Data

    d = Path(data_dir) if data_dir is not None else default_data_dir()
    if not d.is_dir():
        raise ValidationError([f"{d}: no such data folder (pass --data DIR)"])
    tables, problems = read_tables(d)
    if problems:
        raise ValidationError(problems)
    if validate:
        tables, problems = check_tables(tables)
        if problems:
            raise ValidationError(problems)
    return Data(tables, d)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stage(d: Path, name: str, table: pa.Table) -> Path:
    """Write ``table`` to a fsynced temporary file in ``d`` (mode 0644); return its path."""
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{name}-", suffix=".parquet", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            pq.write_table(table, f, compression="zstd", write_statistics=True)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; data files are meant to be shared
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_table(data_dir: str | Path, name: str, table: pa.Table, *, expect_generation: int | None = None) -> Path:
    """Write one table atomically (see :func:`write_tables`). Rows are written in key order."""
    write_tables(data_dir, {name: table}, expect_generation=expect_generation)
    return Path(data_dir) / f"{name}.parquet"


def write_tables(data_dir: str | Path, tables: dict[str, pa.Table], *,
                 expect_generation: int | None = None) -> int:
    """Write several tables as one unit: readers see all the old tables or all the new ones.

    Each table is staged as a temporary file, then :func:`commit_files` swaps them in under a
    journal. Rows are written in key order so the same data gives the same bytes. Returns the new
    generation.
    """
    d = Path(data_dir)
    d.mkdir(parents=True, exist_ok=True)
    staged: dict[str, Path] = {}
    try:
        for name in TABLE_ORDER:
            if name in tables:
                staged[f"{name}.parquet"] = _stage(d, name, canonical(name, tables[name]))
        return commit_files(d, staged, expect_generation=expect_generation)
    except BaseException:
        if not committing(d, staged):  # a journal lists them: the next netdep command completes the commit
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
        raise


def committing(data_dir: str | Path, staged: dict[str, Path]) -> bool:
    """Whether a journal lists one of ``staged``'s files (a commit that failed half-way: keep them)."""
    d = Path(data_dir)
    try:
        journal = _read_journal(d / JOURNAL_NAME) if os.path.lexists(d / JOURNAL_NAME) else None
    except StoreError:
        return False
    names = set(journal["files"].values()) if journal else set()
    return any(Path(t).name in names for t in staged.values())


# -- the journal: several files replaced as one unit ---------------------------------------------------------


def generation(data_dir: str | Path) -> int:
    """How many commits the folder has seen (``.netdep-generation``; 0 when absent)."""
    p = Path(data_dir) / GENERATION_NAME
    try:
        text = p.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return 0
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{p}: cannot be read ({exc}); delete it (it only counts commits)") from None
    if not text.isdigit() or not text.isascii():
        raise StoreError(f"{p}: '{text[:40]}' is not a commit count; delete it (it only counts commits)")
    return int(text)


def _write_small_file(path: Path, text: str) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{path.name.lstrip('.')}-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _check_target(target: str) -> None:
    parts = target.split("/")
    if (not target or "\\" in target or target.startswith("/") or any(x in ("", ".", "..") for x in parts)):
        raise StoreError(f"{target!r}: not a path inside the data folder")


def _stat_key(p: Path) -> list[int]:
    st = os.lstat(p)
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def commit_files(data_dir: str | Path, staged: dict[str, Path], *, expect_generation: int | None = None,
                 remove: Iterable[str] = (), created: Iterable[str] = ()) -> int:
    """Replace the files ``data_dir/TARGET`` by the staged files ``staged[TARGET]`` as one unit.

    A target is a path relative to ``data_dir`` (``flows.parquet``, ``hs6/year=2022/part-0.parquet``);
    its staged file lies next to it (same folder, name starting with ``.netdep-tmp-``). ``remove`` lists
    targets deleted in the same unit (e.g. a partition an import no longer writes; its folder goes too
    when it is left empty); ``created`` lists the folders the staging made (removed on roll-back).

    1. the journal ``.netdep-journal.json`` (targets, staged names with their size, mtime and inode,
       removals, created folders, the generation it moves from and to) is written to a temporary file,
       fsynced and linked into place -- a link fails if a journal exists, so two writers can never both
       commit;
    2. the generation is compared with ``expect_generation`` (the one the writer read): if another writer
       committed in between, the staged files are removed and :class:`~netdep.errors.StoreError` raised;
    3. each staged file is moved onto its target (``os.replace``: the old file stays readable by a reader
       that has it open, and disappears with the rename), removals are made, each folder fsynced;
    4. ``.netdep-generation`` is incremented, then the journal removed.

    A process killed after step 1 leaves a journal whose staged files are all complete: the next
    netdep reader or writer finishes the swaps (:func:`recover`). Killed before step 1, it leaves
    only temporaries, which readers ignore and writers remove. Callers hold the data lock.
    """
    d = Path(data_dir)
    remove = sorted(set(remove) - set(staged))
    if not staged and not remove:
        return generation(d)
    _recover_locked(d)
    current = generation(d)
    if expect_generation is not None and current != expect_generation:
        raise StoreError(f"{d}: another writer changed the data (generation {expect_generation} -> {current}) "
                         "while this write ran; nothing was written; run the command again")
    for target in [*staged, *remove]:
        _check_target(target)
        t = d / target
        if t.is_dir() or t.is_symlink():
            raise StoreError(f"{t}: is {'a directory' if t.is_dir() else 'a symbolic link'}, not a table file; "
                             "move it away; nothing was written")
    for target, tmp in staged.items():
        if Path(tmp).parent.resolve() != (d / target).parent.resolve() or not Path(tmp).name.startswith(TMP_PREFIX):
            raise StoreError(f"{tmp}: a staged file must lie next to its target {target} and be named "
                             f"{TMP_PREFIX}*")
    journal = {"from_generation": current, "to_generation": current + 1, "pid": os.getpid(),
               "files": {target: Path(tmp).name for target, tmp in sorted(staged.items())},
               "stat": {target: _stat_key(Path(tmp)) for target, tmp in sorted(staged.items())}}
    if remove:
        journal["remove"] = remove
    if created:
        journal["created"] = sorted(set(created))
    text = json.dumps(journal, indent=1, sort_keys=True)
    tmp_journal = d / f"{TMP_PREFIX}journal-{os.getpid()}-{uuid.uuid4().hex}.json"
    with open(tmp_journal, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp_journal, d / JOURNAL_NAME)
    except FileExistsError:
        raise StoreError(f"{d / JOURNAL_NAME}: another writer is committing to this folder; "
                         "nothing was written; run the command again") from None
    finally:
        tmp_journal.unlink(missing_ok=True)
    _fsync_dir(d)
    if generation(d) != current:  # lost a race with a writer that did not hold our lock
        (d / JOURNAL_NAME).unlink(missing_ok=True)
        raise StoreError(f"{d}: another writer changed the data while this write ran; nothing was written; "
                         "run the command again")
    try:
        _finish(d, journal)
    except BaseException:
        if not _rollback_untouched(d, journal):
            raise  # some files were replaced: the journal stays and the next netdep command completes it
        raise
    return current + 1


def _staged_path(d: Path, target: str, tmp: str) -> Path:
    return (d / target).parent / tmp


def _rollback_untouched(d: Path, journal: dict) -> bool:
    """Undo a commit whose swaps had not started: remove journal and staged files. False if too late."""
    if not all(_staged_path(d, t, tmp).exists() for t, tmp in journal["files"].items()):
        return False
    if any(not os.path.lexists(d / t) for t in journal.get("remove", []) if t not in journal["files"]):
        return False
    (d / JOURNAL_NAME).unlink(missing_ok=True)
    for t, tmp in journal["files"].items():
        _staged_path(d, t, tmp).unlink(missing_ok=True)
    remove_empty_dirs(d, journal.get("created", []))
    _fsync_dir(d)
    return True


def remove_empty_dirs(d: Path, folders: Iterable[str]) -> None:
    """Remove the folders ``d/F`` that are empty, deepest first (staging made them; nothing went in)."""
    for f in sorted(folders, key=lambda x: x.count("/"), reverse=True):
        try:
            (d / f).rmdir()
        except OSError:
            pass


def _finish(d: Path, journal: dict) -> None:
    stats = journal.get("stat", {})
    touched = {d}
    for target, tmp in journal["files"].items():  # check every entry before the first swap
        src = _staged_path(d, target, tmp)
        if not os.path.lexists(src) and target in stats and not _is_staged_file(d / target, stats[target]):
            raise StoreError(f"{d / JOURNAL_NAME}: lists the staged file {Path(target).parent / tmp} for {target}, "
                             f"but it is missing and {target} is not that file: the interrupted write cannot be "
                             f"completed. Remove the journal and run that write again (for partitions: the "
                             f"`netdep import` or `netdep measures` that made them)")
    for target, tmp in journal["files"].items():
        src = _staged_path(d, target, tmp)
        if os.path.lexists(src):
            os.replace(src, d / target)
            touched.add(src.parent)
    for target in journal.get("remove", []):
        t = d / target
        if os.path.lexists(t):
            os.unlink(t)
        touched.add(t.parent)
        if t.parent != d and t.parent.name.startswith("year="):
            try:
                t.parent.rmdir()  # the partition's folder, when nothing else is in it
                touched.add(t.parent.parent)
            except OSError:
                pass
    for folder in sorted(touched):
        if folder.is_dir():
            _fsync_dir(folder)
    _write_small_file(d / GENERATION_NAME, f"{journal['to_generation']}\n")
    os.unlink(d / JOURNAL_NAME)
    _fsync_dir(d)


def _is_staged_file(path: Path, stat_key: list) -> bool:
    """Whether ``path`` is the file the journal staged (same inode, or same size and mtime after a copy)."""
    try:
        size, mtime, ino = _stat_key(path)
    except FileNotFoundError:
        return False
    return size == stat_key[0] and (ino == stat_key[2] or mtime == stat_key[1])


def recover(data_dir: str | Path, wait: float | None = None) -> bool:
    """Complete a commit a killed writer left unfinished (roll forward); return whether there was one.

    A journal exists only once every staged file was complete, so finishing its swaps is always
    safe. Done under the data lock; when a live writer holds it, returns as soon as that writer's
    journal is gone (it finished its own commit), even if the writer keeps the lock.
    """
    import time

    from .lock import DEFAULT_WAIT, LockTimeout, data_lock

    d = Path(data_dir)
    path = d / JOURNAL_NAME
    deadline = time.monotonic() + (DEFAULT_WAIT if wait is None else wait)
    while os.path.lexists(path):
        try:  # in short turns: a live writer may finish its own commit and go on holding the lock (an import)
            with data_lock(d, wait=min(0.05, max(0.0, deadline - time.monotonic()))):
                return _recover_locked(d)
        except LockTimeout:
            if time.monotonic() >= deadline:
                raise
    return False


def _recover_locked(d: Path) -> bool:
    path = d / JOURNAL_NAME
    if not os.path.lexists(path):
        return False
    journal = _read_journal(path)
    if journal is None:
        return False
    try:
        _finish(d, journal)
    except PermissionError as exc:
        raise StoreError(f"{path}: an interrupted write must be completed but the folder is not writable "
                         f"({exc.strerror}); make it writable and run any netdep command") from None
    return True


def _read_journal(path: Path) -> dict | None:
    try:
        if path.is_symlink() or not path.is_file():
            raise StoreError(f"{path}: is not a regular file; netdep writes this journal itself -- remove it")
        journal = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError):
        raise StoreError(f"{path}: not a netdep journal (unreadable JSON); a journal is written only after "
                         "its files are complete, so this one is not netdep's: inspect and remove it") from None
    files = journal.get("files") if isinstance(journal, dict) else None
    paths = [*files, *journal.get("remove", []), *journal.get("created", [])] if isinstance(files, dict) else []
    if (not isinstance(files, dict) or not isinstance(journal.get("to_generation"), int)
            or not all(isinstance(t, str) and _safe_relative(t) for t in paths)
            or any(not isinstance(v, str) or "/" in v or "\\" in v or not v.startswith(TMP_PREFIX)
                   for v in files.values())
            or not isinstance(journal.get("stat", {}), dict)
            or any(not (isinstance(v, list) and len(v) == 3 and all(isinstance(x, int) for x in v))
                   for v in journal.get("stat", {}).values())):
        raise StoreError(f"{path}: not a netdep journal (unexpected fields); inspect and remove it")
    return journal


def _safe_relative(target: str) -> bool:
    try:
        _check_target(target)
    except StoreError:
        return False
    return True


def canonical(name: str, table: pa.Table) -> pa.Table:
    """Cast to the spec's Arrow schema, columns in spec order, rows sorted by key."""
    schema = arrow_schema(name)
    table = table.select([f.name for f in schema]).cast(schema)
    keys = [(k, "ascending") for k in TABLES[name].key]
    return table.sort_by(keys)


def clean_stray_temporaries(data_dir: str | Path, older_than_s: float = 0.0) -> list[Path]:
    """Remove temporary files and folders left by interrupted writes; return what was removed.

    Looks in the folder itself and in partitioned tables (``TABLE/`` and ``TABLE/year=YYYY/``), where
    imports stage their partitions; a ``year=YYYY`` folder left empty goes too. Call it under the data
    lock only, after :func:`recover` (a journal's staged files are kept).
    """
    import shutil
    import time

    d = Path(data_dir)
    keep: set[Path] = set()
    if os.path.lexists(d / JOURNAL_NAME):
        journal = _read_journal(d / JOURNAL_NAME)
        keep = {_staged_path(d, t, v) for t, v in journal["files"].items()} if journal else set()
    removed = []
    tables = [p for p in d.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(TMP_PREFIX)]
    parts = [q for t in tables for q in t.glob("year=*") if q.is_dir() and not q.is_symlink()]
    for folder in (d, *tables, *parts):
        for p in folder.glob(f"{TMP_PREFIX}*"):
            if p in keep:
                continue
            try:
                if time.time() - p.lstat().st_mtime >= older_than_s:
                    if p.is_dir() and not p.is_symlink():
                        shutil.rmtree(p)
                    else:
                        p.unlink()
                    removed.append(p)
            except FileNotFoundError:
                pass
    for q in parts:
        try:
            q.rmdir()  # only when empty: a partition folder a killed import created
        except OSError:
            pass
    return removed


def table_from_rows(name: str, rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Build a table of ``name`` from dicts (missing optional columns become null)."""
    schema = arrow_schema(name)
    rows = list(rows)
    cols = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.table(cols, schema=schema)
