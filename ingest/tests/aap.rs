//! The Démarches Simplifiées export of the AAP applications.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use ingest::{ImportOptions, ImportStatus, InputKind, Store};
use rust_xlsxwriter::Workbook;

const HEADERS: [&str; 22] = [
    "ID",
    "Email",
    "Civilité",
    "Nom",
    "Prénom",
    "Archivé",
    "État du dossier",
    "Dernière mise à jour le",
    "Déposé le",
    "Passé en instruction le",
    "Traité le",
    "Motivation de la décision",
    "Instructeurs",
    "FINESS ET",
    "Score de l'auto-évaluation",
    "Montant de la commande (€)",
    "Date prévisionnelle de l'exercice",
    "Date de dernière mise à jour OPSSIES",
    "Grille d'auto-évaluation",
    "Bon de commande",
    "Facture",
    "Date de paiement",
];

fn export(rows: &[[&str; 22]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Dossiers").unwrap();
    for (column, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    for (index, row) in rows.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(index as u32 + 1, column as u16, *value).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[rustfmt::skip]
const FIRST: [[&str; 22]; 3] = [
    ["101", "rssi@ch-a.fr", "Mme", "Durand", "Anne", "Non", "en_instruction", "02/02/2023 09:00", "15/01/2023 10:30", "20/01/2023 08:00", "", "", "ars@ars.fr",
     "750100125", "112", "4 000 €", "15/05/2023", "10/12/2022", "grille.pdf", "bon.pdf", "", ""],
    ["102", "dsi@clinique-b.fr", "M.", "Martin", "Paul", "Non", "Accepté", "03/03/2023 09:00", "16/01/2023 11:00", "", "01/03/2023 09:00", "Dossier complet", "",
     "10000024", "60", "3500,50", "01/06/2023", "01/10/2022", "grille.xlsx", "", "", ""],
    ["103", "x@y.fr", "", "", "", "", "perdu", "", "", "", "", "", "", "930100037", "", "", "", "", "", "", "", ""],
];

#[test]
fn applications_are_read_and_a_later_export_is_current() {
    let mut store = Store::open_in_memory().unwrap();
    let outcome = store
        .import_bytes("dossiers-aap-2023.xlsx", &export(&FIRST), &ImportOptions::default())
        .unwrap();
    assert_eq!(outcome.status, ImportStatus::Stored, "{}", outcome.message);
    assert_eq!(outcome.kind, Some(InputKind::Applications));
    assert_eq!((outcome.rows_read, outcome.rows_stored, outcome.rejected), (3, 2, 1));
    let reject = &store.rejects(outcome.import_id).unwrap()[0];
    assert_eq!(
        (
            reject.row_number,
            reject.column_name.as_deref(),
            reject.value.as_deref()
        ),
        (Some(4), Some("G (État du dossier)"), Some("perdu"))
    );

    let query = |store: &Store, sql: &str| -> Vec<String> {
        let mut statement = store.connection().prepare(sql).unwrap();
        statement
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        query(
            &store,
            "SELECT application_id || ' ' || state || ' ' || finess_et || ' ' || self_assessment_score || ' ' || order_amount
                    || ' ' || strftime(deposited_at, '%Y-%m-%d %H:%M') || ' ' || declared_opssies_update_on || ' ' || coalesce(order_attachment, '-')
             FROM current_applications ORDER BY application_id"
        ),
        [
            "101 en_instruction 750100125 112 4000.0 2023-01-15 10:30 2022-12-10 bon.pdf",
            "102 accepte 010000024 60 3500.5 2023-01-16 11:00 2022-10-01 -",
        ]
    );

    // A later export: 101 accepted, invoice attached and paid.
    let mut later = FIRST;
    later[0][6] = "Accepté";
    later[0][20] = "facture.pdf";
    later[0][21] = "30/06/2023";
    store
        .import_bytes(
            "dossiers-aap-2023-juillet.xlsx",
            &export(&later[..2]),
            &ImportOptions::default(),
        )
        .unwrap();
    assert_eq!(
        query(
            &store,
            "SELECT application_id || ' ' || state || ' ' || coalesce(paid_on::VARCHAR, '-') FROM current_applications ORDER BY 1"
        ),
        ["101 accepte 2023-06-30", "102 accepte -"]
    );
    assert_eq!(
        query(&store, "SELECT count(*)::VARCHAR FROM applications"),
        ["4"],
        "both exports are kept"
    );
}
