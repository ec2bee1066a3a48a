-- Every indicator of one establishment as of the reference date, for every establishment
-- of the referential (peer groups need them all). Reads the context tables the program
-- creates first:
--   ctx                  one row: as_of and every setting (data/settings.toml)
--   region_departements  the region's départements
--   scope_red_sites      sites whose TLP:RED events the viewer may count (its own)
--   category_families    FINESS category → family and ES/ESMS (data/categories.csv)
--   status_sites         the sites to compute (empty: every site)
-- TLP filtering happens here, before anything is counted: a red event counts only for
-- the viewer it belongs to.

CREATE OR REPLACE TEMP TABLE status_computed AS
WITH
c AS (SELECT * FROM ctx),
sites AS (
    SELECT e.finess_et, e.finess_ej, e.name, e.departement, e.departement_label,
           e.category_code, e.category_label,
           coalesce(f.family, 'Autre') AS family,
           coalesce(f.kind, 'ES') AS kind,
           e.sector_code,
           CASE
               WHEN coalesce(f.kind, 'ES') = 'ESMS' THEN 'Médico-social'
               WHEN e.sector_code = '1' THEN 'Public'
               WHEN e.sector_code = '6' THEN 'Privé d''intérêt collectif'
               WHEN e.sector_code = '7' THEN 'Privé non lucratif'
               ELSE 'Privé commercial'
           END AS sector_group,
           coalesce(o.ose, false) AS ose, o.ght,
           e.departement IN (SELECT departement FROM region_departements) AS in_region,
           cl.closed_on
    FROM establishments e
    LEFT JOIN category_families f USING (category_code)
    LEFT JOIN site_closures cl USING (finess_et)
    LEFT JOIN known_ose_ght o USING (finess_et)
    WHERE NOT EXISTS (SELECT 1 FROM status_sites) OR e.finess_et IN (SELECT finess_et FROM status_sites)
),
-- (Read by two parts below: computed once.)
event_rows AS MATERIALIZED (
    SELECT * FROM visible_events WHERE finess_et IN (SELECT finess_et FROM sites)
),
audits AS (
    SELECT finess_et,
           max(completed_on) FILTER (WHERE role = 'ads') AS ads_on,
           max(completed_on) FILTER (WHERE role = 'silene') AS silene_on,
           max(completed_on) FILTER (WHERE role = 'cybersurveillance') AS cybersurveillance_on,
           max(completed_on) FILTER (WHERE role = 'mail_audit') AS mail_audit_on,
           max(completed_on) FILTER (WHERE role = 'care_audit') AS care_audit_on,
           arg_max(outcome_level, completed_on) FILTER (WHERE role = 'care_audit') AS care_level,
           max(completed_on) FILTER (WHERE role = 'training') AS training_on,
           count(*) FILTER (WHERE role = 'incident'
                            AND completed_on >= (SELECT as_of FROM c) - (SELECT audit_days FROM c)) AS incident_events_365
    FROM event_rows
    GROUP BY finess_et
),
exercise_rows AS MATERIALIZED (
    SELECT * FROM visible_exercises WHERE finess_et IN (SELECT finess_et FROM sites)
),
exercises AS (
    SELECT finess_et,
           max(completed_on) FILTER (WHERE completed_on <= (SELECT as_of FROM c)) AS last_exercise_on,
           arg_max(sources, completed_on) FILTER (WHERE completed_on <= (SELECT as_of FROM c)) AS last_exercise_source,
           arg_max(direction_present, completed_on) FILTER (WHERE completed_on <= (SELECT as_of FROM c)) AS last_direction_present,
           arg_max(kit, completed_on) FILTER (WHERE completed_on <= (SELECT as_of FROM c)) AS last_kit,
           min(planned_on) FILTER (
               WHERE (completed_on IS NULL OR completed_on > (SELECT as_of FROM c))
                 AND planned_on > (SELECT as_of FROM c)
           ) AS next_planned_on
    FROM exercise_rows
    GROUP BY finess_et
),
actions AS (
    SELECT finess_et,
           count(*) AS action_count,
           count(*) FILTER (WHERE action_overdue(deadline, status)) AS overdue_actions,
           count(*) FILTER (WHERE owner IS NULL OR deadline IS NULL) AS untracked_actions,
           count(*) FILTER (WHERE NOT missing_owner AND NOT missing_deadline) AS tracked_actions,
           count(*) FILTER (WHERE status = 'fait') AS closed_actions
    FROM action_checks
    WHERE import_id = (SELECT import_id FROM latest_workbook) AND finess_et IN (SELECT finess_et FROM sites)
    GROUP BY finess_et
),
-- What was known at the date (rules.sql): each campaign's newest submission dated on or
-- before it.
declaration_rows AS MATERIALIZED (
    SELECT d.*,
           row_number() OVER (PARTITION BY d.finess_et ORDER BY d.updated_on DESC, d.campaign DESC, d.import_id DESC) AS recency,
           row_number() OVER (
               PARTITION BY d.finess_et
               ORDER BY (d.completion >= (SELECT maturity_not_computed_below FROM c)) DESC NULLS LAST,
                        d.campaign DESC, d.updated_on DESC
           ) AS maturity_rank
    FROM known_declarations d
    WHERE d.finess_et IN (SELECT finess_et FROM sites)
),
last_declaration AS (SELECT * FROM declaration_rows WHERE recency = 1),
maturity_declaration AS (
    SELECT * FROM declaration_rows
    WHERE maturity_rank = 1 AND completion >= (SELECT maturity_not_computed_below FROM c)
),
-- The evidence answers of the declaration known at the date (maturity_rules.sql).
evidence_answers AS (
    SELECT e.* FROM last_declaration d
    JOIN analytics_declaration_evidence e USING (import_id, finess_et, campaign)
),
catalogue_cartography AS (
    SELECT catalogue_version, count(*) AS questions FROM questions WHERE expectation = 'E5' GROUP BY ALL
),
grids AS (
    SELECT * FROM (
        SELECT s.*, row_number() OVER (PARTITION BY finess_et ORDER BY assessed_on DESC NULLS LAST, import_id DESC) AS recency
        FROM self_assessments s
        WHERE (assessed_on IS NULL OR assessed_on <= (SELECT as_of FROM c)) AND finess_et IN (SELECT finess_et FROM sites)
    ) WHERE recency = 1
),
incident_rows AS (
    SELECT DISTINCT finess_et, declared_at FROM visible_incidents
    WHERE finess_et IN (SELECT finess_et FROM sites)
      AND CAST(declared_at AS DATE) <= (SELECT as_of FROM c)
      AND CAST(declared_at AS DATE) >= (SELECT as_of FROM c) - (SELECT audit_days FROM c)
),
incident_counts AS (SELECT finess_et, count(*) AS incidents_365 FROM incident_rows GROUP BY finess_et),
-- What the regional view aggregates per site, kept with the status so that a filter is an
-- aggregate over the status of the sites in scope, not a new pass over events and
-- declarations: the latest level of each kind of audit, the month ends of the 24-month
-- trend the site's exercises count for, its incidents per year, its known declarations with
-- a maturity row. (Each list sorted after it is made: an ordered aggregate held 120 MiB more
-- at the national peak.)
audit_levels AS (
    SELECT finess_et, list_sort(list({'event_type': event_type, 'label': label, 'level': level})) AS audit_levels
    FROM (
        SELECT finess_et, event_type, any_value(event_type_label) AS label,
               arg_max(outcome_level, completed_on) AS level
        FROM event_rows
        WHERE event_type IN (SELECT code FROM event_codes WHERE audit)
        GROUP BY finess_et, event_type
    )
    GROUP BY finess_et
),
exercise_months AS (
    SELECT d.finess_et, list_sort(list_distinct(list(b.month_end))) AS exercise_months
    FROM (SELECT DISTINCT finess_et, completed_on FROM exercise_rows WHERE completed_on IS NOT NULL) d
    JOIN exercise_month_bounds b ON d.completed_on <= b.upto AND d.completed_on >= b.since
    GROUP BY d.finess_et
),
incident_years AS (
    SELECT finess_et,
           list_sort(list({'year': year, 'incidents': incidents, 'cnil_late': cnil_late, 'cnil_missing': cnil_missing}))
               AS incident_years
    FROM (
        SELECT finess_et, year(declared_at) AS year, count(*) AS incidents,
               count(*) FILTER (WHERE cnil_check(data_leak, cnil_notified, declared_at, cnil_notified_at) = 'tardive') AS cnil_late,
               count(*) FILTER (WHERE cnil_check(data_leak, cnil_notified, declared_at, cnil_notified_at) = 'absente') AS cnil_missing
        FROM (
            SELECT DISTINCT finess_et, declared_at, data_leak, cnil_notified, cnil_notified_at FROM visible_incidents
            WHERE finess_et IN (SELECT finess_et FROM sites) AND CAST(declared_at AS DATE) <= (SELECT as_of FROM c)
        )
        GROUP BY finess_et, year
    )
    GROUP BY finess_et
),
campaign_rows AS (
    SELECT finess_et,
           list_sort(list({'campaign': campaign, 'validated': status = 'Validé', 'overall': overall,
                           'computed': completion >= (SELECT maturity_not_computed_below FROM c)})) AS campaigns
    FROM declaration_rows
    WHERE scored IS NOT NULL
    GROUP BY finess_et
),
sources AS (
    SELECT
        EXISTS (SELECT 1 FROM events WHERE event_type IN (
            SELECT code FROM event_codes WHERE role IN ('ads', 'silene', 'cybersurveillance'))) AS has_audit_source,
        EXISTS (SELECT 1 FROM imports WHERE kind = 'osis' AND status = 'stored') AS has_declaration_source,
        EXISTS (SELECT 1 FROM imports WHERE kind IN ('exercices') AND status = 'stored')
            OR EXISTS (SELECT 1 FROM events WHERE event_type = 43) AS has_exercise_source
),
assembled AS (
    SELECT s.*,
           ld.updated_on AS last_declaration_on,
           ld.campaign AS last_declaration_campaign,
           ld.status AS last_declaration_status,
           (SELECT as_of FROM c) - ld.updated_on AS declaration_age_days,
           md.campaign AS maturity_campaign,
           md.import_id AS maturity_import_id,
           md.overall AS maturity,
           md.completion AS maturity_completion,
           md.completion < (SELECT maturity_partial_below FROM c) AS maturity_partial,
           ex.last_exercise_on, ex.last_exercise_source, ex.last_direction_present, ex.last_kit, ex.next_planned_on,
           au.ads_on, au.silene_on, au.cybersurveillance_on, au.mail_audit_on, au.care_audit_on, au.care_level, au.training_on,
           coalesce(au.incident_events_365, 0) + coalesce(ic.incidents_365, 0) AS incidents_365,
           coalesce(ac.action_count, 0) AS action_count,
           coalesce(ac.overdue_actions, 0) AS overdue_actions,
           coalesce(ac.untracked_actions, 0) AS untracked_actions,
           coalesce(ac.tracked_actions, 0) AS tracked_actions,
           coalesce(ac.closed_actions, 0) AS closed_actions,
           coalesce(al.audit_levels, []) AS audit_levels,
           coalesce(em.exercise_months, []) AS exercise_months,
           coalesce(iy.incident_years, []) AS incident_years,
           coalesce(cr.campaigns, []) AS campaigns,
           ea.staff_trained_percent,
           coalesce(ea.cartography_answers, []) AS cartography_answers,
           coalesce(ea.cartography_answered, 0) AS cartography_answered,
           coalesce(ea.cartography_yes, 0) AS cartography_yes,
           coalesce(ea.cartography_some, 0) AS cartography_some,
           coalesce(cc.questions, 0) AS cartography_questions,
           ea.declared_exercise_on,
           g.assessed_on AS self_assessed_on, g.score AS self_assessment_score, g.complete AS self_assessment_complete,
           CASE WHEN g.complete THEN
               CASE WHEN g.score < (SELECT kit_intermediate_from FROM c) THEN 'débutant'
                    WHEN g.score <= (SELECT kit_confirmed_above FROM c) THEN 'intermédiaire'
                    ELSE 'confirmé' END
           END AS recommended_kit,
           src.has_audit_source, src.has_declaration_source, src.has_exercise_source
    FROM sites s
    LEFT JOIN last_declaration ld USING (finess_et)
    LEFT JOIN maturity_declaration md USING (finess_et)
    LEFT JOIN exercises ex USING (finess_et)
    LEFT JOIN audits au USING (finess_et)
    LEFT JOIN incident_counts ic USING (finess_et)
    LEFT JOIN actions ac USING (finess_et)
    LEFT JOIN evidence_answers ea USING (finess_et)
    LEFT JOIN grids g USING (finess_et)
    LEFT JOIN audit_levels al USING (finess_et)
    LEFT JOIN exercise_months em USING (finess_et)
    LEFT JOIN incident_years iy USING (finess_et)
    LEFT JOIN campaign_rows cr USING (finess_et)
    LEFT JOIN catalogue_cartography cc ON cc.catalogue_version = ld.catalogue_version
    CROSS JOIN sources src
),
statuses AS (
    SELECT a.*,
           CASE
               WHEN last_declaration_on IS NULL THEN 'jamais'
               WHEN declaration_age_days <= (SELECT up_to_date_days FROM c) THEN 'à jour'
               WHEN declaration_age_days <= (SELECT refresh_days FROM c) THEN 'à rafraîchir'
               ELSE 'obsolète'
           END AS freshness,
           CASE
               WHEN last_exercise_on >= (SELECT as_of FROM c) - (SELECT exercise_done_days FROM c) THEN 'réalisé'
               WHEN next_planned_on <= (SELECT as_of FROM c) + (SELECT exercise_planned_days FROM c) THEN 'planifié'
               WHEN last_exercise_on IS NOT NULL THEN 'en retard'
               ELSE 'jamais'
           END AS exercise_status,
           ads_on >= (SELECT as_of FROM c) - (SELECT audit_days FROM c) AS ads_recent,
           silene_on >= (SELECT as_of FROM c) - (SELECT audit_days FROM c) AS silene_recent,
           cybersurveillance_on >= (SELECT as_of FROM c) - (SELECT audit_days FROM c) AS cybersurveillance_recent,
           mail_audit_on >= (SELECT as_of FROM c) - (SELECT audit_days FROM c) AS mail_audit_recent,
           training_on >= (SELECT as_of FROM c) - (SELECT audit_days FROM c) AS training_recent,
           CASE
               WHEN maturity IS NULL THEN NULL
               WHEN maturity < (SELECT level_2_from FROM c) THEN 1
               WHEN maturity < (SELECT level_3_from FROM c) THEN 2
               WHEN maturity < (SELECT level_4_from FROM c) THEN 3
               WHEN maturity < (SELECT level_5_from FROM c) THEN 4
               ELSE 5
           END AS maturity_level
    FROM assembled a
),
scorecard AS (
    SELECT s.*,
           CASE
               WHEN exercise_status = 'réalisé'
                    OR declared_exercise_on >= (SELECT as_of FROM c) - (SELECT exercise_done_days FROM c) THEN 'atteint'
               WHEN exercise_status = 'planifié' THEN 'partiel'
               WHEN last_exercise_on IS NOT NULL OR last_declaration_on IS NOT NULL OR has_exercise_source THEN 'non atteint'
               ELSE 'inconnu'
           END AS e1_exercise,
           CASE
               WHEN NOT has_audit_source THEN 'inconnu'
               WHEN ose AND coalesce(ads_recent, false) AND coalesce(silene_recent, false) THEN 'atteint'
               WHEN ose AND (coalesce(ads_recent, false) OR coalesce(silene_recent, false)) THEN 'partiel'
               WHEN NOT ose AND coalesce(cybersurveillance_recent, false) THEN 'atteint'
               ELSE 'non atteint'
           END AS e2_audits,
           CASE
               WHEN last_declaration_on IS NULL AND NOT has_declaration_source THEN 'inconnu'
               WHEN declaration_age_days <= (SELECT declaration_max_age_days FROM c) AND last_declaration_status = 'Validé' THEN 'atteint'
               WHEN declaration_age_days <= (SELECT declaration_max_age_days FROM c) THEN 'partiel'
               ELSE 'non atteint'
           END AS e3_observatory,
           CASE
               WHEN staff_trained_percent >= (SELECT awareness_met_percent FROM c) OR coalesce(training_recent, false) THEN 'atteint'
               WHEN staff_trained_percent >= 1 THEN 'partiel'
               WHEN staff_trained_percent IS NOT NULL THEN 'non atteint'
               ELSE 'inconnu'
           END AS e4_awareness,
           CASE
               WHEN cartography_questions > 0 AND cartography_yes = cartography_questions THEN 'atteint'
               WHEN cartography_some > 0 THEN 'partiel'
               WHEN cartography_answered > 0 THEN 'non atteint'
               ELSE 'inconnu'
           END AS e5_cartography
    FROM statuses s
)
SELECT sc.*,
       (e1_exercise = 'atteint')::INTEGER + (e2_audits = 'atteint')::INTEGER + (e3_observatory = 'atteint')::INTEGER
           + (e4_awareness = 'atteint')::INTEGER + (e5_cartography = 'atteint')::INTEGER AS items_met,
       sc.sector_group || ' — ' || sc.family AS peer_group,
       list_filter([
           CASE WHEN exercise_status <> 'réalisé' THEN 'exercice' END,
           CASE WHEN ose AND NOT (coalesce(ads_recent, false) AND coalesce(silene_recent, false)) THEN 'audits OSE' END,
           CASE WHEN freshness IN ('obsolète', 'jamais') THEN 'déclaration' END,
           CASE WHEN maturity_level <= 2 THEN 'maturité' END,
           CASE WHEN overdue_actions > 0 THEN 'actions en retard' END,
           CASE WHEN incidents_365 > 0 THEN 'incident' END,
           CASE WHEN NOT coalesce(cybersurveillance_recent, false) THEN 'cybersurveillance' END
       ], lambda reason: reason IS NOT NULL) AS priority_reasons,
       (CASE WHEN exercise_status <> 'réalisé' THEN (SELECT w_no_exercise FROM c) ELSE 0 END)
       + (CASE WHEN ose AND NOT (coalesce(ads_recent, false) AND coalesce(silene_recent, false)) THEN (SELECT w_ose_missing_audit FROM c) ELSE 0 END)
       + (CASE WHEN freshness IN ('obsolète', 'jamais') THEN (SELECT w_declaration_outdated FROM c) ELSE 0 END)
       + (CASE WHEN maturity_level <= 2 THEN (SELECT w_low_maturity FROM c) ELSE 0 END)
       + (CASE WHEN overdue_actions > 0 THEN (SELECT w_overdue_actions FROM c) ELSE 0 END)
       + (CASE WHEN incidents_365 > 0 THEN (SELECT w_recent_incident FROM c) ELSE 0 END)
       + (CASE WHEN NOT coalesce(cybersurveillance_recent, false) THEN (SELECT w_no_cybersurveillance FROM c) ELSE 0 END)
       AS priority_score
FROM scorecard sc;
