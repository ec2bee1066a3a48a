-- The date, viewer, settings and data the context of this connection was built for.
CREATE TEMP TABLE IF NOT EXISTS ctx_key (key VARCHAR, last_import_id BIGINT);
