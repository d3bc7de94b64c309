-- Question: Where does every figure come from? Rows per source, with its address.
-- Parameters: none. Filter on `source_id` to see one source's rows in flows_named.
SELECT s.source_id, s.publisher, s.title, s.url, count(f.year) AS flow_rows,
       string_agg(DISTINCT f.layer, ', ' ORDER BY f.layer) AS layers,
       min(f.year) AS first_year, max(f.year) AS last_year
FROM sources s
LEFT JOIN flows f ON f.source_id = s.source_id
GROUP BY ALL
ORDER BY flow_rows DESC, s.source_id;
