-- The data-quality page: the $1 newest imports.
SELECT import_id, file_name, kind, status, finished_at, user_name, rows_read, rows_stored,
       rows_rejected, warning_count, message
FROM imports ORDER BY import_id DESC LIMIT $1;
