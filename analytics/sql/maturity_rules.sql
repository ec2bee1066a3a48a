-- Maturity and evidence answers of every declaration (every submission of a campaign, not
-- only the newest: a replay of a past date reads the one known then), defined once for the
-- declarations of the imports after `since` (0: all of them). maturity.sql materialises it whole, maturity_since.sql
-- adds what the imports since the last refresh brought: the store's imports are append-only
-- (a declaration, its answers and its catalogue version never change once stored), so an
-- import can only add rows to these tables.
-- Domain score = 100 × Σ(weight × points) ÷ Σ(weight × maximum), over the answered scored
-- questions of the domain. Completion = answered scored questions ÷ scored questions.
CREATE OR REPLACE TEMP MACRO domain_scores_since(since) AS TABLE
WITH scored_questions AS (
    SELECT catalogue_version, domain, count(DISTINCT code) AS scored, avg(weight) AS domain_weight
    FROM questions
    WHERE max_points > 0
    GROUP BY catalogue_version, domain
),
-- Grouped by declaration number first (integers), its FINESS and campaign joined after.
answered AS (
    SELECT r.declaration_id, q.domain,
           count(*) AS answered,
           sum(q.weight * v.points) AS points,
           sum(q.weight * q.max_points) AS max_points
    FROM answer_rows r
    JOIN answer_values v USING (value_id)
    JOIN declarations d USING (declaration_id)
    JOIN questions q ON q.catalogue_version = d.catalogue_version AND q.code = v.question_code
    WHERE q.max_points > 0 AND v.points IS NOT NULL AND d.import_id > since
    GROUP BY r.declaration_id, q.domain
)
SELECT d.import_id, d.finess_et, d.campaign, q.domain, q.scored, q.domain_weight,
       coalesce(a.answered, 0) AS answered,
       CASE WHEN a.max_points > 0 THEN 100.0 * a.points / a.max_points END AS score
FROM declarations d
JOIN scored_questions q USING (catalogue_version)
LEFT JOIN answered a ON a.declaration_id = d.declaration_id AND a.domain = q.domain
WHERE d.import_id > since;

-- (The macro below reads the scores' table: it must exist when the macro is created.)
CREATE TABLE IF NOT EXISTS analytics_domain_scores AS SELECT * FROM domain_scores_since(0) LIMIT 0;

-- Overall = mean of the domain scores weighted by the domains' weights (catalogue), over
-- the domains with at least one answer.
CREATE OR REPLACE TEMP MACRO declaration_maturity_since(since) AS TABLE
SELECT d.import_id, d.finess_et, d.campaign, d.updated_on, d.status,
       sum(s.answered) AS answered,
       sum(s.scored) AS scored,
       sum(s.answered) / sum(s.scored) AS completion,
       sum(s.score * s.domain_weight) FILTER (WHERE s.score IS NOT NULL)
           / sum(s.domain_weight) FILTER (WHERE s.score IS NOT NULL) AS overall
FROM declarations d
JOIN analytics_domain_scores s USING (import_id, finess_et, campaign)
WHERE d.import_id > since AND s.import_id > since
GROUP BY d.import_id, d.finess_et, d.campaign, d.updated_on, d.status;

-- The answers that evidence an expectation, per declaration: the catalogue's questions whose
-- column `attente` says so — E1 a date of the last exercise, E4 a share of staff made aware,
-- E5 the maps (all « oui »: met). Read by establishment_status.sql for the declaration
-- known at the date (kept here, not joined per date: the answers are the store's largest table).
CREATE OR REPLACE TEMP MACRO declaration_evidence_since(since) AS TABLE
SELECT d.import_id, d.finess_et, d.campaign,
       max(TRY_CAST(a.normalised_value AS DOUBLE)) FILTER (WHERE q.expectation = 'E4') AS staff_trained_percent,
       list(q.label || ' ' || a.normalised_value ORDER BY q.code) FILTER (WHERE q.expectation = 'E5') AS cartography_answers,
       count(*) FILTER (WHERE q.expectation = 'E5') AS cartography_answered,
       count(*) FILTER (WHERE q.expectation = 'E5' AND a.normalised_value = 'oui') AS cartography_yes,
       count(*) FILTER (WHERE q.expectation = 'E5' AND a.normalised_value IN ('oui', 'partiel')) AS cartography_some,
       max(TRY_CAST(a.normalised_value AS DATE)) FILTER (WHERE q.expectation = 'E1') AS declared_exercise_on
FROM declarations d
JOIN questions q ON q.catalogue_version = d.catalogue_version AND q.expectation IN ('E1', 'E4', 'E5')
JOIN answer_rows r ON r.declaration_id = d.declaration_id
JOIN answer_values a ON a.value_id = r.value_id AND a.question_code = q.code
WHERE d.import_id > since
GROUP BY d.import_id, d.finess_et, d.campaign;

-- Every declaration with its maturity and the date a newer submission of the same site and
-- campaign replaced it (NULL: none yet), for the sites × campaigns the imports after `since`
-- declared (0: all). rules.sql's known_declarations reads it: known at D = dated on or before
-- D and not replaced by D (a filter, instead of a window over every declaration per date).
CREATE TABLE IF NOT EXISTS analytics_declaration_maturity AS SELECT * FROM declaration_maturity_since(0) LIMIT 0;
CREATE OR REPLACE TEMP MACRO declarations_known_since(since) AS TABLE
SELECT d.*, m.answered, m.scored, m.completion, m.overall,
       lead(d.updated_on) OVER (PARTITION BY d.finess_et, d.campaign ORDER BY d.updated_on, d.import_id) AS replaced_on
FROM declarations d
LEFT JOIN analytics_declaration_maturity m USING (import_id, finess_et, campaign)
WHERE since = 0 OR EXISTS (
    SELECT 1 FROM declarations n
    WHERE n.import_id > since AND n.finess_et = d.finess_et AND n.campaign = d.campaign);
