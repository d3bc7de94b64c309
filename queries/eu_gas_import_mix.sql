-- Question: Where does the EU's imported gas come from, pipeline and LNG together, each year?
-- Parameters: none. Intra-EU flows are not imports (EU27 is one bloc); shares are of extra-EU gas imports.
WITH gas AS (
    SELECT year, origin AS supplier, commodity, value FROM pair_flows
    WHERE destination = 'EU27' AND commodity IN ('pipeline_gas', 'lng')
)
SELECT year, supplier,
       round(sum(value) FILTER (WHERE commodity = 'pipeline_gas'), 2) AS pipeline_bcm,
       round(sum(value) FILTER (WHERE commodity = 'lng'), 2) AS lng_bcm,
       round(sum(value), 2) AS total_bcm,
       round(100 * sum(value) / sum(sum(value)) OVER (PARTITION BY year), 1) AS share_pct
FROM gas
GROUP BY year, supplier
ORDER BY year, total_bcm DESC;
