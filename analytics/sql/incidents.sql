-- The incidents of the CSV as the viewer may see them (one definition, read by the status,
-- the regional counts and the fiche).
-- TLP: the file's own column, else the settings' default (`[incidents] default_tlp`); an
-- incident on the same day as a red OPSSIES event of the same site is that event seen from
-- a second source, so it is red whatever its file says. Red incidents count for the sites
-- of their owner only (`scope_red_sites`), like red events.
CREATE OR REPLACE TEMP VIEW visible_incidents AS
WITH rated AS (
    SELECT i.* EXCLUDE (tlp),
           CASE WHEN EXISTS (
                    SELECT 1 FROM events e JOIN event_establishments ee USING (event_id)
                    WHERE e.tlp = 'red' AND ee.finess_et = i.finess_et
                      AND CAST(e.completed_at AS DATE) = CAST(i.declared_at AS DATE))
                THEN 'red'
                ELSE coalesce(i.tlp, (SELECT incident_default_tlp FROM ctx))
           END AS tlp
    FROM incidents i
)
SELECT * FROM rated
WHERE tlp <> 'red' OR finess_et IN (SELECT finess_et FROM scope_red_sites);
