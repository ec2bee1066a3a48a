//! oSIS questionnaire exports, wide XLSX and long CSV, on files the tests write.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use ingest::catalogue::Catalogues;
use ingest::{ImportOptions, ImportOutcome, ImportStatus, InputKind, Store};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const HEADERS: [&str; 11] = [
    "FINESS ET",
    "Raison sociale",
    "Campagne",
    "Statut",
    "Date de dernière mise à jour",
    "GOUV-01 - Un RSSI ou un référent SSI est-il désigné ?",
    "GOUV-02 - La politique de sécurité est-elle signée ?",
    "SENSI-01 - Part du personnel sensibilisé (%)",
    "SAUV-02 - Date du dernier test de restauration",
    "GOUV-05 - Budget sécurité (%)",
    "ZZZ-99 - Question hors catalogue",
];

/// The messy wide export described in the test below.
fn messy_wide_export() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let merged = Format::new();
    let draft = workbook.add_worksheet();
    draft.set_name("Brouillon").unwrap();
    draft.write_string(0, 0, "FINESS ET").unwrap();
    draft.write_string(0, 2, "Campagne").unwrap();
    draft.write_string(0, 4, "Date de dernière mise à jour").unwrap();
    draft.write_string(1, 0, "999999999").unwrap();
    draft.set_hidden(true);

    let sheet = workbook.add_worksheet();
    // The first sheet cannot be hidden while active.
    sheet.set_name("Export ARS").unwrap().set_active(true);
    sheet
        .merge_range(0, 0, 0, 10, "Export oSIS — campagne 2024", &merged)
        .unwrap();
    sheet.write_string(1, 0, "Généré le 15/07/2024").unwrap();
    // Two-level header: groups on Excel row 3, Statut merged over rows 3 and 4.
    sheet.merge_range(2, 0, 2, 2, "Identification", &merged).unwrap();
    sheet.merge_range(2, 3, 3, 3, "Statut", &merged).unwrap();
    sheet.merge_range(2, 5, 2, 10, "Questions", &merged).unwrap();
    for (column, header) in HEADERS.iter().enumerate() {
        if column != 3 {
            sheet.write_string(3, column as u16, *header).unwrap();
        }
    }
    // Excel row 5: text FINESS, date cells.
    sheet.write_string(4, 0, "750100125").unwrap();
    sheet.write_string(4, 1, "HÔPITAL A").unwrap();
    sheet.write_number(4, 2, 2024).unwrap();
    sheet.write_string(4, 3, "Validé").unwrap();
    sheet
        .write_datetime_with_format(4, 4, ExcelDateTime::from_ymd(2024, 6, 30).unwrap(), &date)
        .unwrap();
    sheet.write_string(4, 5, "Oui").unwrap();
    sheet.write_string(4, 6, "Partiel").unwrap();
    sheet.write_string(4, 7, "45 %").unwrap();
    sheet
        .write_datetime_with_format(4, 8, ExcelDateTime::from_ymd(2024, 1, 10).unwrap(), &date)
        .unwrap();
    sheet.write_string(4, 9, "4,5").unwrap();
    sheet.write_string(4, 10, "n'importe quoi").unwrap();
    // Excel row 6 blank. Excel row 7: FINESS typed as a number, text date, Excel serial.
    sheet.write_number(6, 0, 10000024).unwrap();
    sheet.write_string(6, 1, "CLINIQUE B").unwrap();
    sheet.write_string(6, 2, "2024").unwrap();
    sheet.write_string(6, 3, "en cours").unwrap();
    sheet.write_string(6, 4, "15/05/2024").unwrap();
    sheet.write_string(6, 5, "X").unwrap();
    sheet.write_string(6, 6, "non").unwrap();
    sheet.write_number(6, 7, 0.8).unwrap();
    sheet.write_number(6, 8, 45000).unwrap();
    sheet.write_string(6, 9, "12 %").unwrap();
    // Excel row 8: three answers that do not fit their type.
    sheet.write_string(7, 0, "930100037").unwrap();
    sheet.write_string(7, 1, "EHPAD C").unwrap();
    sheet.write_number(7, 2, 2024).unwrap();
    sheet.write_string(7, 3, "Non commencé").unwrap();
    sheet.write_string(7, 4, "2024-02-01").unwrap();
    sheet.write_string(7, 5, "Vrai").unwrap();
    sheet.write_string(7, 6, "peut-être").unwrap();
    sheet.write_string(7, 7, "150 %").unwrap();
    sheet.write_string(7, 8, "bientôt").unwrap();
    // Excel row 9: not a FINESS. Excel row 10: a campaign without catalogue.
    sheet.write_string(8, 0, "12345").unwrap();
    sheet.write_number(8, 2, 2024).unwrap();
    sheet.write_string(8, 4, "01/02/2024").unwrap();
    sheet.write_string(9, 0, "750712184").unwrap();
    sheet.write_number(9, 2, 2031).unwrap();
    sheet.write_string(9, 4, "01/02/2031").unwrap();
    // Excel row 11: a total row.
    sheet.write_string(10, 0, "Total").unwrap();
    sheet.write_number(10, 2, 3).unwrap();
    workbook.save_to_buffer().unwrap()
}

fn import(store: &mut Store, name: &str, bytes: &[u8]) -> ImportOutcome {
    store.import_bytes(name, bytes, &ImportOptions::default()).unwrap()
}

fn query_strings(store: &Store, sql: &str) -> Vec<String> {
    let mut statement = store.connection().prepare(sql).unwrap();
    statement
        .query_map([], |row| row.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_messy_wide_export_is_read_with_every_reject_located() {
    let mut store = Store::open_in_memory().unwrap();
    let outcome = import(&mut store, "export-osis-2024.xlsx", &messy_wide_export());
    assert_eq!(outcome.status, ImportStatus::Stored, "{}", outcome.message);
    assert_eq!(outcome.kind, Some(InputKind::OsisExport));
    // Five data rows (blank and total rows left out), three declarations kept.
    assert_eq!((outcome.rows_read, outcome.rows_stored), (5, 3));

    let declarations = query_strings(
        &store,
        "SELECT finess_et || '|' || coalesce(name, '') || '|' || campaign || '|' || status || '|' || updated_on
         FROM declarations ORDER BY finess_et",
    );
    assert_eq!(
        declarations,
        [
            "010000024|CLINIQUE B|2024|En cours|2024-05-15",
            "750100125|HÔPITAL A|2024|Validé|2024-06-30",
            "930100037|EHPAD C|2024|Non commencé|2024-02-01",
        ]
    );
    // Points worked out from the catalogue rules (see data/catalogue/v1.csv):
    // SENSI-01 <1:0|<50:5|*:10; SAUV-02 age <=365:10|<=730:5; GOUV-05 <=0:0|<5:5|*:10.
    // SAUV-02: 2024-01-10 → 2024-06-30 is 172 days; 2023-03-15 (serial 45000) → 2024-05-15 is 427 days.
    let answers = query_strings(
        &store,
        "SELECT finess_et || ' ' || question_code || ' ' || normalised_value || ' ' || coalesce(points::VARCHAR, '-')
         FROM answers ORDER BY finess_et, question_code",
    );
    assert_eq!(
        answers,
        [
            "010000024 GOUV-01 oui 10.0",
            "010000024 GOUV-02 non 0.0",
            "010000024 GOUV-05 12 10.0",
            "010000024 SAUV-02 2023-03-15 5.0",
            "010000024 SENSI-01 80 10.0",
            "750100125 GOUV-01 oui 10.0",
            "750100125 GOUV-02 partiel 5.0",
            "750100125 GOUV-05 4.5 5.0",
            "750100125 SAUV-02 2024-01-10 10.0",
            "750100125 SENSI-01 45 5.0",
            "930100037 GOUV-01 oui 10.0",
        ]
    );

    type Located = (Option<String>, Option<i64>, Option<String>, Option<String>, String);
    let rejects: Vec<Located> = store
        .rejects(outcome.import_id)
        .unwrap()
        .into_iter()
        .map(|reject| {
            (
                reject.sheet,
                reject.row_number,
                reject.column_name,
                reject.value,
                reject.text,
            )
        })
        .collect();
    let sheet = Some("Export ARS".to_owned());
    let expected = [
        (
            8,
            "G (GOUV-02 - La politique de sécurité est-elle signée ?)",
            "peut-être",
            "Oui, Partiel ou Non",
        ),
        (
            8,
            "H (SENSI-01 - Part du personnel sensibilisé (%))",
            "150 %",
            "pourcentage",
        ),
        (
            8,
            "I (SAUV-02 - Date du dernier test de restauration)",
            "bientôt",
            "date attendue",
        ),
        (9, "A (FINESS ET)", "12345", "n'est pas un numéro FINESS"),
        (10, "C (Campagne)", "2031", "sans catalogue"),
    ];
    assert_eq!(rejects.len(), expected.len(), "{rejects:#?}");
    for (reject, (row, column, value, reason)) in rejects.iter().zip(expected) {
        assert_eq!(reject.0, sheet);
        assert_eq!(reject.1, Some(row));
        assert_eq!(reject.2.as_deref(), Some(column));
        assert_eq!(reject.3.as_deref(), Some(value));
        assert!(reject.4.contains(reason), "{} does not say {reason}", reject.4);
    }

    let warnings = &outcome.diagnostics.warnings;
    let said = |fragment: &str| warnings.iter().any(|warning| warning.message.contains(fragment));
    assert!(said("feuille masquée"), "{warnings:#?}");
    assert!(said("complété à 9 chiffres en 010000024"));
    assert!(said("question ZZZ-99 absente du catalogue v1"));
    assert!(said("ligne de total"));
    let questions: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM questions", [], |row| row.get(0))
        .unwrap();
    assert_eq!(
        questions, 35,
        "the catalogue version used is recorded with its questions"
    );
}

#[test]
fn a_long_csv_in_windows_1252_with_a_line_break_in_a_field() {
    let text = "finess_et;campagne;code_question;reponse;date_maj;statut\r\n\
                750100125;2024;GOUV-01;Oui;30/06/2024;Validé\r\n\
                750100125;2024;CONT-04;\"Kit\r\nintermédiaire\";30/06/2024;Validé\r\n\
                750100125;2024;GOUV-02;Non;01/07/2024;Validé\r\n\
                750100125;2024;DET-03;douze;01/07/2024;Validé\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(std::str::from_utf8(&bytes).is_err());
    let mut store = Store::open_in_memory().unwrap();
    let outcome = import(&mut store, "reponses.csv", &bytes);
    assert_eq!(outcome.status, ImportStatus::Stored, "{}", outcome.message);
    assert_eq!(outcome.kind, Some(InputKind::OsisExport));
    assert!(
        outcome
            .diagnostics
            .warnings
            .iter()
            .any(|warning| warning.message.contains("Windows-1252"))
    );
    assert_eq!(
        query_strings(&store, "SELECT status || ' ' || updated_on FROM current_declarations"),
        ["Validé 2024-07-01"],
        "the declaration's date is its latest answer's"
    );
    assert_eq!(
        query_strings(
            &store,
            "SELECT question_code || '=' || normalised_value FROM answers ORDER BY 1"
        ),
        ["CONT-04=Kit\r\nintermédiaire", "GOUV-01=oui", "GOUV-02=non"]
    );
    let rejects = store.rejects(outcome.import_id).unwrap();
    assert_eq!(rejects.len(), 1);
    // Line 1 header, 2 GOUV-01, 3–4 the quoted break, 5 GOUV-02, 6 DET-03.
    assert_eq!(rejects[0].row_number, Some(6));
    assert_eq!(rejects[0].column_name.as_deref(), Some("D (reponse)"));
    assert_eq!(rejects[0].value.as_deref(), Some("douze"));
}

#[test]
fn a_new_catalogue_version_needs_no_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("campaigns.csv"), "campagne;version\n2025;v2\n").unwrap();
    std::fs::write(
        dir.path().join("v2.csv"),
        "code;domaine;libelle;type;points;poids;attente\n\
         GOUV-01;GOUV;Un RSSI est-il désigné ?;oui_non;oui=10|non=0;1;\n\
         NEW-01;NOUV;L'établissement a-t-il un plan de sobriété numérique ?;oui_partiel_non;oui=4|partiel=2|non=0;2;\n",
    )
    .unwrap();
    let options = ImportOptions {
        catalogues: Arc::new(Catalogues::load_dir(dir.path()).unwrap()),
        ..ImportOptions::default()
    };
    let export = "FINESS ET;Campagne;Date de dernière mise à jour;GOUV-01 - RSSI;NEW-01 - Sobriété\n\
                  750100125;2025;10/01/2025;oui;partiellement\n";
    let mut store = Store::open_in_memory().unwrap();
    let outcome = store
        .import_bytes("osis-2025.csv", export.as_bytes(), &options)
        .unwrap();
    assert_eq!(outcome.status, ImportStatus::Stored, "{}", outcome.message);
    assert_eq!(
        query_strings(
            &store,
            "SELECT question_code || ' ' || domain || ' ' || points || '/' || max_points || ' x' || weight FROM answers ORDER BY 1"
        ),
        ["GOUV-01 GOUV 10.0/10.0 x1.0", "NEW-01 NOUV 2.0/4.0 x2.0"]
    );
    assert_eq!(
        query_strings(&store, "SELECT catalogue_version FROM declarations"),
        ["v2"]
    );
    assert_eq!(
        query_strings(&store, "SELECT label FROM questions WHERE code = 'NEW-01'"),
        ["L'établissement a-t-il un plan de sobriété numérique ?"]
    );
}

#[test]
fn a_newer_export_supersedes_the_older_which_stays_in_history() {
    let mut store = Store::open_in_memory().unwrap();
    let march = "FINESS ET;Campagne;Statut;Date de dernière mise à jour;GOUV-01 - RSSI\n750100125;2024;En cours;01/03/2024;Non\n";
    let june =
        "FINESS ET;Campagne;Statut;Date de dernière mise à jour;GOUV-01 - RSSI\n750100125;2024;Validé;30/06/2024;Oui\n";
    import(&mut store, "mars.csv", march.as_bytes());
    import(&mut store, "juin.csv", june.as_bytes());
    assert_eq!(
        query_strings(&store, "SELECT status FROM current_declarations"),
        ["Validé"]
    );
    assert_eq!(
        query_strings(&store, "SELECT normalised_value FROM current_answers"),
        ["oui"]
    );
    assert_eq!(
        query_strings(&store, "SELECT status FROM declarations ORDER BY updated_on"),
        ["En cours", "Validé"]
    );
}

#[test]
fn files_that_cannot_be_read_are_refused_whole() {
    let mut store = Store::open_in_memory().unwrap();
    let good = messy_wide_export();

    let truncated = import(&mut store, "tronque.xlsx", &good[..good.len() / 2]);
    assert_eq!(truncated.status, ImportStatus::Refused);
    assert!(truncated.message.contains("illisible"), "{}", truncated.message);

    let pdf = import(&mut store, "export.xlsx", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n");
    assert_eq!(pdf.status, ImportStatus::Refused);
    assert!(pdf.message.contains("ni un classeur Excel"), "{}", pdf.message);

    let options = ImportOptions {
        kind: Some(InputKind::OsisExport),
        ..ImportOptions::default()
    };
    let missing = store
        .import_bytes(
            "sans-date.csv",
            "FINESS ET;Campagne;GOUV-01 - RSSI\n750100125;2024;Oui\n".as_bytes(),
            &options,
        )
        .unwrap();
    assert_eq!(missing.status, ImportStatus::Refused);
    assert!(
        missing.message.contains("Date de dernière mise à jour"),
        "{}",
        missing.message
    );

    let stored: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM declarations", [], |row| row.get(0))
        .unwrap();
    assert_eq!(stored, 0);
}

/// Peak resident memory of this test process, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() / 1024.0
}

#[test]
fn a_zip_bomb_is_refused_fast_and_small() {
    use std::io::Write;
    // A sheet that unpacks to 512 MiB of zeros (about 0.5 MiB packed), inside a real XLSX.
    let mut bytes = messy_wide_export();
    {
        let mut archive = zip::ZipWriter::new_append(std::io::Cursor::new(&mut bytes)).unwrap();
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        archive.start_file("xl/worksheets/sheet9.xml", options).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..512 {
            archive.write_all(&zeros).unwrap();
        }
        archive.finish().unwrap();
    }
    assert!(bytes.len() < 4 << 20, "the bomb itself is small: {} bytes", bytes.len());
    let mut store = Store::open_in_memory().unwrap();
    let started = std::time::Instant::now();
    let outcome = import(&mut store, "bombe.xlsx", &bytes);
    let elapsed = started.elapsed();
    assert_eq!(outcome.status, ImportStatus::Refused);
    assert!(outcome.message.contains("décompresse"), "{}", outcome.message);
    assert!(elapsed < std::time::Duration::from_secs(5), "refused in {elapsed:?}");
    let peak = peak_rss_mib();
    assert!(peak < 200.0, "peak resident memory {peak:.0} MiB");
}

#[test]
fn the_same_messy_export_as_csv_gives_the_same_declarations() {
    // Title rows, a two-level header (Statut on the first header row only), a blank row, a
    // Total row, `;` separators, CRLF, Windows-1252, a FINESS that lost its zero, French numbers.
    let text = "Export oSIS — campagne 2024;;;;;;;;;\r\n\
                ;;;;;;;;;\r\n\
                Identification;;;Statut;;Questions;;;;\r\n\
                FINESS ET;Raison sociale;Campagne;;Date de dernière mise à jour;GOUV-01 - RSSI;GOUV-02 - Politique;SENSI-01 - Sensibilisés (%);SAUV-02 - Restauration;GOUV-05 - Budget (%)\r\n\
                750100125;HÔPITAL A;2024;Validé;30/06/2024;Oui;Partiel;45 %;10/01/2024;4,5\r\n\
                ;;;;;;;;;\r\n\
                10000024;\"CLINIQUE\r\nB\";2024;en cours;15/05/2024;X;non;80;15/03/2023;12 %\r\n\
                Total;;2;;;;;;;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let mut store = Store::open_in_memory().unwrap();
    let outcome = import(&mut store, "export-osis-2024.csv", &bytes);
    assert_eq!(outcome.status, ImportStatus::Stored, "{}", outcome.message);
    assert_eq!((outcome.rows_read, outcome.rows_stored, outcome.rejected), (2, 2, 0));
    assert_eq!(
        query_strings(
            &store,
            "SELECT finess_et || '|' || name || '|' || status || '|' || updated_on FROM declarations ORDER BY 1"
        ),
        [
            "010000024|CLINIQUE\r\nB|En cours|2024-05-15",
            "750100125|HÔPITAL A|Validé|2024-06-30"
        ]
    );
    // Same rules and answers as the XLSX test, so the same points.
    assert_eq!(
        query_strings(
            &store,
            "SELECT finess_et || ' ' || question_code || ' ' || normalised_value || ' ' || points FROM answers ORDER BY 1"
        ),
        [
            "010000024 GOUV-01 oui 10.0",
            "010000024 GOUV-02 non 0.0",
            "010000024 GOUV-05 12 10.0",
            "010000024 SAUV-02 2023-03-15 5.0",
            "010000024 SENSI-01 80 10.0",
            "750100125 GOUV-01 oui 10.0",
            "750100125 GOUV-02 partiel 5.0",
            "750100125 GOUV-05 4.5 5.0",
            "750100125 SAUV-02 2024-01-10 10.0",
            "750100125 SENSI-01 45 5.0",
        ]
    );
    let said = |fragment: &str| {
        outcome
            .diagnostics
            .warnings
            .iter()
            .any(|warning| warning.message.contains(fragment))
    };
    assert!(said("Windows-1252") && said("ligne de total") && said("complété à 9 chiffres"));
}

#[test]
fn a_store_of_schema_13_keeps_every_answer_when_the_answers_leave_their_question_s_properties() {
    // Before v14 each answer carried its domain, maximum and weight; from v14 they are read
    // from `questions`. A store written by v13 is migrated without losing an answer, nor the
    // properties of a question its catalogue version lacked in `questions`.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v13.duckdb");
    {
        let store = Store::open_at(&path, 13).unwrap();
        store
            .connection()
            .execute_batch(
                "INSERT INTO declarations (import_id, finess_et, campaign, catalogue_version, updated_on, source_row)
                 VALUES (1, '750100125', 2025, 'v2', DATE '2025-01-10', 2);
                 INSERT INTO questions VALUES ('v2', 'GOUV-01', 'GOUV', 'Un RSSI ?', 'oui_non', 10, 1, NULL);
                 INSERT INTO answers VALUES
                     (1, '750100125', 2025, 'GOUV-01', 'GOUV', 'Oui', 'oui', 10, 10, 1),
                     (1, '750100125', 2025, 'NEW-01', 'NOUV', 'Partiel', 'partiel', 2, 4, 2);",
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 14);
    assert_eq!(
        query_strings(
            &store,
            "SELECT question_code || ' ' || domain || ' ' || raw_answer || ' ' || points || '/' || max_points || ' x' || weight FROM answers ORDER BY 1"
        ),
        ["GOUV-01 GOUV Oui 10.0/10.0 x1.0", "NEW-01 NOUV Partiel 2.0/4.0 x2.0"]
    );
    assert_eq!(
        query_strings(&store, "SELECT normalised_value FROM current_answers ORDER BY 1"),
        ["oui", "partiel"]
    );
}
