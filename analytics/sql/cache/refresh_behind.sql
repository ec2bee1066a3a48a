-- The import the materialised maturity tables were computed after, and the latest import.
SELECT (SELECT last_import_id FROM analytics_refresh), (SELECT coalesce(max(import_id), 0) FROM imports);
