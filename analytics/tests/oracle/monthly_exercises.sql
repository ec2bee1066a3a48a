-- The exercise rate at each of the 24 month ends up to the date (the regional trend): of the
-- filtered establishments, how many completed an exercise within `exercise_done_days` of
-- that month's end (or of the date, for the current month).
WITH months AS (
    SELECT CAST(last_day(month) AS DATE) AS month_end
    FROM generate_series(CAST(date_trunc('month', (SELECT as_of FROM ctx)) AS DATE) - INTERVAL 23 MONTH,
                         CAST(date_trunc('month', (SELECT as_of FROM ctx)) AS DATE), INTERVAL 1 MONTH) t(month)
),
chosen AS (SELECT finess_et FROM filtered_status),
done AS (
    SELECT DISTINCT r.finess_et, r.completed_on
    FROM visible_exercises r JOIN chosen USING (finess_et)
    WHERE r.completed_on IS NOT NULL
),
-- A range join (one pass), not a subquery per month.
bounds AS (
    SELECT month_end, least(month_end, (SELECT as_of FROM ctx)) AS upto,
           least(month_end, (SELECT as_of FROM ctx)) - (SELECT exercise_done_days FROM ctx) AS since
    FROM months
),
counted AS (
    SELECT b.month_end, count(DISTINCT d.finess_et) AS done
    FROM bounds b JOIN done d ON d.completed_on <= b.upto AND d.completed_on >= b.since
    GROUP BY b.month_end
)
SELECT b.month_end, coalesce(c.done, 0) AS done, (SELECT count(*) FROM chosen) AS establishments
FROM bounds b LEFT JOIN counted c USING (month_end)
ORDER BY b.month_end;
