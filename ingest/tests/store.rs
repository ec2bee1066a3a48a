//! The store: migrations, one transaction per file, idempotency, in-place updates.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use ingest::store::LATEST_VERSION;
use ingest::{ImportOptions, ImportStatus, InputKind, Store, StoreError};
use serde_json::json;

/// A `structureet` line with 32 fields.
fn site_line(finess_et: &str, finess_ej: &str, name: &str, departement: &str, category: &str) -> String {
    let mut fields = vec![""; 32];
    fields[0] = "structureet";
    fields[1] = finess_et;
    fields[2] = finess_ej;
    fields[3] = name;
    fields[4] = name;
    fields[13] = departement;
    fields[14] = "DEPARTEMENT";
    fields[15] = "75013 PARIS";
    fields[18] = category;
    fields[26] = "1";
    fields[28] = "1979-02-13";
    fields.join(";")
}

fn extract(date: &str, lines: &[String]) -> Vec<u8> {
    format!("finess;etalab;{};{date}\n{}\n", lines.len(), lines.join("\n")).into_bytes()
}

fn count(store: &Store, sql: &str) -> i64 {
    store.connection().query_row(sql, [], |row| row.get(0)).unwrap()
}

fn name_of(store: &Store, finess: &str) -> String {
    store
        .connection()
        .query_row(
            "SELECT long_name FROM establishments WHERE finess_et = ?",
            [finess],
            |row| row.get(0),
        )
        .unwrap()
}

fn options() -> ImportOptions {
    ImportOptions {
        user: Some("analyste".to_owned()),
        ..ImportOptions::default()
    }
}

#[test]
fn a_new_store_is_at_the_latest_schema_and_a_newer_store_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("store.duckdb");
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
        store
            .connection()
            .execute(
                "INSERT INTO schema_version (version, program) VALUES (?, 'futur')",
                [LATEST_VERSION + 1],
            )
            .unwrap();
    }
    match Store::open(&path) {
        Err(error @ StoreError::NewerSchema { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains(&format!("v{}", LATEST_VERSION + 1)) && message.contains("mettez opssies à jour"),
                "{message}"
            );
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a store from a newer version must be refused"),
    }
}

#[test]
fn reopening_a_store_keeps_its_data() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("store.duckdb");
    {
        let mut store = Store::open(&path).unwrap();
        let file = extract(
            "2024-07-05",
            &[site_line("750100125", "750712184", "HOPITAL A", "75", "355")],
        );
        store.import_bytes("a.csv", &file, &options()).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM establishments"), 1);
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
}

#[test]
fn an_extract_is_stored_with_its_provenance_rejects_and_warnings() {
    let mut store = Store::open_in_memory().unwrap();
    let file = extract(
        "2024-07-05",
        &[
            site_line("750100125", "750712184", "HOPITAL A", "75", "355"),
            site_line("75010012X", "750712184", "MAUVAIS", "75", "355"),
            site_line("750100126", "750712184", "CLE FAUSSE", "75", "355"),
        ],
    );
    let outcome = store.import_bytes("etalab.csv", &file, &options()).unwrap();
    assert_eq!(outcome.status, ImportStatus::Stored);
    assert_eq!(outcome.kind, Some(InputKind::FinessEtalab));
    assert_eq!((outcome.rows_read, outcome.rows_stored, outcome.rejected), (3, 2, 1));
    assert_eq!(outcome.warnings, 1, "the bad Luhn key of 750100126");

    let import_id = outcome.import_id.unwrap();
    let (status, kind, sha, user, read, stored, rejected, warnings): (String, String, String, String, i64, i64, i64, i64) = store
        .connection()
        .query_row(
            "SELECT status, kind, sha256, user_name, rows_read, rows_stored, rows_rejected, warning_count FROM imports WHERE import_id = ?",
            [import_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), kind.as_str(), user.as_str()),
        ("stored", "finess", "analyste")
    );
    assert_eq!(sha, outcome.sha256);
    assert_eq!(sha.len(), 64);
    assert_eq!((read, stored, rejected, warnings), (3, 2, 1, 1));

    let rejects = store.rejects(Some(import_id)).unwrap();
    assert_eq!(rejects.len(), 1);
    assert_eq!(
        rejects[0].row_number,
        Some(3),
        "line 1 is the etalab header, the bad line is the second site"
    );
    assert_eq!(rejects[0].value.as_deref(), Some("75010012X"));
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM warnings WHERE value = '750100126' AND row_number = 4"
        ),
        1
    );
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM establishments WHERE import_id = {import_id}")
        ),
        2
    );
}

#[test]
fn the_same_bytes_twice_change_nothing_and_say_so() {
    let mut store = Store::open_in_memory().unwrap();
    let file = extract(
        "2024-07-05",
        &[site_line("750100125", "750712184", "HOPITAL A", "75", "355")],
    );
    let first = store.import_bytes("etalab.csv", &file, &options()).unwrap();
    let tables_before = store.table_counts().unwrap();
    let second = store.import_bytes("copie-etalab.csv", &file, &options()).unwrap();
    assert_eq!(second.status, ImportStatus::Duplicate);
    assert_eq!(second.duplicate_of, first.import_id);
    assert!(second.message.contains("déjà importé"), "{}", second.message);
    assert_eq!(store.table_counts().unwrap(), tables_before);
}

#[test]
fn a_later_extract_updates_in_place_and_an_older_one_does_not() {
    let mut store = Store::open_in_memory().unwrap();
    let july = extract(
        "2024-07-05",
        &[
            site_line("750100125", "750712184", "NOM DE JUILLET", "75", "355"),
            site_line("930100037", "930100037", "AVICENNE", "93", "101"),
        ],
    );
    let november = extract(
        "2024-11-05",
        &[site_line("750100125", "750712184", "NOM DE NOVEMBRE", "75", "355")],
    );
    let march = extract(
        "2024-03-01",
        &[site_line("750100125", "750712184", "NOM DE MARS", "75", "355")],
    );
    store.import_bytes("juillet.csv", &july, &options()).unwrap();
    let update = store.import_bytes("novembre.csv", &november, &options()).unwrap();
    assert_eq!(update.rows_stored, 1);
    assert_eq!(name_of(&store, "750100125"), "NOM DE NOVEMBRE");
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM finess_referential WHERE finess_et = '750100125'"
        ),
        1
    );
    assert_eq!(
        name_of(&store, "930100037"),
        "AVICENNE",
        "absent from the later extract, kept"
    );

    let older = store.import_bytes("mars.csv", &march, &options()).unwrap();
    assert_eq!(older.status, ImportStatus::Stored);
    assert_eq!(older.rows_stored, 0);
    assert!(
        older
            .diagnostics
            .warnings
            .iter()
            .any(|warning| warning.message.contains("plus récent"))
    );
    assert_eq!(name_of(&store, "750100125"), "NOM DE NOVEMBRE");
    assert_eq!(count(&store, "SELECT count(*) FROM establishments"), 2);
}

#[test]
fn a_refused_file_leaves_only_its_import_record() {
    let mut store = Store::open_in_memory().unwrap();
    let outcome = store.import_bytes("notes.txt", b"bonjour\n", &options()).unwrap();
    assert_eq!(outcome.status, ImportStatus::Refused);
    assert!(outcome.message.contains("non reconnu"), "{}", outcome.message);
    assert_eq!(
        count(&store, "SELECT count(*) FROM imports WHERE status = 'refused'"),
        1
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM establishments") + count(&store, "SELECT count(*) FROM events"),
        0
    );
    // A refused file may be sent again (after correction, or by mistake): refused again, not "duplicate".
    let again = store.import_bytes("notes.txt", b"bonjour\n", &options()).unwrap();
    assert_eq!(again.status, ImportStatus::Refused);
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_parsing() {
    let mut store = Store::open_in_memory().unwrap();
    let file = extract(
        "2024-07-05",
        &[site_line("750100125", "750712184", "HOPITAL A", "75", "355")],
    );
    let small_limit = ImportOptions {
        max_file_bytes: 10,
        ..options()
    };
    let outcome = store.import_bytes("etalab.csv", &file, &small_limit).unwrap();
    assert_eq!(outcome.status, ImportStatus::Refused);
    assert!(outcome.message.contains("trop volumineux"), "{}", outcome.message);
    assert_eq!(count(&store, "SELECT count(*) FROM establishments"), 0);
}

fn events_file(events: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({"events": {"event": events}})).unwrap()
}

fn audit(finess_kind: i64, finess: &str, event_type: i64, date: &str) -> serde_json::Value {
    json!({
        "stakeholders": [{"stakeholderId": [{"stakeholderIdType": finess_kind, "__text": finess}], "stakeholderRoleType": 4, "stakeholderType": 1}],
        "dates": [{"dateType": 7, "__text": date}],
        "tlp": "amber",
        "eventType": event_type
    })
}

#[test]
fn the_same_event_in_two_files_is_stored_once_and_both_files_are_known() {
    let mut store = Store::open_in_memory().unwrap();
    let shared = audit(2, "750100125", 28, "20240115-141742");
    let first = events_file(json!([shared.clone(), audit(2, "930100037", 61, "20240201-090000")]));
    let second = events_file(json!([audit(2, "750712184", 27, "20240301-090000"), shared]));
    let one = store
        .import_bytes("cert-sante-janvier.json", &first, &options())
        .unwrap();
    let two = store.import_bytes("cert-sante-mars.json", &second, &options()).unwrap();
    assert_eq!((one.rows_stored, two.rows_stored), (2, 1));
    assert_eq!(count(&store, "SELECT count(*) FROM events"), 3);
    assert_eq!(count(&store, "SELECT count(*) FROM event_sources"), 4);
    let warning = two
        .diagnostics
        .warnings
        .iter()
        .find(|warning| warning.message.contains("déjà enregistré"))
        .unwrap();
    assert_eq!(warning.location.json_path.as_deref(), Some("$.events.event[1]"));
    assert!(warning.message.contains(&format!("n° {}", one.import_id.unwrap())));
}

#[test]
fn ose_list_feeds_establishments_and_a_new_list_replaces_the_old() {
    let mut store = Store::open_in_memory().unwrap();
    let file = extract(
        "2024-07-05",
        &[
            site_line("750100125", "750712184", "HOPITAL A", "75", "355"),
            site_line("930100037", "930100037", "HOPITAL B", "93", "101"),
        ],
    );
    store.import_bytes("etalab.csv", &file, &options()).unwrap();
    let first = b"finess_et;finess_ej;ght;ose\n750100125;750712184;GHT Paris;Oui\n930100037;930100037;GHT 93;Non\n";
    let outcome = store.import_bytes("ose-2023.csv", first, &options()).unwrap();
    assert_eq!((outcome.kind, outcome.rows_stored), (Some(InputKind::OseList), 2));
    assert_eq!(count(&store, "SELECT count(*) FROM establishments WHERE ose"), 1);
    assert_eq!(
        count(&store, "SELECT count(*) FROM establishments WHERE ght = 'GHT 93'"),
        1
    );

    let second = b"FINESS ET;GHT;OSE\n930100037;GHT 93;oui\n";
    store.import_bytes("ose-2024.csv", second, &options()).unwrap();
    let ose: Vec<String> = {
        let mut statement = store
            .connection()
            .prepare("SELECT finess_et FROM establishments WHERE ose ORDER BY 1")
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(ose, vec!["930100037"]);
    assert_eq!(count(&store, "SELECT count(*) FROM ose_ght"), 3, "history is kept");
}

#[test]
fn an_event_about_a_legal_entity_concerns_each_of_its_sites() {
    let mut store = Store::open_in_memory().unwrap();
    let file = extract(
        "2024-07-05",
        &[
            site_line("750100125", "750712184", "SITE 1", "75", "355"),
            site_line("750100018", "750712184", "SITE 2", "75", "355"),
            site_line("930100037", "930100037", "AUTRE", "93", "101"),
        ],
    );
    store.import_bytes("etalab.csv", &file, &options()).unwrap();
    store
        .import_bytes(
            "ej.json",
            &events_file(json!([audit(3, "750712184", 27, "20240115-141742")])),
            &options(),
        )
        .unwrap();
    let sites: Vec<String> = {
        let mut statement = store
            .connection()
            .prepare("SELECT finess_et FROM event_establishments ORDER BY 1")
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(sites, vec!["750100018", "750100125"]);
    assert_eq!(
        count(
            &store,
            "SELECT site_count FROM legal_entities WHERE finess_ej = '750712184'"
        ),
        2
    );
}
