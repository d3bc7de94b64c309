-- Question: How much of China's energy imports come from Russia, commodity by commodity, 2021 vs 2023 vs 2025?
-- Parameters: none. Energy content via commodities.ej_per_unit makes the commodities comparable.
SELECT d.year, d.commodity, round(d.value, 2) AS from_russia, d.unit,
       round(d.value * c.ej_per_unit, 3) AS from_russia_ej, round(100 * d.share_in, 1) AS share_of_imports_pct
FROM dependencies d JOIN commodities c USING (commodity)
WHERE d.origin = 'RUS' AND d.destination = 'CHN' AND d.layer = 'energy'
ORDER BY d.commodity, d.year;
