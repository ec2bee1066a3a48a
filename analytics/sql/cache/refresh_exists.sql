-- The materialised maturity tables are all there (a store from before one of them was added
-- computes them whole again).
SELECT count(*) = 5 FROM duckdb_tables()
WHERE NOT temporary AND table_name IN ('analytics_refresh', 'analytics_domain_scores',
                                       'analytics_declaration_maturity', 'analytics_declaration_evidence',
                                       'analytics_declarations');
