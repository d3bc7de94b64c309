-- Question: Who buys Russia's exports, by commodity, in 2021 (pre-war) and in the latest year with data?
-- Parameters: none. The latest year is found per commodity (2025 for energy in the bundled data).
WITH latest AS (
    SELECT commodity, max(year) AS year FROM dependencies WHERE origin = 'RUS' GROUP BY commodity
), d AS (
    SELECT commodity, destination AS buyer, year, value, unit, share_out FROM dependencies WHERE origin = 'RUS'
)
SELECT coalesce(d21.commodity, dl.commodity) AS commodity, coalesce(d21.buyer, dl.buyer) AS buyer, any_value(coalesce(d21.unit, dl.unit)) AS unit,
       round(sum(d21.value), 2) AS value_2021, round(100 * sum(d21.share_out), 1) AS share_2021_pct,
       any_value(l.year) AS latest_year,
       round(sum(dl.value), 2) AS value_latest, round(100 * sum(dl.share_out), 1) AS share_latest_pct
FROM (SELECT * FROM d WHERE year = 2021) d21
FULL JOIN (SELECT d.* FROM d JOIN latest l USING (commodity, year)) dl USING (commodity, buyer)
JOIN latest l ON l.commodity = coalesce(d21.commodity, dl.commodity)
GROUP BY ALL
ORDER BY 1, value_latest DESC NULLS LAST;
