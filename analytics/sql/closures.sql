-- Sites closed at the reference date (one definition, read by the status, every aggregate,
-- targeting and the call's region check). The FINESS extracts dated on or before the date
-- are what was known then; a site absent from every extract of the newest such date is
-- closed from the first extract date after the last one that held it (it is open again when
-- a later extract holds it).
CREATE OR REPLACE TEMP TABLE site_closures AS
WITH known AS (
    SELECT DISTINCT extract_date FROM referential_presence
    WHERE extract_date <= (SELECT as_of FROM ctx)
),
last_seen AS (
    SELECT finess_et, max(extract_date) AS seen_on FROM referential_presence
    WHERE extract_date <= (SELECT as_of FROM ctx)
    GROUP BY finess_et
)
SELECT l.finess_et, (SELECT min(k.extract_date) FROM known k WHERE k.extract_date > l.seen_on) AS closed_on
FROM last_seen l
WHERE l.seen_on < (SELECT max(extract_date) FROM known);
