-- Dependency measures for every (year, importer, product) of one year of hs6_flows.
-- Parameters: $year. Needs the views hs6_flows(year, commodity, origin, destination, value) and
-- hs6_intra_eu(year, commodity, value) (empty when the EU was not folded).
--
-- import_value      M_dk   = sum_o v_odk                       (US$ bn)
-- suppliers         number of origins with a flow
-- hhi               H_dk   = sum_o (v_odk / M_dk)^2 = sum_o v_odk^2 / M_dk^2   (Hirschman 1945; Herfindahl 1950)
-- top_supplier      origin of the largest flow (ties: the alphabetically first), top_share its share;
--                   arg_min(origin, (-value, origin)): the smallest (-value, origin) pair, which sqlglot turns
--                   into Spark's min_by (netdep.bulk.spark runs this file there; max_by(origin, value) would
--                   break ties arbitrarily)
-- export_value      X_dk   = sum_j v_djk, the importer's own exports of the product
-- world_export_hhi  W_k    = sum_o (X_ok / sum_o X_ok)^2, concentration of world exports
-- import_export_ratio M_dk / X_dk (null when X_dk = 0)
-- GeoDep (CEPII; Lefebvre & Wibaux 2024): concentrated imports H > 0.4, concentrated world exports W > 0.4,
--   not substitutable by domestic supply M / X > 1 (GeoDep sets the ratio to 9999 when X = 0: flag true).
-- EC 2021 (SWD(2021) 352), only for importer 'EU27': H > 0.4 on extra-EU imports; extra-EU imports over
--   total EU imports (extra + intra) > 0.5; extra-EU imports over total EU exports (extra + intra) > 1.
WITH f AS (
    SELECT commodity, origin, destination, value FROM hs6_flows WHERE year = $year
), imp AS (
    SELECT destination AS importer, commodity,
           sum(value) AS import_value,
           count(*) AS suppliers,
           sum(value * value) / nullif(sum(value) * sum(value), 0) AS hhi,
           arg_min(origin, (-value, origin)) AS top_supplier,
           max(value) / nullif(sum(value), 0) AS top_share
    FROM f GROUP BY destination, commodity
), ex AS (
    SELECT origin AS exporter, commodity, sum(value) AS export_value FROM f GROUP BY origin, commodity
), world AS (
    SELECT commodity, sum(export_value * export_value) / nullif(sum(export_value) * sum(export_value), 0)
           AS world_export_hhi
    FROM ex GROUP BY commodity
), intra AS (
    SELECT commodity, value AS intra_eu_value FROM hs6_intra_eu WHERE year = $year
), m AS (
    SELECT i.importer, i.commodity, i.import_value, i.suppliers, i.hhi, i.top_supplier, i.top_share,
           coalesce(e.export_value, 0) AS export_value, w.world_export_hhi,
           i.import_value / nullif(e.export_value, 0) AS import_export_ratio,
           CASE WHEN i.importer = 'EU27' THEN coalesce(t.intra_eu_value, 0) END AS intra_eu_value
    FROM imp i
    LEFT JOIN ex e ON e.exporter = i.importer AND e.commodity = i.commodity
    JOIN world w ON w.commodity = i.commodity
    LEFT JOIN intra t ON t.commodity = i.commodity
)
SELECT importer, commodity, import_value, suppliers, hhi, top_supplier, top_share, export_value,
       world_export_hhi, import_export_ratio,
       hhi > 0.4 AS geodep_import_concentrated,
       world_export_hhi > 0.4 AS geodep_world_concentrated,
       (export_value = 0 OR import_export_ratio > 1) AS geodep_not_substitutable,
       hhi > 0.4 AND world_export_hhi > 0.4 AND (export_value = 0 OR import_export_ratio > 1) AS geodep_dependent,
       intra_eu_value,
       import_value / nullif(import_value + intra_eu_value, 0) AS ec_extra_share,
       import_value / nullif(export_value + intra_eu_value, 0) AS ec_import_export_ratio,
       CASE WHEN intra_eu_value IS NOT NULL THEN
           hhi > 0.4 AND import_value / nullif(import_value + intra_eu_value, 0) > 0.5
           AND coalesce(import_value / nullif(export_value + intra_eu_value, 0) > 1, true)
       END AS ec_dependent
FROM m
ORDER BY importer, commodity;
