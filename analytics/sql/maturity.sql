-- Every declaration's maturity materialised (maturity_rules.sql runs first): the answers
-- table is the largest of the store; pages read these two small tables instead.
CREATE OR REPLACE TABLE analytics_domain_scores AS
SELECT * FROM domain_scores_since(0)
-- Sorted so that reading one establishment skips most of the table (zone maps).
ORDER BY finess_et, campaign, domain;

CREATE OR REPLACE TABLE analytics_declaration_maturity AS
SELECT * FROM declaration_maturity_since(0);

CREATE OR REPLACE TABLE analytics_declarations AS
SELECT * FROM declarations_known_since(0) ORDER BY finess_et, campaign;

CREATE OR REPLACE TABLE analytics_declaration_evidence AS
SELECT * FROM declaration_evidence_since(0) ORDER BY finess_et, campaign;

-- `rules`: the fingerprint of the rules these tables were computed with (set by the program
-- in the same transaction, cache/refresh_rules_set.sql): other rules, computed whole again.
CREATE OR REPLACE TABLE analytics_refresh AS
SELECT coalesce(max(import_id), 0) AS last_import_id, current_timestamp AS refreshed_at,
       CAST(NULL AS VARCHAR) AS rules
FROM imports;
