-- Of the filtered establishments, how many have each outcome level of their latest audit of
-- each kind (ADS, SILENE, cybersurveillance, care and mail audits) up to the date, TLP
-- applied: each site's status holds its latest level per kind (establishment_status.sql).
WITH latest AS (
    SELECT unnest(audit_levels, recursive := true) FROM filtered_status
)
SELECT event_type, any_value(label) AS label, level, count(*) AS establishments
FROM latest
GROUP BY event_type, level
ORDER BY event_type, level NULLS LAST;
