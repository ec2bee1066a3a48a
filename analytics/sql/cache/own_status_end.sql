CREATE OR REPLACE TEMP VIEW establishment_status AS
SELECT * EXCLUDE (cache_as_of) FROM analytics_status
WHERE cache_as_of = (SELECT as_of FROM ctx) AND finess_et NOT IN (SELECT finess_et FROM status_computed)
UNION ALL BY NAME
SELECT * FROM status_computed;
