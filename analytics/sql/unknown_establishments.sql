-- The data-quality page: FINESS named by declarations, events, applications, incidents or
-- the exercise workbook but absent from every referential extract.
WITH named AS (
    SELECT finess_et, 'déclarations oSIS' AS source FROM declarations
    UNION ALL SELECT recipient_finess_et, 'événements OPSSIES' FROM events WHERE recipient_finess_et IS NOT NULL
    UNION ALL SELECT finess_et, 'dossiers AAP' FROM applications WHERE finess_et IS NOT NULL
    UNION ALL SELECT finess_et, 'incidents' FROM incidents
    UNION ALL SELECT finess_et, 'classeur des exercices' FROM exercises
)
SELECT finess_et, source, count(*) AS mentions FROM named
WHERE finess_et NOT IN (SELECT finess_et FROM finess_referential)
GROUP BY ALL ORDER BY finess_et, source;
