-- The quality of the filtered establishments' exercises (indicators.md §4): done, with the
-- Direction present, with a known kit and the recommended kit, and the follow-up of the
-- latest workbook's actions (tracked = owner and deadline, overdue, closed), counted per
-- site in its status (establishment_status.sql).
SELECT
    count(*) FILTER (WHERE exercise_status = 'réalisé') AS done,
    count(*) FILTER (WHERE exercise_status = 'réalisé' AND last_direction_present) AS direction_present,
    count(*) FILTER (WHERE exercise_status = 'réalisé' AND last_kit IS NOT NULL AND recommended_kit IS NOT NULL) AS kit_known,
    count(*) FILTER (WHERE exercise_status = 'réalisé' AND last_kit IS NOT NULL
       AND recommended_kit IS NOT NULL AND last_kit <> recommended_kit) AS kit_mismatch,
    CAST(coalesce(sum(action_count), 0) AS BIGINT) AS actions,
    CAST(coalesce(sum(tracked_actions), 0) AS BIGINT) AS actions_tracked,
    CAST(coalesce(sum(overdue_actions), 0) AS BIGINT) AS actions_overdue,
    CAST(coalesce(sum(closed_actions), 0) AS BIGINT) AS actions_closed
FROM filtered_status;
