-- Keeps the shared status of the date (ctx), its domain measures (computed_domain_measures.sql
-- runs first) and its peer figures (peer_stats.sql runs between this file and
-- store_status_end.sql), in one transaction.
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS analytics_status_state (
    cache_as_of DATE, last_import_id BIGINT, settings VARCHAR, built_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS analytics_status AS SELECT (SELECT as_of FROM ctx) AS cache_as_of, * FROM status_computed LIMIT 0;
CREATE TABLE IF NOT EXISTS analytics_domain_measures (cache_as_of DATE, finess_et VARCHAR, domain VARCHAR, score DOUBLE);
CREATE TABLE IF NOT EXISTS analytics_peer_stats (
    cache_as_of DATE, group_kind VARCHAR, group_key VARCHAR, measure VARCHAR, n BIGINT,
    median DOUBLE, worst_20 DOUBLE, best_20 DOUBLE, percentiles DOUBLE[]);
-- A cache made before the latest import, or with other settings, is stale.
DELETE FROM analytics_status WHERE cache_as_of IN (
    SELECT cache_as_of FROM analytics_status_state
    WHERE cache_as_of = (SELECT as_of FROM ctx) OR settings <> (SELECT settings FROM status_request)
       OR last_import_id <> (SELECT coalesce(max(import_id), 0) FROM imports));
DELETE FROM analytics_domain_measures WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status);
DELETE FROM analytics_peer_stats WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status);
DELETE FROM analytics_status_state WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status);
DELETE FROM analytics_status_state WHERE cache_as_of = (SELECT as_of FROM ctx);
INSERT INTO analytics_status SELECT (SELECT as_of FROM ctx) AS cache_as_of, * FROM status_computed ORDER BY finess_et;
INSERT INTO analytics_domain_measures BY NAME SELECT * FROM computed_domain_measures ORDER BY finess_et;
