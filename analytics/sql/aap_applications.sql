-- The call's applications with each check (aap.sql), in deposit order: every one for a
-- region viewer ($1 true), the viewer's own sites' otherwise.
SELECT application_id, finess_et, name, state, CAST(deposited_at AS VARCHAR) AS deposited_at, declared_opssies_update_on,
       observed_update_on, check_window, check_establishment, check_self_assessment, check_recent_update,
       check_cross_check, check_order, check_not_funded_twice, eligible, queue_rank, decision, payment,
       order_amount, self_assessment_score, exercise_done_on
FROM aap_checks
WHERE $1 OR finess_et IN (SELECT finess_et FROM scope_sites)
ORDER BY aap_checks.deposited_at, application_id;
