-- Where each filtered establishment is (Lambert-93, from the FINESS extract; NULL when the
-- extract gives no coordinates) and its three measures (filter.sql), for the regional map;
-- at most $1 of them (past its limit the map shades départements only).
SELECT m.finess_et, m.departement, e.lambert93_x, e.lambert93_y, m.exercise_done, m.ose, m.ose_audited, m.up_to_date
FROM filtered_measures m
JOIN establishments e USING (finess_et)
ORDER BY m.finess_et
LIMIT $1;
