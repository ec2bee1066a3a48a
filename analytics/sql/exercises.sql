-- Every exercise, whatever its source (one definition, read by the status, the regional
-- figures, the heat map and the call): a workbook exercise and an OPSSIES event 43 of the
-- same site completed at most `[exercises] same_exercise_within_days` apart are one
-- exercise (the workbook's row, both sources named); other events are exercises of their own.
CREATE OR REPLACE TEMP VIEW merged_exercises AS
WITH workbook AS (
    SELECT finess_et, planned_on, completed_on, kit, direction_present, retex_on, aap_funded, import_id, source_row
    FROM exercises
    WHERE NOT cancelled
),
reported AS (
    SELECT ee.finess_et, e.event_id,
           CAST(e.completed_at AS DATE) AS completed_on,
           CAST(e.completion_planned_at AS DATE) AS planned_on
    FROM events e
    JOIN event_establishments ee USING (event_id)
    WHERE e.event_type IN (SELECT code FROM event_codes WHERE role = 'exercise') AND e.completion_cancelled_at IS NULL
),
matched AS (
    SELECT w.*, r.event_id
    FROM workbook w
    LEFT JOIN reported r
      ON r.finess_et = w.finess_et
     AND w.completed_on IS NOT NULL AND r.completed_on IS NOT NULL
     AND abs(date_diff('day', w.completed_on, r.completed_on)) <= (SELECT same_exercise_days FROM ctx)
)
SELECT finess_et, planned_on, completed_on, kit, direction_present, retex_on, aap_funded,
       event_id, import_id AS workbook_import_id, source_row AS workbook_row,
       CASE WHEN event_id IS NULL THEN 'classeur' ELSE 'classeur+opssies' END AS sources
FROM matched
UNION ALL
SELECT r.finess_et, r.planned_on, r.completed_on, NULL, NULL, NULL, NULL,
       r.event_id, NULL, NULL, 'opssies'
FROM reported r
WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.event_id = r.event_id);

-- The exercises that count, as the viewer may see them: the latest workbook's (an older
-- workbook's rows were replaced by it) and the OPSSIES ones. A red event counts for its
-- owner only; matched with a workbook row, the row stays (the workbook is not red) without
-- naming the event (its source would tell a red event exists).
CREATE OR REPLACE TEMP VIEW visible_exercises AS
WITH rated AS (
    SELECT r.*, coalesce(e.tlp = 'red' AND r.finess_et NOT IN (SELECT finess_et FROM scope_red_sites), false) AS hidden_event
    FROM merged_exercises r
    LEFT JOIN events e USING (event_id)
    WHERE r.workbook_import_id IS NULL OR r.workbook_import_id = (SELECT import_id FROM latest_workbook)
)
SELECT * EXCLUDE (hidden_event) REPLACE (
           CASE WHEN hidden_event THEN NULL ELSE event_id END AS event_id,
           CASE WHEN hidden_event THEN 'classeur' ELSE sources END AS sources)
FROM rated
WHERE NOT hidden_event OR workbook_import_id IS NOT NULL;

-- The regional trend's 24 month ends up to the date, each with the window an exercise must
-- fall in to count for it: within `exercise_done_days` of that month's end (or of the date,
-- for the current month). The status lists, per site, the month ends it counts for
-- (establishment_status.sql); monthly_exercises.sql counts them over a filter.
CREATE OR REPLACE TEMP VIEW exercise_month_bounds AS
WITH months AS (
    SELECT CAST(last_day(month) AS DATE) AS month_end
    FROM generate_series(CAST(date_trunc('month', (SELECT as_of FROM ctx)) AS DATE) - INTERVAL 23 MONTH,
                         CAST(date_trunc('month', (SELECT as_of FROM ctx)) AS DATE), INTERVAL 1 MONTH) t(month)
)
SELECT month_end, least(month_end, (SELECT as_of FROM ctx)) AS upto,
       least(month_end, (SELECT as_of FROM ctx)) - (SELECT exercise_done_days FROM ctx) AS since
FROM months;
