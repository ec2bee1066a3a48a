-- Domain scores of each site's maturity campaign (the submission the status read), with the
-- score of the latest earlier campaign that has one, each campaign as known at the date.
WITH mine AS (
    SELECT d.*,
           last_value(d.score IGNORE NULLS) OVER (
               PARTITION BY d.finess_et, d.domain ORDER BY d.campaign
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous
    FROM analytics_domain_scores d
    JOIN known_declarations k USING (import_id, finess_et, campaign)
    WHERE d.finess_et IN (SELECT finess_et FROM fiche_sites)
)
SELECT d.finess_et, d.domain, d.score, d.answered, d.scored, d.previous
FROM mine d JOIN establishment_status s ON s.finess_et = d.finess_et AND s.maturity_campaign = d.campaign
                                       AND s.maturity_import_id = d.import_id
ORDER BY d.finess_et, d.domain;
