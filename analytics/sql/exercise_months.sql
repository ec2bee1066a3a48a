-- The heat map: for each group of the filtered establishments ($1: 'family' groups by
-- category family, anything else by département), its size and, in each of the $2 months up
-- to the date, how many of its establishments completed an exercise that counts
-- (visible_exercises) that month.
WITH grouped AS (
    SELECT finess_et, CASE $1 WHEN 'family' THEN family ELSE departement END AS grp
    FROM filtered_status
),
groups AS (
    SELECT grp, count(*) AS establishments FROM grouped GROUP BY grp
),
months AS (
    SELECT CAST(date_trunc('month', (SELECT as_of FROM ctx)) - to_months(CAST(n AS INTEGER)) AS DATE) AS month
    FROM range(0, $2) t(n)
),
done AS (
    SELECT g.grp, CAST(date_trunc('month', r.completed_on) AS DATE) AS month, count(DISTINCT r.finess_et) AS establishments
    FROM visible_exercises r JOIN grouped g USING (finess_et)
    WHERE r.completed_on <= (SELECT as_of FROM ctx)
    GROUP BY ALL
)
SELECT g.grp, g.establishments, m.month, coalesce(d.establishments, 0) AS done
FROM groups g CROSS JOIN months m
LEFT JOIN done d ON d.grp IS NOT DISTINCT FROM g.grp AND d.month = m.month
ORDER BY g.grp NULLS LAST, m.month;
