-- The kept statuses were computed with other settings ($1), or in an older layout (without
-- built_at): they are dropped whole (their columns may differ).
SELECT (SELECT count(*) > 0 FROM analytics_status_state WHERE settings <> $1)
    OR NOT EXISTS (SELECT 1 FROM duckdb_columns()
                   WHERE table_name = 'analytics_status_state' AND column_name = 'built_at');
