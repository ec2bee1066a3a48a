//! The exercise follow-up workbook, and one exercise reported by two sources.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use ingest::{ImportOptions, ImportStatus, InputKind, Store};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::json;

fn workbook() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let day = |y, m, d| ExcelDateTime::from_ymd(y, m, d).unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Exercices").unwrap();
    let headers = [
        "FINESS ET",
        "Date prévue",
        "Date de réalisation",
        "Kit",
        "Scénario",
        "Prestataire",
        "Financé AAP",
        "Direction présente",
        "Observateurs",
        "Date du RETEX",
        "Annulé",
    ];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    // Row 2: done 2024-03-10, also reported by OPSSIES on 2024-03-15 (5 days later).
    sheet.write_string(1, 0, "750100125").unwrap();
    sheet.write_datetime_with_format(1, 2, day(2024, 3, 10), &date).unwrap();
    sheet.write_string(1, 3, "Kit intermédiaire").unwrap();
    sheet.write_string(1, 6, "Oui").unwrap();
    sheet.write_string(1, 7, "X").unwrap();
    sheet.write_number(1, 8, 3).unwrap();
    sheet.write_string(1, 9, "02/04/2024").unwrap();
    // Row 3: done 2024-06-01; the OPSSIES report of 2024-06-11 is 10 days away: two exercises.
    sheet.write_string(2, 0, "930100037").unwrap();
    sheet.write_string(2, 2, "01/06/2024").unwrap();
    sheet.write_string(2, 3, "débutant").unwrap();
    sheet.write_string(2, 7, "Non").unwrap();
    // Row 4: planned then cancelled.
    sheet.write_string(3, 0, "750712184").unwrap();
    sheet.write_datetime_with_format(3, 1, day(2024, 9, 1), &date).unwrap();
    sheet.write_string(3, 10, "Oui").unwrap();

    let actions = workbook.add_worksheet();
    actions.set_name("Actions").unwrap();
    for (column, header) in [
        "FINESS ET",
        "Date de l'exercice",
        "Action",
        "Responsable",
        "Échéance",
        "Statut",
        "Date de clôture",
    ]
    .iter()
    .enumerate()
    {
        actions.write_string(0, column as u16, *header).unwrap();
    }
    actions.write_string(1, 0, "750100125").unwrap();
    actions.write_string(1, 2, "Isoler les sauvegardes").unwrap();
    actions.write_string(1, 3, "DSI").unwrap();
    actions
        .write_datetime_with_format(1, 4, day(2024, 6, 30), &date)
        .unwrap();
    actions.write_string(1, 5, "En cours").unwrap();
    actions.write_string(2, 0, "750100125").unwrap();
    actions.write_string(2, 2, "Préparer les éléments de langage").unwrap();
    actions.write_string(2, 4, "30/09/2024").unwrap();
    actions.write_string(2, 5, "à faire").unwrap();
    actions.write_string(3, 0, "750100125").unwrap();
    actions.write_string(3, 2, "Annuaire de crise").unwrap();
    actions.write_string(3, 3, "Direction").unwrap();
    actions.write_string(3, 4, "fin septembre").unwrap();
    workbook.save_to_buffer().unwrap()
}

fn exercise_event(finess: &str, completed: &str) -> serde_json::Value {
    json!({
        "stakeholders": [{"stakeholderId": [{"stakeholderIdType": 2, "__text": finess}], "stakeholderRoleType": 4}],
        "dates": [{"dateType": 7, "__text": completed}],
        "tlp": "amber",
        "eventType": 43
    })
}

#[test]
fn the_workbook_is_read_with_its_actions_beside_opssies_exercises() {
    let mut store = Store::open_in_memory().unwrap();
    let outcome = store
        .import_bytes("suivi-exercices.xlsx", &workbook(), &ImportOptions::default())
        .unwrap();
    assert_eq!(outcome.status, ImportStatus::Stored, "{}", outcome.message);
    assert_eq!(outcome.kind, Some(InputKind::Exercises));
    // 3 exercises and 2 actions stored; the action with « fin septembre » as deadline is rejected.
    assert_eq!((outcome.rows_read, outcome.rows_stored, outcome.rejected), (6, 5, 1));
    let reject = &store.rejects(outcome.import_id).unwrap()[0];
    assert_eq!(
        (
            reject.sheet.as_deref(),
            reject.row_number,
            reject.column_name.as_deref(),
            reject.value.as_deref()
        ),
        (Some("Actions"), Some(4), Some("E (Échéance)"), Some("fin septembre"))
    );
    assert!(
        outcome
            .diagnostics
            .warnings
            .iter()
            .any(|warning| warning.message.contains("pas de responsable"))
    );

    let events = json!({"events": {"event": [
        exercise_event("750100125", "20240315-100000"),
        exercise_event("930100037", "20240611-100000"),
        exercise_event("750100018", "20240201-100000"),
    ]}});
    store
        .import_bytes(
            "osis-exercices.json",
            &serde_json::to_vec(&events).unwrap(),
            &ImportOptions::default(),
        )
        .unwrap();

    let query = |sql: &str| -> Vec<String> {
        let mut statement = store.connection().prepare(sql).unwrap();
        statement
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        query(
            "SELECT finess_et || ' ' || completed_on || ' ' || coalesce(kit, '-') || ' ' || coalesce(direction_present::VARCHAR, '-')
             FROM exercises WHERE NOT cancelled ORDER BY finess_et, completed_on"
        ),
        // The workbook's rows as written; merging them with OPSSIES events is an indicator
        // rule (analytics/sql/exercises.sql, tested in analytics/tests/as_of.rs).
        [
            "750100125 2024-03-10 intermédiaire true",
            "930100037 2024-06-01 débutant false",
        ]
    );
    assert_eq!(
        query(
            "SELECT action || ' ' || missing_owner || ' ' || missing_deadline || ' ' || coalesce(status, '-') FROM action_checks ORDER BY source_row"
        ),
        [
            "Isoler les sauvegardes false false en cours",
            "Préparer les éléments de langage true false à faire"
        ]
    );
}
