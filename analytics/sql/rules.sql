-- The rules every indicator shares, each named once (read after ctx.sql and the viewer's
-- scope tables):
--   event_codes        the OPSSIES event types the indicators read, by what they evidence
--   known_declarations what was known at the date: each campaign's newest submission dated
--                      on or before it (a later export of the campaign does not hide it),
--                      with its maturity
--   known_applications the call's applications as known at the date: each one's newest
--                      exported version updated on or before it
--   known_ose_ght      (and ose_list_in_force) the OSE / GHT list known at the date: the newest dated on or before
--                      it (its date: the file's, else its import's); before the first
--                      list, the first one (designations predate the observatory's lists)
--   latest_workbook    the exercise follow-up workbook that counts (the newest stored)
--   visible_events     events completed by the date, TLP applied: a red event counts only
--                      for the sites of its owner (scope_red_sites)
--   cnil_check(…)      a data leak's notification to the CNIL against `cnil_within_hours`
--   action_overdue(…)  a post-exercise action past its deadline and not done or dropped

-- Filled from analytics/src/events.rs (context/event_code.sql), where the methodology reads
-- them too.
CREATE OR REPLACE TEMP TABLE event_codes (code INTEGER, role VARCHAR, audit BOOLEAN);

-- (analytics_declarations, maturity_rules.sql: each declaration with the date a newer one of
-- its campaign replaced it, and its maturity.)
CREATE OR REPLACE TEMP VIEW known_declarations AS
SELECT * EXCLUDE (replaced_on) FROM analytics_declarations
WHERE updated_on <= (SELECT as_of FROM ctx) AND coalesce(replaced_on > (SELECT as_of FROM ctx), true);

CREATE OR REPLACE TEMP VIEW known_applications AS
SELECT a.*, CAST(a.deposited_at AS DATE) AS deposited_on
FROM applications a
WHERE coalesce(CAST(coalesce(a.updated_at, a.deposited_at) AS DATE) <= (SELECT as_of FROM ctx), true)
QUALIFY row_number() OVER (
    PARTITION BY a.application_id ORDER BY coalesce(a.updated_at, a.deposited_at) DESC NULLS LAST, a.import_id DESC) = 1;

CREATE OR REPLACE TEMP VIEW ose_list_in_force AS
WITH lists AS (
    SELECT import_id, coalesce(source_date, CAST(finished_at AS DATE)) AS dated
    FROM imports WHERE kind = 'ose-ght' AND status = 'stored'
)
SELECT coalesce(
    (SELECT import_id FROM lists WHERE dated <= (SELECT as_of FROM ctx) ORDER BY dated DESC, import_id DESC LIMIT 1),
    (SELECT import_id FROM lists ORDER BY dated, import_id LIMIT 1)) AS import_id;

CREATE OR REPLACE TEMP VIEW known_ose_ght AS
SELECT o.finess_et, bool_or(o.ose) AS ose, any_value(o.ght) FILTER (WHERE o.ght IS NOT NULL) AS ght
FROM ose_ght o WHERE o.import_id = (SELECT import_id FROM ose_list_in_force)
GROUP BY o.finess_et;

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
