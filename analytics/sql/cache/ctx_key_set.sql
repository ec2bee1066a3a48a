INSERT INTO ctx_key SELECT ?, (SELECT coalesce(max(import_id), 0) FROM imports);
