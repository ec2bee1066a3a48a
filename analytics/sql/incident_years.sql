-- Incidents of the filtered establishments by year of declaration, up to the date, TLP
-- applied (visible_incidents): establishments concerned, incidents, leaks notified to the
-- CNIL later than `cnil_within_hours` after the declaration, leaks never notified. Each
-- site's status holds its counts per year (establishment_status.sql).
WITH years AS (
    SELECT unnest(incident_years, recursive := true) FROM filtered_status
)
SELECT year, count(*) AS establishments, CAST(sum(incidents) AS BIGINT) AS incidents,
       CAST(sum(cnil_late) AS BIGINT) AS cnil_late, CAST(sum(cnil_missing) AS BIGINT) AS cnil_missing
FROM years
GROUP BY year
ORDER BY year;
