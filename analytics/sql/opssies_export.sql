-- What the region knows that the national warehouse (OPSSIES) does not, one row per
-- exercise: the latest workbook's exercises that no OPSSIES event reported (an event the
-- store received is never sent back), and the call's selected applications — the
-- AAP-funded exercises — joined to their workbook row when it exists. Reads merged_exercises
-- (exercises.sql) and aap_checks (aap.sql) of the context's date.
-- $1: only what was imported on or after this date (NULL: everything).
WITH workbook AS (
    SELECT m.finess_et, m.planned_on, m.completed_on, coalesce(m.aap_funded, false) AS aap_funded,
           nullif(trim(x.provider), '') AS provider, m.workbook_row, i.finished_at AS known_at
    FROM merged_exercises m
    JOIN exercises x ON x.import_id = m.workbook_import_id AND x.source_row = m.workbook_row
    JOIN imports i ON i.import_id = m.workbook_import_id
    WHERE m.sources = 'classeur' AND m.workbook_import_id = (SELECT import_id FROM latest_workbook)
),
funded AS (
    SELECT c.application_id, c.finess_et, c.deposited_at, c.deposited_on, c.planned_exercise_on,
           a.decided_at, i.finished_at AS known_at
    FROM aap_checks c
    JOIN known_applications a USING (application_id)
    JOIN imports i ON i.import_id = a.import_id
    WHERE c.decision = 'retenu'
),
-- An application's exercise: the site's AAP-funded workbook exercise after the deposit
-- nearest to the planned date.
paired AS (
    SELECT f.application_id, w.workbook_row
    FROM funded f
    JOIN workbook w ON w.finess_et = f.finess_et AND w.aap_funded
     AND coalesce(w.completed_on, w.planned_on) >= f.deposited_on
    QUALIFY row_number() OVER (
        PARTITION BY f.application_id
        ORDER BY abs(date_diff('day', coalesce(w.completed_on, w.planned_on), coalesce(f.planned_exercise_on, f.deposited_on))),
                 w.workbook_row) = 1
),
-- An application without a workbook row whose exercise OPSSIES reported already is known there.
reported AS (
    SELECT DISTINCT f.application_id
    FROM funded f
    JOIN merged_exercises m ON m.finess_et = f.finess_et AND m.sources <> 'classeur'
     AND m.completed_on >= f.deposited_on
),
exported AS (
    SELECT w.finess_et, w.planned_on, w.completed_on, w.provider, w.workbook_row,
           f.application_id, f.deposited_at, f.decided_at,
           greatest(w.known_at, coalesce(f.known_at, w.known_at)) AS known_at
    FROM workbook w
    LEFT JOIN paired p USING (workbook_row)
    LEFT JOIN funded f USING (application_id)
    UNION ALL
    SELECT f.finess_et, f.planned_exercise_on, NULL, NULL, NULL,
           f.application_id, f.deposited_at, f.decided_at, f.known_at
    FROM funded f
    WHERE f.application_id NOT IN (SELECT application_id FROM paired)
      AND f.application_id NOT IN (SELECT application_id FROM reported)
)
SELECT x.finess_et, e.finess_ej, e.short_name, e.long_name, x.planned_on, x.completed_on, x.provider,
       x.workbook_row, x.application_id, CAST(x.deposited_at AS VARCHAR) AS deposited_at,
       CAST(x.decided_at AS VARCHAR) AS decided_at
FROM exported x
JOIN establishments e USING (finess_et)
WHERE coalesce(x.completed_on, x.planned_on, CAST(x.deposited_at AS DATE)) IS NOT NULL
  AND ($1::DATE IS NULL OR CAST(x.known_at AS DATE) >= $1::DATE)
ORDER BY x.finess_et, coalesce(x.completed_on, x.planned_on), x.workbook_row NULLS LAST, x.application_id;
