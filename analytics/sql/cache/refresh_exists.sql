SELECT EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name = 'analytics_refresh');
