-- The filtered establishments (filter.sql, then the values bound by filter_values.sql), as
-- a table made once per filter: the queries of a page (eleven for the regional view) read
-- it instead of joining the viewer's scope and testing the filter each. The context drops it
-- (context/ctx.sql): a query without a filter applied fails instead of reading another
-- context's rows.
CREATE OR REPLACE TEMP TABLE filtered_status AS
SELECT s.*
FROM establishment_status s
JOIN scope_sites USING (finess_et)
CROSS JOIN filter_values f
WHERE s.closed_on IS NULL
  AND (f.kind IS NULL OR s.kind = f.kind)
  AND (f.departement IS NULL OR s.departement = f.departement)
  AND (f.family IS NULL OR s.family = f.family)
  AND (f.sector_group IS NULL OR s.sector_group = f.sector_group)
  AND (f.ose IS NULL OR s.ose = f.ose)
  AND (f.pattern IS NULL OR (s.finess_et || ' ' || lower(coalesce(s.name, ''))) LIKE lower(f.pattern) ESCAPE '\')
  AND (f.reason IS NULL OR list_contains(s.priority_reasons, f.reason));

-- The regional view's three measures per establishment, defined once: the figures count
-- them (figures.sql), the map colours each establishment by them (site_points.sql).
CREATE OR REPLACE TEMP VIEW filtered_measures AS
SELECT s.*,
       s.exercise_status = 'réalisé' AS exercise_done,
       coalesce(s.ose AND s.ads_on >= (SELECT as_of - audit_days FROM ctx)
                AND s.silene_on >= (SELECT as_of - audit_days FROM ctx), false) AS ose_audited,
       s.freshness = 'à jour' AS up_to_date
FROM filtered_status s;

-- The filtered establishments as lists and exports show them: without the per-site facts
-- only the regional view's aggregates read (establishment_status.sql), which would be
-- converted for every row of a list for nothing.
CREATE OR REPLACE TEMP VIEW filtered_listing AS
SELECT * EXCLUDE (audit_levels, exercise_months, incident_years, campaigns) FROM filtered_status;
