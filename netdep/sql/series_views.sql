-- Monthly series (netdep/sql/series_views.sql), created when data/series_monthly.parquet exists.
CREATE OR REPLACE VIEW series_monthly AS SELECT * FROM read_parquet(@path);

-- One row per month, commodity, origin, destination (and route/point for route-level series).
-- Gas is pipeline_gas / lng where the source tells them apart (Eurostat: lng as reported, pipeline_gas =
-- all natural gas less LNG; China customs: both; IEA entry points: pipeline_gas). Units differ by source and
-- period (bcm, TJ, Mt, mcm, USD_mn): compare or sum only within one unit.
CREATE OR REPLACE VIEW flows_monthly AS
SELECT month, CAST(substr(month, 1, 4) AS INTEGER) AS year, layer, commodity, origin, destination, route, point,
       value, unit, source_id, note
FROM series_monthly;
