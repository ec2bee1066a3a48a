-- The establishments list: every filtered establishment with its indicators, by FINESS.
SELECT * FROM filtered_listing ORDER BY finess_et;
