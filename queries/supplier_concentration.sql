-- Question: How concentrated is each actor's supply (HHI of suppliers), by commodity and year,
--           and which cross the EU/GeoDep strategic-dependency threshold (HHI > 0.4)?
-- Parameters: none. Remainder aggregates (ROW, "Other ...") count as many small suppliers (see README).
SELECT year, layer, commodity, actor, round(hhi, 3) AS hhi, top_partner, round(100 * top_share, 1) AS top_share_pct,
       round(100 * unattributed_share, 1) AS remainder_pct, partners, hhi > 0.4 AS strategic_dependency
FROM concentration
WHERE side = 'in' AND actor IN ('RUS', 'CHN', 'EU27', 'REG_EUROPE', 'USA', 'IND', 'JPN', 'KOR', 'TUR')
ORDER BY year, commodity, hhi DESC;
