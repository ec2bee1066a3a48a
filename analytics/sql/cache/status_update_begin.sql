-- The sites whose status the imports after the kept one ($1) can change (status_behind.sql):
-- their declarations' and their new events' sites. Run after region_status_begin.sql, so
-- establishment_status.sql computes these sites only, without any red event.
INSERT INTO status_sites
SELECT finess_et FROM declarations WHERE import_id > CAST($1 AS BIGINT)
UNION
SELECT ee.finess_et FROM events e JOIN event_establishments ee USING (event_id)
WHERE e.import_id > CAST($1 AS BIGINT);
