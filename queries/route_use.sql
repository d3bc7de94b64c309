-- Question: Which pipelines, LNG plants and terminals exist, how much do they carry, and how much is spare?
-- Parameters: none. `tagged_use` counts flows that name the route; `pair_flow` is everything the route could
-- carry between its ends that year (ROW = any partner), an upper bound on its use when flows are not tagged.
WITH years AS (SELECT DISTINCT year FROM flows WHERE layer = 'energy'),
r AS (SELECT r.*, y.year FROM routes r, years y)
SELECT r.route, r.year, r.mode, r.commodity, r.origin, r.destination, r.capacity, r.status,
       CASE WHEN (r.open_from IS NULL OR r.open_from <= r.year) AND (r.open_to IS NULL OR r.year <= r.open_to)
                 AND NOT (r.open_from IS NULL AND r.status = 'planned') THEN 'open' ELSE 'closed' END AS open_that_year,
       round((SELECT sum(f.value) FROM flows f WHERE f.route = r.route AND f.year = r.year), 2) AS tagged_use,
       round((SELECT sum(f.value) FROM flows f WHERE f.year = r.year AND f.commodity = r.commodity
              AND (r.origin = 'ROW' OR f.origin = r.origin) AND (r.destination = 'ROW' OR f.destination = r.destination)), 2)
           AS pair_flow
FROM r
ORDER BY r.commodity, r.route, r.year;
