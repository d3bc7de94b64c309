-- Intra-EU trade of one year per product (flows between two EU27 members, dropped from hs6 when folding).
-- Parameters: $year. Kept so the EU's total imports and exports (extra + intra) stay known: the
-- European Commission's import-dependence and substitutability criteria need them.
SELECT 'hs6:' || lpad(r.k::VARCHAR, 6, '0') AS commodity,
       CAST(sum(r.v) AS DOUBLE) / 1e6 AS value,
       CASE WHEN count(r.q) = count(*) THEN CAST(sum(r.q) AS DOUBLE) END AS quantity_t,
       count(*) AS flows
FROM baci_raw r
JOIN country_map o ON o.code = r.i
JOIN country_map d ON d.code = r.j
WHERE r.year = $year AND o.eu AND d.eu
GROUP BY r.k
ORDER BY commodity;
