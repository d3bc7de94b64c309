"""Dependency measures for every (year, importer, HS6 product), in DuckDB SQL over the Parquet.

For importer d, product k and origins o with flows v_odk (US$ bn):

* import value M_dk = sum_o v_odk; suppliers = number of origins; import shares s_odk = v_odk / M_dk;
* supplier concentration (Herfindahl-Hirschman index; Hirschman 1945, Herfindahl 1950)
  H_dk = sum_o s_odk^2 = sum_o v_odk^2 / M_dk^2, in [1/suppliers, 1];
* top supplier (largest flow; ties: the alphabetically first code) and its share max_o s_odk;
* the importer's own exports X_dk, and world export concentration W_k = sum_o (X_ok / sum X_ok)^2.

Strategic-dependency flags, with the thresholds of their methodology:

* GeoDep (CEPII, "Import dependencies: where does the EU stand?", Lefebvre & Wibaux, CEPII Policy Brief 47,
  2024; https://cepii.fr/cepii/en/bdd_modele/bdd_modele_item.asp?id=41), for every importer, computed from
  BACI: (1) imports concentrated, H_dk > 0.4; (2) world exports concentrated, W_k > 0.4; (3) not
  substitutable by domestic supply, M_dk / X_dk > 1 (GeoDep sets the ratio to 9999 when X_dk = 0, so the
  flag holds); ``geodep_dependent`` when all three hold; (4) ``geodep_persistent`` (view
  ``hs6_dependencies``) when dependent in at least two years of a three-year window.
* European Commission, "Strategic dependencies and capacities", SWD(2021) 352 final, 5 May 2021
  (https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=SWD%3A2021%3A352%3AFIN), for the EU only (importer
  'EU27', data imported with ``eu_bloc``): (1) extra-EU imports concentrated, HHI > 0.4; (2) importance of
  extra-EU imports in total EU imports, extra / (extra + intra) > 0.5; (3) substitutability with EU
  production proxied by exports, extra-EU imports / total EU exports (extra + intra) > 1.
  ``ec_dependent`` when all three hold. Null for other importers.

:func:`compute_measures` writes ``<data>/hs6_measures/year=YYYY/part-0.parquet`` (view ``hs6_dependencies``
in ``netdep sql``); :func:`measures_pandas` computes the same table with pandas ``groupby`` (the baseline the
tests and the benchmark compare against).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..errors import NetdepError
from ..store import TMP_PREFIX
from ._duck import arrow_table, bulk_connection, sql_file
from ._write import partition_years, unit
from .views import bulk_views_sql

__all__ = ["compute_measures", "measures_pandas", "MeasuresResult", "MEASURES_SCHEMA", "MEASURES_DIR",
           "HHI_THRESHOLD", "no_hs6_data"]

MEASURES_DIR = "hs6_measures"
HHI_THRESHOLD = 0.4

MEASURES_SCHEMA = pa.schema([
    ("importer", pa.string()), ("commodity", pa.string()), ("import_value", pa.float64()),
    ("suppliers", pa.int64()), ("hhi", pa.float64()), ("top_supplier", pa.string()), ("top_share", pa.float64()),
    ("export_value", pa.float64()), ("world_export_hhi", pa.float64()), ("import_export_ratio", pa.float64()),
    ("geodep_import_concentrated", pa.bool_()), ("geodep_world_concentrated", pa.bool_()),
    ("geodep_not_substitutable", pa.bool_()), ("geodep_dependent", pa.bool_()),
    ("intra_eu_value", pa.float64()), ("ec_extra_share", pa.float64()), ("ec_import_export_ratio", pa.float64()),
    ("ec_dependent", pa.bool_()),
])


def no_hs6_data(data_dir: Path) -> NetdepError:
    return NetdepError(f"{data_dir}: no product-level data (hs6/year=*/part-0.parquet); "
                       f"import some with `netdep import baci FILE.csv --out {data_dir}`")


@dataclass
class MeasuresResult:
    """Rows written per year and the files."""

    rows: dict[int, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def measures_connection(data_dir: Path, memory_limit: str = "2GB"):
    """A bounded DuckDB connection with the views ``hs6_flows`` and ``hs6_intra_eu`` (empty when absent)."""
    con = bulk_connection(memory_limit)
    con.execute(bulk_views_sql(data_dir, only=("hs6_flows", "hs6_intra_eu")))
    if not partition_years(data_dir / "hs6_intra_eu"):
        con.execute("CREATE OR REPLACE VIEW hs6_intra_eu AS SELECT NULL::BIGINT AS year, NULL::VARCHAR AS "
                    "commodity, NULL::DOUBLE AS value, NULL::DOUBLE AS quantity_t, NULL::BIGINT AS flows "
                    "WHERE false")
    return con


def compute_measures(data_dir: str | Path, years: list[int] | None = None, memory_limit: str = "2GB",
                     out: str | Path | None = None) -> MeasuresResult:
    """Compute the measures (module doc) for ``years`` (default: every year of ``<data>/hs6``) and write them.

    Each year is written to ``<data>/hs6_measures/year=YYYY/part-0.parquet``, rows sorted by (importer,
    commodity), atomically (under ``out`` instead of ``data_dir`` when given). Returns the rows and files
    written.
    """
    d = Path(data_dir)
    have = partition_years(d / "hs6")
    if not have:
        raise no_hs6_data(d)
    years = have if years is None else [y for y in years if y in have]
    result = MeasuresResult()
    sql = sql_file("measures.sql")
    with unit(Path(out or d)) as u:  # every year's measures become visible together
        spill = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}duckdb-", dir=d))  # after unit() cleaned temporaries
        con = measures_connection(d, memory_limit)
        con.execute(f"SET temp_directory = '{str(spill).replace(chr(39), chr(39) * 2)}'")
        try:
            for y in years:
                path, n = u.partition(arrow_table(con, sql, {"year": y}).to_reader(), MEASURES_SCHEMA,
                                      MEASURES_DIR, y)
                result.rows[y], result.files = n, [*result.files, path]
        finally:
            con.close()
            shutil.rmtree(spill, ignore_errors=True)
    return result


def measures_pandas(data_dir: str | Path, year: int):
    """The same measures for one year with pandas ``groupby`` (the baseline; returns a DataFrame).

    Same formulas, same tie rule and row order as ``measures.sql``, so the tables compare equal
    (floating-point sums may differ in the last bits: compare with a relative tolerance of 1e-9).
    """
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    d = Path(data_dir)
    f = pq.read_table(d / "hs6" / f"year={year}" / "part-0.parquet",
                      columns=["commodity", "origin", "destination", "value"]).to_pandas()
    for c in ("commodity", "origin", "destination"):
        f[c] = f[c].astype(str)
    f["v2"] = f["value"] * f["value"]
    g = f.groupby(["destination", "commodity"], sort=True).agg(
        import_value=("value", "sum"), suppliers=("value", "size"), sq=("v2", "sum"), mx=("value", "max"))
    top = (f.sort_values(["destination", "commodity", "value", "origin"], ascending=[True, True, False, True])
           .drop_duplicates(["destination", "commodity"]).set_index(["destination", "commodity"])["origin"])
    m = g.assign(hhi=g.sq / (g.import_value * g.import_value), top_supplier=top,
                 top_share=g.mx / g.import_value).reset_index().rename(columns={"destination": "importer"})
    ex = f.groupby(["origin", "commodity"], sort=False)["value"].sum()
    world = (ex * ex).groupby(level="commodity").sum() / ex.groupby(level="commodity").sum() ** 2
    ex = ex.rename("export_value").reset_index().rename(columns={"origin": "importer"})
    m = m.merge(ex, on=["importer", "commodity"], how="left")
    m["export_value"] = m["export_value"].fillna(0.0)
    m = m.merge(world.rename("world_export_hhi").reset_index(), on="commodity", how="left")
    m["import_export_ratio"] = m.import_value / m.export_value.where(m.export_value != 0)
    m["geodep_import_concentrated"] = m.hhi > HHI_THRESHOLD
    m["geodep_world_concentrated"] = m.world_export_hhi > HHI_THRESHOLD
    m["geodep_not_substitutable"] = (m.export_value == 0) | (m.import_export_ratio > 1)
    m["geodep_dependent"] = m.geodep_import_concentrated & m.geodep_world_concentrated & m.geodep_not_substitutable
    intra_file = d / "hs6_intra_eu" / f"year={year}" / "part-0.parquet"
    intra = (pq.read_table(intra_file, columns=["commodity", "value"]).to_pandas().set_index("commodity")["value"]
             if intra_file.exists() else pd.Series(dtype=float))
    eu = m.importer == "EU27"
    m["intra_eu_value"] = np.where(eu, m.commodity.map(intra).fillna(0.0), np.nan)
    m["ec_extra_share"] = m.import_value / (m.import_value + m.intra_eu_value).where(lambda s: s != 0)
    m["ec_import_export_ratio"] = m.import_value / (m.export_value + m.intra_eu_value).where(lambda s: s != 0)
    ratio_ok = (m.ec_import_export_ratio > 1) | m.ec_import_export_ratio.isna()
    m["ec_dependent"] = pd.array(np.where(eu, (m.hhi > HHI_THRESHOLD) & (m.ec_extra_share > 0.5) & ratio_ok,
                                          pd.NA), dtype="boolean")
    return m[[f.name for f in MEASURES_SCHEMA]].sort_values(["importer", "commodity"]).reset_index(drop=True)
