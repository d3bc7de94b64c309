-- Question: How concentrated is each actor's supply (HHI of suppliers), by commodity, fuel and year, how much
--           of it do named suppliers cover, and which pass the EU/GeoDep concentration threshold (HHI > 0.4)?
-- Parameters: none. Remainder aggregates (ROW, "Other ...") count as many small suppliers (see README).
-- coverage_pct is NULL where no world total is known (shares of listed partners only): the threshold is then
-- not judged. Unlisted suppliers (remainder_pct = u) put the HHI between hhi and hhi + u^2; where 0.4 lies in
-- between, hhi_above_threshold is NULL. HHI is only the first of the three strategic criteria; the full screen (import share of
-- consumption, imports above exports) is `strategic` in `netdep report --format json` (concentration).
SELECT year, layer, commodity, actor, round(hhi, 3) AS hhi, top_partner, round(100 * top_share, 1) AS top_share_pct,
       round(100 * unattributed_share, 1) AS remainder_pct, round(100 * coverage, 1) AS coverage_pct, partners,
       CASE WHEN coverage IS NULL THEN NULL WHEN hhi > 0.4 THEN true
            WHEN hhi + unattributed_share * unattributed_share <= 0.4 THEN false END AS hhi_above_threshold
FROM concentration
WHERE side = 'in' AND actor IN ('RUS', 'CHN', 'EU27', 'REG_EUROPE', 'USA', 'IND', 'JPN', 'KOR', 'TUR')
ORDER BY year, commodity, hhi DESC;
