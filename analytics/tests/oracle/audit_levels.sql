-- Of the filtered establishments, how many have each outcome level of their latest audit of
-- each kind (ADS, SILENE, cybersurveillance, care and mail audits) up to the date, TLP applied.
WITH chosen AS (SELECT finess_et FROM filtered_status),
latest AS (
    SELECT v.finess_et, v.event_type, any_value(v.event_type_label) AS label,
           arg_max(v.outcome_level, v.completed_on) AS level
    FROM visible_events v JOIN chosen USING (finess_et)
    WHERE v.event_type IN (SELECT code FROM event_codes WHERE audit)
    GROUP BY v.finess_et, v.event_type
)
SELECT event_type, any_value(label) AS label, level, count(*) AS establishments
FROM latest
GROUP BY event_type, level
ORDER BY event_type, level NULLS LAST;
