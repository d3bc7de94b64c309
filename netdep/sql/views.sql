-- Derived views (netdep/sql/views.sql). Definitions match netdep.metrics; see the README.

-- Flows with actor names and the commodity's unit.
CREATE OR REPLACE VIEW flows_named AS
SELECT f.year, f.layer, f.commodity, f.origin, o.name AS origin_name, f.destination,
       d.name AS destination_name, f.value, c.unit, f.value_usd_bn, f.route, f.source_id, f.note
FROM flows f
JOIN actors o ON o.actor = f.origin
JOIN actors d ON d.actor = f.destination
JOIN commodities c ON c.commodity = f.commodity;

-- One row per (year, layer, commodity, origin, destination): parallel routes summed.
CREATE OR REPLACE VIEW pair_flows AS
SELECT f.year, f.layer, f.commodity, f.origin, f.destination, sum(f.value) AS value, any_value(c.unit) AS unit,
       sum(f.value_usd_bn) AS value_usd_bn, string_agg(DISTINCT f.source_id, ',' ORDER BY f.source_id) AS source_ids
FROM flows f JOIN commodities c USING (commodity)
GROUP BY f.year, f.layer, f.commodity, f.origin, f.destination;

-- Fuel level (gas = pipeline gas + LNG, oil = crude + products): each commodity summed into its balance_of,
-- only in years with flows of every member (a fuel is never one mode alone). As netdep.graph.fuel_graph.
CREATE OR REPLACE VIEW fuel_pair_flows AS
WITH members AS (
    SELECT balance_of AS fuel, count(*) AS n FROM commodities WHERE balance_of IS NOT NULL GROUP BY ALL
), present AS (
    SELECT p.year, c.balance_of AS fuel, count(DISTINCT p.commodity) AS n
    FROM pair_flows p JOIN commodities c ON c.commodity = p.commodity
    WHERE c.balance_of IS NOT NULL GROUP BY ALL
)
SELECT p.year, fc.layer, fc.commodity, p.origin, p.destination, sum(p.value) AS value, any_value(fc.unit) AS unit,
       sum(p.value_usd_bn) AS value_usd_bn,
       array_to_string(list_sort(list_distinct(flatten(list(string_split(p.source_ids, ','))))), ',') AS source_ids
FROM pair_flows p
JOIN commodities c ON c.commodity = p.commodity
JOIN commodities fc ON fc.commodity = c.balance_of
JOIN present pr ON pr.year = p.year AND pr.fuel = fc.commodity
JOIN members m ON m.fuel = fc.commodity AND m.n = pr.n
GROUP BY p.year, fc.layer, fc.commodity, p.origin, p.destination;

-- Dependency (Keohane & Nye's sensitivity): the destination's import share from the origin,
-- the origin's export share to the destination, and the flow as a share of the destination's consumption,
-- per commodity and per fuel. coverage_in / coverage_out: the share of the destination's imports / the
-- origin's exports held by named partners, NULL where no world total is known — i.e. unless a remainder
-- aggregate is among that side's partners or the (year, commodity) matrix is complete (it has a flow between
-- two remainders). Where NULL, share_in / share_out are shares of the listed partners only (netdep.metrics.coverage).
CREATE OR REPLACE VIEW dependencies AS
WITH pf AS (
    SELECT * FROM pair_flows UNION ALL BY NAME SELECT * FROM fuel_pair_flows
), k AS (
    SELECT pf.*, o.kind = 'aggregate' AS o_rem, d.kind = 'aggregate' AS d_rem
    FROM pf JOIN actors o ON o.actor = pf.origin JOIN actors d ON d.actor = pf.destination
), w AS (
    SELECT k.*,
           bool_or(o_rem AND d_rem) OVER (PARTITION BY year, commodity) AS complete,
           bool_or(o_rem) OVER (PARTITION BY year, commodity, destination) AS in_has_rem,
           bool_or(d_rem) OVER (PARTITION BY year, commodity, origin) AS out_has_rem,
           sum(value) OVER (PARTITION BY year, commodity, destination) AS total_in,
           sum(value) OVER (PARTITION BY year, commodity, origin) AS total_out,
           sum(CASE WHEN o_rem THEN 0 ELSE value END) OVER (PARTITION BY year, commodity, destination) AS named_in,
           sum(CASE WHEN d_rem THEN 0 ELSE value END) OVER (PARTITION BY year, commodity, origin) AS named_out
    FROM k
)
SELECT p.year, p.layer, p.commodity, p.origin, p.destination, p.value, p.unit, p.value_usd_bn,
       p.value / nullif(p.total_in, 0) AS share_in,
       p.value / nullif(p.total_out, 0) AS share_out,
       p.value / nullif(b.consumption, 0) AS share_of_consumption,
       CASE WHEN p.complete OR p.in_has_rem THEN p.named_in / nullif(p.total_in, 0) END AS coverage_in,
       CASE WHEN p.complete OR p.out_has_rem THEN p.named_out / nullif(p.total_out, 0) END AS coverage_out,
       p.source_ids
FROM w p
JOIN (SELECT commodity, coalesce(balance_of, CASE WHEN commodity IN (SELECT balance_of FROM commodities)
                                             THEN commodity END) AS bal
      FROM commodities) c ON c.commodity = p.commodity
LEFT JOIN balances b ON b.actor = p.destination AND b.year = p.year AND b.commodity = c.bal;

-- Concentration: Herfindahl-Hirschman index of each actor's suppliers (side 'in') and buyers (side 'out').
-- Shares are of the actor's total; remainder aggregates (ROW, 'Other ...') are many small partners and
-- add nothing to the sum of squares (a lower bound), and are never the top partner. coverage: as in
-- dependencies (NULL: no world total, every share is of the listed partners only).
-- strategic (side 'in'): the EU/GeoDep screen of netdep.metrics.concentration -- HHI > 0.4 (judged on the bounds
-- [hhi, hhi + unattributed_share^2]), the fuel's imports > 50% of its consumption, the fuel's imports above its
-- exports; TRUE when all three hold, FALSE when one fails, NULL when coverage is unknown or a criterion cannot be
-- judged. The fuel is the commodity's balance_of (gas for pipeline gas and LNG), else the commodity itself.
CREATE OR REPLACE VIEW concentration AS
WITH s AS (
    SELECT year, layer, commodity, destination AS actor, 'in' AS side, origin AS partner, share_in AS share,
           coverage_in AS coverage
    FROM dependencies
    UNION ALL
    SELECT year, layer, commodity, origin AS actor, 'out' AS side, destination AS partner, share_out AS share,
           coverage_out AS coverage
    FROM dependencies
), k AS (
    SELECT s.*, a.kind = 'aggregate' AS remainder FROM s JOIN actors a ON a.actor = s.partner
), h AS (
    SELECT year, layer, commodity, actor, side,
           sum(CASE WHEN NOT remainder THEN share * share ELSE 0 END) AS hhi,
           first(partner ORDER BY share DESC, partner) FILTER (WHERE NOT remainder) AS top_partner,
           max(share) FILTER (WHERE NOT remainder) AS top_share,
           sum(CASE WHEN remainder THEN share ELSE 0 END) AS unattributed_share,
           count(*) AS partners,
           any_value(coverage) AS coverage
    FROM k
    GROUP BY year, layer, commodity, actor, side
), d AS (
    SELECT dp.*, o.kind = 'aggregate' AND t.kind = 'aggregate' AS rem_pair
    FROM dependencies dp JOIN actors o ON o.actor = dp.origin JOIN actors t ON t.actor = dp.destination
), complete AS (
    SELECT year, commodity, bool_or(rem_pair) AS complete FROM d GROUP BY ALL
), imp AS (
    SELECT year, commodity, destination AS actor, sum(value) AS imports, any_value(coverage_in) AS cov
    FROM d GROUP BY ALL
), exp AS (
    SELECT year, commodity, origin AS actor, sum(value) AS exports, any_value(coverage_out) AS cov
    FROM d GROUP BY ALL
), fuel AS (
    SELECT c.commodity, coalesce(c.balance_of, c.commodity) AS fuel,
           coalesce(c.balance_of, c.commodity) IN (SELECT balance_of FROM commodities) AS has_balance
    FROM commodities c
), crit AS (
    SELECT h.*,
           CASE WHEN h.hhi > 0.4 THEN true
                WHEN h.hhi + h.unattributed_share * h.unattributed_share <= 0.4 THEN false END AS c1,
           CASE WHEN i.imports > 0 AND i.cov IS NOT NULL THEN i.imports END AS imports,
           coalesce(e.exports, 0) AS exports,
           CASE WHEN coalesce(e.exports, 0) > 0 THEN e.cov IS NOT NULL ELSE coalesce(cp.complete, false) END
               AS exports_known,
           nullif(b.consumption, 0) AS consumption,
           cp.complete IS NOT NULL AS fuel_present
    FROM h
    JOIN fuel f ON f.commodity = h.commodity
    LEFT JOIN complete cp ON cp.year = h.year AND cp.commodity = f.fuel
    LEFT JOIN imp i ON i.year = h.year AND i.commodity = f.fuel AND i.actor = h.actor
    LEFT JOIN exp e ON e.year = h.year AND e.commodity = f.fuel AND e.actor = h.actor
    LEFT JOIN balances b ON b.year = h.year AND b.actor = h.actor AND b.commodity = f.fuel AND f.has_balance
), v AS (
    SELECT crit.*, imports / consumption > 0.5 AS c2,
           CASE WHEN imports <= exports THEN false WHEN exports_known THEN true END AS c3
    FROM crit
)
SELECT year, layer, commodity, actor, side, hhi, top_partner, top_share, unattributed_share, partners, coverage,
       CASE WHEN side <> 'in' OR coverage IS NULL OR NOT fuel_present OR imports IS NULL THEN NULL
            WHEN c1 = false OR c2 = false OR c3 = false THEN false
            WHEN c1 AND c2 AND c3 THEN true END AS strategic
FROM v;
