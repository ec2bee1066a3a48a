//! Incident declarations: French booleans and dates, located rejects. (The CNIL delay is an
//! indicator: analytics/tests/settings_drive.rs.)

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use ingest::{ImportOptions, ImportStatus, InputKind, Store};

#[test]
fn incidents_are_stored_with_their_french_booleans_and_dates() {
    let file = "\u{feff}date_declaration;finess_et;type;impact_patient;declare_anssi;notifie_cnil;date_notification_cnil;chiffrement;fuite_donnees\r\n\
        15/03/2024 10:00;750100125;rançongiciel;Oui;O;Oui;18/03/2024 10:00;X;Vrai\r\n\
        15/03/2024 10:00;930100037;fuite;Non;N;oui;18/03/2024 10:01;;1\r\n\
        2024-04-01T08:00:00+02:00;750712184;hameçonnage;non;non;non;;faux;oui\r\n\
        hier;750100125;autre;non;non;non;;non;non\r\n\
        16/03/2024;750100125;autre;peut-être;non;non;;non;non\r\n";
    let mut store = Store::open_in_memory().unwrap();
    let outcome = store
        .import_bytes("incidents-2024.csv", file.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(outcome.status, ImportStatus::Stored, "{}", outcome.message);
    assert_eq!(outcome.kind, Some(InputKind::Incidents));
    assert_eq!((outcome.rows_read, outcome.rows_stored, outcome.rejected), (5, 3, 2));

    let mut statement = store
        .connection()
        .prepare(
            "SELECT finess_et || ' ' || strftime(declared_at, '%Y-%m-%d %H:%M') || ' leak=' || data_leak
                    || ' cnil=' || cnil_notified || ' ' || coalesce(strftime(cnil_notified_at, '%Y-%m-%d %H:%M'), '-')
                    || ' patient=' || patient_impact || ' encryption=' || coalesce(encryption::VARCHAR, '?')
             FROM incidents ORDER BY declared_at, finess_et",
        )
        .unwrap();
    let rows: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        [
            // « X » is a yes, « Vrai » and « 1 » too; an empty cell is unknown.
            "750100125 2024-03-15 10:00 leak=true cnil=true 2024-03-18 10:00 patient=true encryption=true",
            "930100037 2024-03-15 10:00 leak=true cnil=true 2024-03-18 10:01 patient=false encryption=?",
            // 08:00 at UTC+02:00 is 08:00 in Paris (summer time).
            "750712184 2024-04-01 08:00 leak=true cnil=false - patient=false encryption=false",
        ]
    );
    let rejects = store.rejects(outcome.import_id).unwrap();
    let located: Vec<(Option<i64>, Option<String>, Option<String>)> = rejects
        .into_iter()
        .map(|reject| (reject.row_number, reject.column_name, reject.value))
        .collect();
    assert_eq!(
        located,
        [
            (
                Some(5),
                Some("A (date_declaration)".to_owned()),
                Some("hier".to_owned())
            ),
            (
                Some(6),
                Some("D (impact_patient)".to_owned()),
                Some("peut-être".to_owned())
            ),
        ]
    );
}
