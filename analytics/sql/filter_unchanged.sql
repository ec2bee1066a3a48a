-- The filter already applied in this context is the one asked ($1…$7, as in
-- filter_values.sql): its rows (filtered_status, dropped by every new context) are kept.
SELECT EXISTS (SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = 'filtered_status')
   AND EXISTS (SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = 'filter_values');
