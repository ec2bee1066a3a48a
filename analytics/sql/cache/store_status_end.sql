INSERT INTO analytics_status_state
    SELECT (SELECT as_of FROM ctx), (SELECT coalesce(max(import_id), 0) FROM imports),
           (SELECT settings FROM status_request), current_timestamp::TIMESTAMP;
-- Bounded: dates_kept dates stay — this one, today, then the most recently computed.
DELETE FROM analytics_status_state WHERE cache_as_of NOT IN (
    SELECT cache_as_of FROM (
        SELECT cache_as_of, row_number() OVER (
            ORDER BY cache_as_of = (SELECT as_of FROM ctx) DESC, cache_as_of = (SELECT today FROM status_request) DESC,
                     built_at DESC) AS recency
        FROM analytics_status_state)
    WHERE recency <= (SELECT dates_kept FROM status_request));
DELETE FROM analytics_status WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status_state);
DELETE FROM analytics_domain_measures WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status_state);
DELETE FROM analytics_peer_stats WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status_state);
COMMIT;
