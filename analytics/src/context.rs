//! The context every indicator query reads: the reference date and the settings (table
//! `ctx`), the region, the viewer's red-TLP sites, and the category families.

use chrono::NaiveDate;
use duckdb::{Connection, params};

use crate::Scope;
use crate::settings::Settings;

const CATEGORIES: &str = include_str!("../../data/categories.csv");
const INCIDENTS_SQL: &str = include_str!("../sql/incidents.sql");
const CLOSURES_SQL: &str = include_str!("../sql/closures.sql");
const EXERCISES_SQL: &str = include_str!("../sql/exercises.sql");

/// Creates (or replaces) the context tables of this connection.
pub fn prepare(connection: &Connection, settings: &Settings, as_of: NaiveDate, scope: &Scope) -> duckdb::Result<()> {
    let s = settings;
    let [level_2, level_3, level_4, level_5] = s.maturity.level_bounds;
    // Every value below comes from the validated settings (numbers and dates), never from a
    // request: formatting them into the statement is safe.
    connection.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE ctx AS SELECT
            DATE '{as_of}' AS as_of,
            {up} AS up_to_date_days, {refresh} AS refresh_days,
            {done} AS exercise_done_days, {planned} AS exercise_planned_days,
            {audit} AS audit_days,
            {partial}::DOUBLE AS maturity_partial_below, {not_computed}::DOUBLE AS maturity_not_computed_below,
            {level_2}::DOUBLE AS level_2_from, {level_3}::DOUBLE AS level_3_from,
            {level_4}::DOUBLE AS level_4_from, {level_5}::DOUBLE AS level_5_from,
            {awareness}::DOUBLE AS awareness_met_percent, {declaration_age} AS declaration_max_age_days,
            {kit_from} AS kit_intermediate_from, {kit_above} AS kit_confirmed_above,
            DATE '{opens}' AS aap_opens_on, DATE '{closes}' AS aap_closes_on,
            {envelope} AS aap_envelope, {flat} AS aap_flat_amount,
            {months} AS aap_update_months, {cross} AS aap_cross_check_days,
            {w1} AS w_no_exercise, {w2} AS w_ose_missing_audit, {w3} AS w_declaration_outdated,
            {w4} AS w_low_maturity, {w5} AS w_overdue_actions, {w6} AS w_recent_incident,
            {w7} AS w_no_cybersurveillance,
            {k} AS minimum_group_size, {cnil} AS cnil_within_hours,
            {src_finess} AS src_finess_days, {src_osis} AS src_osis_days, {src_events} AS src_events_days,
            {src_aap} AS src_aap_days, {src_exercises} AS src_exercises_days,
            {src_incidents} AS src_incidents_days, {src_ose} AS src_ose_days,
            '{incident_tlp}' AS incident_default_tlp, {same} AS same_exercise_days;
{scope_tables}
{incidents}
{closures}
{exercises}",
        exercises = EXERCISES_SQL,
        same = s.exercises.same_exercise_within_days,
        incidents = INCIDENTS_SQL,
        closures = CLOSURES_SQL,
        incident_tlp = s.incidents.default_tlp.name(),
        scope_tables = scope_tables(scope),
        up = s.freshness.up_to_date_days,
        refresh = s.freshness.refresh_days,
        done = s.exercises.done_within_days,
        planned = s.exercises.planned_within_days,
        audit = s.audits.within_days,
        partial = s.maturity.partial_below,
        not_computed = s.maturity.not_computed_below,
        awareness = s.scorecard.awareness_met_percent,
        declaration_age = s.scorecard.declaration_max_age_days,
        kit_from = s.self_assessment.intermediate_from,
        kit_above = s.self_assessment.confirmed_above,
        opens = s.aap.opens_on,
        closes = s.aap.closes_on,
        envelope = s.aap.envelope_euros,
        flat = s.aap.flat_amount_euros,
        months = s.aap.update_within_months,
        cross = s.aap.cross_check_days,
        w1 = s.targeting.no_exercise,
        w2 = s.targeting.ose_missing_audit,
        w3 = s.targeting.declaration_outdated,
        w4 = s.targeting.low_maturity,
        w5 = s.targeting.overdue_actions,
        w6 = s.targeting.recent_incident,
        w7 = s.targeting.no_cybersurveillance,
        k = s.benchmarks.minimum_group_size,
        cnil = s.incidents.cnil_within_hours,
        src_finess = s.sources.finess_days,
        src_osis = s.sources.osis_days,
        src_events = s.sources.events_days,
        src_aap = s.sources.aap_days_during_call,
        src_exercises = s.sources.exercises_days,
        src_incidents = s.sources.incidents_days,
        src_ose = s.sources.ose_days,
    ))?;
    // The region and the categories do not change during a process: built once per connection.
    let built: bool = connection.query_row(
        "SELECT count(*) > 0 FROM duckdb_tables() WHERE temporary AND table_name = 'category_families'",
        [],
        |row| row.get(0),
    )?;
    if !built {
        connection.execute_batch(
            "CREATE TEMP TABLE region_departements (departement VARCHAR);
             CREATE TEMP TABLE category_families (category_code VARCHAR, family VARCHAR, kind VARCHAR);",
        )?;
        let mut insert = connection.prepare("INSERT INTO region_departements VALUES (?)")?;
        for departement in &s.region.departements {
            insert.execute(params![departement])?;
        }
        let mut insert = connection.prepare("INSERT INTO category_families VALUES (?, ?, ?)")?;
        for line in CATEGORIES.lines().skip(1) {
            let fields: Vec<&str> = line.split(';').collect();
            if let [code, _, _, _, family, kind] = fields.as_slice() {
                insert.execute(params![code, family, kind])?;
            }
        }
    }
    if scope.sites.is_none() {
        connection.execute_batch(
            "INSERT INTO scope_sites SELECT finess_et FROM establishments
             WHERE departement IN (SELECT departement FROM region_departements)",
        )?;
    }
    Ok(())
}

/// The viewer's tables in one statement each. FINESS numbers are checked to be what a
/// FINESS can be (digits, A, B) before they are written into the statement.
fn scope_tables(scope: &Scope) -> String {
    let values = |sites: &[String]| -> String {
        let listed: Vec<String> = sites
            .iter()
            .filter(|site| site.len() == 9 && site.bytes().all(|b| b.is_ascii_digit() || b == b'A' || b == b'B'))
            .map(|site| format!("('{site}')"))
            .collect();
        if listed.is_empty() {
            "SELECT NULL::VARCHAR AS finess_et WHERE false".to_owned()
        } else {
            format!("SELECT * FROM (VALUES {}) AS t(finess_et)", listed.join(", "))
        }
    };
    let sites = match &scope.sites {
        Some(sites) => values(sites),
        None => "SELECT NULL::VARCHAR AS finess_et WHERE false".to_owned(),
    };
    format!(
        "CREATE OR REPLACE TEMP TABLE scope_red_sites AS {red};
         CREATE OR REPLACE TEMP TABLE scope_sites AS {sites};
         CREATE OR REPLACE TEMP TABLE status_sites (finess_et VARCHAR);",
        red = values(&scope.red_sites),
    )
}
