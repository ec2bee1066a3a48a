-- The call for projects (indicators.md §7): each check per application, pass / fail /
-- unknown with its reason, then the first-come-first-served queue against the envelope.
-- Reads ctx, region_departements and category_families.

CREATE OR REPLACE TEMP TABLE aap_checks AS
WITH
c AS (SELECT * FROM ctx),
-- What was known at the date (rules.sql, known_applications).
apps AS (SELECT * FROM known_applications),
referential AS (
    SELECT e.finess_et, e.name, e.departement,
           e.departement IN (SELECT departement FROM region_departements) AS in_region,
           coalesce(f.kind, 'ES') AS kind, cl.closed_on
    FROM establishments e
    LEFT JOIN category_families f USING (category_code)
    LEFT JOIN site_closures cl USING (finess_et)
),
observed AS (
    -- The observatory's own latest declaration on or before the deposit date.
    SELECT a.application_id, max(d.updated_on) AS observed_update_on
    FROM apps a
    JOIN declarations d ON d.finess_et = a.finess_et AND d.updated_on <= a.deposited_on
    GROUP BY a.application_id
),
checked AS (
    SELECT a.application_id, a.finess_et, r.name, a.state, a.deposited_at, a.deposited_on,
           a.self_assessment_score, a.order_amount, a.planned_exercise_on, a.declared_opssies_update_on,
           a.grid_attachment, a.order_attachment, a.invoice_attachment, a.paid_on, o.observed_update_on,
           CASE WHEN a.deposited_on IS NULL THEN 'inconnu'
                WHEN a.deposited_on BETWEEN (SELECT aap_opens_on FROM c) AND (SELECT aap_closes_on FROM c) THEN 'ok'
                ELSE 'échec' END AS check_window,
           CASE WHEN a.finess_et IS NULL THEN 'inconnu'
                -- A site closed on or before the deposit is no longer an ES of the region.
                WHEN r.finess_et IS NOT NULL AND r.in_region AND r.kind = 'ES'
                     AND (r.closed_on IS NULL OR r.closed_on > a.deposited_on) THEN 'ok'
                ELSE 'échec' END AS check_establishment,
           CASE WHEN a.self_assessment_score IS NOT NULL AND nullif(trim(a.grid_attachment), '') IS NOT NULL THEN 'ok'
                ELSE 'échec' END AS check_self_assessment,
           CASE WHEN a.declared_opssies_update_on IS NULL OR a.deposited_on IS NULL THEN 'inconnu'
                WHEN a.declared_opssies_update_on
                     BETWEEN CAST(a.deposited_on - to_months((SELECT aap_update_months FROM c)::INTEGER) AS DATE)
                         AND a.deposited_on THEN 'ok'
                ELSE 'échec' END AS check_recent_update,
           CASE WHEN a.declared_opssies_update_on IS NULL OR a.deposited_on IS NULL THEN 'inconnu'
                WHEN o.observed_update_on IS NULL THEN 'échec'
                WHEN abs(o.observed_update_on - a.declared_opssies_update_on) <= (SELECT aap_cross_check_days FROM c) THEN 'ok'
                ELSE 'échec' END AS check_cross_check,
           CASE WHEN nullif(trim(a.order_attachment), '') IS NOT NULL AND a.order_amount > 0 THEN 'ok'
                ELSE 'échec' END AS check_order
    FROM apps a
    LEFT JOIN referential r USING (finess_et)
    LEFT JOIN observed o USING (application_id)
),
first_six AS (
    SELECT *,
           check_window = 'ok' AND check_establishment = 'ok' AND check_self_assessment = 'ok'
           AND check_recent_update = 'ok' AND check_cross_check = 'ok' AND check_order = 'ok' AS passes_first_six
    FROM checked
),
with_duplicates AS (
    SELECT f.*,
           CASE WHEN EXISTS (
                    SELECT 1 FROM first_six earlier
                    WHERE earlier.finess_et = f.finess_et AND earlier.passes_first_six
                      AND (earlier.deposited_at, earlier.application_id) < (f.deposited_at, f.application_id))
                THEN 'échec' ELSE 'ok' END AS check_not_funded_twice
    FROM first_six f
),
queued AS (
    SELECT w.*,
           passes_first_six AND check_not_funded_twice = 'ok' AS eligible,
           CASE WHEN passes_first_six AND check_not_funded_twice = 'ok' THEN
               row_number() OVER (
                   PARTITION BY passes_first_six AND check_not_funded_twice = 'ok'
                   ORDER BY deposited_at, application_id)
           END AS queue_rank
    FROM with_duplicates w
),
done AS (
    SELECT q.application_id, max(r.completed_on) AS exercise_done_on
    FROM queued q
    JOIN merged_exercises r ON r.finess_et = q.finess_et
     AND r.completed_on >= q.deposited_on AND r.completed_on <= (SELECT as_of FROM c)
    GROUP BY q.application_id
)
SELECT q.*,
       d.exercise_done_on,
       CASE WHEN NOT eligible THEN 'inéligible'
            WHEN queue_rank * (SELECT aap_flat_amount FROM c) <= (SELECT aap_envelope FROM c) THEN 'retenu'
            ELSE 'liste d''attente' END AS decision,
       CASE WHEN NOT eligible OR queue_rank * (SELECT aap_flat_amount FROM c) > (SELECT aap_envelope FROM c) THEN NULL
            WHEN q.paid_on IS NOT NULL AND q.paid_on <= (SELECT as_of FROM c) THEN 'payé'
            WHEN d.exercise_done_on IS NOT NULL AND nullif(trim(q.invoice_attachment), '') IS NOT NULL THEN 'à payer'
            ELSE 'engagé' END AS payment
FROM queued q
LEFT JOIN done d USING (application_id);
