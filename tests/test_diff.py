"""netdep diff: rows added, removed and changed by key; text for git diff (textconv), tested with real git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest_edit import FLOW, ROOT, SOURCE, run_cli

from netdep.diff import diff, diff_rows, diff_tables, textconv
from netdep.edit import select, transact
from netdep.errors import ValidationError


def test_diff_tables_truth_table() -> None:
    old = pa.table({"route": ["a", "b", "c"], "capacity": [1.0, float("nan"), 3.0], "via": [["X"], [], None]})
    new = pa.table({"route": ["c", "b", "d"], "capacity": [3.5, float("nan"), 4.0], "via": [None, [], ["Y", "Z"]]})
    d = diff_tables("routes", old, new)
    assert [r["route"] for r in d.added] == ["d"]
    assert [r["route"] for r in d.removed] == ["a"]
    assert [(c.key, c.changes) for c in d.changed] == [({"route": "c"}, {"capacity": (3.0, 3.5)})]  # NaN == NaN
    assert d.summary() == "routes.parquet: 1 added, 1 removed, 1 changed"
    assert not diff_tables("routes", old, old)
    assert not diff_tables("routes", old, old.take([2, 0, 1]))  # row order does not matter


def set_flows(values: dict, data_dir: Path, where: dict, source_id: str) -> None:
    """Change only ``value`` (netdep.edit.set_flows would also re-value value_usd_bn and extend the note)."""
    def change(tables):
        flows = tables["flows"]
        i = flows.schema.get_field_index("value")
        new = pc.if_else(select(flows, "flows", where), pa.scalar(values["value"]), flows.column("value"))
        return {"flows": flows.set_column(i, "value", new)}
    transact(change, data_dir)


def test_diff_of_files_and_folders(tmp_path: Path, data_copy: Path) -> None:
    set_flows({"value": 38.8}, data_copy, where=FLOW, source_id=SOURCE)
    (d,) = diff(ROOT / "data" / "flows.parquet", data_copy / "flows.parquet")
    assert (d.table, len(d.added), len(d.removed)) == ("flows", 0, 0)
    assert [(c.key["origin"], c.changes) for c in d.changed] == [("RUS", {"value": (36.721, 38.8)})]
    diffs = diff(ROOT / "data", data_copy)
    assert [x.table for x in diffs if x] == ["flows"]
    assert diff_rows(diffs) == [["flows.parquet", "changed", "year=2025 layer=energy commodity=pipeline_gas "
                                 "origin=RUS destination=CHN route=power_of_siberia_1", "value", "36.721", "38.8"]]
    with pytest.raises(ValidationError, match="compare two Parquet files or two data folders"):
        diff(ROOT / "data", data_copy / "flows.parquet")
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(ValidationError, match="bad.parquet: not a readable Parquet file"):
        diff(bad, data_copy / "flows.parquet")


def test_diff_cli_formats(data_copy: Path) -> None:
    set_flows({"value": 38.8}, data_copy, where=FLOW, source_id=SOURCE)
    old, new = str(ROOT / "data"), str(data_copy)
    r = run_cli("diff", old, new)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("flows.parquet: 0 added, 0 removed, 1 changed\n")
    assert "36.721" in r.stdout and "38.8" in r.stdout and "(1 row)" in r.stdout
    r = run_cli("diff", old, new, "--format", "markdown")
    assert "| flows.parquet | changed | year=2025 layer=energy commodity=pipeline_gas origin=RUS destination=CHN " \
           "route=power_of_siberia_1 | value | 36.721 | 38.8 |" in r.stdout
    r = run_cli("diff", old, new, "--format", "json")
    (t,) = json.loads(r.stdout)
    assert t["table"] == "flows" and t["changed"][0]["changes"] == {"value": {"old": 36.721, "new": 38.8}}
    assert run_cli("diff", old, old).stdout.strip() == "no differences"
    assert run_cli("diff", old, new, "--exit-code").returncode == 1
    assert run_cli("diff", old, old, "--exit-code").returncode == 0
    r = run_cli("diff", old)
    assert r.returncode == 2 and "give OLD and NEW" in r.stderr


def test_textconv_is_stable_and_exact(tmp_path: Path) -> None:
    src = ROOT / "data" / "routes.parquet"
    text = textconv(src)
    lines = text.splitlines()
    n = pq.read_metadata(src).num_rows  # 20 routes since Druzhba's legs and the Kazakh transit (issue 10)
    assert lines[0] == f"# routes.parquet: {n} rows; key: route"
    assert len(lines) == 2 + n
    shuffled = pq.read_table(src)
    shuffled = shuffled.take(pc.sort_indices(shuffled, [("capacity", "descending")]))
    pq.write_table(shuffled, tmp_path / "1234_routes.parquet")  # git's temporary name for the old side
    assert textconv(tmp_path / "1234_routes.parquet") == text  # row order and file name do not matter
    t = pa.table({"source_id": ["a"], "title": [""], "publisher": ["null"], "url": ["x | y"], "published": [None],
                  "note": ["é\nñ"]})
    pq.write_table(t, tmp_path / "sources.parquet")
    assert textconv(tmp_path / "sources.parquet").splitlines()[2] == 'a | "" | "null" | "x | y" | null | "é\\nñ"'


def _git(repo: Path, *args: str, env: dict[str, str]) -> str:
    r = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_diff_shows_the_edited_row(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "data", repo / "data", ignore=shutil.ignore_patterns("src", ".lock", ".netdep-tmp-*"))
    shutil.copy(ROOT / ".gitattributes", repo / ".gitattributes")
    assert "*.parquet diff=parquet" in (repo / ".gitattributes").read_text()
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    textconv_cmd = "netdep diff --textconv" if shutil.which("netdep", path=bindir) else \
        f"{sys.executable} -m netdep diff --textconv"
    _git(repo, "init", "-q", env=env)
    _git(repo, "config", "diff.parquet.textconv", textconv_cmd, env=env)
    _git(repo, "add", ".", env=env)
    _git(repo, "commit", "-qm", "data", env=env)
    set_flows({"value": 38.8}, repo / "data", where=FLOW, source_id=SOURCE)
    out = _git(repo, "diff", "--", "data/flows.parquet", env=env)
    changed = [x for x in out.splitlines() if x[:1] in "+-" and not x.startswith(("+++", "---"))]
    assert changed == [
        "-2025 | energy | pipeline_gas | RUS | CHN | 36.721 | 14.8972 | power_of_siberia_1 | ei_sr_2026 | "
        + _note(), "+2025 | energy | pipeline_gas | RUS | CHN | 38.8 | 14.8972 | power_of_siberia_1 | ei_sr_2026 | "
        + _note()]
    assert "Binary files" not in out


def _note() -> str:
    t = pq.read_table(ROOT / "data" / "flows.parquet").to_pylist()
    (r,) = [r for r in t if all(r[k] == v for k, v in FLOW.items())]
    return r["note"]


def test_diff_refuses_folders_without_parquet_and_sees_partitions(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(ValidationError, match="neither folder holds a Parquet file"):
        diff(tmp_path / "a", tmp_path / "b")
    for side, v in (("a", 1.0), ("b", 2.0)):
        p = tmp_path / side / "hs6" / "year=2022"
        p.mkdir(parents=True)
        pq.write_table(pa.table({"origin": ["CHN", "USA"], "value": [v, 3.0]}), p / "part-0.parquet")
    (d,) = diff(tmp_path / "a", tmp_path / "b")
    assert (d.table, len(d.added), len(d.removed)) == ("hs6/year=2022/part-0", 1, 1)
    r = run_cli("diff", "--exit-code", str(tmp_path / "a"), str(tmp_path / "b"))
    assert r.returncode == 1 and "hs6/year=2022/part-0.parquet: 1 added, 1 removed, 0 changed" in r.stdout
