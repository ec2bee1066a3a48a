-- The establishments list: every filtered establishment with its indicators, by FINESS.
SELECT * FROM filtered_status ORDER BY finess_et;
