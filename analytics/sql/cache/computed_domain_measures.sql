-- The domain scores behind the maturity of each status just computed (status_computed),
-- as analytics_domain_measures keeps them for the date.
CREATE OR REPLACE TEMP VIEW computed_domain_measures AS
SELECT (SELECT as_of FROM ctx) AS cache_as_of, d.finess_et, d.domain, d.score
FROM analytics_domain_scores d
JOIN status_computed s ON s.finess_et = d.finess_et AND s.maturity_campaign = d.campaign
                       AND s.maturity_import_id = d.import_id
WHERE d.score IS NOT NULL;
-- The peer figures of a new date are computed from the status just computed (peer_stats.sql).
CREATE OR REPLACE TEMP VIEW peer_status AS SELECT * FROM status_computed;
