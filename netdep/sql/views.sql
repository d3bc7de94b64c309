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

-- Dependency (Keohane & Nye's sensitivity): the destination's import share from the origin,
-- the origin's export share to the destination, and the flow as a share of the destination's consumption.
CREATE OR REPLACE VIEW dependencies AS
SELECT p.year, p.layer, p.commodity, p.origin, p.destination, p.value, p.unit, p.value_usd_bn,
       p.value / nullif(sum(p.value) OVER (PARTITION BY p.year, p.commodity, p.destination), 0) AS share_in,
       p.value / nullif(sum(p.value) OVER (PARTITION BY p.year, p.commodity, p.origin), 0) AS share_out,
       p.value / nullif(b.consumption, 0) AS share_of_consumption,
       p.source_ids
FROM pair_flows p
JOIN commodities c ON c.commodity = p.commodity
LEFT JOIN balances b ON b.actor = p.destination AND b.year = p.year AND b.commodity = c.balance_of;

-- Concentration: Herfindahl-Hirschman index of each actor's suppliers (side 'in') and buyers (side 'out').
-- Shares are of the actor's total; remainder aggregates (ROW, 'Other ...') are many small partners and
-- add nothing to the sum of squares (a lower bound), and are never the top partner.
CREATE OR REPLACE VIEW concentration AS
WITH s AS (
    SELECT year, layer, commodity, destination AS actor, 'in' AS side, origin AS partner, share_in AS share
    FROM dependencies
    UNION ALL
    SELECT year, layer, commodity, origin AS actor, 'out' AS side, destination AS partner, share_out AS share
    FROM dependencies
), k AS (
    SELECT s.*, a.kind = 'aggregate' AS remainder FROM s JOIN actors a ON a.actor = s.partner
)
SELECT year, layer, commodity, actor, side,
       sum(CASE WHEN NOT remainder THEN share * share ELSE 0 END) AS hhi,
       first(partner ORDER BY share DESC, partner) FILTER (WHERE NOT remainder) AS top_partner,
       max(share) FILTER (WHERE NOT remainder) AS top_share,
       sum(CASE WHEN remainder THEN share ELSE 0 END) AS unattributed_share,
       count(*) AS partners
FROM k
GROUP BY year, layer, commodity, actor, side;
