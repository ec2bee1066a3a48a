-- The exercise rate at each of the 24 month ends up to the date (the regional trend): of the
-- filtered establishments, how many completed an exercise within `exercise_done_days` of
-- that month's end (or of the date, for the current month). Each site's status lists the
-- month ends it counts for (establishment_status.sql, over exercise_month_bounds): a filter
-- counts them, it does not read the exercises again.
WITH chosen AS (SELECT exercise_months FROM filtered_status),
counted AS (
    SELECT month_end, count(*) AS done
    FROM (SELECT unnest(exercise_months) AS month_end FROM chosen)
    GROUP BY month_end
)
SELECT b.month_end, coalesce(c.done, 0) AS done, (SELECT count(*) FROM chosen) AS establishments
FROM exercise_month_bounds b LEFT JOIN counted c USING (month_end)
ORDER BY b.month_end;
