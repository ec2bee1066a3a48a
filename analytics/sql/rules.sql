-- The rules every indicator shares, each named once (read after ctx.sql and the viewer's
-- scope tables):
--   event_codes        the OPSSIES event types the indicators read, by what they evidence
--   known_declarations what was known at the date: each campaign's newest submission dated
--                      on or before it (a later export of the campaign does not hide it)
--   known_applications the call's applications as known at the date: each one's newest
--                      exported version updated on or before it
--   latest_workbook    the exercise follow-up workbook that counts (the newest stored)
--   visible_events     events completed by the date, TLP applied: a red event counts only
--                      for the sites of its owner (scope_red_sites)
--   cnil_check(…)      a data leak's notification to the CNIL against `cnil_within_hours`
--   action_overdue(…)  a post-exercise action past its deadline and not done or dropped

CREATE OR REPLACE TEMP TABLE event_codes (code INTEGER, role VARCHAR, audit BOOLEAN);
INSERT INTO event_codes VALUES
    (27, 'ads', true),                -- audit Active Directory (ADS)
    (60, 'silene', true),             -- audit SILENE (exposition Internet, ANSSI)
    (28, 'cybersurveillance', true),  -- cybersurveillance (exposition Internet)
    (61, 'mail_audit', true),         -- audit de messagerie
    (29, 'care_audit', true),         -- audit technique Next-Gen (niveau 1 à 4)
    (21, 'training', false),          -- sensibilisation, recommandations de base
    (22, 'training', false),          -- sensibilisation, relation client
    (43, 'exercise', false),          -- exercice de crise cyber
    (44, 'incident', false);          -- incident accompagné

CREATE OR REPLACE TEMP VIEW known_declarations AS
SELECT d.* FROM declarations d
WHERE d.updated_on <= (SELECT as_of FROM ctx)
QUALIFY row_number() OVER (PARTITION BY d.finess_et, d.campaign ORDER BY d.updated_on DESC, d.import_id DESC) = 1;

CREATE OR REPLACE TEMP VIEW known_applications AS
SELECT a.*, CAST(a.deposited_at AS DATE) AS deposited_on
FROM applications a
WHERE coalesce(CAST(coalesce(a.updated_at, a.deposited_at) AS DATE) <= (SELECT as_of FROM ctx), true)
QUALIFY row_number() OVER (
    PARTITION BY a.application_id ORDER BY coalesce(a.updated_at, a.deposited_at) DESC NULLS LAST, a.import_id DESC) = 1;

CREATE OR REPLACE TEMP VIEW latest_workbook AS
SELECT max(import_id) AS import_id FROM imports WHERE kind = 'exercices' AND status = 'stored';

CREATE OR REPLACE TEMP VIEW visible_events AS
SELECT ee.finess_et, e.event_id, e.event_type, e.event_type_label, e.tlp,
       CAST(e.completed_at AS DATE) AS completed_on, e.outcome_level, e.outcome_score, c.role
FROM events e
JOIN event_establishments ee USING (event_id)
LEFT JOIN event_codes c ON c.code = e.event_type
WHERE (e.tlp <> 'red' OR ee.finess_et IN (SELECT finess_et FROM scope_red_sites))
  AND e.completed_at IS NOT NULL
  AND CAST(e.completed_at AS DATE) <= (SELECT as_of FROM ctx);

-- 'sans objet' (no leak), 'absente' (a leak never notified), 'tardive' (notified more than
-- cnil_within_hours after the declaration), 'dans les délais'.
CREATE OR REPLACE TEMP MACRO cnil_check(leak, notified, declared_at, notified_at) AS
    CASE
        WHEN NOT coalesce(leak, false) THEN 'sans objet'
        WHEN NOT coalesce(notified, false) THEN 'absente'
        WHEN notified_at > declared_at + to_hours((SELECT cnil_within_hours FROM ctx)::INTEGER) THEN 'tardive'
        ELSE 'dans les délais'
    END;

CREATE OR REPLACE TEMP MACRO action_overdue(deadline, status) AS
    coalesce(deadline < (SELECT as_of FROM ctx) AND coalesce(status, '') NOT IN ('fait', 'abandonné'), false);
