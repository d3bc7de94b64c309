-- One year of BACI as integer keys, sorted: product k, exporter and importer as ranks of their actor code in
-- country_map (rank order = actor code order, so sorting by ranks sorts by actor code), values in thousandths.
-- Parameters: $year. Needs the temporary tables baci_raw and country_map(code, actor, rank, eu), where
-- actor is already 'EU27' for members when folding and eu marks the members: flows between two members
-- (intra-EU) are dropped here; rows that now share a key (members folded into EU27) are summed by the caller
-- (exactly, as integers: a hash aggregate over 10^7 decimal groups costs more than the sort).
SELECT r.k, o.rank AS o, d.rank AS d,
       CAST(r.v * 1000 AS BIGINT) AS v_milli,
       CAST(r.q * 1000 AS BIGINT) AS q_milli
FROM baci_raw r
JOIN country_map o ON o.code = r.i
JOIN country_map d ON d.code = r.j
WHERE r.year = $year AND NOT (o.eu AND d.eu)
ORDER BY r.k, o.rank, d.rank;
