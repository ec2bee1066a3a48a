//! The generated region: every file ingests exactly as its manifest says, the set is
//! reproducible, and it looks like Île-de-France.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use generator::{Manifest, Options, Scale, reason_of};
use ingest::{ImportOptions, ImportStatus, Store};

fn region(dir: &Path, seed: u64) -> Manifest {
    let options = Options {
        scale: Scale::Region,
        campaigns: None,
        seed,
        today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
    };
    generator::generate(&options, dir).unwrap()
}

fn by_reason<'a>(messages: impl Iterator<Item = &'a str>) -> BTreeMap<&'static str, u64> {
    let mut counts = BTreeMap::new();
    for message in messages {
        let reason = reason_of(message).unwrap_or_else(|| panic!("message the manifest does not know: {message}"));
        *counts.entry(reason).or_insert(0) += 1;
    }
    counts
}

fn count(store: &Store, sql: &str) -> i64 {
    store.connection().query_row(sql, [], |row| row.get(0)).unwrap()
}

#[test]
fn every_generated_file_ingests_as_its_manifest_says() {
    let directory = tempfile::tempdir().unwrap();
    let manifest = region(directory.path(), 7);
    let mut store = Store::open(directory.path().join("base.duckdb")).unwrap();
    let options = ImportOptions::default();
    for file in &manifest.files {
        let outcome = store.import_file(&directory.path().join(&file.name), &options).unwrap();
        let status = match outcome.status {
            ImportStatus::Stored => "stored",
            ImportStatus::Duplicate => "duplicate",
            ImportStatus::Refused => panic!("{} refused: {}", file.name, outcome.message),
        };
        assert_eq!(status, file.expected.status, "{}", file.name);
        assert_eq!(outcome.kind.map(|kind| kind.name()), Some(file.kind), "{}", file.name);
        if file.expected.status == "stored" {
            assert_eq!(outcome.rows_read, file.rows, "rows of {}", file.name);
        }
        let rejects = by_reason(outcome.diagnostics.rejects.iter().map(|r| r.reason.as_str()));
        assert_eq!(rejects, file.expected.rejects, "rejects of {}", file.name);
        let warnings = by_reason(outcome.diagnostics.warnings.iter().map(|w| w.message.as_str()));
        assert_eq!(warnings, file.expected.warnings, "warnings of {}", file.name);
    }

    // Truths that need no indicator, only the store's tables.
    let truths = &manifest.truths;
    assert_eq!(
        count(&store, "SELECT count(*) FROM finess_referential") as u64,
        truths.referential_sites
    );
    let region = "departement IN ('75', '77', '78', '91', '92', '93', '94', '95')";
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM establishments WHERE {region} AND ose")
        ) as u64,
        truths.region_ose
    );
    for (campaign, declarations) in &truths.declarations_per_campaign {
        let stored = count(
            &store,
            &format!("SELECT count(*) FROM current_declarations WHERE campaign = {campaign}"),
        );
        assert_eq!(stored as u64, *declarations, "campaign {campaign}");
    }
    assert_eq!(
        count(&store, "SELECT count(*) FROM incidents") as u64,
        truths.incidents.stored_from_csv
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM action_checks WHERE missing_owner OR missing_deadline"
        ) as u64,
        truths.untracked_actions
    );
    for named in &truths.tricky_names {
        let stored: String = store
            .connection()
            .query_row(
                "SELECT name FROM establishments WHERE finess_et = ?",
                [&named.finess],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(stored, named.name);
    }
    assert_eq!(truths.tricky_names.len(), 4);
    assert!(truths.tricky_names.iter().any(|named| named.name.contains("<script>")));
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_another_region() {
    let (first, second, third) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let hashes = |manifest: &Manifest| {
        manifest
            .files
            .iter()
            .map(|f| (f.name.clone(), f.sha256.clone()))
            .collect::<Vec<_>>()
    };
    let a = region(first.path(), 11);
    let b = region(second.path(), 11);
    assert_eq!(hashes(&a), hashes(&b));
    let c = region(third.path(), 12);
    assert_ne!(hashes(&a), hashes(&c));
}

#[test]
fn the_region_looks_like_ile_de_france() {
    let directory = tempfile::tempdir().unwrap();
    let manifest = region(directory.path(), 3);
    let truths = &manifest.truths;
    // About 450 ES and 1,500 ESMS over the 8 départements (rounding per département).
    assert!((440..=460).contains(&truths.region_es), "{}", truths.region_es);
    assert!((1_490..=1_510).contains(&truths.region_esms), "{}", truths.region_esms);
    // Exercise completion as of the end of 2023 and 2024: 58% and 79% (domain.md).
    let rate = |year: i32| {
        truths
            .exercise_completion
            .iter()
            .find(|rate| rate.as_of == NaiveDate::from_ymd_opt(year, 12, 31).unwrap())
            .unwrap()
            .rate
    };
    assert!((rate(2023) - 0.58).abs() < 0.01, "{}", rate(2023));
    assert!((rate(2024) - 0.79).abs() < 0.01, "{}", rate(2024));
    // Every status of the spec occurs, so every page has something to show.
    for counts in [&truths.freshness.es, &truths.freshness.esms] {
        assert!(counts.values().all(|count| *count > 0), "{counts:?}");
    }
    assert!(
        truths.exercise_status.counts.values().all(|count| *count > 0),
        "{:?}",
        truths.exercise_status.counts
    );
    assert!(truths.ose_missing_ads.count > 0 && truths.ose_missing_ads.count < truths.region_ose);
    assert!(truths.overdue_actions.count > 0);
    assert!(truths.incidents.cnil_late > 0 && truths.incidents.cnil_missing > 0);
    for score in [74, 75, 150, 151] {
        assert!(truths.kits.boundaries.iter().any(|grid| grid.score == score), "{score}");
    }
    assert!(!truths.red_events.is_empty());
    // AAP: two applications fail each check (one for check 2's two cases each), more are
    // eligible than the 50 places the 200,000 € envelope funds.
    let aap = &truths.aap;
    assert_eq!(
        aap.failing.keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6, 7]
    );
    assert!(aap.failing.values().all(|ids| ids.len() == 2), "{:?}", aap.failing);
    assert_eq!(aap.funded.len(), 50);
    assert!(!aap.waiting_list.is_empty());
    assert_eq!(aap.committed_euros, 200_000);
}

#[test]
fn national_parameters_and_refusals_speak_french() {
    let directory = tempfile::tempdir().unwrap();
    let too_early = Options {
        scale: Scale::Region,
        campaigns: None,
        seed: 1,
        today: NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
    };
    let error = generator::generate(&too_early, directory.path())
        .unwrap_err()
        .to_string();
    assert!(error.contains("à partir du 01/01/2025"), "{error}");
    let without_2023 = Options {
        campaigns: Some(2),
        today: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        ..too_early
    };
    let error = generator::generate(&without_2023, directory.path())
        .unwrap_err()
        .to_string();
    assert!(error.contains("au moins 4 campagnes"), "{error}");
}
