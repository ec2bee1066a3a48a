-- Store schema v11: the store holds tables and plain "current version" views only. The
-- indicator rules these views carried (the 7-day merge of a workbook exercise with an
-- OPSSIES event 43, the CNIL 72-hour check) are defined once in analytics/sql/ and read the
-- settings (same_exercise_within_days, cnil_within_hours).
DROP VIEW IF EXISTS exercise_records;
DROP VIEW IF EXISTS incident_cnil_checks;
