-- The reference date and every setting (data/settings.toml), one row every indicator reads;
-- filled by ctx_values.sql with the validated settings, in this column order. A new
-- context drops the previous filter's rows (filter_rows.sql).
DROP TABLE IF EXISTS filtered_status;
CREATE OR REPLACE TEMP TABLE ctx (
    as_of DATE,
    up_to_date_days INTEGER, refresh_days INTEGER,
    exercise_done_days INTEGER, exercise_planned_days INTEGER,
    audit_days INTEGER,
    maturity_partial_below DOUBLE, maturity_not_computed_below DOUBLE,
    level_2_from DOUBLE, level_3_from DOUBLE, level_4_from DOUBLE, level_5_from DOUBLE,
    awareness_met_percent DOUBLE, declaration_max_age_days INTEGER,
    kit_intermediate_from INTEGER, kit_confirmed_above INTEGER,
    aap_opens_on DATE, aap_closes_on DATE,
    aap_envelope BIGINT, aap_flat_amount BIGINT,
    aap_update_months INTEGER, aap_cross_check_days INTEGER,
    w_no_exercise INTEGER, w_ose_missing_audit INTEGER, w_declaration_outdated INTEGER,
    w_low_maturity INTEGER, w_overdue_actions INTEGER, w_recent_incident INTEGER,
    w_no_cybersurveillance INTEGER,
    minimum_group_size INTEGER, cnil_within_hours INTEGER,
    src_finess_days INTEGER, src_osis_days INTEGER, src_events_days INTEGER,
    src_aap_days INTEGER, src_exercises_days INTEGER,
    src_incidents_days INTEGER, src_ose_days INTEGER,
    incident_default_tlp VARCHAR, same_exercise_days INTEGER
);
