-- Each site's timeline up to the date, from every source, newest first:
--   OPSSIES  events addressed to the site, or to its legal entity without a site (TLP applied)
--   oSIS     every submission of a declaration known at the date, superseded ones included
--   classeur the exercises of the workbook that counts, with the Direction and the RETEX
--   incident the CSV's incidents (visible_incidents: TLP applied), with the CNIL check
--   AAP      the application as known at the date: deposit, decision, payment (no amount)
WITH sites AS (
    SELECT f.finess_et, r.finess_ej FROM fiche_sites f LEFT JOIN finess_referential r USING (finess_et)
),
addressed AS (
    SELECT s.finess_et, e.* FROM events e JOIN sites s ON e.recipient_finess_et = s.finess_et
    UNION ALL
    SELECT s.finess_et, e.* FROM events e JOIN sites s
        ON e.recipient_finess_et IS NULL AND e.recipient_finess_ej = s.finess_ej
),
opssies AS (
    SELECT e.finess_et,
           CAST(coalesce(e.completed_at, e.completion_planned_at, e.request_effective_at) AS DATE) AS day,
           'OPSSIES' AS source, e.event_type, e.event_type_label AS label, NULL::VARCHAR AS detail, e.tlp,
           e.outcome_level, e.outcome_score, i.file_name
    FROM addressed e
    JOIN imports i ON i.import_id = e.import_id
    WHERE (e.tlp <> 'red' OR e.finess_et IN (SELECT finess_et FROM scope_red_sites))
      AND coalesce(CAST(e.completed_at AS DATE), (SELECT as_of FROM ctx)) <= (SELECT as_of FROM ctx)
),
osis AS (
    SELECT d.finess_et, d.updated_on, 'oSIS', NULL::INTEGER,
           'Déclaration de la campagne ' || d.campaign,
           coalesce(d.status, 'statut inconnu')
               || CASE WHEN k.import_id IS NULL THEN ' (remplacée par une déclaration plus récente)' ELSE '' END,
           NULL::VARCHAR, NULL::INTEGER, NULL::DOUBLE, i.file_name
    FROM declarations d
    JOIN imports i ON i.import_id = d.import_id
    LEFT JOIN known_declarations k
           ON k.import_id = d.import_id AND k.finess_et = d.finess_et AND k.campaign = d.campaign
    WHERE d.finess_et IN (SELECT finess_et FROM fiche_sites) AND d.updated_on <= (SELECT as_of FROM ctx)
),
workbook AS (
    SELECT x.finess_et, coalesce(x.completed_on, x.planned_on), 'classeur', NULL::INTEGER,
           CASE WHEN x.completed_on IS NOT NULL AND x.completed_on <= (SELECT as_of FROM ctx)
                THEN 'Exercice de crise réalisé' ELSE 'Exercice de crise planifié' END,
           concat_ws(' ; ',
               CASE WHEN x.kit IS NOT NULL THEN 'kit ' || x.kit END,
               CASE WHEN x.direction_present THEN 'Direction présente'
                    WHEN NOT x.direction_present THEN 'Direction absente' END,
               CASE WHEN x.retex_on <= (SELECT as_of FROM ctx) THEN 'RETEX le ' || strftime(x.retex_on, '%d/%m/%Y') END,
               CASE WHEN x.sources = 'classeur+opssies' THEN 'aussi déclaré dans OPSSIES' END),
           NULL::VARCHAR, NULL::INTEGER, NULL::DOUBLE, i.file_name
    FROM visible_exercises x
    JOIN imports i ON i.import_id = x.workbook_import_id
    WHERE x.finess_et IN (SELECT finess_et FROM fiche_sites)
      AND coalesce(x.completed_on, x.planned_on) IS NOT NULL
),
incident AS (
    SELECT v.finess_et, CAST(v.declared_at AS DATE), 'incident', NULL::INTEGER,
           'Incident déclaré' || coalesce(' : ' || v.incident_type, ''),
           CASE cnil_check(v.data_leak, v.cnil_notified, v.declared_at, v.cnil_notified_at)
               WHEN 'absente' THEN 'fuite de données non notifiée à la CNIL'
               WHEN 'tardive' THEN 'fuite de données notifiée à la CNIL hors délai'
               WHEN 'dans les délais' THEN 'fuite de données notifiée à la CNIL dans les délais'
           END,
           v.tlp, NULL::INTEGER, NULL::DOUBLE, i.file_name
    FROM visible_incidents v
    JOIN imports i ON i.import_id = v.import_id
    WHERE v.finess_et IN (SELECT finess_et FROM fiche_sites)
      AND CAST(v.declared_at AS DATE) <= (SELECT as_of FROM ctx)
),
application AS (
    SELECT a.finess_et, a.deposited_on, 'AAP', NULL::INTEGER,
           'Dossier AAP n° ' || a.application_id || ' déposé', 'état ' || a.state,
           NULL::VARCHAR, NULL::INTEGER, NULL::DOUBLE, i.file_name
    FROM known_applications a
    JOIN imports i ON i.import_id = a.import_id
    WHERE a.finess_et IN (SELECT finess_et FROM fiche_sites) AND a.deposited_on IS NOT NULL
    UNION ALL
    SELECT a.finess_et, a.paid_on, 'AAP', NULL::INTEGER,
           'Dossier AAP n° ' || a.application_id || ' payé', NULL,
           NULL::VARCHAR, NULL::INTEGER, NULL::DOUBLE, i.file_name
    FROM known_applications a
    JOIN imports i ON i.import_id = a.import_id
    WHERE a.finess_et IN (SELECT finess_et FROM fiche_sites) AND a.paid_on <= (SELECT as_of FROM ctx)
),
everything AS (
    SELECT * FROM opssies
    UNION ALL SELECT * FROM osis
    UNION ALL SELECT * FROM workbook
    UNION ALL SELECT * FROM incident
    UNION ALL SELECT * FROM application
)
SELECT * FROM everything
ORDER BY finess_et, day DESC NULLS LAST, source, event_type, label;
