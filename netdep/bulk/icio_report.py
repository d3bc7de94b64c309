"""Report section: industries where the EU, China, the US and Russia depend on one supplier (OECD ICIO).

Computed from the industry layers written by :func:`netdep.bulk.icio.import_icio` (``<data>/isic``; the
bundled data hold 2022) with the measures of :mod:`netdep.bulk.measures` (``<data>/isic_measures``, or
computed now when absent) and the batched PageRank of :mod:`netdep.bulk.centrality` (``isic_pagerank``):

* **Concentrated suppliers**, per importer d and industry k with suppliers o and flows v_odk (US$ bn):
  HHI H_dk = sum_o (v_odk / M_dk)^2 with M_dk = sum_o v_odk (Hirschman 1945; Herfindahl 1950), the top
  supplier and its share max_o v_odk / M_dk. Industries whose imports are at least ``min_share`` (0.5 %) of the
  importer's intermediate imports in the table, highest HHI first (a smaller floor lets industries with a few
  million dollars of imports from two suppliers top the list). ``imports / use`` is M_dk over the importer's
  whole intermediate use of industry k's output in the table: M_dk + intra-EU flows (EU27 only) + domestic
  flows (``isic_domestic``), i.e. how much of that use crosses the importer's border.
* **The EU's dependence on China**: China's share of the EU's extra-EU intermediate imports per industry,
  highest first (every industry; EU imports shown beside it).
* **Russia and China in machinery (C28), electronics (C26), electrical equipment (C27)**: each one's share of
  the other's intermediate imports, with the values and each importer's top supplier.
* **Centrality**: PageRank (networkx semantics; Brin & Page 1998) on each industry layer's flow graph, edges
  exporter -> importer weighted by value, all layers in one batched iteration; rank mass flows towards
  importers, so a high score marks the destination hubs of an industry's flows.

Coverage, carried in every output: intermediate use only (no final demand), and only the economies of the
table (the OECD's rest-of-world region is not in it), so every share is a share of the importer's
intermediate imports from the other economies of the table.

>>> industry_section("/nonexistent") is None
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._duck import glob_sql, sql_file
from ._write import partition_years
from .icio import (
    ICIO_DIR,
    ICIO_DOMESTIC_DIR,
    ICIO_INTRA_EU_DIR,
    ICIO_MEASURES_DIR,
    ICIO_PAGERANK_DIR,
    ICIO_SECTORS,
    ICIO_SOURCE_ID,
    icio_connection,
)

__all__ = ["industry_section", "industry_section_items", "industry_section_markdown", "industry_report_section",
           "DEFAULT_IMPORTERS",
           "MUTUAL_INDUSTRIES", "MIN_SHARE"]

DEFAULT_IMPORTERS = ("EU27", "CHN", "USA", "RUS")
MUTUAL_INDUSTRIES = ("isic:C28", "isic:C26", "isic:C27")
MIN_SHARE = 0.005
_NAMES = {"EU27": "the EU", "CHN": "China", "USA": "the United States", "RUS": "Russia"}


def _part(d: Path, name: str, year: int) -> str:
    return glob_sql(d / name).replace("/*/*.parquet", f"/year={int(year)}/*.parquet")


def _name(commodity: str) -> str:
    return ICIO_SECTORS.get(commodity.split(":", 1)[-1], commodity)


def industry_section(data_dir: str | Path, importers: tuple[str, ...] = DEFAULT_IMPORTERS, top: int = 8,
                     min_share: float = MIN_SHARE, year: int | None = None) -> dict[str, Any] | None:
    """The section as data, or None when ``data_dir`` has no ICIO industry layers (``isic/``).

    Returns ``{"year", "economies", "source_id", "importers": [{"importer", "name", "total", "rows"}],
    "eu_china": [...], "mutual": [...], "centrality": [...]}``; values in US$ bn, shares as fractions.

    Read as of one version of the folder (:func:`netdep.store.read_consistent`): never the measures
    of one import with the flows of another.
    """
    from ..store import read_consistent

    return read_consistent(data_dir, lambda: _industry_section(data_dir, importers, top, min_share, year))


def _industry_section(data_dir: str | Path, importers: tuple[str, ...] = DEFAULT_IMPORTERS, top: int = 8,
                      min_share: float = MIN_SHARE, year: int | None = None) -> dict[str, Any] | None:
    d = Path(data_dir)
    years = partition_years(d / ICIO_DIR)
    if not years:
        return None
    year = years[-1] if year is None else year
    con = icio_connection(d)
    try:
        con.execute(f"CREATE TEMP VIEW f AS SELECT commodity, origin, destination, value FROM hs6_flows "
                    f"WHERE year = {int(year)}")
        if year in partition_years(d / ICIO_MEASURES_DIR):
            con.execute(f"CREATE TEMP VIEW m AS SELECT * FROM read_parquet({_part(d, ICIO_MEASURES_DIR, year)})")
        else:
            con.execute("CREATE TEMP TABLE m AS " + sql_file("measures.sql").rstrip().rstrip(";"), {"year": year})
        if year in partition_years(d / ICIO_DOMESTIC_DIR):
            con.execute(f"CREATE TEMP VIEW dom AS SELECT commodity, actor, value FROM "
                        f"read_parquet({_part(d, ICIO_DOMESTIC_DIR, year)})")
        else:
            con.execute("CREATE TEMP VIEW dom AS SELECT NULL::VARCHAR AS commodity, NULL::VARCHAR AS actor, "
                        "NULL::DOUBLE AS value WHERE false")
        has_intra = year in partition_years(d / ICIO_INTRA_EU_DIR)
        economies = con.execute("SELECT count(DISTINCT a) FROM (SELECT origin AS a FROM f UNION "
                                "SELECT destination FROM f)").fetchall()[0][0]
        blocks = []
        for imp in importers:
            total = con.execute("SELECT sum(import_value) FROM m WHERE importer = ?", [imp]).fetchall()[0][0]
            rows = []
            if total:
                cur = con.execute(
                    "SELECT m.commodity, m.top_supplier, m.top_share, m.hhi, m.import_value, m.suppliers, "
                    "m.import_value / (m.import_value + coalesce(m.intra_eu_value, 0) + coalesce(dom.value, 0)) "
                    "AS import_share_of_use "
                    "FROM m LEFT JOIN dom ON dom.commodity = m.commodity AND dom.actor = m.importer "
                    "WHERE m.importer = ? AND m.import_value >= ? * ? ORDER BY m.hhi DESC, m.commodity LIMIT ?",
                    [imp, min_share, total, top])
                cols = [c[0] for c in cur.description]
                rows = [dict(zip(cols, r)) for r in cur.fetchall()]
                for r in rows:
                    r["industry_name"] = _name(r["commodity"])
            blocks.append({"importer": imp, "name": _NAMES.get(imp, imp), "total": total or 0.0, "rows": rows})
        cur = con.execute(
            "SELECT commodity, sum(value) FILTER (WHERE origin = 'CHN') / sum(value) AS share, "
            "coalesce(sum(value) FILTER (WHERE origin = 'CHN'), 0) AS from_china, sum(value) AS eu_imports "
            "FROM f WHERE destination = 'EU27' GROUP BY commodity "
            "ORDER BY share DESC NULLS LAST, commodity LIMIT 10")
        cols = [c[0] for c in cur.description]
        eu_china = [dict(zip(cols, r)) | {"industry_name": _name(r[0])} for r in cur.fetchall()]
        mutual = []
        for k in MUTUAL_INDUSTRIES:
            r = con.execute(
                "SELECT "
                "(SELECT sum(value) FROM f WHERE commodity = $k AND destination = 'RUS' AND origin = 'CHN'), "
                "(SELECT sum(value) FROM f WHERE commodity = $k AND destination = 'RUS'), "
                "(SELECT sum(value) FROM f WHERE commodity = $k AND destination = 'CHN' AND origin = 'RUS'), "
                "(SELECT sum(value) FROM f WHERE commodity = $k AND destination = 'CHN'), "
                "(SELECT top_supplier FROM m WHERE commodity = $k AND importer = 'RUS'), "
                "(SELECT top_share FROM m WHERE commodity = $k AND importer = 'RUS'), "
                "(SELECT top_supplier FROM m WHERE commodity = $k AND importer = 'CHN'), "
                "(SELECT top_share FROM m WHERE commodity = $k AND importer = 'CHN'), "
                "(SELECT 1 + count(*) FROM f WHERE commodity = $k AND destination = 'CHN' AND value > "
                "  coalesce((SELECT value FROM f WHERE commodity = $k AND destination = 'CHN' AND origin = 'RUS'), 0))",
                {"k": k}).fetchall()[0]
            rus_from_chn, rus_total, chn_from_rus, chn_total = (x or 0.0 for x in r[:4])
            mutual.append({
                "commodity": k, "industry_name": _name(k),
                "rus_from_chn": rus_from_chn, "rus_imports": rus_total,
                "chn_share_of_rus": rus_from_chn / rus_total if rus_total else None,
                "rus_top_supplier": r[4], "rus_top_share": r[5],
                "chn_from_rus": chn_from_rus, "chn_imports": chn_total,
                "rus_share_of_chn": chn_from_rus / chn_total if chn_total else None,
                "chn_top_supplier": r[6], "chn_top_share": r[7], "rus_rank_in_chn": int(r[8]),
            })
        technology = _technology(con)
        centrality = _centrality(con, d, year)
    finally:
        con.close()
    return {"year": year, "economies": int(economies), "source_id": ICIO_SOURCE_ID, "min_share": min_share,
            "eu_intra_known": has_intra, "importers": blocks, "eu_china": eu_china, "mutual": mutual,
            "technology": technology, "centrality": centrality}


#: the four actors of the technology matrix (importers in rows, suppliers in columns)
TECH_ACTORS = ("RUS", "CHN", "EU27", "USA")


def _technology(con) -> list[dict[str, Any]]:
    """Who supplies whom in machinery (C28), electronics (C26) and electrical equipment (C27) among Russia,
    China, the EU and the US: per industry and importer, each supplier's share of the importer's
    intermediate imports of the industry from the table's other economies,

        share(s → i, k) = X[s, i, k] / Σ_o X[o, i, k],

    and the remainder (the other economies of the table)."""
    out = []
    for k in MUTUAL_INDUSTRIES:
        for imp in TECH_ACTORS:
            rows = dict(con.execute("SELECT origin, sum(value) FROM f WHERE commodity = ? AND destination = ? "
                                    "GROUP BY origin", [k, imp]).fetchall())
            total = sum(rows.values())
            rec = {"commodity": k, "industry_name": _name(k), "importer": imp, "imports": total}
            for sup in TECH_ACTORS:
                rec[sup] = None if sup == imp or not total else rows.get(sup, 0.0) / total
            rec["others"] = (1.0 - sum(rec[x] or 0.0 for x in TECH_ACTORS)) if total else None
            out.append(rec)
    return out


def _centrality(con, d: Path, year: int, top: int = 10) -> list[dict[str, Any]]:
    """PageRank of the four importers and the top actor, in the ``top`` industries with the largest trade
    in the table plus C26, C27 and C28 (stored ``isic_pagerank`` or computed now, batched)."""
    import pyarrow as pa

    if year in partition_years(d / ICIO_PAGERANK_DIR):
        con.execute(f"CREATE TEMP VIEW pr AS SELECT commodity, actor, pagerank FROM "
                    f"read_parquet({_part(d, ICIO_PAGERANK_DIR, year)})")
    else:
        import pyarrow.parquet as pq

        from .centrality import layer_pagerank, layers_from_table, pagerank_table

        with pq.ParquetFile(d / ICIO_DIR / f"year={year}" / "part-0.parquet") as f:
            g = layers_from_table(f.read(columns=["commodity", "origin", "destination", "value"]))
        x, _ = layer_pagerank(g)
        table: pa.Table = pagerank_table(g, x)
        con.register("pr", table)
    keep = list(MUTUAL_INDUSTRIES)
    cur = con.execute(
        "WITH t AS (SELECT commodity, sum(value) AS trade FROM f GROUP BY commodity), "
        "r AS (SELECT commodity, actor, pagerank, row_number() OVER (PARTITION BY commodity "
        "      ORDER BY pagerank DESC, actor) AS rk FROM pr) "
        "SELECT t.commodity, t.trade, "
        "  max(r.actor) FILTER (WHERE r.rk = 1) AS top_actor, max(r.pagerank) FILTER (WHERE r.rk = 1) AS top_pr, "
        + "".join(f"  max(r.pagerank) FILTER (WHERE r.actor = '{a}') AS {c}, "
                  f"max(r.rk) FILTER (WHERE r.actor = '{a}') AS {c}_rank, "
                  for a, c in (("EU27", "eu27"), ("CHN", "chn"), ("USA", "usa"), ("RUS", "rus"))) +
        "  count(r.actor) AS actors "
        "FROM t JOIN r ON r.commodity = t.commodity "
        "WHERE t.commodity IN (SELECT commodity FROM t ORDER BY trade DESC, commodity LIMIT ?) "
        "   OR t.commodity IN (SELECT unnest(?::VARCHAR[])) "
        "GROUP BY t.commodity, t.trade ORDER BY t.trade DESC, t.commodity", [top, keep])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) | {"industry_name": _name(r[0])} for r in cur.fetchall()]


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _bn(x: float | None) -> str:
    return "–" if x is None else f"{x:,.2f}"


def _code(c: str) -> str:
    return c.split(":", 1)[-1]


def industry_section_items(sec: dict[str, Any], cite: str = "") -> list[tuple]:
    """The section as report items (``("p", text)``, ``("table", columns, rows)``); ``cite`` e.g. '[12]'."""
    n_other = sec["economies"] - 1
    scope = (f"share of intermediate imports from the {n_other} other economies of the table (EU members "
             f"folded into EU27, intra-EU flows left out)")
    items: list[tuple] = [("p", (
        f"OECD Inter-Country Input-Output tables, 2025 release, year {sec['year']} {cite}: one trade layer per "
        f"industry (ISIC Rev.4, commodity isic:C27 etc.), values in US$ bn. Coverage: intermediate use only (no final "
        f"demand), and the OECD's rest-of-world region is not in the table, so every share below is a {scope}."))]
    items.append(("p", (
        f"**Industries where each importer depends most on one supplier**: industries with at least "
        f"{100 * sec['min_share']:.1f}% of the importer's intermediate imports in the table, highest HHI of "
        f"suppliers first. 'imports / use': the imports over the importer's whole intermediate use of the "
        f"industry's output in the table (imports + intra-EU + domestic).")))
    for b in sec["importers"]:
        title = b["name"][:1].upper() + b["name"][1:]
        items.append(("p", f"**{title} ({b['importer']})**: intermediate imports from the table's other "
                           f"economies US$ {b['total']:,.1f} bn {cite}"))
        if b["rows"]:
            items.append(("table", ["industry", "name", "top supplier", "its share", "HHI", "imports (US$ bn)",
                                    "suppliers", "imports / use"],
                          [[_code(r["commodity"]), r["industry_name"], r["top_supplier"], _pct(r["top_share"]),
                            f"{r['hhi']:.3f}", _bn(r["import_value"]), r["suppliers"],
                            _pct(r["import_share_of_use"])] for r in b["rows"]]))
        else:
            items.append(("p", f"{b['importer']} is not an importer in the industry layers."))
    items.append(("p", (f"**Industries where the EU depends most on China**: China's share of the EU's extra-EU "
                        f"intermediate imports from the {n_other} other economies of the table, per industry, "
                        f"highest first {cite}.")))
    items.append(("table", ["industry", "name", "China's share", "from China (US$ bn)", "EU imports (US$ bn)"],
                  [[_code(r["commodity"]), r["industry_name"], _pct(r["share"]), _bn(r["from_china"]),
                    _bn(r["eu_imports"])] for r in sec["eu_china"]]))
    items.append(("p", (f"**Russia and China: machinery (C28), electronics (C26), electrical equipment (C27)**. "
                        f"Each side's share of the other's intermediate imports of the industry {cite}.")))
    items.append(("table", ["industry", "Russia from China (US$ bn)", "China's share of Russia's imports",
                            "Russia's top supplier", "China from Russia (US$ bn)", "Russia's share of China's imports",
                            "Russia's rank among China's suppliers", "China's top supplier"],
                  [[f"{_code(r['commodity'])} {r['industry_name']}", _bn(r["rus_from_chn"]),
                    _pct(r["chn_share_of_rus"]), f"{r['rus_top_supplier']} ({_pct(r['rus_top_share'])})",
                    _bn(r["chn_from_rus"]), _pct(r["rus_share_of_chn"]), r["rus_rank_in_chn"],
                    f"{r['chn_top_supplier']} ({_pct(r['chn_top_share'])})"] for r in sec["mutual"]]))
    if sec.get("technology"):
        items.append(("p", (
            "**Technology: who supplies whom in machinery (C28), electronics (C26) and electrical equipment (C27)** "
            "— the other side of the bargain (Russia's access to Western and Chinese equipment, the EU's reliance on "
            "Chinese industrial goods). Each cell: the supplier's share of the importer's intermediate imports of "
            f"the industry from the table's other economies; 'others': the rest of the table {cite}.")))
        items.append(("table", ["industry", "importer", "imports (US$ bn)", "from Russia", "from China",
                                "from the EU", "from the US", "others"],
                      [[f"{_code(r['commodity'])} {r['industry_name']}", r["importer"], _bn(r["imports"]),
                        _pct(r["RUS"]), _pct(r["CHN"]), _pct(r["EU27"]), _pct(r["USA"]), _pct(r["others"])]
                       for r in sec["technology"]]))
    items.append(("p", (
        "**Centrality of the industry layers**: PageRank (damping 0.85, networkx semantics) of every actor in "
        "every industry layer, computed for all layers at once; edges run exporter → importer weighted by "
        "value, so a high score marks a destination hub of the industry's flows. The industries with the most "
        f"trade in the table, plus C26–C28; rank among the layer's actors in brackets {cite}.")))
    def pr(v: float | None, rk: int | None) -> str:
        return "–" if v is None else f"{v:.3f} (#{rk})"

    items.append(("table", ["industry", "trade (US$ bn)", "top actor", "EU27", "CHN", "USA", "RUS"],
                  [[f"{_code(r['commodity'])} {r['industry_name']}", _bn(r["trade"]),
                    f"{r['top_actor']} {r['top_pr']:.3f}", pr(r["eu27"], r["eu27_rank"]),
                    pr(r["chn"], r["chn_rank"]), pr(r["usa"], r["usa_rank"]), pr(r["rus"], r["rus_rank"])]
                   for r in sec["centrality"]]))
    return items


def industry_section_markdown(sec: dict[str, Any] | None, cite: str = "") -> str:
    """Render :func:`industry_section`'s result as Markdown ('' for None)."""
    if sec is None:
        return ""
    out = [f"## Industries where the EU, China, the US and Russia depend on one supplier ({sec['year']})", ""]
    for item in industry_section_items(sec, cite):
        if item[0] == "p":
            out += [item[1], ""]
        else:
            cols, rows = item[1], item[2]
            out += ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
            out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows] + [""]
    return "\n".join(out).rstrip() + "\n"


def industry_report_section(data_dir: str | Path, sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``{"title", "items"}`` for ``netdep report``, or None without industry layers.

    ``sources`` is the report's numbered source list; the OECD ICIO source row (from the data's
    ``sources`` table) is appended to it when not yet there, and cited as ``[n]``.
    """
    d = Path(data_dir)
    sec = industry_section(d)
    if sec is None:
        return None
    n = next((s["n"] for s in sources if s.get("source_id") == ICIO_SOURCE_ID), None)
    if n is None and (d / "sources.parquet").is_file():
        import pyarrow.parquet as pq

        rows = [r for r in pq.read_table(d / "sources.parquet").to_pylist() if r["source_id"] == ICIO_SOURCE_ID]
        if rows:
            n = len(sources) + 1
            sources.append({"n": n, **rows[0], "rows": 0})
    return {"title": f"Industries where the EU, China, the US and Russia depend on one supplier, {sec['year']}",
            "items": industry_section_items(sec, f"[{n}]" if n else "")}
