"""Import CEPII BACI (product-level world trade, HS6) into Hive-partitioned Parquet.

BACI (Gaulier & Zignago 2010, CEPII Working Paper 2010-23) reconciles UN Comtrade's mirror flows into one
value per exporter, importer, HS6 product and year. Its CSV has the columns ``t,i,j,k,v,q``: year,
exporter, importer (numeric codes), product, value in thousands of current US$, quantity in tonnes.

Layout written under ``out`` (a netdep data folder; ``netdep.db.connect`` exposes it as views):

``hs6/year=YYYY/part-0.parquet``
    One row per (product, exporter, importer): ``layer`` ('trade'), ``commodity`` ('hs6:XXXXXX'),
    ``origin``, ``destination`` (ISO3 or 'EU27'), ``value`` and ``value_usd_bn`` (US$ bn = v / 1e6),
    ``route`` (null), ``source_id``, ``note`` (null), ``quantity_t``. ``year`` is the partition (in the
    path, not the file). Rows sorted by (commodity, origin, destination); zstd; 2^20-row row groups.
``hs6_intra_eu/year=YYYY/part-0.parquet``
    With ``eu_bloc``: intra-EU trade per product, dropped from ``hs6`` but needed for the EU's total
    imports and exports.
``hs6_countries.parquet``, ``hs6_products.parquet``
    The code mappings used (BACI code -> actor, name; commodity -> HS code, description).

One import is one unit: all its years and files become visible at once or not at all; years not in the input
are left alone (BACI ships one file a year).
Re-importing the same input gives byte-identical files.

>>> from pathlib import Path
>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "b.csv").write_text("t,i,j,k,v,q\\n2022,156,251,854231,1500.5,2.1\\n2022,251,276,854231,10,NA\\n")
>>> r = import_baci(d / "b.csv", eu_bloc=True, out=d)
>>> r.rows_out, r.intra_eu_rows
({2022: 1}, {2022: 1})
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..errors import SourceFormatError
from ..store import TMP_PREFIX
from ._duck import arrow_table, bulk_connection, run_with_progress, sql_file
from ._write import unit
from .codes import EU27, EU27_ACTOR, fallback_map, fallback_names, read_country_codes, read_product_codes

__all__ = ["import_baci", "ImportResult", "HS6_SCHEMA", "INTRA_EU_SCHEMA", "HS6_DIR", "INTRA_EU_DIR",
           "BACI_COLUMNS", "DEFAULT_SOURCE_ID", "year_table"]

BACI_COLUMNS = ("t", "i", "j", "k", "v", "q")
DEFAULT_SOURCE_ID = "cepii_baci"
HS6_DIR, INTRA_EU_DIR = "hs6", "hs6_intra_eu"
DERIVED_DIRS = ("hs6_measures", "hs6_pagerank")  # written by `netdep measures` from hs6

_DICT = pa.dictionary(pa.int32(), pa.string())  # codes repeat: dictionary-encoded in memory and on disk
HS6_SCHEMA = pa.schema([
    pa.field("layer", _DICT, nullable=False),
    pa.field("commodity", _DICT, nullable=False),
    pa.field("origin", _DICT, nullable=False),
    pa.field("destination", _DICT, nullable=False),
    pa.field("value", pa.float64(), nullable=False),
    pa.field("value_usd_bn", pa.float64()),
    pa.field("route", pa.string()),
    pa.field("source_id", _DICT, nullable=False),
    pa.field("note", pa.string()),
    pa.field("quantity_t", pa.float64()),
])
INTRA_EU_SCHEMA = pa.schema([
    pa.field("commodity", pa.string(), nullable=False),
    pa.field("value", pa.float64(), nullable=False),
    pa.field("quantity_t", pa.float64()),
    pa.field("flows", pa.int64(), nullable=False),
])


@dataclass
class ImportResult:
    """What :func:`import_baci` wrote: rows read and written per year, and the files."""

    rows_in: int
    rows_out: dict[int, int] = field(default_factory=dict)
    intra_eu_rows: dict[int, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    eu_bloc: bool = False
    stale_removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        years = ", ".join(f"{y}: {n:,}" for y, n in sorted(self.rows_out.items()))
        text = f"read {self.rows_in:,} BACI rows; wrote product flows per year ({years})"
        if self.eu_bloc:
            dropped = sum(self.intra_eu_rows.values())
            text += f"; EU members folded into {EU27_ACTOR}, {dropped:,} intra-EU rows dropped"
        if self.stale_removed:
            text += (f"; removed {', '.join(self.stale_removed)} (computed from the replaced flows: "
                     "run `netdep measures`)")
        return text


def _check_header(csv_path: Path) -> None:
    if not csv_path.is_file():
        raise SourceFormatError(f"{csv_path}: no such file")
    with open(csv_path, "rb") as f:
        first = f.readline(4096).decode("utf-8-sig", errors="replace").strip()
    cols = tuple(c.strip().strip('"').lower() for c in first.split(","))
    if cols != BACI_COLUMNS:
        raise SourceFormatError(
            f"{csv_path}:1: not a BACI file: expected the header t,i,j,k,v,q (year, exporter, importer, "
            f"HS6 product, value in thousand US$, quantity in tonnes), found '{first[:80]}'")


def _duck_message(exc: Exception, csv_path: Path) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()][:3]
    text = " ".join(lines).replace("Conversion Error: ", "").replace("Invalid Input Error: ", "")
    return f"{csv_path}: {text} (BACI columns: t,i,j,k integers, v and q numbers with up to 3 decimals, q may be NA)"


def _country_table(codes: list[int], country_codes: Path | None, eu_bloc: bool) -> pa.Table:
    """Map every code in the data to an actor; raise listing the codes that cannot be mapped."""
    if country_codes is not None:
        known = read_country_codes(country_codes)
        iso = {c: known[c][0] for c in codes if c in known}
        names = {known[c][0]: known[c][1] for c in codes if c in known}
        hint = f"add them to {country_codes}"
    else:
        iso = fallback_map(codes)
        names = fallback_names(set(iso.values()))
        hint = "pass BACI's country-code file with --country-codes FILE"
    missing = sorted(set(codes) - set(iso))
    if missing:
        shown = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
        raise SourceFormatError(f"{len(missing)} BACI country code(s) have no ISO3 code: {shown}; {hint}")
    eu = set(EU27)
    rows = sorted(codes)
    actor = [EU27_ACTOR if eu_bloc and iso[c] in eu else iso[c] for c in rows]
    return pa.table({
        "code": pa.array(rows, pa.int32()),
        "actor": pa.array(actor, pa.string()),
        "iso3": pa.array([iso[c] for c in rows], pa.string()),
        "name": pa.array([names.get(iso[c], iso[c]) for c in rows], pa.string()),
        "eu": pa.array([eu_bloc and iso[c] in eu for c in rows], pa.bool_()),
    })


def _dict(indices: np.ndarray, dictionary: list[str]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32, copy=False)),
                                          pa.array(dictionary, pa.string()))


def year_table(ints: pa.Table, actors: list[str], source_id: str) -> pa.Table:
    """Product flows from the sorted integer rows of ``baci_year.sql``: equal keys summed exactly, as integers.

    ``actors[rank]`` is the actor of a rank. value = v_milli / 1e9 (thousandths of thousand US$ -> US$ bn);
    quantity_t = q_milli / 1000, null when any summed row lacks it.
    """
    k = ints.column("k").to_numpy()
    o = ints.column("o").to_numpy()
    d = ints.column("d").to_numpy()
    v = ints.column("v_milli").to_numpy()
    q_col = ints.column("q_milli")
    q_null = q_col.is_null().to_numpy(zero_copy_only=False)
    q = q_col.fill_null(0).to_numpy()
    n = len(k)
    if n:
        first = np.empty(n, dtype=bool)
        first[0] = True
        first[1:] = (k[1:] != k[:-1]) | (o[1:] != o[:-1]) | (d[1:] != d[:-1])
        starts = np.flatnonzero(first)
        if len(starts) < n:  # folded EU members (or duplicate source rows): sum them
            v, q = np.add.reduceat(v, starts), np.add.reduceat(q, starts)
            q_null = np.add.reduceat(q_null.astype(np.int32), starts) > 0
            k, o, d = k[starts], o[starts], d[starts]
    m = len(k)
    products, k_idx = np.unique(k, return_inverse=True)
    value = pa.array(v / 1e9)
    return pa.table({
        "layer": _dict(np.zeros(m, np.int32), ["trade"]),
        "commodity": _dict(k_idx, [f"hs6:{x:06d}" for x in products]),
        "origin": _dict(o, actors),
        "destination": _dict(d, actors),
        "value": value,
        "value_usd_bn": value,
        "route": pa.nulls(m, pa.string()),
        "source_id": _dict(np.zeros(m, np.int32), [source_id]),
        "note": pa.nulls(m, pa.string()),
        "quantity_t": pa.array(q / 1000.0, mask=q_null),
    }, schema=HS6_SCHEMA)


def _load(con, csv_path: Path, progress: bool) -> int:
    import duckdb

    try:
        run_with_progress(con, lambda: con.execute(sql_file("baci_load.sql"), {"csv": str(csv_path)}),
                          f"reading {csv_path.name}", progress)
    except duckdb.Error as exc:
        raise SourceFormatError(_duck_message(exc, csv_path)) from None
    n, bad_v, bad_k = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE v IS NULL OR v < 0), "
        "count(*) FILTER (WHERE k IS NULL OR k < 0 OR k > 999999 OR year IS NULL OR i IS NULL OR j IS NULL) "
        "FROM baci_raw").fetchall()[0]
    if bad_v or bad_k:
        raise SourceFormatError(f"{csv_path}: {bad_v} row(s) with a missing or negative value v and {bad_k} "
                                f"with a missing year or code, or an HS code of more than six digits")
    _check_rows(con, csv_path)
    return int(n)


#: (what is wrong, SQL condition over baci_raw) -- each a row-level rule; the first offending row is named
_ROW_RULES = (
    ("year: not a year between 1900 and 2100", "year < 1900 OR year > 2100"),
    ("j: importer equals exporter i (a self-loop; BACI has no intra-country trade)", "i = j"),
    ("q: negative quantity", "q < 0"),
)


def _check_rows(con, csv_path: Path) -> None:
    """Refuse rows BACI never holds: years out of range, self-loops, negative quantities, repeated keys.

    Messages are ``FILE:ROW: column: what is wrong`` with the spreadsheet row of the first case (header = 1).
    """
    con.execute("CREATE OR REPLACE TEMP TABLE baci_rows AS SELECT row_number() OVER () + 1 AS row, * FROM baci_raw")
    problems = []
    for what, cond in _ROW_RULES:
        n, first = con.execute(f"SELECT count(*), min(row) FROM baci_rows WHERE {cond}").fetchall()[0]
        if n:
            problems.append(f"{csv_path}:{first}: {what}" + (f" (and {n - 1} more rows)" if n > 1 else ""))
    n, first, again = con.execute(
        "SELECT count(*), arg_min(first_row, second_row), min(second_row) FROM (SELECT min(row) AS first_row, "
        "(list_sort(list(row)))[2] AS second_row FROM baci_rows GROUP BY year, i, j, k HAVING count(*) > 1)"
    ).fetchall()[0]
    if n:
        problems.append(f"{csv_path}:{again}: t,i,j,k: duplicate key (same year, exporter, importer and "
                        f"product as row {first})" + (f"; {n} keys repeat" if n > 1 else ""))
    con.execute("DROP TABLE baci_rows")
    if problems:
        raise SourceFormatError("\n".join(problems))


def import_baci(csv: str | Path, country_codes: str | Path | None = None, product_codes: str | Path | None = None,
                eu_bloc: bool = False, out: str | Path = "data", source_id: str = DEFAULT_SOURCE_ID,
                progress: bool = False, memory_limit: str = "2GB", wait: float | None = None) -> ImportResult:
    """Stream one BACI CSV through DuckDB into ``out/hs6/year=YYYY/part-0.parquet`` (see the module doc).

    Parameters
    ----------
    csv : BACI file with the header ``t,i,j,k,v,q``.
    country_codes : BACI's country-code file (``country_iso3`` or ``iso_3digit_alpha`` column); default:
        map numeric codes with ``pycountry``.
    product_codes : BACI's product-code file (``code,description``), stored as ``hs6_products.parquet``.
    eu_bloc : fold the 27 EU members into ``EU27`` (flows summed) and drop intra-EU flows (kept per product
        in ``hs6_intra_eu``).
    out : the data folder to write into.
    source_id : ``source_id`` of every row.
    progress : show a progress bar (rich) on stderr.
    memory_limit : DuckDB's memory limit; beyond it, DuckDB spills to a temporary folder under ``out``.
    wait : seconds to wait for another writer holding ``out``'s lock (default 5).

    Everything an import writes -- each year's ``hs6`` and ``hs6_intra_eu`` partition, the removal of a
    stale ``hs6_intra_eu`` partition (import without ``eu_bloc``) and of measures / PageRank partitions
    computed from the flows it changes (not when the new partitions are byte-identical to the old),
    ``hs6_countries.parquet``, ``hs6_products.parquet`` -- is
    committed as one unit (:class:`netdep.bulk._write.Unit`) under ``out``'s lock: readers see the old
    folder or the new one, never a mix, even when the import is killed.

    Raises :class:`~netdep.errors.SourceFormatError` for a file that is not BACI or has unmapped codes.
    """
    csv_path = Path(csv)
    _check_header(csv_path)
    out = Path(out)
    products = read_product_codes(product_codes) if product_codes is not None else None
    with unit(out, wait=wait) as u:  # one unit: every partition and file below, or none of them
        spill = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}duckdb-", dir=out))
        con = bulk_connection(memory_limit, temp_dir=spill)
        try:
            result = ImportResult(rows_in=_load(con, csv_path, progress), eu_bloc=eu_bloc)
            codes = [r[0] for r in con.execute("SELECT DISTINCT c FROM (SELECT i AS c FROM baci_raw UNION "
                                               "SELECT j FROM baci_raw) ORDER BY c").fetchall()]
            countries = _country_table(codes, Path(country_codes) if country_codes else None, eu_bloc)
            actors = sorted(set(countries.column("actor").to_pylist()))
            con.register("country_arrow", countries)
            con.execute("CREATE OR REPLACE TEMP TABLE country_map AS SELECT code, actor, eu, "
                        "(dense_rank() OVER (ORDER BY actor) - 1)::INTEGER AS rank FROM country_arrow")
            years = [r[0] for r in con.execute("SELECT DISTINCT year FROM baci_raw ORDER BY year").fetchall()]
            year_sql, intra_sql = sql_file("baci_year.sql"), sql_file("baci_intra_eu.sql")
            for y in years:
                ints = run_with_progress(con, lambda y=y: arrow_table(con, year_sql, {"year": y}),
                                         f"sorting {HS6_DIR}/year={y}", progress)
                table = year_table(ints, actors, source_id)
                del ints
                path, rows = u.partition(table.to_reader(), HS6_SCHEMA, HS6_DIR, y)
                del table
                result.rows_out[y] = rows
                result.files.append(path)
                if eu_bloc:
                    path, _ = u.partition(arrow_table(con, intra_sql, {"year": y}).to_reader(), INTRA_EU_SCHEMA,
                                          INTRA_EU_DIR, y)
                    result.files.append(path)
                    result.intra_eu_rows[y] = int(con.execute(
                        "SELECT count(*) FROM baci_raw r JOIN country_map o ON o.code = r.i JOIN country_map d "
                        "ON d.code = r.j WHERE r.year = $y AND o.eu AND d.eu", {"y": y}).fetchall()[0][0])
                else:
                    u.drop_partition(INTRA_EU_DIR, y)  # stale from an earlier --eu-bloc import
                stale = [x for x in DERIVED_DIRS if (out / x / f"year={y}" / "part-0.parquet").exists()]
                if stale and (u.changes(HS6_DIR, y) or u.changes(INTRA_EU_DIR, y)):  # computed from the old flows
                    for derived in stale:
                        u.drop_partition(derived, y)
                        result.stale_removed.append(f"{derived}/year={y}")
        finally:
            con.close()
            shutil.rmtree(spill, ignore_errors=True)
        result.files.append(u.file("hs6_countries", countries.drop_columns(["eu"])))
        if products is not None:
            keys = sorted(products)
            result.files.append(u.file("hs6_products", pa.table({
                "commodity": keys, "code": [k[4:] for k in keys], "description": [products[k] for k in keys]})))
    return result
