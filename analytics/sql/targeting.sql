-- SESAN's priority list (indicators.md §8): the establishments with a priority score,
-- highest first; the score and its reasons are computed in establishment_status.sql.
SELECT * FROM filtered_listing WHERE priority_score > 0 ORDER BY priority_score DESC, finess_et;
