//! After an import, the indicators are brought up to date from what the new rows can change
//! (the declarations of the new oSIS exports, the establishments of the new events): the
//! tables they give must be those of a computation from scratch over the same imports.

#![allow(clippy::unwrap_used)]

mod common;

use analytics::{Analytics, Settings, StatusRefresh};
use chrono::NaiveDate;
use common::day;
use ingest::{ImportOptions, ImportStatus, Store};

/// The cached tables an import brings up to date, with the columns that say when they were
/// built left out.
const CACHES: [(&str, &str); 8] = [
    ("analytics_declarations", "*"),
    ("analytics_domain_scores", "*"),
    ("analytics_declaration_maturity", "*"),
    ("analytics_declaration_evidence", "*"),
    ("analytics_status", "*"),
    ("analytics_domain_measures", "*"),
    ("analytics_peer_stats", "*"),
    ("analytics_status_state", "* EXCLUDE (built_at)"),
];

fn refresh(store: &Store, settings: &Settings, as_of: NaiveDate) -> StatusRefresh {
    Analytics::new(store.connection(), settings)
        .refresh_status(as_of)
        .unwrap()
}

fn rows(store: &Store, table: &str) -> i64 {
    store
        .connection()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0))
        .unwrap()
}

#[test]
fn incremental_and_full_recomputation_give_the_same_tables() {
    let directory = tempfile::tempdir().unwrap();
    let set = directory.path().join("region");
    let options = generator::Options {
        scale: generator::Scale::Region,
        campaigns: None,
        seed: 11,
        today: day("2026-11-29"),
    };
    let manifest = generator::generate(&options, &set).unwrap();
    // Held back, then imported one by one: the newest campaign's oSIS export and the last
    // four OPSSIES event files (a month of a hub each; the generator's set also holds a copy of
    // a file, and files refused whole).
    let osis: Vec<usize> = (0..manifest.files.len())
        .filter(|&index| manifest.files[index].kind == "osis")
        .collect();
    let events: Vec<usize> = (0..manifest.files.len())
        .filter(|&index| manifest.files[index].kind == "opssies-events")
        .collect();
    assert!(osis.len() >= 3 && events.len() >= 6, "{osis:?} {events:?}");
    let mut later: Vec<usize> = events[events.len() - 4..].to_vec();
    later.insert(1, osis[osis.len() - 1]);
    let earlier: Vec<usize> = (0..manifest.files.len())
        .filter(|index| !later.contains(index))
        .collect();
    let dates = [manifest.today, day("2026-06-30"), day("2025-11-29")];
    let settings = Settings::default();

    // Incremental: the dates computed, then each later file imported and the dates refreshed.
    let incremental_path = directory.path().join("incremental.duckdb");
    let mut incremental = Store::open(&incremental_path).unwrap();
    for &index in &earlier {
        incremental
            .import_file(&set.join(&manifest.files[index].name), &ImportOptions::default())
            .unwrap();
    }
    for as_of in dates {
        assert_eq!(refresh(&incremental, &settings, as_of), StatusRefresh::Computed);
    }
    let maturity_before = rows(&incremental, "analytics_declaration_maturity");
    let mut updated_sites = Vec::new();
    for (step, &index) in later.iter().enumerate() {
        let outcome = incremental
            .import_file(&set.join(&manifest.files[index].name), &ImportOptions::default())
            .unwrap();
        // Today after every file; the other dates after the last one only (several imports
        // behind).
        let asked: &[NaiveDate] = if step + 1 == later.len() { &dates } else { &dates[..1] };
        for &as_of in asked {
            match (outcome.status, refresh(&incremental, &settings, as_of)) {
                (ImportStatus::Stored, StatusRefresh::Updated { sites }) => {
                    updated_sites.push((manifest.files[index].kind, sites))
                }
                // A file already stored adds no import; a refused one adds no row.
                (ImportStatus::Duplicate, StatusRefresh::Kept)
                | (ImportStatus::Refused, StatusRefresh::Updated { sites: 0 }) => {}
                // The other dates, asked after several imports.
                (_, StatusRefresh::Updated { .. }) if as_of != manifest.today => {}
                other => panic!("{}: {other:?} for {as_of}", manifest.files[index].name),
            }
        }
    }
    // The oSIS export named hundreds of sites, far fewer than the referential.
    let establishments = rows(&incremental, "establishments") as usize;
    let (_, osis_sites) = updated_sites.iter().find(|(kind, _)| *kind == "osis").unwrap();
    assert!(*osis_sites > 100 && *osis_sites < establishments, "{updated_sites:?}");
    assert!(rows(&incremental, "analytics_declaration_maturity") > maturity_before);

    // From scratch: the same files in the same order (so the same import numbers).
    let full_path = directory.path().join("full.duckdb");
    let mut full = Store::open(&full_path).unwrap();
    for &index in earlier.iter().chain(&later) {
        full.import_file(&set.join(&manifest.files[index].name), &ImportOptions::default())
            .unwrap();
    }
    for as_of in dates {
        assert_eq!(refresh(&full, &settings, as_of), StatusRefresh::Computed);
    }
    drop(full);

    let connection = incremental.connection();
    connection
        .execute_batch(&format!("ATTACH '{}' AS scratch (READ_ONLY)", full_path.display()))
        .unwrap();
    for (table, columns) in CACHES {
        let (only_here, only_there, count): (i64, i64, i64) = connection
            .query_row(
                &format!(
                    "SELECT (SELECT count(*) FROM (SELECT {columns} FROM main.{table} EXCEPT ALL SELECT {columns} FROM scratch.{table})),
                            (SELECT count(*) FROM (SELECT {columns} FROM scratch.{table} EXCEPT ALL SELECT {columns} FROM main.{table})),
                            (SELECT count(*) FROM main.{table})"
                ),
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!((only_here, only_there), (0, 0), "{table}: rows differ ({count} rows)");
        assert!(count > 0, "{table} is empty");
    }
    connection.execute_batch("DETACH scratch").unwrap();

    // A file that can change any site (a new exercise workbook) makes the date computed whole.
    let site: String = connection
        .query_row("SELECT min(finess_et) FROM establishments", [], |row| row.get(0))
        .unwrap();
    let workbook = format!("FINESS ET;Date prévue;Date de réalisation;Kit;Annulé\n{site};;02/10/2026;débutant;Non\n");
    let outcome = incremental
        .import_bytes("exercices.csv", workbook.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(outcome.status, ingest::ImportStatus::Stored, "{}", outcome.message);
    assert_eq!(
        refresh(&incremental, &settings, manifest.today),
        StatusRefresh::Computed
    );
}
