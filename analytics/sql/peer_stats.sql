-- Peer figures of the reference date for every group and measure, from the shared status
-- (no red event): size, median, worst and best 20 %, and the 101 percentiles a rank is
-- read from (to the nearest point). A fiche then reads a few small rows, not the region.
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
    WHERE m.v IS NOT NULL AND s.closed_on IS NULL
),
grouped AS (
    SELECT 'département' AS group_kind, departement AS group_key, measure, v FROM vals WHERE in_region
    UNION ALL SELECT 'région', '', measure, v FROM vals WHERE in_region
    UNION ALL SELECT 'groupe de pairs', peer_group, measure, v FROM vals WHERE in_region
    UNION ALL SELECT 'national', '', measure, v FROM vals
)
SELECT (SELECT as_of FROM ctx), group_kind, group_key, measure, count(*),
       quantile_cont(v, 0.5), quantile_cont(v, 0.2), quantile_cont(v, 0.8),
       quantile_cont(v, [0.00, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19, 0.20, 0.21, 0.22, 0.23, 0.24, 0.25, 0.26, 0.27, 0.28, 0.29, 0.30, 0.31, 0.32, 0.33, 0.34, 0.35, 0.36, 0.37, 0.38, 0.39, 0.40, 0.41, 0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 0.48, 0.49, 0.50, 0.51, 0.52, 0.53, 0.54, 0.55, 0.56, 0.57, 0.58, 0.59, 0.60, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.70, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78, 0.79, 0.80, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.00])
FROM grouped
GROUP BY group_kind, group_key, measure;
