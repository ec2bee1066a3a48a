SELECT count(*) > 0 FROM ctx_key
WHERE key = ? AND last_import_id = (SELECT coalesce(max(import_id), 0) FROM imports);
