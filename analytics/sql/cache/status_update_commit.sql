UPDATE analytics_status_state
SET last_import_id = (SELECT coalesce(max(import_id), 0) FROM imports), built_at = current_timestamp::TIMESTAMP
WHERE cache_as_of = (SELECT as_of FROM ctx);
DELETE FROM status_sites;
COMMIT;
