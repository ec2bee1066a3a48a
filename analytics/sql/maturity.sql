-- Maturity of every declaration (every submission of a campaign, not only the newest: a
-- replay of a past date reads the one known then), materialised after each import (the answers table
-- is the largest of the store; pages read these two small tables instead).
-- Domain score = 100 × Σ(weight × points) ÷ Σ(weight × maximum), over the answered scored
-- questions of the domain. Completion = answered scored questions ÷ scored questions.

CREATE OR REPLACE TABLE analytics_domain_scores AS
WITH scored_questions AS (
    SELECT catalogue_version, domain, count(DISTINCT code) AS scored, avg(weight) AS domain_weight
    FROM questions
    WHERE max_points > 0
    GROUP BY catalogue_version, domain
),
answered AS (
    SELECT a.import_id, a.finess_et, a.campaign, a.domain,
           count(*) AS answered,
           sum(a.weight * a.points) AS points,
           sum(a.weight * a.max_points) AS max_points
    FROM answers a
    WHERE a.max_points > 0 AND a.points IS NOT NULL
    GROUP BY a.import_id, a.finess_et, a.campaign, a.domain
)
SELECT d.import_id, d.finess_et, d.campaign, q.domain, q.scored, q.domain_weight,
       coalesce(a.answered, 0) AS answered,
       CASE WHEN a.max_points > 0 THEN 100.0 * a.points / a.max_points END AS score
FROM declarations d
JOIN scored_questions q USING (catalogue_version)
LEFT JOIN answered a
       ON a.import_id = d.import_id AND a.finess_et = d.finess_et
      AND a.campaign = d.campaign AND a.domain = q.domain
-- Sorted so that reading one establishment skips most of the table (zone maps).
ORDER BY d.finess_et, d.campaign, q.domain;

-- Overall = mean of the domain scores weighted by the domains' weights (catalogue), over
-- the domains with at least one answer.
CREATE OR REPLACE TABLE analytics_declaration_maturity AS
SELECT d.import_id, d.finess_et, d.campaign, d.updated_on, d.status,
       sum(s.answered) AS answered,
       sum(s.scored) AS scored,
       sum(s.answered) / sum(s.scored) AS completion,
       sum(s.score * s.domain_weight) FILTER (WHERE s.score IS NOT NULL)
           / sum(s.domain_weight) FILTER (WHERE s.score IS NOT NULL) AS overall
FROM declarations d
JOIN analytics_domain_scores s USING (import_id, finess_et, campaign)
GROUP BY d.import_id, d.finess_et, d.campaign, d.updated_on, d.status;

CREATE OR REPLACE TABLE analytics_refresh AS
SELECT coalesce(max(import_id), 0) AS last_import_id, current_timestamp AS refreshed_at FROM imports;
