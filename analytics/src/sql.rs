//! Every statement analytics runs: the files of `analytics/sql/`, by name. The Rust code
//! binds values and reads rows; it writes no SQL of its own (tests/tests/architecture.rs
//! checks it).

macro_rules! file {
    ($name:ident, $path:literal) => {
        pub const $name: &str = include_str!(concat!("../sql/", $path, ".sql"));
    };
}

// The context every indicator reads.
file!(CTX, "context/ctx");
file!(CTX_VALUES, "context/ctx_values");
file!(SCOPE, "context/scope");
file!(SCOPE_SITES, "context/scope_sites");
file!(SCOPE_RED_SITES, "context/scope_red_sites");
file!(SCOPE_REGION, "context/scope_region");
file!(SCOPE_KEY_CLEAR, "context/scope_key_clear");
file!(SCOPE_KEY_SET, "context/scope_key_set");
file!(SCOPE_KEY_UNCHANGED, "context/scope_key_unchanged");
file!(STATIC_BUILT, "context/static_built");
file!(STATIC, "context/static");
file!(REGION_DEPARTEMENT, "context/region_departement");
file!(CATEGORY_FAMILY, "context/category_family");
file!(EVENT_CODE, "context/event_code");

// The rules, each defined once.
file!(RULES, "rules");
file!(INCIDENTS, "incidents");
file!(CLOSURES, "closures");
file!(EXERCISES, "exercises");
file!(MATURITY_RULES, "maturity_rules");
file!(MATURITY, "maturity");
file!(MATURITY_SINCE, "maturity_since");
file!(DECLARED_SINCE, "cache/declared_since");
file!(MATURITY_NOTHING_NEW, "cache/maturity_nothing_new");
file!(STATUS, "establishment_status");
file!(PEER_STATS, "peer_stats");
file!(AAP, "aap");

// What a page, an export or the CLI reads.
file!(FILTER, "filter");
file!(FILTER_ROWS, "filter_rows");
file!(FILTER_SAME_VALUES, "filter_same_values");
file!(FILTER_UNCHANGED, "filter_unchanged");
file!(FILTER_VALUES, "filter_values");
file!(ESTABLISHMENTS, "establishments");
file!(TARGETING, "targeting");
file!(FIGURES, "figures");
file!(SITE_POINTS, "site_points");
file!(DISTRIBUTION, "distribution");
file!(MONTHLY_EXERCISES, "monthly_exercises");
file!(INCIDENT_YEARS, "incident_years");
file!(EXERCISE_QUALITY, "exercise_quality");
file!(CAMPAIGNS, "campaigns");
file!(AUDIT_LEVELS, "audit_levels");
file!(EXERCISE_MONTHS, "exercise_months");
file!(SOURCES, "sources");
file!(IMPORTS, "imports");
file!(DEPARTEMENTS, "departements");
file!(EVIDENCE_QUESTIONS, "evidence_questions");
file!(UNKNOWN_ESTABLISHMENTS, "unknown_establishments");
file!(SUPERSEDED, "superseded");
file!(AAP_APPLICATIONS, "aap_applications");
file!(OPSSIES_EXPORT, "opssies_export");
file!(PEER_GROUPS, "peer_groups");
file!(FICHE_SITES, "fiche_sites");
file!(FICHE_SITES_FILL, "fiche_sites_fill");
file!(FICHE_STATUSES, "fiche_statuses");
file!(FICHE_DOMAINS, "fiche_domains");
file!(FICHE_TIMELINE, "fiche_timeline");
file!(FICHE_ACTIONS, "fiche_actions");
file!(FICHE_PEER_STATS, "fiche_peer_stats");

// The bounded cache of shared statuses.
file!(REFRESH_EXISTS, "cache/refresh_exists");
file!(REFRESH_BEHIND, "cache/refresh_behind");
file!(REFRESH_RULES, "cache/refresh_rules");
file!(REFRESH_RULES_SET, "cache/refresh_rules_set");
file!(CHECKPOINT, "cache/checkpoint");
file!(BUFFERS_RELEASE, "cache/buffers_release");
file!(BUFFERS_RESTORE, "cache/buffers_restore");
file!(STATUS_BEHIND, "cache/status_behind");
file!(STATUS_UPDATE_BEGIN, "cache/status_update_begin");
file!(STATUS_COMPUTED_EMPTY, "cache/status_computed_empty");
file!(STATUS_UPDATE_ABANDON, "cache/status_update_abandon");
file!(STATUS_UPDATE_SOURCES, "cache/status_update_sources");
file!(STATUS_UPDATE_END, "cache/status_update_end");
file!(STATUS_UPDATE_COMMIT, "cache/status_update_commit");
file!(COMPUTED_DOMAIN_MEASURES, "cache/computed_domain_measures");
file!(CTX_KEY, "cache/ctx_key");
file!(CTX_KEY_UNCHANGED, "cache/ctx_key_unchanged");
file!(CTX_KEY_CLEAR, "cache/ctx_key_clear");
file!(CTX_KEY_SET, "cache/ctx_key_set");
file!(REGION_STATUS_BEGIN, "cache/region_status_begin");
file!(REGION_STATUS_END, "cache/region_status_end");
file!(STATUS_VIEW_SHARED, "cache/status_view_shared");
file!(STATUS_VIEW_TRANSIENT, "cache/status_view_transient");
file!(OWN_STATUS_BEGIN, "cache/own_status_begin");
file!(OWN_STATUS_END, "cache/own_status_end");
file!(DOMAIN_MEASURES_VIEW, "cache/domain_measures_view");
file!(STATUS_STATE_EXISTS, "cache/status_state_exists");
file!(STATUS_KEPT, "cache/status_kept");
file!(STATUS_FOREIGN, "cache/status_foreign");
file!(STATUS_DROP, "cache/status_drop");
file!(STATUS_REQUEST, "cache/status_request");
file!(STATUS_REQUEST_VALUES, "cache/status_request_values");
file!(STORE_STATUS_BEGIN, "cache/store_status_begin");
file!(STORE_STATUS_END, "cache/store_status_end");
