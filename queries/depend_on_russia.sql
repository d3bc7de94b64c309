-- Question: Who depends on Russia for energy, and how much (share of imports, share of consumption)?
-- Parameters: none. One row per importer, commodity and year; sorted by the share of imports.
SELECT year, commodity, destination AS importer, round(value, 2) AS value, unit,
       round(100 * share_in, 1) AS share_of_imports_pct,
       round(100 * share_of_consumption, 1) AS share_of_consumption_pct
FROM dependencies
WHERE origin = 'RUS' AND layer = 'energy' AND share_in >= 0.05
ORDER BY year, share_in DESC;
