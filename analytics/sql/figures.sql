-- The figures of a group of establishments (the regional headline, the table by département,
-- the breakdowns), grouped by one dimension ($1): '' (no grouping), 'departement' (code, with
-- its label), 'departement_named', 'family', 'sector', 'ose', 'kind'.
SELECT
    CASE $1
        WHEN 'departement' THEN s.departement
        WHEN 'departement_named' THEN s.departement || ' ' || coalesce(s.departement_label, '')
        WHEN 'family' THEN s.family
        WHEN 'sector' THEN s.sector_group
        WHEN 'ose' THEN CASE WHEN s.ose THEN 'OSE' ELSE 'non OSE' END
        WHEN 'kind' THEN s.kind
        ELSE ''
    END AS label,
    any_value(s.departement_label) AS departement_label,
    count(*) AS establishments,
    count(*) FILTER (WHERE exercise_done) AS exercise_done,
    count(*) FILTER (WHERE ose) AS ose,
    count(*) FILTER (WHERE ose_audited) AS ose_audited,
    count(*) FILTER (WHERE up_to_date) AS declarations_up_to_date,
    median(maturity) AS median_maturity,
    count(*) FILTER (WHERE e1_exercise = 'atteint') AS e1_met,
    count(*) FILTER (WHERE e2_audits = 'atteint') AS e2_met,
    count(*) FILTER (WHERE e3_observatory = 'atteint') AS e3_met,
    count(*) FILTER (WHERE e4_awareness = 'atteint') AS e4_met,
    count(*) FILTER (WHERE e5_cartography = 'atteint') AS e5_met,
    count(*) FILTER (WHERE freshness = 'jamais') AS never_declared
FROM filtered_measures s
GROUP BY 1
ORDER BY 1;
