-- Peer figures of the reference date for every group and measure, from the shared status
-- (no red event): size, median, worst and best 20 %, and the sorted values a rank is read
-- from. A fiche then reads four small rows instead of the whole region.
INSERT INTO analytics_peer_stats
WITH measures AS (
    SELECT finess_et, 'Maturité globale' AS measure, maturity AS v FROM status_computed
    UNION ALL SELECT finess_et, 'Complétude du questionnaire', 100 * maturity_completion FROM status_computed
    UNION ALL SELECT finess_et, 'Attentes atteintes (sur 5)', items_met FROM status_computed
    UNION ALL SELECT finess_et, 'Maturité ' || domain, score
              FROM analytics_domain_measures WHERE cache_as_of = (SELECT as_of FROM ctx)
),
vals AS (
    SELECT m.measure, m.v, s.departement, s.in_region, s.peer_group
    FROM measures m JOIN status_computed s USING (finess_et)
    WHERE m.v IS NOT NULL
),
grouped AS (
    SELECT 'département' AS group_kind, departement AS group_key, measure, v FROM vals WHERE in_region
    UNION ALL SELECT 'région', '', measure, v FROM vals WHERE in_region
    UNION ALL SELECT 'groupe de pairs', peer_group, measure, v FROM vals WHERE in_region
    UNION ALL SELECT 'national', '', measure, v FROM vals
)
SELECT (SELECT as_of FROM ctx), group_kind, group_key, measure, count(*),
       quantile_cont(v, 0.5), quantile_cont(v, 0.2), quantile_cont(v, 0.8), list(v ORDER BY v)
FROM grouped
GROUP BY group_kind, group_key, measure;
