-- The shared status is a region viewer's: no red event counted. The viewer's red sites are
-- set aside while it is computed (region_status_end.sql puts them back).
CREATE TEMP TABLE IF NOT EXISTS viewer_red_sites AS SELECT * FROM scope_red_sites;
DELETE FROM viewer_red_sites;
INSERT INTO viewer_red_sites SELECT * FROM scope_red_sites;
DELETE FROM scope_red_sites;
-- The scope tables are rebuilt by the next context, whatever happens before the end.
DELETE FROM scope_key;
