-- The shared status of a date ($1) is kept for the latest import and these settings ($2).
SELECT count(*) > 0 FROM analytics_status_state
WHERE cache_as_of = CAST($1 AS DATE) AND settings = $2
  AND last_import_id = (SELECT coalesce(max(import_id), 0) FROM imports);
