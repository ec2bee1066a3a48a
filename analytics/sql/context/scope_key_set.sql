-- (After scope.sql and the viewer's sites.) What the scope tables were built for ($1).
INSERT INTO scope_key SELECT $1, (SELECT coalesce(max(import_id), 0) FROM imports);
