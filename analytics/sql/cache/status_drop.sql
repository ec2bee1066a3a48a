DROP TABLE IF EXISTS analytics_status;
DROP TABLE IF EXISTS analytics_domain_measures;
DROP TABLE IF EXISTS analytics_peer_stats;
DROP TABLE IF EXISTS analytics_status_state;
