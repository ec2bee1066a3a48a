-- Each site's actions from the workbook that counts, overdue ones marked.
SELECT finess_et, exercise_on, action, owner, deadline, status, closed_on,
       action_overdue(deadline, status) AS overdue
FROM action_checks
WHERE finess_et IN (SELECT finess_et FROM fiche_sites)
  AND import_id = (SELECT import_id FROM latest_workbook)
ORDER BY finess_et, exercise_on DESC, deadline NULLS LAST, source_row;
