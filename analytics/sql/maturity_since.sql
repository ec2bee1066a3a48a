-- The declarations of the imports since the last refresh added to the materialised maturity
-- (maturity_rules.sql runs first; the rows already there cannot change, see there).
CREATE OR REPLACE TEMP TABLE maturity_since AS SELECT last_import_id FROM analytics_refresh;
INSERT INTO analytics_domain_scores
SELECT * FROM domain_scores_since((SELECT last_import_id FROM maturity_since))
ORDER BY finess_et, campaign, domain;
INSERT INTO analytics_declaration_maturity
SELECT * FROM declaration_maturity_since((SELECT last_import_id FROM maturity_since));
-- A new submission replaces the previous one of its site and campaign: those pairs again.
DELETE FROM analytics_declarations
WHERE EXISTS (
    SELECT 1 FROM declarations n
    WHERE n.import_id > (SELECT last_import_id FROM maturity_since)
      AND n.finess_et = analytics_declarations.finess_et AND n.campaign = analytics_declarations.campaign);
INSERT INTO analytics_declarations
SELECT * FROM declarations_known_since((SELECT last_import_id FROM maturity_since)) ORDER BY finess_et, campaign;
INSERT INTO analytics_declaration_evidence
SELECT * FROM declaration_evidence_since((SELECT last_import_id FROM maturity_since)) ORDER BY finess_et, campaign;
UPDATE analytics_refresh
SET last_import_id = (SELECT coalesce(max(import_id), 0) FROM imports), refreshed_at = current_timestamp;
