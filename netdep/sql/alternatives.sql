
-- Alternative figures (netdep/alternatives.py, issue 15): every alternative, tied to the preferred flow row
-- it competes with (status = 'applied': the range measures use it).
CREATE OR REPLACE VIEW alternatives AS SELECT * FROM read_parquet('ALTERNATIVES_PARQUET');

-- Mirror gaps: for each flow (year, layer, commodity, origin, destination) with an importer-reported and an
-- exporter-reported figure (preferred or alternative, reporter read from the source), the two figures, the gap
-- (importer − exporter) and the relative gap (gap / exporter figure). One figure per side: the preferred row's
-- when it is on that side, else the alternative of the first source_id. No parameters.
CREATE OR REPLACE VIEW mirror_gaps AS
WITH figures AS (
    SELECT DISTINCT year, layer, commodity, origin, destination, unit, preferred_value AS value,
           preferred_source_id AS source_id, preferred_reporter AS reporter, true AS preferred
    FROM alternatives WHERE status = 'applied' AND preferred_reporter IS NOT NULL
    UNION ALL
    SELECT year, layer, commodity, origin, destination, unit, value, source_id, reporter, false AS preferred
    FROM alternatives WHERE status = 'applied' AND reporter IS NOT NULL
), sided AS (
    SELECT *, CASE WHEN reporter = origin THEN 'exporter' WHEN reporter = destination THEN 'importer' END AS side
    FROM figures
), picked AS (
    SELECT year, layer, commodity, origin, destination, side, any_value(unit) AS unit,
           arg_min(value, (NOT preferred, source_id)) AS value,
           arg_min(source_id, (NOT preferred, source_id)) AS source_id
    FROM sided WHERE side IS NOT NULL
    GROUP BY ALL
)
SELECT x.year, x.layer, x.commodity, x.origin, x.destination, x.unit,
       x.value AS exporter_reported, x.source_id AS exporter_source_id,
       m.value AS importer_reported, m.source_id AS importer_source_id,
       round(m.value - x.value, 4) AS gap,
       round((m.value - x.value) / nullif(x.value, 0), 4) AS relative_gap
FROM picked x JOIN picked m USING (year, layer, commodity, origin, destination)
WHERE x.side = 'exporter' AND m.side = 'importer'
ORDER BY abs(m.value - x.value) DESC, x.year, x.commodity, x.origin, x.destination;
