-- The quality of the filtered establishments' exercises (indicators.md §4): done, with the
-- Direction present, with a known kit and the recommended kit, and the follow-up of the
-- latest workbook's actions (tracked = owner and deadline, overdue, closed).
WITH chosen AS (SELECT * FROM filtered_status),
plans AS (
    SELECT a.* FROM action_checks a JOIN chosen USING (finess_et)
    WHERE a.import_id = (SELECT import_id FROM latest_workbook)
)
SELECT
    (SELECT count(*) FROM chosen WHERE exercise_status = 'réalisé') AS done,
    (SELECT count(*) FROM chosen WHERE exercise_status = 'réalisé' AND last_direction_present) AS direction_present,
    (SELECT count(*) FROM chosen WHERE exercise_status = 'réalisé' AND last_kit IS NOT NULL AND recommended_kit IS NOT NULL) AS kit_known,
    (SELECT count(*) FROM chosen WHERE exercise_status = 'réalisé' AND last_kit IS NOT NULL
       AND recommended_kit IS NOT NULL AND last_kit <> recommended_kit) AS kit_mismatch,
    (SELECT count(*) FROM plans) AS actions,
    (SELECT count(*) FROM plans WHERE NOT missing_owner AND NOT missing_deadline) AS actions_tracked,
    (SELECT count(*) FROM plans WHERE action_overdue(deadline, status)) AS actions_overdue,
    (SELECT count(*) FROM plans WHERE status = 'fait') AS actions_closed;
