-- Each campaign of the filtered establishments: declarations known at the date (each
-- campaign's newest submission dated on or before it), validated ones, median maturity of
-- those complete enough to compute one.
WITH chosen AS (SELECT finess_et FROM filtered_status)
SELECT m.campaign, count(*) AS declarations, count(*) FILTER (WHERE m.status = 'Validé') AS validated,
       median(m.overall) FILTER (WHERE m.completion >= (SELECT maturity_not_computed_below FROM ctx)) AS median_maturity
FROM known_declarations m
JOIN chosen USING (finess_et)
-- Those with a maturity row (a catalogue with scored questions).
WHERE m.scored IS NOT NULL
GROUP BY m.campaign
ORDER BY m.campaign;
