-- The kept status of the date brought up to the latest import: the rows of the sites just
-- computed replace theirs, then the peer figures are computed again from the whole date
-- (peer_stats.sql runs between this file and status_update_commit.sql), in one transaction.
BEGIN TRANSACTION;
DELETE FROM analytics_status
WHERE cache_as_of = (SELECT as_of FROM ctx) AND finess_et IN (SELECT finess_et FROM status_computed);
INSERT INTO analytics_status BY NAME
SELECT (SELECT as_of FROM ctx) AS cache_as_of, * FROM status_computed ORDER BY finess_et;
DELETE FROM analytics_domain_measures
WHERE cache_as_of = (SELECT as_of FROM ctx) AND finess_et IN (SELECT finess_et FROM status_computed);
INSERT INTO analytics_domain_measures BY NAME SELECT * FROM computed_domain_measures ORDER BY finess_et;
CREATE OR REPLACE TEMP VIEW peer_status AS
SELECT * FROM analytics_status WHERE cache_as_of = (SELECT as_of FROM ctx);
DELETE FROM analytics_peer_stats WHERE cache_as_of = (SELECT as_of FROM ctx);
