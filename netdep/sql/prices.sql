-- Issue 13: each flow valued at its most specific price, and export revenue (see netdep/prices.py).
CREATE OR REPLACE VIEW flows_valued AS
WITH ranked AS (
    SELECT f.year, f.layer, f.commodity, f.origin, f.destination, f.route, f.value,
           f.value_usd_bn AS published_usd_bn, f.source_id,
           p.price, p.basis, p.source_id AS price_source_id,
           concat_ws('+', CASE WHEN p.route IS NOT NULL THEN 'route' END,
                          CASE WHEN p.exporter IS NOT NULL THEN 'exporter' END,
                          CASE WHEN p.importer IS NOT NULL THEN 'importer' END) AS price_match,
           row_number() OVER (
               PARTITION BY f.year, f.layer, f.commodity, f.origin, f.destination, f.route
               ORDER BY 4 * (p.route IS NOT NULL)::INT + (p.exporter IS NOT NULL)::INT
                        + (p.importer IS NOT NULL)::INT DESC,
                        list_position(['contract', 'customs_unit_value', 'discount_to_benchmark', 'benchmark'],
                                      p.basis),
                        p.source_id) AS rk
    FROM flows f
    LEFT JOIN prices p
      ON p.commodity = f.commodity AND p.year = f.year
     AND (p.exporter IS NULL OR p.exporter = f.origin)
     AND (p.importer IS NULL OR p.importer = f.destination)
     AND (p.route IS NULL OR p.route = f.route)
)
SELECT year, layer, commodity, origin, destination, route, value,
       CASE WHEN price IS NOT NULL THEN round(value * price, 4) ELSE published_usd_bn END AS value_usd_bn,
       price,
       CASE WHEN price IS NOT NULL THEN basis
            WHEN commodity IN (SELECT commodity FROM prices) THEN 'unpriced'
            ELSE 'as_published' END AS price_basis,
       CASE WHEN price IS NOT NULL THEN price_source_id
            WHEN commodity IN (SELECT commodity FROM prices) THEN NULL
            ELSE source_id END AS price_source_id,
       CASE WHEN price IS NOT NULL THEN coalesce(nullif(price_match, ''), 'world') END AS price_match,
       source_id
FROM ranked WHERE rk = 1;

CREATE OR REPLACE VIEW revenue AS
SELECT year, origin AS exporter, destination AS buyer, commodity, route, value AS volume, price,
       value_usd_bn AS revenue_usd_bn, price_basis, price_source_id, price_match
FROM flows_valued
WHERE layer = 'energy' AND value_usd_bn IS NOT NULL;
