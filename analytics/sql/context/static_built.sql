SELECT count(*) > 0 FROM duckdb_tables() WHERE temporary AND table_name = 'category_families';
