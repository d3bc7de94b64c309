"""One-line summaries of a data folder, and whether its Parquet is in step with its source CSVs."""

from __future__ import annotations

from pathlib import Path

from .store import Data

__all__ = ["data_summary", "source_drift"]


def data_summary(data: Data) -> str:
    """``ok: 6 tables, 2188 flows (…), years 2021–2025, 47 actors, 71 sources``."""
    flows = data["flows"]
    years = data.years
    layers = sorted(set(flows.column("layer").to_pylist()))
    span = f"{years[0]}–{years[-1]}" if years else "none"
    return (f"ok: {len(data.tables)} tables, {flows.num_rows} flows ({', '.join(layers)}), years {span} "
            f"({', '.join(map(str, years))}), {data['actors'].num_rows} actors, {data['routes'].num_rows} routes, "
            f"{data['sources'].num_rows} sources")


def source_drift(data_dir: str | Path) -> list[str]:
    """Tables whose Parquet differs from what ``data_dir/src/*.csv`` builds (empty when in step or no src)."""
    src = Path(data_dir) / "src"
    if not (src / "sources.csv").exists():
        return []
    from .build import build_tables
    from .errors import NetdepError
    from .store import read_tables

    try:
        built = build_tables(src)
    except NetdepError as exc:
        return [f"{src} cannot be built: {exc}"]
    current, _ = read_tables(data_dir)
    differ = [n for n, t in built.items() if n in current and not current[n].equals(t)]
    if not differ:
        return []
    return [f"{', '.join(n + '.parquet' for n in differ)} differ from what {src} builds: if you edited the "
            f"Parquet on purpose, bring the CSVs in {src} in step (`netdep export --format csv DIR` writes the "
            "tables as CSV); `python scripts/build_data.py` rebuilds the Parquet from the CSVs and would undo "
            "the edit"]
