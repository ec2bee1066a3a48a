-- Each campaign of the filtered establishments: declarations known at the date (each
-- campaign's newest submission dated on or before it), validated ones, median maturity of
-- those complete enough to compute one. Each site's status lists its known declarations
-- with a maturity row (a catalogue with scored questions): establishment_status.sql.
WITH known AS (
    SELECT unnest(campaigns, recursive := true) FROM filtered_status
)
SELECT campaign, count(*) AS declarations, count(*) FILTER (WHERE validated) AS validated,
       median(overall) FILTER (WHERE computed) AS median_maturity
FROM known
GROUP BY campaign
ORDER BY campaign;
