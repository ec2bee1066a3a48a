-- The import the materialised maturity tables were computed after, the latest import, and
-- whether they were computed with these rules ($1: their fingerprint).
SELECT (SELECT last_import_id FROM analytics_refresh), (SELECT coalesce(max(import_id), 0) FROM imports),
       (SELECT rules IS NOT DISTINCT FROM $1 FROM analytics_refresh);
