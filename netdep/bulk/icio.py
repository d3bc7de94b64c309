"""Import the OECD Inter-Country Input-Output tables' bilateral intermediate flows as industry trade layers.

The OECD ICIO tables (2025 release; https://www.oecd.org/en/data/datasets/inter-country-input-output-tables.html)
give, for 80 economies x 50 ISIC Rev.4 industries, what each industry of each economy supplies to each
industry of each economy. The input file has one row per (exporter, supplying industry, importer) with the
flow summed over the importer's using industries, in US$ million of 2022::

    exporter,sector,importer,value_usd_mn,domestic

(``/work/shared/reference/sectors/icio_2022_bilateral_intermediate.csv.gz``; its README gives the provenance).
What it covers: **intermediate use only** (no final demand), and only the 80 economies of the table (the
OECD's rest-of-world region is not in it), so an import share computed here is a share of the importer's
intermediate imports from the other economies of the table.

Layout written under ``out`` (next to BACI's ``hs6/``; ``netdep sql`` shows them as views):

``isic/year=2022/part-0.parquet`` (view ``isic_flows``)
    One row per (industry, exporter, importer), the columns of ``hs6`` (:data:`~netdep.bulk.baci.HS6_SCHEMA`):
    ``layer`` 'trade', ``commodity`` 'isic:C27' (the ICIO industry code), ``origin``/``destination`` ISO3 or
    'EU27', ``value`` = ``value_usd_bn`` in **US$ bn** (value_usd_mn / 1000, summed exactly as decimals
    over folded EU members), ``source_id`` 'oecd_icio_2025', ``note`` the coverage caveat, ``quantity_t``
    null. Domestic flows (exporter = importer) are not trade and are left out; with ``eu_bloc`` flows
    between two EU members are dropped too.
``isic_intra_eu/year=2022/part-0.parquet`` (view ``isic_intra_eu``)
    Intra-EU flows per industry (US$ bn, number of member pairs), as ``hs6_intra_eu``.
``isic_domestic/year=2022/part-0.parquet`` (view ``isic_domestic``)
    Each actor's domestic intermediate use of its own industry's output (US$ bn; EU27 = sum of its members'
    own domestic flows), so imports can be set against use.
``isic_industries/year=2022/part-0.parquet`` (view ``isic_industries``)
    The 50 ICIO industries of the release: commodity, code, name (the OECD's labels).

Re-importing the same file gives byte-identical files; all partitions of an import are committed as one
unit (readers never see some new and some old).

>>> from pathlib import Path
>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "i.csv").write_text("exporter,sector,importer,value_usd_mn,domestic\\n"
...     "CHN,C27,DEU,1500.5,false\\nCHN,C27,FRA,500,false\\nDEU,C27,FRA,10,false\\nCHN,C27,CHN,9,true\\n")
>>> r = import_icio(d / "i.csv", d, measures=False)
>>> r.rows_out, r.intra_eu_rows, r.domestic_rows
(1, 1, 1)
>>> import pyarrow.parquet as pq
>>> pq.read_table(d / "isic/year=2022/part-0.parquet").column("value").to_pylist()
[2.0005]
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import SourceFormatError
from ..store import TMP_PREFIX
from ._duck import arrow_table, bulk_connection, run_with_progress, sql_file
from ._write import Unit, unit
from .baci import HS6_SCHEMA, INTRA_EU_SCHEMA
from .codes import EU27, EU27_ACTOR

__all__ = ["import_icio", "IcioResult", "ICIO_COLUMNS", "ICIO_SECTORS", "ICIO_ECONOMIES", "ICIO_SOURCE_ID",
           "ICIO_NOTE", "ICIO_DIR", "ICIO_INTRA_EU_DIR", "ICIO_DOMESTIC_DIR", "ICIO_MEASURES_DIR",
           "ICIO_PAGERANK_DIR", "ICIO_INDUSTRIES_DIR", "ICIO_YEAR", "DOMESTIC_SCHEMA", "icio_measures", "icio_pagerank",
           "icio_connection", "isic_commodity"]

ICIO_COLUMNS = ("exporter", "sector", "importer", "value_usd_mn", "domestic")
ICIO_SOURCE_ID = "oecd_icio_2025"
ICIO_YEAR = 2022
ICIO_DIR, ICIO_INTRA_EU_DIR, ICIO_DOMESTIC_DIR = "isic", "isic_intra_eu", "isic_domestic"
ICIO_MEASURES_DIR, ICIO_PAGERANK_DIR = "isic_measures", "isic_pagerank"
ICIO_INDUSTRIES_DIR = "isic_industries"
ICIO_NOTE = ("OECD ICIO 2025 release, 2022: intermediate use only (summed over the importer's using industries); "
             "the OECD rest-of-world region is not in the table")

# The OECD ICIO 2025 release's industries (ISIC Rev.4 groupings) with the OECD's labels.
ICIO_SECTORS: dict[str, str] = {
    "A01": "Agriculture and hunting", "A02": "Forestry and logging", "A03": "Fishing and aquaculture",
    "B05": "Mining of coal and lignite", "B06": "Extraction of crude petroleum and natural gas",
    "B07": "Mining of metal ores", "B08": "Other mining and quarrying", "B09": "Mining support service activities",
    "C10T12": "Manufacture of food products; beverages and tobacco products",
    "C13T15": "Manufacture of textiles, wearing apparel, leather and related products",
    "C16": "Manufacture of wood and of products of wood and cork",
    "C17_18": "Manufacture of paper and paper products; Printing and reproduction of recorded media",
    "C19": "Manufacture of coke and refined petroleum products",
    "C20": "Manufacture of chemicals and chemical products",
    "C21": "Manufacture of basic pharmaceutical products and pharmaceutical preparations",
    "C22": "Manufacture of rubber and plastic products", "C23": "Manufacture of other non-metallic mineral products",
    "C24A": "Manufacture of basic iron and steel", "C24B": "Manufacture of basic precious and other non-ferrous metals",
    "C25": "Manufacture of fabricated metal products",
    "C26": "Manufacture of computer, electronic and optical products", "C27": "Manufacture of electrical equipment",
    "C28": "Manufacture of machinery and equipment n.e.c.",
    "C29": "Manufacture of motor vehicles, trailers and semi-trailers", "C301": "Building of ships and boats",
    "C302T309": "Manufacture of other transport equipment",
    "C31T33": "Manufacture of furniture and other manufacturing",
    "D": "Electricity, gas, steam and air conditioning supply",
    "E": "Water supply; sewerage, waste management and remediation activities", "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    "H49": "Land transport and transport via pipelines", "H50": "Water transport", "H51": "Air transport",
    "H52": "Warehousing and support activities for transportation", "H53": "Postal and courier activities",
    "I": "Accommodation and food service activities",
    "J58T60": "Publishing, Motion picture, video, television programme production and broadcasting activities",
    "J61": "Telecommunications", "J62_63": "Computer programming and information service activities",
    "K": "Financial and insurance activities", "L": "Real estate activities",
    "M": "Professional, scientific and technical activities", "N": "Administrative and support service activities",
    "O": "Public administration and defence; compulsory social security", "P": "Education",
    "Q": "Human health and social work activities", "R": "Arts, entertainment and recreation activities",
    "S": "Other service activities",
    "T": "Activities of households as employers; undifferentiated goods- and services-producing activities of "
         "households for own use",
}
# The 80 economies of the table (ISO3; the OECD's ROW, CN1/CN2 and MX1/MX2 are not in the bilateral file).
ICIO_ECONOMIES = (
    "AGO ARE ARG AUS AUT BEL BGD BGR BLR BRA BRN CAN CHE CHL CHN CIV CMR COD COL CRI CYP CZE DEU DNK EGY ESP EST FIN "
    "FRA GBR GRC HKG HRV HUN IDN IND IRL ISL ISR ITA JOR JPN KAZ KHM KOR LAO LTU LUX LVA MAR MEX MLT MMR MYS NGA NLD "
    "NOR NZL PAK PER PHL POL PRT ROU RUS SAU SEN SGP STP SVK SVN SWE THA TUN TUR TWN UKR USA VNM ZAF").split()

DOMESTIC_SCHEMA = pa.schema([("commodity", pa.string()), ("actor", pa.string()), ("value", pa.float64())])


def isic_commodity(code: str) -> str:
    """The netdep commodity of an ICIO industry code.

    >>> isic_commodity("C27")
    'isic:C27'
    """
    return f"isic:{code}"


@dataclass
class IcioResult:
    """What :func:`import_icio` wrote."""

    rows_in: int
    rows_out: int = 0
    intra_eu_rows: int = 0
    domestic_rows: int = 0
    measures_rows: int = 0
    pagerank_rows: int = 0
    eu_bloc: bool = True
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"read {self.rows_in:,} ICIO rows; wrote {self.rows_out:,} industry flows for {ICIO_YEAR} "
                f"(US$ bn, domestic flows left out: {self.domestic_rows:,} actor-industry totals in "
                f"{ICIO_DOMESTIC_DIR})")
        if self.eu_bloc:
            text += f"; EU members folded into {EU27_ACTOR}, {self.intra_eu_rows:,} intra-EU rows dropped"
        if self.measures_rows:
            text += f"; measures: {self.measures_rows:,} (importer, industry) rows"
        if self.pagerank_rows:
            text += f"; pagerank: {self.pagerank_rows:,} (industry, actor) rows"
        return text


_LOAD_SQL = """
CREATE OR REPLACE TEMP TABLE icio_text AS
SELECT row_number() OVER () + 1 AS line, * FROM read_csv($csv, header = true, auto_detect = false, delim = ',',
    quote = '"', columns = {'exporter': 'VARCHAR', 'sector': 'VARCHAR', 'importer': 'VARCHAR',
                            'value_usd_mn': 'VARCHAR', 'domestic': 'VARCHAR'})
"""


def _check_header(path: Path) -> None:
    if not path.is_file():
        raise SourceFormatError(f"{path}: no such file")
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            first = f.readline(4096).decode("utf-8-sig", errors="replace").strip()
    except OSError as exc:
        raise SourceFormatError(f"{path}: cannot read ({exc})") from None
    cols = tuple(c.strip().strip('"').lower() for c in first.split(","))
    if cols != ICIO_COLUMNS:
        raise SourceFormatError(f"{path}:1: not an ICIO bilateral file: expected the header "
                                f"{','.join(ICIO_COLUMNS)}, found '{first[:80]}'")


def _validate(con, path: Path) -> int:
    """Check every row; raise ``FILE:ROW: column: what is wrong`` for the first bad one."""
    con.execute("CREATE OR REPLACE TEMP TABLE icio_codes AS SELECT unnest($e::VARCHAR[]) AS code",
                {"e": ICIO_ECONOMIES})
    con.execute("CREATE OR REPLACE TEMP TABLE icio_sectors AS SELECT unnest($s::VARCHAR[]) AS code",
                {"s": list(ICIO_SECTORS)})
    checks = [
        ("exporter", "exporter NOT IN (SELECT code FROM icio_codes) OR exporter IS NULL",
         "not one of the 80 ICIO economies (ISO3)"),
        ("importer", "importer NOT IN (SELECT code FROM icio_codes) OR importer IS NULL",
         "not one of the 80 ICIO economies (ISO3)"),
        ("sector", "sector NOT IN (SELECT code FROM icio_sectors) OR sector IS NULL",
         "not an ICIO 2025 industry code (e.g. C27)"),
        ("value_usd_mn", "TRY_CAST(value_usd_mn AS DECIMAL(38, 13)) IS NULL "
                         "OR TRY_CAST(value_usd_mn AS DECIMAL(38, 13)) < 0",
         "not a non-negative number (US$ mn, up to 13 decimals)"),
        ("domestic", "lower(domestic) NOT IN ('true', 'false') OR domestic IS NULL "
                     "OR (lower(domestic) = 'true') <> (exporter = importer)",
         "must be true exactly when exporter = importer"),
    ]
    for col, cond, what in checks:
        bad = con.execute(f"SELECT line, {col} FROM icio_text WHERE {cond} ORDER BY line LIMIT 1").fetchall()
        if bad:
            line, val = bad[0]
            raise SourceFormatError(f"{path}:{line}: {col}: '{'' if val is None else val}' {what}")
    dup = con.execute("SELECT line, exporter, sector, importer, first_line FROM (SELECT line, exporter, sector, "
                      "importer, min(line) OVER w AS first_line, row_number() OVER (w ORDER BY line) AS n FROM "
                      "icio_text WINDOW w AS (PARTITION BY exporter, sector, importer)) WHERE n = 2 "
                      "ORDER BY line LIMIT 1").fetchall()
    if dup:
        line, e, s, i, first = dup[0]
        raise SourceFormatError(f"{path}:{line}: exporter,sector,importer: ({e}, {s}, {i}) already on line {first}")
    return int(con.execute("SELECT count(*) FROM icio_text").fetchall()[0][0])


_FLOWS_SQL = """
SELECT 'isic:' || r.sector AS commodity, o.actor AS origin, d.actor AS destination,
       CAST(sum(r.v) AS DOUBLE) / 1000 AS value
FROM icio_raw r JOIN actor_map o ON o.code = r.exporter JOIN actor_map d ON d.code = r.importer
WHERE r.exporter <> r.importer AND NOT (o.eu AND d.eu)
GROUP BY ALL HAVING sum(r.v) > 0
ORDER BY commodity, origin, destination
"""
_INTRA_SQL = """
SELECT 'isic:' || r.sector AS commodity, CAST(sum(r.v) AS DOUBLE) / 1000 AS value, NULL::DOUBLE AS quantity_t,
       count(*) AS flows
FROM icio_raw r JOIN actor_map o ON o.code = r.exporter JOIN actor_map d ON d.code = r.importer
WHERE r.exporter <> r.importer AND o.eu AND d.eu
GROUP BY ALL ORDER BY commodity
"""
_DOMESTIC_SQL = """
SELECT 'isic:' || r.sector AS commodity, o.actor AS actor, CAST(sum(r.v) AS DOUBLE) / 1000 AS value
FROM icio_raw r JOIN actor_map o ON o.code = r.exporter
WHERE r.exporter = r.importer
GROUP BY ALL ORDER BY commodity, actor
"""


def _flows_table(t: pa.Table) -> pa.Table:
    n = t.num_rows
    value = t.column("value").combine_chunks()
    const = pa.DictionaryArray.from_arrays(pa.array([0] * n, pa.int32()), pa.array(["trade"]))
    return pa.table({
        "layer": const,
        "commodity": t.column("commodity").combine_chunks().dictionary_encode(),
        "origin": t.column("origin").combine_chunks().dictionary_encode(),
        "destination": t.column("destination").combine_chunks().dictionary_encode(),
        "value": value,
        "value_usd_bn": value,
        "route": pa.nulls(n, pa.string()),
        "source_id": pa.DictionaryArray.from_arrays(pa.array([0] * n, pa.int32()), pa.array([ICIO_SOURCE_ID])),
        "note": pa.array([ICIO_NOTE] * n, pa.string()),
        "quantity_t": pa.nulls(n, pa.float64()),
    }).cast(HS6_SCHEMA)


def import_icio(path: str | Path, out: str | Path = "data", eu_bloc: bool = True, measures: bool = True,
                progress: bool = False, memory_limit: str = "2GB", wait: float | None = None) -> IcioResult:
    """Read the ICIO bilateral intermediate table into ``out/isic/year=2022`` (see the module doc).

    Parameters
    ----------
    path : the CSV (optionally gzipped) with the header ``exporter,sector,importer,value_usd_mn,domestic``.
    out : the data folder to write into.
    eu_bloc : fold the 27 EU members into ``EU27`` and drop intra-EU flows (kept per industry in
        ``isic_intra_eu``); default True.
    measures : also compute the dependency measures (:func:`icio_measures`) and PageRank on every industry
        layer (:func:`icio_pagerank`).
    progress : draw a progress bar (rich) on stderr while reading.
    wait : seconds to wait for another writer holding ``out``'s lock (default 5).

    Every partition the import writes (flows, intra-EU, domestic, industries, measures, PageRank; the
    removal of a stale intra-EU partition, or of measures it does not recompute) is committed as one unit
    under ``out``'s lock: readers see all old or all new, even when the import is killed.

    Raises :class:`~netdep.errors.SourceFormatError` (``FILE:ROW: column: what is wrong``) for bad input.
    """
    import duckdb

    src = Path(path)
    _check_header(src)
    out = Path(out)
    with unit(out, wait=wait) as u:  # one unit: flows, intra-EU, domestic, industries, measures, PageRank
        spill = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}duckdb-", dir=out))
        con = bulk_connection(memory_limit, temp_dir=spill)
        try:
            try:
                run_with_progress(con, lambda: con.execute(_LOAD_SQL, {"csv": str(src)}), f"reading {src.name}",
                                  progress)
            except duckdb.Error as exc:
                msg = " ".join(ln.strip() for ln in str(exc).splitlines() if ln.strip())[:300]
                raise SourceFormatError(f"{src}: {msg}") from None
            result = IcioResult(rows_in=_validate(con, src), eu_bloc=eu_bloc)
            con.execute("CREATE OR REPLACE TEMP TABLE icio_raw AS SELECT exporter, sector, importer, "
                        "CAST(value_usd_mn AS DECIMAL(38, 13)) AS v FROM icio_text")
            eu = set(EU27)
            codes = sorted(ICIO_ECONOMIES)
            con.register("actor_arrow", pa.table({
                "code": codes, "actor": [EU27_ACTOR if eu_bloc and c in eu else c for c in codes],
                "eu": [eu_bloc and c in eu for c in codes]}))
            con.execute("CREATE OR REPLACE TEMP TABLE actor_map AS SELECT * FROM actor_arrow")
            flows = _flows_table(arrow_table(con, _FLOWS_SQL))
            p, result.rows_out = u.partition(flows.to_reader(), HS6_SCHEMA, ICIO_DIR, ICIO_YEAR)
            result.files.append(p)
            if eu_bloc:
                intra = arrow_table(con, _INTRA_SQL)
                p, _ = u.partition(intra.to_reader(), INTRA_EU_SCHEMA, ICIO_INTRA_EU_DIR, ICIO_YEAR)
                result.intra_eu_rows = sum(intra.column("flows").to_pylist())
                result.files.append(p)
            else:
                u.drop_partition(ICIO_INTRA_EU_DIR, ICIO_YEAR)
            p, result.domestic_rows = u.partition(arrow_table(con, _DOMESTIC_SQL).to_reader(), DOMESTIC_SCHEMA,
                                                  ICIO_DOMESTIC_DIR, ICIO_YEAR)
            result.files.append(p)
        finally:
            con.close()
            shutil.rmtree(spill, ignore_errors=True)
        keys = list(ICIO_SECTORS)
        industries = pa.table({"commodity": [isic_commodity(k) for k in keys], "code": keys,
                               "name": [ICIO_SECTORS[k] for k in keys]})
        p, _ = u.partition(industries.to_reader(), industries.schema, ICIO_INDUSTRIES_DIR, ICIO_YEAR)
        result.files.append(p)
        if measures:
            result.measures_rows = icio_measures(out, into=u)
            result.pagerank_rows = icio_pagerank(out, into=u)
        elif (any((out / x / f"year={ICIO_YEAR}").exists() for x in (ICIO_MEASURES_DIR, ICIO_PAGERANK_DIR))
              and (u.changes(ICIO_DIR, ICIO_YEAR) or u.changes(ICIO_INTRA_EU_DIR, ICIO_YEAR))):
            for derived in (ICIO_MEASURES_DIR, ICIO_PAGERANK_DIR):  # computed from the flows this import replaces
                u.drop_partition(derived, ICIO_YEAR)
    return result


def _files_sql(files: list[Path]) -> str:
    """A quoted SQL list of file paths (paths cannot be bound in a view)."""
    return "[" + ", ".join("'" + str(f).replace("\\", "/").replace("'", "''") + "'" for f in files) + "]"


def icio_connection(data_dir: str | Path, memory_limit: str = "2GB", into: Unit | None = None):
    """A DuckDB connection where ``hs6_flows`` / ``hs6_intra_eu`` read the ICIO industry tables, so the BACI
    measures SQL (``netdep/bulk/sql/measures.sql``) runs on them unchanged. With ``into``, the tables as that
    unit will leave them (its staged partitions)."""
    d = Path(data_dir)
    u = into if into is not None else Unit(d)
    con = bulk_connection(memory_limit, threads=1)  # one thread: sums in one order, same bytes every run
    hive = "hive_partitioning = true, hive_types = {'year': BIGINT}"
    flows = [u.source(ICIO_DIR, y) for y in u.years(ICIO_DIR)]
    con.execute(f"CREATE VIEW hs6_flows AS SELECT year, commodity, origin, destination, value FROM read_parquet("
                f"{_files_sql(flows)}, {hive})")
    intra = [u.source(ICIO_INTRA_EU_DIR, y) for y in u.years(ICIO_INTRA_EU_DIR)]
    if intra:
        con.execute(f"CREATE VIEW hs6_intra_eu AS SELECT year, commodity, value FROM read_parquet("
                    f"{_files_sql(intra)}, {hive})")
    else:
        con.execute("CREATE VIEW hs6_intra_eu AS SELECT NULL::BIGINT AS year, NULL::VARCHAR AS commodity, "
                    "NULL::DOUBLE AS value WHERE false")
    return con


def icio_measures(data_dir: str | Path, into: Unit | None = None) -> int:
    """Dependency measures for every (importer, industry) of ``<data>/isic`` (the formulas of
    :mod:`netdep.bulk.measures`: import value, suppliers, HHI, top supplier and share, GeoDep and EC flags),
    written to ``<data>/isic_measures/year=YYYY`` (view ``isic_dependencies``); returns the rows written.

    With ``into`` (a :class:`~netdep.bulk._write.Unit`, as :func:`import_icio` passes), computed from that
    unit's staged flows and staged in it; else written as a unit of its own."""
    from .measures import MEASURES_SCHEMA

    d = Path(data_dir)
    if into is None:
        with unit(d) as u:
            return icio_measures(d, into=u)
    con = icio_connection(d, into=into)
    n = 0
    try:
        for y in into.years(ICIO_DIR):
            _, k = into.partition(arrow_table(con, sql_file("measures.sql"), {"year": y}).to_reader(),
                                  MEASURES_SCHEMA, ICIO_MEASURES_DIR, y)
            n += k
    finally:
        con.close()
    return n


def icio_pagerank(data_dir: str | Path, alpha: float = 0.85, into: Unit | None = None) -> int:
    """PageRank of every actor in every industry layer of ``<data>/isic`` at once (the batched, networkx-exact
    power iteration of :mod:`netdep.bulk.centrality`), written to ``<data>/isic_pagerank/year=YYYY`` (view
    ``isic_pagerank``); returns the rows written. ``into``: as for :func:`icio_measures`."""
    from .centrality import PAGERANK_SCHEMA, layer_pagerank, layers_from_table, pagerank_table

    d = Path(data_dir)
    if into is None:
        with unit(d) as u:
            return icio_pagerank(d, alpha, into=u)
    n = 0
    for y in into.years(ICIO_DIR):
        with pq.ParquetFile(into.source(ICIO_DIR, y)) as f:
            t = f.read(columns=["commodity", "origin", "destination", "value"])
        g = layers_from_table(t)
        x, _ = layer_pagerank(g, alpha=alpha)
        _, k = into.partition(pagerank_table(g, x).to_reader(), PAGERANK_SCHEMA, ICIO_PAGERANK_DIR, y)
        n += k
    return n
