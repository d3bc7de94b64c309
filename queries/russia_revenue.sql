-- Question: what did Russia earn from energy exports by buyer and commodity in one year, at which price (and whose)?
-- Parameters: none; change the year in the `params` CTE (default 2023). Gross revenue: duties and transit fees not deducted.
WITH params AS (SELECT 2023 AS year)
SELECT r.buyer, r.commodity, r.route, round(r.volume, 3) AS volume, round(r.price, 4) AS price,
       round(r.revenue_usd_bn, 2) AS revenue_usd_bn, r.price_basis, r.price_match, r.price_source_id
FROM revenue r, params
WHERE r.exporter = 'RUS' AND r.year = params.year
ORDER BY r.revenue_usd_bn DESC, r.buyer, r.commodity;
