-- Question: Who are each actor's top suppliers, per commodity, in a year?
-- Parameters: none; change the year in the `params` CTE (default 2023) and the rank cut-off (3).
-- Shares are of the importer's total imports of that commodity (routes summed).
WITH params AS (SELECT 2023 AS year, 3 AS top_n),
ranked AS (
    SELECT d.year, d.commodity, d.destination AS importer, d.origin AS supplier, d.value, d.unit,
           round(100 * d.share_in, 1) AS share_pct,
           row_number() OVER (PARTITION BY d.year, d.commodity, d.destination ORDER BY d.value DESC, d.origin) AS rank
    FROM dependencies d, params p
    WHERE d.year = p.year
)
SELECT ranked.year, commodity, importer, rank, supplier, round(value, 2) AS value, unit, share_pct
FROM ranked, params
WHERE rank <= params.top_n AND importer IN ('CHN', 'EU27', 'REG_EUROPE', 'USA', 'RUS', 'IND', 'JPN', 'KOR', 'TUR')
ORDER BY commodity, importer, rank;
