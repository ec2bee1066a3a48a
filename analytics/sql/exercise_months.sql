-- The heat map: for the first $1 filtered establishments by name, whether an exercise that
-- counts (visible_exercises) was completed in each of the $2 months up to the date.
WITH chosen AS (
    SELECT finess_et, name FROM filtered_status ORDER BY name, finess_et LIMIT $1
),
months AS (
    SELECT CAST(date_trunc('month', (SELECT as_of FROM ctx)) - to_months(CAST(n AS INTEGER)) AS DATE) AS month
    FROM range(0, $2) t(n)
),
done AS (
    SELECT DISTINCT r.finess_et, CAST(date_trunc('month', r.completed_on) AS DATE) AS month
    FROM visible_exercises r JOIN chosen USING (finess_et)
    WHERE r.completed_on <= (SELECT as_of FROM ctx)
)
SELECT c.finess_et, c.name, m.month, d.finess_et IS NOT NULL AS done
FROM chosen c CROSS JOIN months m
LEFT JOIN done d ON d.finess_et = c.finess_et AND d.month = m.month
ORDER BY c.name, c.finess_et, m.month;
