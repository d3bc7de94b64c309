"""Report section: products where the EU / China / US depend on one supplier, ranked by import value.

A product "depends on one supplier" when its suppliers are concentrated past the threshold the European
Commission (SWD(2021) 352) and CEPII's GeoDep use for import concentration, HHI > 0.4 (see
:mod:`netdep.bulk.measures`); the table shows the top supplier and its share, so a share near 1 reads as
a single source. Ranked by import value, top ``top`` per importer, latest year.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._duck import bulk_connection, glob_sql, sql_file
from ._write import partition_years
from .measures import HHI_THRESHOLD, MEASURES_DIR, measures_connection

__all__ = ["product_section", "product_section_markdown", "product_years", "DEFAULT_IMPORTERS", "BACI_SOURCE"]

# the dataset product-level trade comes from (netdep.bulk.baci imports its yearly files)
BACI_SOURCE = {"source_id": "cepii_baci", "publisher": "CEPII",
               "title": "BACI: International Trade Database at the Product-Level (HS6), Gaulier & Zignago (2010), "
                        "CEPII Working Paper 2010-23",
               "published": "", "url": "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"}

DEFAULT_IMPORTERS = ("EU27", "CHN", "USA")
_NAMES = {"EU27": "the EU", "CHN": "China", "USA": "the United States"}

_TOP_SQL = """
SELECT m.importer, m.commodity, m.top_supplier, m.top_share, m.hhi, m.import_value, m.suppliers
FROM measures m
WHERE m.importer = $importer AND m.hhi > $threshold
ORDER BY m.import_value DESC, m.commodity
LIMIT $top
"""


def _measures_relation(con, d: Path, year: int) -> str:
    """Create view ``measures`` for ``year``: the stored table when written, else computed now."""
    if year in partition_years(d / MEASURES_DIR):
        path = glob_sql(d / MEASURES_DIR).replace("/*/*.parquet", f"/year={int(year)}/*.parquet")
        con.execute(f"CREATE OR REPLACE VIEW measures AS SELECT * FROM read_parquet({path})")
        return "hs6_measures"
    con.execute("CREATE OR REPLACE TEMP TABLE measures AS " + sql_file("measures.sql").rstrip().rstrip(";"),
                {"year": year})
    return "computed"


def product_years(data_dir: str | Path) -> list[int]:
    """Years with product-level (hs6) flows in ``data_dir`` (ascending; empty when none)."""
    return partition_years(Path(data_dir) / "hs6")


def product_section(data_dir: str | Path, importers: tuple[str, ...] = DEFAULT_IMPORTERS, top: int = 10,
                    year: int | None = None) -> dict[str, Any] | None:
    """The section as data, or None when ``data_dir`` has no product-level (hs6) data.

    Returns ``{"title", "year", "threshold", "source", "importers": [{"importer", "name", "rows",
    "note"}]}``; each row has product, description, top_supplier, top_share, hhi, import_value (US$ bn),
    suppliers.

    Read as of one version of the folder (:func:`netdep.store.read_consistent`): never the measures
    of one import with the flows of another.
    """
    from ..store import read_consistent

    return read_consistent(data_dir, lambda: _product_section(data_dir, importers, top, year))


def _product_section(data_dir: str | Path, importers: tuple[str, ...] = DEFAULT_IMPORTERS, top: int = 10,
                     year: int | None = None) -> dict[str, Any] | None:
    d = Path(data_dir)
    years = partition_years(d / "hs6")
    if not years:
        return None
    year = years[-1] if year is None else year
    con = measures_connection(d) if year not in partition_years(d / MEASURES_DIR) else bulk_connection()
    try:
        source = _measures_relation(con, d, year)
        descriptions: dict[str, str] = {}
        if (d / "hs6_products.parquet").is_file():
            import pyarrow.parquet as pq

            t = pq.read_table(d / "hs6_products.parquet", columns=["commodity", "description"])
            descriptions = dict(zip(t.column("commodity").to_pylist(), t.column("description").to_pylist()))
        present = {r[0] for r in con.execute("SELECT DISTINCT importer FROM measures").fetchall()}
        blocks = []
        for imp in importers:
            rows, note = [], None
            if imp not in present:
                note = (f"{imp} is not an importer in the data" +
                        ("; import with --eu-bloc to fold the EU members into EU27" if imp == "EU27" else ""))
            else:
                cur = con.execute(_TOP_SQL, {"importer": imp, "threshold": HHI_THRESHOLD, "top": top})
                cols = [c[0] for c in cur.description]
                for r in cur.fetchall():
                    row = dict(zip(cols, r))
                    row["product"] = row.pop("commodity")
                    row["description"] = descriptions.get(row["product"], "")
                    rows.append(row)
            blocks.append({"importer": imp, "name": _NAMES.get(imp, imp), "rows": rows, "note": note})
    finally:
        con.close()
    return {"title": "Products where the EU, China and the US depend on one supplier", "year": year,
            "threshold": HHI_THRESHOLD, "source": source, "importers": blocks, "citation": dict(BACI_SOURCE)}


def product_section_markdown(section: dict[str, Any] | None) -> str:
    """Render :func:`product_section`'s result as Markdown ('' for None)."""
    if section is None:
        return ""
    lines = [f"## {section['title']} ({section['year']})", "",
             f"HS6 products whose suppliers are concentrated (HHI > {section['threshold']}, the European "
             f"Commission's and CEPII GeoDep's threshold), largest imports first. Values in US$ bn, "
             f"{section['year']}.", "",
             f"Source: CEPII, {BACI_SOURCE['title']}, year {section['year']}. <{BACI_SOURCE['url']}>", ""]
    for b in section["importers"]:
        lines += [f"### {b['name']} ({b['importer']})", ""]
        if b["note"]:
            lines += [f"_{b['note']}._", ""]
            continue
        if not b["rows"]:
            lines += ["_No product past the threshold._", ""]
            continue
        lines += ["| product | description | top supplier | share | HHI | imports (US$ bn) | suppliers |",
                  "|---|---|---|---:|---:|---:|---:|"]
        for r in b["rows"]:
            desc = (r["description"] or "").replace("|", "\\|")
            lines.append(f"| {r['product']} | {desc} | {r['top_supplier']} | {r['top_share']:.0%} | "
                         f"{r['hhi']:.2f} | {r['import_value']:.3f} | {r['suppliers']} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
