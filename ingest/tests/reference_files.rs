//! The ministry's public reference files (`../shared/reference/opssies-v013/`), imported
//! into one store. They are read in place, never copied into the project.
//!
//! When the folder is absent at build time the test is reported as ignored (see
//! `ingest/build.rs`); CI sets OPSSIES_REQUIRE_SHARED=1 so that a missing folder fails there.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use ingest::{ImportOptions, ImportOutcome, ImportStatus, Store};

fn reference_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/opssies-v013");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("OPSSIES_REQUIRE_SHARED").is_none(),
        "OPSSIES_REQUIRE_SHARED is set but {} does not exist",
        dir.display()
    );
    panic!(
        "reference files not found at {} (they were there when the tests were built: rebuild)",
        dir.display()
    )
}

fn import(store: &mut Store, dir: &Path, relative: &str) -> ImportOutcome {
    store
        .import_file(&dir.join(relative), &ImportOptions::default())
        .unwrap()
}

fn warning_paths(outcome: &ImportOutcome, fragment: &str) -> Vec<String> {
    outcome
        .diagnostics
        .warnings
        .iter()
        .filter(|warning| warning.message.contains(fragment))
        .filter_map(|warning| warning.location.json_path.clone())
        .collect()
}

#[test]
#[cfg_attr(
    not(reference_files),
    ignore = "../shared/reference/opssies-v013 absent when built (CI: OPSSIES_REQUIRE_SHARED=1)"
)]
fn the_reference_files_behave_as_stated() {
    let Some(dir) = reference_dir() else { return };
    let mut store = Store::open_in_memory().unwrap();

    // CERT Santé instance: an ADS audit and a SILENE audit of AVICENNE, with most quirks.
    let cert = import(&mut store, &dir, "ng-msp-opssies-instance-cert_sante-v13.json");
    assert_eq!(cert.status, ImportStatus::Stored, "{}", cert.message);
    assert_eq!((cert.rows_read, cert.rows_stored, cert.rejected), (2, 2, 0));
    // Identifier 930100037 is given twice with idType 2 in each event's recipient.
    assert_eq!(
        warning_paths(&cert, "identifiant répété"),
        vec![
            "$.events.event[0].stakeholders[0].stakeholderId[2]",
            "$.events.event[1].stakeholders[0].stakeholderId[2]"
        ]
    );
    // The second event carries its contexts directly under the event as well as under scopes.
    assert!(
        warning_paths(&cert, "directement sous l'événement")
            .contains(&"$.events.event[1].functionalContexts".to_owned())
    );
    assert!(
        warning_paths(&cert, "hors de l'énumération")
            .iter()
            .any(|path| path.starts_with("$.events.event[0]") && path.ends_with("functionalContextCategory"))
    );
    let (recipient, event_types): (String, String) = store
        .connection()
        .query_row(
            "SELECT any_value(recipient_finess_et), string_agg(event_type::VARCHAR, ',' ORDER BY event_type) FROM events",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(recipient, "930100037");
    assert_eq!(event_types, "27,60");

    // CaRE D1 instance: the placeholder FINESS, TST-00, the name type 6, context 73.
    let care = import(&mut store, &dir, "ng-msp-opssies-instance-care_d1-v13.json");
    assert_eq!(care.status, ImportStatus::Stored, "{}", care.message);
    assert_eq!(care.rows_stored, 1);
    assert_eq!(
        warning_paths(&care, "FINESS fictif"),
        vec!["$.events.event[0].stakeholders[0].stakeholderId[0]"]
    );
    assert_eq!(
        warning_paths(&care, "n'est pas un numéro FINESS"),
        vec!["$.events.stakeholders[2].stakeholderId"]
    );
    assert_eq!(
        warning_paths(&care, "type de nom hors liste"),
        vec!["$.events.stakeholders[2].stakeholderNameTypes[0].stakeholderNameType"]
    );
    assert_eq!(
        warning_paths(&care, "hors de l'énumération"),
        vec!["$.events.event[0].scopes[0].functionalContexts[1].functionalContextCategory"]
    );

    // The validator's copy of the same instance differs only by a final newline: new bytes,
    // same event, stored once.
    let copy = import(&mut store, &dir, "validator-examples/instance-d1.json");
    assert_eq!(copy.status, ImportStatus::Stored, "{}", copy.message);
    assert_eq!((copy.rows_read, copy.rows_stored), (1, 0));
    assert_eq!(warning_paths(&copy, "déjà enregistré"), vec!["$.events.event[0]"]);

    // A vendor's valid file named by the CaRE D1 convention.
    let valid = import(&mut store, &dir, "validator-examples/COMPANY-D1-20250101-101520.json");
    assert_eq!(valid.status, ImportStatus::Stored, "{}", valid.message);
    assert_eq!(valid.rows_stored, 1);
    let (sender, generated, ej, tlp): (String, String, String, String) = store
        .connection()
        .query_row(
            "SELECT sender, strftime(file_generated_at, '%Y-%m-%d %H:%M:%S'), recipient_finess_ej, tlp
             FROM events WHERE import_id = ?",
            [valid.import_id.unwrap()],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (sender.as_str(), generated.as_str()),
        ("COMPANY", "2025-01-01 10:15:20")
    );
    assert_eq!((ej.as_str(), tlp.as_str()), ("111111111", "red"));
    // 1 1 1 1 1 1 1 1 1: Luhn sum 5 + 4 × 2 = 13, not a multiple of 10.
    assert!(
        warning_paths(&valid, "Luhn")
            .iter()
            .all(|path| path.contains("stakeholderId"))
    );
    assert!(!warning_paths(&valid, "Luhn").is_empty());

    // Latin-1 bytes: refused, with the offset of the first bad byte (the é of « Numérique »).
    let latin1 = import(&mut store, &dir, "validator-examples/COMPANY-D1-20250101-101521.json");
    assert_eq!(latin1.status, ImportStatus::Refused);
    let bytes = std::fs::read(dir.join("validator-examples/COMPANY-D1-20250101-101521.json")).unwrap();
    let offset = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
    assert_eq!(bytes[offset], 0xE9);
    assert!(latin1.message.contains("pas en UTF-8"), "{}", latin1.message);
    assert!(
        latin1.message.contains(&format!("position {offset}")),
        "{}",
        latin1.message
    );

    // A trailing comma after the last subnet: refused with line and column of the `]` after it.
    let malformed = import(&mut store, &dir, "validator-examples/COMPANY-D1-20250101-101522.json");
    assert_eq!(malformed.status, ImportStatus::Refused);
    let text = std::fs::read_to_string(dir.join("validator-examples/COMPANY-D1-20250101-101522.json")).unwrap();
    // The first closing bracket whose previous line ends with a comma.
    let lines: Vec<&str> = text.lines().collect();
    let (line_index, line) = lines
        .iter()
        .enumerate()
        .skip(1)
        .find(|(index, line)| {
            let trimmed = line.trim_start();
            (trimmed.starts_with(']') || trimmed.starts_with('}')) && lines[index - 1].trim_end().ends_with(',')
        })
        .map(|(index, line)| (index, *line))
        .unwrap();
    let column = line.find([']', '}']).unwrap() + 1;
    assert!(
        malformed
            .message
            .contains(&format!("ligne {}, colonne {column}", line_index + 1)),
        "{} (expected line {}, column {column})",
        malformed.message,
        line_index + 1
    );

    let events: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM events", [], |row| row.get(0))
        .unwrap();
    assert_eq!(events, 4);
    let refused: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM imports WHERE status = 'refused'", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(refused, 2);
}
