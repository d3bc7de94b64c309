-- Views over the bulk product tables (netdep/bulk/sql/views.sql), added by netdep.db.setup_sql when the
-- folders exist. Block headers read `-- @table|@file <folder or file> <view>`; a block runs only when its
-- table is present; @path is the quoted glob or file.

-- @table hs6 hs6_flows
-- Product-level flows (CEPII BACI, HS6), one row per (year, commodity 'hs6:XXXXXX', origin, destination).
CREATE OR REPLACE VIEW hs6_flows AS
SELECT year, layer, commodity, origin, destination, value, value_usd_bn, route, source_id, note, quantity_t
FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});
-- @table hs6 flows_all
-- Every flow: the curated flows table and the product-level flows, with the flows columns.
CREATE OR REPLACE VIEW flows_all AS
SELECT year, layer, commodity, origin, destination, value, value_usd_bn, route, source_id, note FROM flows
UNION ALL
SELECT year, layer, commodity, origin, destination, value, value_usd_bn, route, source_id, note FROM hs6_flows;

-- @table hs6_intra_eu hs6_intra_eu
-- Intra-EU trade per product and year (dropped from hs6_flows when EU members were folded into EU27).
CREATE OR REPLACE VIEW hs6_intra_eu AS
SELECT year, commodity, value, quantity_t, flows
FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});

-- @table hs6_measures hs6_dependencies
-- Dependency measures per (year, importer, product) from `netdep measures` (netdep/bulk/sql/measures.sql),
-- with GeoDep's fourth criterion: dependent in at least two years of the three-year window ending this year.
CREATE OR REPLACE VIEW hs6_dependencies AS
SELECT *,
       count(*) FILTER (WHERE geodep_dependent) OVER (
           PARTITION BY importer, commodity ORDER BY year RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) >= 2
           AS geodep_persistent
FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});

-- @table hs6_pagerank hs6_pagerank
-- PageRank of every actor in every product layer (year, commodity), networkx semantics (netdep.bulk.centrality).
CREATE OR REPLACE VIEW hs6_pagerank AS
SELECT year, commodity, actor, pagerank
FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});

-- @file hs6_products hs6_products
-- HS6 product descriptions from BACI's product-code file.
CREATE OR REPLACE VIEW hs6_products AS SELECT * FROM read_parquet(@path);

-- @file hs6_countries hs6_countries
-- BACI country codes and the actor each was mapped to.
CREATE OR REPLACE VIEW hs6_countries AS SELECT * FROM read_parquet(@path);

-- @table isic isic_flows
-- Industry-level intermediate flows (OECD ICIO 2025 release, 2022), one row per (year, commodity 'isic:C27',
-- origin, destination); value in US$ bn; domestic flows left out (netdep.bulk.icio).
CREATE OR REPLACE VIEW isic_flows AS
SELECT year, layer, commodity, origin, destination, value, value_usd_bn, route, source_id, note
FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});

-- @table isic_intra_eu isic_intra_eu
-- Intra-EU intermediate flows per industry and year (dropped from isic_flows when EU members were folded).
CREATE OR REPLACE VIEW isic_intra_eu AS
SELECT year, commodity, value, flows
FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});

-- @table isic_domestic isic_domestic
-- Each actor's domestic intermediate use of its own industry's output (US$ bn; EU27: its members' own).
CREATE OR REPLACE VIEW isic_domestic AS
SELECT year, commodity, actor, value
FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});

-- @table isic_measures isic_dependencies
-- Dependency measures per (year, importer, industry): the columns of hs6_dependencies (measures.sql).
CREATE OR REPLACE VIEW isic_dependencies AS
SELECT * FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});

-- @table isic_pagerank isic_pagerank
-- PageRank of every actor in every industry layer (year, commodity), networkx semantics.
CREATE OR REPLACE VIEW isic_pagerank AS
SELECT year, commodity, actor, pagerank
FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});

-- @table isic_industries isic_industries
-- The 50 ICIO industries of the release (year = the table's year): commodity ('isic:C27'), code, the OECD's name.
CREATE OR REPLACE VIEW isic_industries AS
SELECT commodity, code, name
FROM read_parquet(@path, hive_partitioning = true, hive_types = {'year': BIGINT});
