-- Question: What are the goods-trade balances among Russia, China, the EU and the US?
-- Parameters: none. balance = exports of `actor` to `partner` minus its imports from `partner` (US$ bn).
WITH core AS (SELECT unnest(['RUS', 'CHN', 'EU27', 'USA']) AS a),
t AS (SELECT year, origin, destination, value FROM pair_flows WHERE commodity = 'goods')
SELECT x.year, x.origin AS actor, x.destination AS partner, round(x.value, 1) AS exports_usd_bn,
       round(m.value, 1) AS imports_usd_bn, round(x.value - m.value, 1) AS balance_usd_bn
FROM t x
JOIN t m ON m.year = x.year AND m.origin = x.destination AND m.destination = x.origin
WHERE x.origin IN (SELECT a FROM core) AND x.destination IN (SELECT a FROM core)
ORDER BY x.year, actor, partner;
