-- Load one BACI CSV (t,i,j,k,v,q) into the temporary table baci_raw, typed explicitly.
-- Parameters: $csv (path). v and q are exact decimals (thousands of US$, tonnes; BACI gives 3 decimals),
-- so sums over folded EU members are exact and re-imports give the same bytes.
CREATE OR REPLACE TEMP TABLE baci_raw AS
SELECT t::SMALLINT AS year, i::INTEGER AS i, j::INTEGER AS j, k::INTEGER AS k, v,
       CASE WHEN trim(q) IN ('', 'NA') THEN NULL ELSE CAST(trim(q) AS DECIMAL(18, 3)) END AS q
FROM read_csv($csv, header = true, auto_detect = false, delim = ',', quote = '"',
              columns = {'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'INTEGER',
                         'v': 'DECIMAL(18,3)', 'q': 'VARCHAR'});
