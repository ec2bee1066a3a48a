//! A filter is an aggregate over the status of the sites in scope: the regional view's parts
//! read per-site facts kept with the status (latest audit levels, the month ends an exercise
//! counts for, incidents per year, known declarations, action counts). They must give what
//! the rules give when read directly — the earlier definitions, kept in `tests/oracle/`,
//! over events, exercises, incidents, declarations and actions — for every filter, date and
//! viewer (a viewer with red events of its own included).

#![allow(clippy::unwrap_used)]

mod common;

use analytics::{Analytics, Filter, RegionalReport, Scope, Settings};
use chrono::NaiveDate;
use common::{day, generated_region};
use duckdb::Connection;

const AUDIT_LEVELS: &str = include_str!("oracle/audit_levels.sql");
const MONTHLY: &str = include_str!("oracle/monthly_exercises.sql");
const CAMPAIGNS: &str = include_str!("oracle/campaigns.sql");
const INCIDENTS: &str = include_str!("oracle/incident_years.sql");
const EXERCISE_QUALITY: &str = include_str!("oracle/exercise_quality.sql");

/// The oracle's rows, each as text (a median to 6 decimals), in the query's order.
fn oracle(connection: &Connection, query: &str, skip: &[usize]) -> Vec<String> {
    let mut statement = connection.prepare(query).unwrap();
    let mut rows = statement.query([]).unwrap();
    let mut texts = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        let columns = row.as_ref().column_count();
        let cells: Vec<String> = (0..columns)
            .filter(|index| !skip.contains(index))
            .map(|index| match row.get::<_, duckdb::types::Value>(index).unwrap() {
                duckdb::types::Value::Double(value) => format!("{value:.6}"),
                duckdb::types::Value::Date32(days) => {
                    (NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days.into())).to_string()
                }
                duckdb::types::Value::Null => "-".to_owned(),
                other => format!("{other:?}")
                    .trim_start_matches(|c: char| c.is_alphabetic())
                    .trim_matches(|c| c == '(' || c == ')')
                    .to_owned(),
            })
            .collect();
        texts.push(cells.join(" "));
    }
    texts
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |value| value.to_string())
}

fn check(connection: &Connection, report: &RegionalReport, case: &str) {
    let audits: Vec<String> = report
        .audit_levels
        .iter()
        .map(|a| format!("{} {} {}", a.event_type, optional(a.level), a.establishments))
        .collect();
    assert_eq!(audits, oracle(connection, AUDIT_LEVELS, &[1]), "audit levels, {case}");
    let monthly: Vec<String> = report
        .monthly_exercises
        .iter()
        .map(|m| format!("{} {} {}", m.month_end, m.done, m.establishments))
        .collect();
    assert_eq!(monthly, oracle(connection, MONTHLY, &[]), "monthly exercises, {case}");
    let campaigns: Vec<String> = report
        .campaigns
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}",
                c.campaign,
                c.declarations,
                c.validated,
                c.median_maturity.map_or_else(|| "-".to_owned(), |m| format!("{m:.6}"))
            )
        })
        .collect();
    assert_eq!(campaigns, oracle(connection, CAMPAIGNS, &[]), "campaigns, {case}");
    let incidents: Vec<String> = report
        .incidents
        .iter()
        .map(|y| {
            format!(
                "{} {} {} {} {}",
                y.year, y.establishments, y.incidents, y.cnil_late, y.cnil_missing
            )
        })
        .collect();
    assert_eq!(incidents, oracle(connection, INCIDENTS, &[]), "incidents, {case}");
    let q = &report.exercise_quality;
    let quality = format!(
        "{} {} {} {} {} {} {} {}",
        q.done,
        q.direction_present,
        q.kit_known,
        q.kit_mismatch,
        q.actions,
        q.actions_tracked,
        q.actions_overdue,
        q.actions_closed
    );
    assert_eq!(
        vec![quality],
        oracle(connection, EXERCISE_QUALITY, &[]),
        "exercise quality, {case}"
    );
}

#[test]
fn the_regional_parts_over_the_status_equal_the_rules_read_directly() {
    let (_directory, store, manifest) = generated_region(7);
    let settings = Settings::default();
    // A site with a red event, seen by itself: its red events count in its own view only.
    let red_site: String = store
        .connection()
        .query_row(
            "SELECT min(ee.finess_et) FROM events e JOIN event_establishments ee USING (event_id) WHERE e.tlp = 'red'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let departement: String = store
        .connection()
        .query_row(
            "SELECT departement FROM establishments WHERE finess_et = ?",
            [&red_site],
            |row| row.get(0),
        )
        .unwrap();
    let filters = [
        Filter::default(),
        Filter {
            departement: Some(departement),
            ..Filter::default()
        },
        Filter {
            family: Some("CH".to_owned()),
            ..Filter::default()
        },
        Filter {
            ose: Some(true),
            ..Filter::default()
        },
        Filter {
            kind: Some("ESMS".to_owned()),
            ..Filter::default()
        },
    ];
    let scopes = [
        ("région", Scope::region()),
        ("établissement", Scope::establishment(vec![red_site.clone()])),
    ];
    let mut compared = 0;
    for as_of in [manifest.today, day("2025-06-30")] {
        for (viewer, scope) in &scopes {
            for filter in &filters {
                let analytics = Analytics::new(store.connection(), &settings);
                let report = analytics.regional(as_of, scope, filter).unwrap();
                // The connection keeps the context and the filter of the report just made.
                check(store.connection(), &report, &format!("{as_of}, {viewer}, {filter:?}"));
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 20);
    // Not empty comparisons: today's region view has each part.
    let today = Analytics::new(store.connection(), &settings)
        .regional(manifest.today, &Scope::region(), &Filter::default())
        .unwrap();
    assert!(
        !today.audit_levels.is_empty()
            && !today.campaigns.is_empty()
            && !today.incidents.is_empty()
            && today.exercise_quality.actions > 0
            && today.monthly_exercises.iter().any(|m| m.done > 0),
        "{today:?}"
    );
}

#[test]
fn the_filtered_rows_kept_for_a_page_are_never_another_viewer_s_nor_another_date_s() {
    // A connection keeps the filtered rows of its last context and filter (the queries of a
    // page read them once made). A viewer of one site asking right after a region viewer,
    // with the same filter, on the same connection, gets its site only; and the region
    // viewer after it gets the region again; a new date gives that date's rows.
    let (_directory, store, manifest) = generated_region(5);
    let settings = Settings::default();
    let analytics = Analytics::new(store.connection(), &settings);
    let filter = Filter::default();
    let region = analytics
        .establishments(manifest.today, &Scope::region(), &filter)
        .unwrap();
    assert!(region.len() > 100, "{}", region.len());
    let site = region[0].finess_et.clone();
    let own = analytics
        .establishments(manifest.today, &Scope::establishment(vec![site.clone()]), &filter)
        .unwrap();
    assert_eq!(own.iter().map(|row| row.finess_et.clone()).collect::<Vec<_>>(), [site]);
    let again = analytics
        .establishments(manifest.today, &Scope::region(), &filter)
        .unwrap();
    assert_eq!(again.len(), region.len());
    let earlier = analytics
        .establishments(day("2024-01-31"), &Scope::region(), &filter)
        .unwrap();
    assert!(
        earlier
            .iter()
            .zip(&region)
            .any(|(then, now)| then.freshness != now.freshness),
        "the rows of 2024-01-31 are that date's, not today's"
    );
}
