-- Question: Which pipelines, LNG plants and terminals exist, how much do they carry, and how much is spare?
-- Parameters: none. `capacity`/`status` are the year's own (route_capacity, basis 'by year') or the route's single
-- value ('routes (all years)'); `measured_use` is the IEA entry-point flow of the year (bcm, flows_monthly, full
-- years only); `tagged_use` counts flows that name the route; `pair_flow` is everything the route could carry
-- between its ends that year (ROW = any partner), an upper bound on its use when neither is known.
-- `use_basis` says which of the three the row's use rests on.
WITH years AS (SELECT DISTINCT year FROM flows WHERE layer = 'energy'),
r AS (SELECT r.*, y.year FROM routes r, years y),
iea AS (SELECT year, count(DISTINCT month) AS months FROM flows_monthly
        WHERE source_id = 'iea_gtf_2024_03' GROUP BY year),
measured AS (SELECT f.route, f.year, sum(f.value) / 1000 AS bcm FROM flows_monthly f JOIN iea USING (year)
             WHERE f.source_id = 'iea_gtf_2024_03' AND f.route IS NOT NULL AND iea.months = 12
             GROUP BY f.route, f.year),
u AS (
    SELECT r.route, r.year, r.mode, r.commodity, r.origin, r.destination, c.capacity, c.status, c.basis AS capacity_basis,
           CASE WHEN (r.open_from IS NULL OR r.open_from <= r.year) AND (r.open_to IS NULL OR r.year <= r.open_to)
                     AND NOT (r.open_from IS NULL AND r.status = 'planned') THEN 'open' ELSE 'closed' END AS open_that_year,
           round(m.bcm, 2) AS measured_use,
           round((SELECT sum(f.value) FROM flows f WHERE f.route = r.route AND f.year = r.year), 2) AS tagged_use,
           round((SELECT sum(f.value) FROM flows f WHERE f.year = r.year AND f.commodity = r.commodity
                  AND (r.origin = 'ROW' OR f.origin = r.origin) AND (r.destination = 'ROW' OR f.destination = r.destination)), 2)
               AS pair_flow
    FROM r
    JOIN route_capacity c ON c.route = r.route AND c.year = r.year
    LEFT JOIN measured m ON m.route = r.route AND m.year = r.year
    LEFT JOIN iea ON iea.year = r.year
)
SELECT *, CASE WHEN measured_use IS NOT NULL THEN 'measured (IEA entry points)'
               WHEN tagged_use IS NOT NULL THEN 'tagged flows'
               WHEN mode = 'pipeline' AND commodity = 'pipeline_gas' AND destination IN ('EU27', 'REG_REST_OF_EUROPE')
                    AND year IN (SELECT year FROM iea WHERE months = 12) THEN 'measured: none at its points'
               ELSE 'allocation rule (pair_flow is an upper bound)' END AS use_basis
FROM u
ORDER BY commodity, route, year;
