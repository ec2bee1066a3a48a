//! What the indicators let a viewer learn: red incidents seen through the CSV, peer figures
//! differenced over dates, and the store grown by requests for new dates.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use analytics::peers::quarter_end_on_or_before;
use analytics::{Analytics, Filter, STATUS_DATES_KEPT, Scope, Settings};
use common::{Fixture, day, finess, generated_region};

/// Finding 7: a red OPSSIES incident (event 44) usually has an untagged row in the CSV for
/// the same site and day; that row must not show the incident to the region's viewers.
#[test]
fn red_incidents_do_not_show_through_the_incident_csv() {
    let (a, b, c) = (finess("75", 1), finess("75", 2), finess("75", 3));
    let mut fixture = Fixture::new();
    fixture.sites(&[(&a, "75", "355", "1"), (&b, "75", "355", "1"), (&c, "75", "355", "1")]);
    // A: a red event 44 on 10/03/2026 and a CSV row without TLP on the same day.
    fixture.event(&a, 44, 7, "20260310-101500", "red");
    fixture.incidents(&[("10/03/2026 09:00", &a, false, ""), ("20/04/2026 09:00", &c, false, "")]);
    // B: a CSV row that says TLP:RED itself. C (above): an ordinary incident, amber by default.
    fixture.incidents_with_tlp(&[("01/04/2026 08:00", &b, "TLP:RED")]);
    let settings = Settings::default();
    let analytics = Analytics::new(fixture.store.connection(), &settings);
    let as_of = day("2026-06-01");
    let region = analytics
        .establishments(as_of, &Scope::region(), &Filter::default())
        .unwrap();
    let row = |rows: &[analytics::EstablishmentStatus], site: &str| {
        rows.iter().find(|r| r.finess_et == site).cloned().unwrap()
    };
    // Region viewers: A and B have no visible incident (no count, no targeting reason); C one.
    for site in [&a, &b] {
        let status = row(&region, site);
        assert_eq!(status.incidents_365, 0, "{site}");
        assert!(
            !status.priority_reasons.contains(&analytics::statuses::Reason::Incident),
            "{site}"
        );
    }
    assert_eq!(row(&region, &c).incidents_365, 1);
    assert!(
        row(&region, &c)
            .priority_reasons
            .contains(&analytics::statuses::Reason::Incident)
    );
    // The regional counts: one structure with an incident in 2026 (C), one incident.
    let report = analytics.regional(as_of, &Scope::region(), &Filter::default()).unwrap();
    let years: Vec<(i64, i64, i64)> = report
        .incidents
        .iter()
        .map(|y| (y.year, y.establishments, y.incidents))
        .collect();
    assert_eq!(years, vec![(2026, 1, 1)]);
    // The owner of A sees both: the red event and its CSV row = 2.
    let own = analytics
        .establishments(as_of, &Scope::establishment(vec![a.clone()]), &Filter::default())
        .unwrap();
    assert_eq!(row(&own, &a).incidents_365, 2);
    // B's owner sees its own red row.
    let own = analytics
        .establishments(as_of, &Scope::establishment(vec![b.clone()]), &Filter::default())
        .unwrap();
    assert_eq!(row(&own, &b).incidents_365, 1);
}

/// The default TLP of an untagged CSV incident is a setting: set to red, nobody but the
/// owner counts C's incident.
#[test]
fn the_default_incident_tlp_is_read_from_the_settings() {
    let c = finess("75", 3);
    let mut fixture = Fixture::new();
    fixture.sites(&[(&c, "75", "355", "1")]);
    fixture.incidents(&[("20/04/2026 09:00", &c, false, "")]);
    let settings = Settings::from_layers(&[("x.toml", "[incidents]\ndefault_tlp = \"red\"\n")]).unwrap();
    let rows = Analytics::new(fixture.store.connection(), &settings)
        .establishments(day("2026-06-01"), &Scope::region(), &Filter::default())
        .unwrap();
    assert_eq!(rows[0].incidents_365, 0);
}

/// A store with three Paris centres hospitaliers and nothing else.
fn three_paris_sites() -> Fixture {
    let sites: Vec<String> = (1..=3).map(|n| finess("75", n)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "75", "355", "1")).collect::<Vec<_>>());
    fixture
}

/// Finding 9: each new reference date used to write a full status snapshot into permanent
/// tables, without bound. Twelve dates leave the last `STATUS_DATES_KEPT` (8).
#[test]
fn requests_for_new_dates_do_not_grow_the_store() {
    let fixture = three_paris_sites();
    let settings = Settings::default();
    let analytics = Analytics::new(fixture.store.connection(), &settings);
    let first = day("2026-01-01");
    for offset in 0..12 {
        analytics
            .establishments(
                first + chrono::Duration::days(offset),
                &Scope::region(),
                &Filter::default(),
            )
            .unwrap();
    }
    let count = |sql: &str| -> i64 { fixture.store.connection().query_row(sql, [], |row| row.get(0)).unwrap() };
    assert_eq!(STATUS_DATES_KEPT, 8);
    assert_eq!(count("SELECT count(*) FROM analytics_status_state"), 8);
    assert_eq!(count("SELECT count(DISTINCT cache_as_of) FROM analytics_status"), 8);
    assert_eq!(count("SELECT count(*) FROM analytics_status"), 8 * 3);
    // The 8 kept are the last computed: 05/01 to 12/01.
    assert_eq!(
        count("SELECT count(*) FROM analytics_status_state WHERE cache_as_of >= DATE '2026-01-05'"),
        8
    );
}

/// Today's status (every page's default date) stays while other dates come and go: twelve
/// other dates after it leave today and the last seven.
#[test]
fn todays_status_outlives_other_dates() {
    let fixture = three_paris_sites();
    let settings = Settings::default();
    let analytics = Analytics::new(fixture.store.connection(), &settings);
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    analytics
        .establishments(today, &Scope::region(), &Filter::default())
        .unwrap();
    let first = day("2020-01-01");
    for offset in 0..12 {
        analytics
            .establishments(
                first + chrono::Duration::days(offset),
                &Scope::region(),
                &Filter::default(),
            )
            .unwrap();
    }
    let count = |sql: &str| -> i64 { fixture.store.connection().query_row(sql, [], |row| row.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM analytics_status_state"), 8);
    assert_eq!(
        count(&format!(
            "SELECT count(*) FROM analytics_status_state WHERE cache_as_of = DATE '{today}'"
        )),
        1
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM analytics_status_state WHERE cache_as_of >= DATE '2020-01-06' AND cache_as_of < DATE '2021-01-01'"
        ),
        7
    );
}

/// One peer figure as published: measure, group, size, (worst 20 %, median, best 20 %).
type Published = (String, String, i64, [f64; 3]);

/// Finding 6: an establishment that asks its fiche on consecutive dates must not be able to
/// solve for a peer's value. The attack: for every date of a sweep across a quarter end,
/// read every peer figure open to the role (the fiche has no other filter for it), and try
/// to find a peer's exact value among them, or two answers whose difference isolates one.
#[test]
fn peer_figures_cannot_be_differenced_by_an_establishment() {
    let (_directory, store, _manifest) = generated_region(5);
    let settings = Settings::default();
    let analytics = Analytics::new(store.connection(), &settings);
    let today = day("2026-11-29");
    // A site of a peer group big enough to be shown, with a maturity.
    let rows = analytics
        .establishments(today, &Scope::region(), &Filter::default())
        .unwrap();
    let mut by_group: BTreeMap<&str, Vec<&analytics::EstablishmentStatus>> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.maturity.is_some() && r.in_region) {
        by_group.entry(row.peer_group.as_str()).or_default().push(row);
    }
    let (_, members) = by_group
        .iter()
        .filter(|(_, members)| members.len() >= 6)
        .min_by_key(|(_, members)| members.len())
        .unwrap();
    let me = members[0].finess_et.clone();
    let scope = Scope::establishment(vec![me.clone()]);
    // The sweep: 20 days either side of 30/09/2026, and around the two dates of the finding.
    let mut dates: Vec<chrono::NaiveDate> = (-20..=20)
        .map(|d| day("2026-09-30") + chrono::Duration::days(d))
        .collect();
    dates.extend([
        day("2023-02-19"),
        day("2023-02-20"),
        day("2023-03-31"),
        day("2023-04-01"),
    ]);
    let mut answers: BTreeMap<chrono::NaiveDate, Vec<Published>> = BTreeMap::new();
    for as_of in &dates {
        let fiche = analytics.fiche(&me, *as_of, &scope).unwrap();
        assert_eq!(fiche.peers_as_of, quarter_end_on_or_before(*as_of), "{as_of}");
        let figures: Vec<Published> = fiche
            .benchmarks
            .iter()
            .filter_map(|b| {
                b.figures.as_ref().map(|f| {
                    (
                        b.measure.clone(),
                        b.group.clone(),
                        f.establishments,
                        [f.worst_20, f.median, f.best_20],
                    )
                })
            })
            .collect();
        for (measure, group, n, values) in &figures {
            assert!(*n >= settings.benchmarks.minimum_group_size, "{measure} {group}: {n}");
            for value in values {
                assert_eq!(value.fract(), 0.0, "{as_of} {measure} {group}: {value} is not rounded");
            }
        }
        answers.insert(*as_of, figures);
    }
    // Consecutive dates of one quarter give the same answer: nothing to difference.
    for pair in dates.windows(2) {
        if quarter_end_on_or_before(pair[0]) == quarter_end_on_or_before(pair[1]) {
            assert_eq!(answers[&pair[0]], answers[&pair[1]], "{} and {}", pair[0], pair[1]);
        }
    }
    // No published figure is a peer's exact (non-whole) value at the snapshot date.
    let snapshots: BTreeSet<chrono::NaiveDate> = dates.iter().map(|d| quarter_end_on_or_before(*d)).collect();
    for snapshot in snapshots {
        let peers = analytics
            .establishments(snapshot, &Scope::region(), &Filter::default())
            .unwrap();
        let exact: Vec<f64> = peers
            .iter()
            .filter(|p| p.finess_et != me)
            .filter_map(|p| p.maturity)
            // A whole value (up to the float error of a weighted mean) may equal a rounded
            // figure by chance, and rounding hides nothing of it: only other values count.
            .filter(|v| (v - v.round()).abs() > 1e-6)
            .collect();
        for (as_of, figures) in &answers {
            if quarter_end_on_or_before(*as_of) != snapshot {
                continue;
            }
            for (measure, group, _, values) in figures.iter().filter(|f| f.0 == "Maturité globale") {
                for value in values {
                    assert!(
                        !exact.iter().any(|v| (v - value).abs() < 1e-9),
                        "{as_of} {measure} {group}: {value} is a peer's exact value"
                    );
                }
            }
        }
    }
}

/// The year-before figures of a new date are computed without keeping that date's status
/// (no second status written per request): the same figures as when the date is kept.
#[test]
fn a_date_not_kept_gives_the_same_headline_as_a_kept_one() {
    let (_directory, store, _manifest) = generated_region(5);
    let settings = Settings::default();
    let analytics = Analytics::new(store.connection(), &settings);
    let year_before = day("2025-11-29");
    let es = Filter {
        kind: Some("ES".to_owned()),
        ..Filter::default()
    };
    let transient = analytics.headline(year_before, &Scope::region(), &es).unwrap();
    let kept_rows = |date: &str| -> i64 {
        store
            .connection()
            .query_row(
                &format!("SELECT count(*) FROM analytics_status_state WHERE cache_as_of = DATE '{date}'"),
                [],
                |row| row.get(0),
            )
            .unwrap_or(0)
    };
    assert_eq!(kept_rows("2025-11-29"), 0, "not kept");
    assert!(
        transient.establishments > 100 && transient.exercise_done > 0,
        "{transient:?}"
    );
    let kept = analytics.regional(year_before, &Scope::region(), &es).unwrap().headline;
    assert_eq!(kept_rows("2025-11-29"), 1);
    assert_eq!(transient, kept);
    // And back to the kept path: the same again.
    assert_eq!(analytics.headline(year_before, &Scope::region(), &es).unwrap(), kept);
}
