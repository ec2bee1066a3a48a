-- The peer figures of a date ($1), every group (peer_stats.sql).
SELECT measure, group_kind, group_key, n, median, worst_20, best_20, percentiles
FROM analytics_peer_stats WHERE cache_as_of = CAST($1 AS DATE);
