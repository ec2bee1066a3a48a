//! The context every indicator query reads: the reference date and the settings (table
//! `ctx`), the region, the viewer's scope, the category families, then the shared rules
//! (`rules.sql`, incidents, closures, exercises).

use chrono::NaiveDate;
use duckdb::{Connection, ToSql, params, params_from_iter};

use crate::Scope;
use crate::events::EVENT_CODES;
use crate::settings::Settings;
use crate::sql;

const CATEGORIES: &str = include_str!("../../data/categories.csv");

/// Creates (or replaces) the context tables of this connection.
pub fn prepare(connection: &Connection, settings: &Settings, as_of: NaiveDate, scope: &Scope) -> duckdb::Result<()> {
    let s = settings;
    let [level_2, level_3, level_4, level_5] = s.maturity.level_bounds;
    // In the column order of context/ctx.sql.
    let values: Vec<Box<dyn ToSql>> = vec![
        Box::new(as_of.to_string()),
        Box::new(s.freshness.up_to_date_days),
        Box::new(s.freshness.refresh_days),
        Box::new(s.exercises.done_within_days),
        Box::new(s.exercises.planned_within_days),
        Box::new(s.audits.within_days),
        Box::new(s.maturity.partial_below),
        Box::new(s.maturity.not_computed_below),
        Box::new(level_2),
        Box::new(level_3),
        Box::new(level_4),
        Box::new(level_5),
        Box::new(s.scorecard.awareness_met_percent),
        Box::new(s.scorecard.declaration_max_age_days),
        Box::new(s.self_assessment.intermediate_from),
        Box::new(s.self_assessment.confirmed_above),
        Box::new(s.aap.opens_on.to_string()),
        Box::new(s.aap.closes_on.to_string()),
        Box::new(s.aap.envelope_euros),
        Box::new(s.aap.flat_amount_euros),
        Box::new(s.aap.update_within_months),
        Box::new(s.aap.cross_check_days),
        Box::new(s.targeting.no_exercise),
        Box::new(s.targeting.ose_missing_audit),
        Box::new(s.targeting.declaration_outdated),
        Box::new(s.targeting.low_maturity),
        Box::new(s.targeting.overdue_actions),
        Box::new(s.targeting.recent_incident),
        Box::new(s.targeting.no_cybersurveillance),
        Box::new(s.benchmarks.minimum_group_size),
        Box::new(s.incidents.cnil_within_hours),
        Box::new(s.sources.finess_days),
        Box::new(s.sources.osis_days),
        Box::new(s.sources.events_days),
        Box::new(s.sources.aap_days_during_call),
        Box::new(s.sources.exercises_days),
        Box::new(s.sources.incidents_days),
        Box::new(s.sources.ose_days),
        Box::new(s.incidents.default_tlp.name()),
        Box::new(s.exercises.same_exercise_within_days),
    ];
    connection.execute_batch(sql::CTX)?;
    connection.execute(sql::CTX_VALUES, params_from_iter(values.iter()))?;
    // The region and the categories do not change during a process: built once per connection.
    let built: bool = connection.query_row(sql::STATIC_BUILT, [], |row| row.get(0))?;
    if !built {
        connection.execute_batch(sql::STATIC)?;
        let mut insert = connection.prepare(sql::REGION_DEPARTEMENT)?;
        for departement in &s.region.departements {
            insert.execute(params![departement])?;
        }
        let mut insert = connection.prepare(sql::CATEGORY_FAMILY)?;
        for line in CATEGORIES.lines().skip(1) {
            let fields: Vec<&str> = line.split(';').collect();
            if let [code, _, _, _, family, kind] = fields.as_slice() {
                insert.execute(params![code, family, kind])?;
            }
        }
    }
    // The viewer's tables, unless this connection built them last for the same viewer and
    // data (the key names every site and red site the viewer has).
    let scope_key = format!("{:?}|{:?}", scope.sites, scope.red_sites);
    if !connection.query_row(sql::SCOPE_KEY_UNCHANGED, [&scope_key], |row| row.get::<_, bool>(0))? {
        connection.execute_batch(sql::SCOPE_KEY_CLEAR)?;
        connection.execute_batch(sql::SCOPE)?;
        connection.execute(sql::SCOPE_RED_SITES, [listed(&scope.red_sites)])?;
        match &scope.sites {
            Some(sites) => connection.execute(sql::SCOPE_SITES, [listed(sites)])?,
            None => connection.execute(sql::SCOPE_REGION, [])?,
        };
        connection.execute(sql::SCOPE_KEY_SET, [&scope_key])?;
    }
    // The shared rules are views and macros that read the context tables when queried (none
    // holds a date or a setting): defined once per connection too, after the tables they read.
    if !built {
        connection.execute_batch(sql::RULES)?;
        let mut insert = connection.prepare_cached(sql::EVENT_CODE)?;
        for (code, role) in EVENT_CODES {
            insert.execute(params![code, role.name(), role.is_audit()])?;
        }
        connection.execute_batch(sql::INCIDENTS)?;
        connection.execute_batch(sql::EXERCISES)?;
    }
    // Closures depend on the date: a table of each context.
    connection.execute_batch(sql::CLOSURES)?;
    Ok(())
}

/// Sites as one comma-separated value; only what a FINESS can be (nine digits, A or B), so a
/// value can never carry a comma into the list.
fn listed(sites: &[String]) -> String {
    sites
        .iter()
        .filter(|site| site.len() == 9 && site.bytes().all(|b| b.is_ascii_digit() || b == b'A' || b == b'B'))
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(",")
}
