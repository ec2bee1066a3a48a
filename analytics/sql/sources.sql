-- Freshness of each source (indicators.md §1): its last stored import, the newest date
-- inside it, and whether it is older than its cadence plus grace (settings [sources]).
-- Events are followed per sender (each hub has its own rhythm).
WITH c AS (SELECT * FROM ctx),
stored AS (SELECT * FROM imports WHERE status = 'stored' AND CAST(finished_at AS DATE) <= (SELECT as_of FROM c)),
per_source AS (
    SELECT 'Référentiel FINESS' AS source, max(finished_at) AS last_import_at,
           max(source_date) AS newest_date, (SELECT src_finess_days FROM c) AS allowed_days
    FROM stored WHERE kind = 'finess'
    UNION ALL
    SELECT 'Liste OSE / GHT', max(finished_at), CAST(max(finished_at) AS DATE), (SELECT src_ose_days FROM c)
    FROM stored WHERE kind = 'ose-ght'
    UNION ALL
    SELECT 'Export oSIS', max(s.finished_at),
           (SELECT max(updated_on) FROM declarations d WHERE d.import_id IN (SELECT import_id FROM stored)),
           (SELECT src_osis_days FROM c)
    FROM stored s WHERE kind = 'osis'
    UNION ALL
    SELECT 'Événements OPSSIES — ' || coalesce(e.sender, 'expéditeur inconnu'), max(i.finished_at),
           CAST(max(e.completed_at) AS DATE), (SELECT src_events_days FROM c)
    FROM events e JOIN stored i ON i.import_id = e.import_id
    GROUP BY e.sender
    UNION ALL
    SELECT 'Classeur des exercices', max(s.finished_at),
           -- The newest observed date: an exercise done by the date, not a planned one.
           (SELECT max(completed_on) FROM exercises x
            WHERE x.import_id IN (SELECT import_id FROM stored) AND x.completed_on <= (SELECT as_of FROM c)),
           (SELECT src_exercises_days FROM c)
    FROM stored s WHERE kind = 'exercices'
    UNION ALL
    SELECT 'Export AAP (Démarches Simplifiées)', max(s.finished_at),
           (SELECT CAST(max(deposited_at) AS DATE) FROM applications a WHERE a.import_id IN (SELECT import_id FROM stored)),
           (SELECT src_aap_days FROM c)
    FROM stored s WHERE kind = 'aap'
    UNION ALL
    SELECT 'Incidents CERT Santé', max(s.finished_at),
           (SELECT CAST(max(declared_at) AS DATE) FROM incidents x WHERE x.import_id IN (SELECT import_id FROM stored)),
           (SELECT src_incidents_days FROM c)
    FROM stored s WHERE kind = 'incidents'
)
SELECT source, last_import_at, newest_date, allowed_days,
       CASE WHEN last_import_at IS NULL THEN 'jamais importé'
            -- The AAP export is expected often only while the call is open.
            WHEN source LIKE 'Export AAP%' AND (SELECT as_of FROM c) NOT BETWEEN (SELECT aap_opens_on FROM c) AND (SELECT aap_closes_on FROM c) THEN 'à jour'
            WHEN (SELECT as_of FROM c) - CAST(last_import_at AS DATE) > allowed_days THEN 'en retard'
            ELSE 'à jour' END AS status
FROM per_source
ORDER BY source;
