-- The scope tables were built for this viewer ($1: its sites and red sites) and this data.
SELECT count(*) > 0 FROM scope_key
WHERE key = $1 AND last_import_id = (SELECT coalesce(max(import_id), 0) FROM imports);
