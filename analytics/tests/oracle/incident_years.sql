-- Incidents of the filtered establishments by year of declaration, up to the date, TLP
-- applied (visible_incidents): establishments concerned, incidents, leaks notified to the
-- CNIL later than `cnil_within_hours` after the declaration, leaks never notified.
WITH chosen AS (SELECT finess_et FROM filtered_status),
declared AS (
    SELECT DISTINCT i.finess_et, i.declared_at, i.data_leak, i.cnil_notified, i.cnil_notified_at
    FROM visible_incidents i JOIN chosen USING (finess_et)
    WHERE CAST(i.declared_at AS DATE) <= (SELECT as_of FROM ctx)
)
SELECT year(declared_at) AS year, count(DISTINCT finess_et) AS establishments, count(*) AS incidents,
       count(*) FILTER (WHERE cnil_check(data_leak, cnil_notified, declared_at, cnil_notified_at) = 'tardive') AS cnil_late,
       count(*) FILTER (WHERE cnil_check(data_leak, cnil_notified, declared_at, cnil_notified_at) = 'absente') AS cnil_missing
FROM declared
GROUP BY 1
ORDER BY 1;
