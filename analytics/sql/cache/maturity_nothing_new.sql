-- The imports since the last refresh stored no declaration: the tables are up to date as they are.
UPDATE analytics_refresh
SET last_import_id = (SELECT coalesce(max(import_id), 0) FROM imports), refreshed_at = current_timestamp;
