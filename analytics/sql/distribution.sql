-- How many filtered establishments have each value of one status ($1: 'maturity_level',
-- 'freshness' or 'exercise_status'); no value reads « non calculé ».
SELECT coalesce(
           CASE $1
               WHEN 'maturity_level' THEN CAST(maturity_level AS VARCHAR)
               WHEN 'freshness' THEN freshness
               WHEN 'exercise_status' THEN exercise_status
           END,
           'non calculé') AS value,
       count(*) AS establishments
FROM filtered_status
GROUP BY 1
ORDER BY 1;
