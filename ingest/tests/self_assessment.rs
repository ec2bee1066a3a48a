//! Self-assessment grids: consolidated CSV and per-establishment XLSX, scores at the kit
//! boundaries, incomplete grids.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use ingest::{ImportOptions, ImportStatus, InputKind, Store};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// 23 levels: `twos` questions at level 2 (5 points), `threes` at level 3 (10 points), the
/// rest at level 1 (1 point): score = 23 + 4 × twos + 9 × threes.
fn levels(twos: usize, threes: usize) -> Vec<&'static str> {
    (0..23)
        .map(|index| {
            if index < threes {
                "3"
            } else if index < threes + twos {
                "2"
            } else {
                "1"
            }
        })
        .collect()
}

fn scores(store: &Store) -> Vec<String> {
    let mut statement = store
        .connection()
        .prepare(
            "SELECT finess_et || ' ' || complete || ' ' || answered || ' ' || coalesce(score::VARCHAR, '-') || ' ' || coalesce(recommended_kit, '-')
             FROM self_assessments ORDER BY finess_et",
        )
        .unwrap();
    statement
        .query_map([], |row| row.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_consolidated_csv_scores_each_grid_at_the_kit_boundaries() {
    let header: Vec<String> = (1..=23).map(|number| format!("q{number:02}")).collect();
    let mut text = format!("finess_et;date;{}\n", header.join(";"));
    // 23 + 4×6 + 9×3 = 74; 23 + 4×13 = 75; 23 + 4×7 + 9×11 = 150; 23 + 4×5 + 9×12 = 151.
    for (finess, twos, threes) in [
        ("750100125", 6, 3),
        ("930100037", 13, 0),
        ("750712184", 7, 11),
        ("010000024", 5, 12),
    ] {
        text.push_str(&format!("{finess};15/01/2024;{}\n", levels(twos, threes).join(";")));
    }
    // Names instead of digits, and question 5 left empty.
    let mut incomplete: Vec<&str> = vec!["Débutant"; 23];
    incomplete[1] = "Confirmé";
    incomplete[4] = "";
    text.push_str(&format!("750100018;2024-02-01;{}\n", incomplete.join(";")));

    let mut store = Store::open_in_memory().unwrap();
    let outcome = store
        .import_bytes("grilles.csv", text.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(outcome.status, ImportStatus::Stored, "{}", outcome.message);
    assert_eq!(outcome.kind, Some(InputKind::SelfAssessment));
    assert_eq!(outcome.rows_stored, 5);
    assert_eq!(
        scores(&store),
        [
            "010000024 true 23 151 confirmé",
            "750100018 false 22 - -",
            "750100125 true 23 74 débutant",
            "750712184 true 23 150 intermédiaire",
            "930100037 true 23 75 intermédiaire",
        ]
    );
    let rejects = store.rejects(outcome.import_id).unwrap();
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].row_number, Some(6));
    assert_eq!(rejects[0].column_name.as_deref(), Some("G (q05)"));
    assert!(
        rejects[0].text.contains("question 5 sans réponse"),
        "{}",
        rejects[0].text
    );
    assert!(rejects[0].text.contains("aucun kit"));
}

/// A grid as filled in: identity sheet, then the questionnaire with X marks.
fn filled_grid(double_mark_on: Option<u16>) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let identity = workbook.add_worksheet();
    identity.set_name("Fiche d'identité").unwrap();
    identity
        .write_string(0, 0, "Grille d'auto-évaluation — kits d'exercice de crise cyber")
        .unwrap();
    identity.write_string(2, 0, "N° FINESS :").unwrap();
    identity.write_number(2, 1, 10000024).unwrap();
    identity.write_string(3, 0, "Date :").unwrap();
    identity
        .write_datetime_with_format(
            3,
            1,
            ExcelDateTime::from_ymd(2024, 3, 1).unwrap(),
            &Format::new().set_num_format("dd/mm/yyyy"),
        )
        .unwrap();
    identity.write_string(4, 0, "Contact :").unwrap();
    identity.write_string(4, 1, "Mme Dupont, RSSI").unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Questionnaire").unwrap();
    sheet.write_string(0, 0, "Questionnaire").unwrap();
    for (column, header) in ["N°", "Thème", "Débutant", "Intermédiaire", "Confirmé"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, column as u16, *header).unwrap();
    }
    let mut row = 3;
    for number in 1..=23u16 {
        if number % 8 == 1 {
            sheet.write_string(row, 1, format!("Thème {}", number / 8 + 1)).unwrap();
            row += 1;
        }
        sheet.write_number(row, 0, f64::from(number)).unwrap();
        sheet.write_string(row, 1, "…").unwrap();
        // Questions 1–10 intermediate, 11–23 confirmed: 10 × 5 + 13 × 10 = 180.
        let column = if number <= 10 { 3 } else { 4 };
        sheet.write_string(row, column, "X").unwrap();
        if double_mark_on == Some(number) {
            sheet.write_string(row, 2, "x").unwrap();
        }
        row += 1;
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn a_filled_in_workbook_is_read_and_a_double_mark_makes_it_incomplete() {
    let mut store = Store::open_in_memory().unwrap();
    let good = store
        .import_bytes("grille-clinique.xlsx", &filled_grid(None), &ImportOptions::default())
        .unwrap();
    assert_eq!(good.status, ImportStatus::Stored, "{}", good.message);
    assert_eq!(good.kind, Some(InputKind::SelfAssessment));
    assert_eq!(scores(&store), ["010000024 true 23 180 confirmé"]);
    let (date, contact): (String, String) = store
        .connection()
        .query_row(
            "SELECT assessed_on::VARCHAR, contact FROM self_assessments",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((date.as_str(), contact.as_str()), ("2024-03-01", "Mme Dupont, RSSI"));

    let mut store = Store::open_in_memory().unwrap();
    let doubled = store
        .import_bytes("grille-double.xlsx", &filled_grid(Some(7)), &ImportOptions::default())
        .unwrap();
    assert_eq!(doubled.status, ImportStatus::Stored, "{}", doubled.message);
    assert_eq!(scores(&store), ["010000024 false 22 - -"]);
    let rejects = store.rejects(doubled.import_id).unwrap();
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].sheet.as_deref(), Some("Questionnaire"));
    // Header on row 3, a theme heading on row 4, question 1 on row 5, … question 7 on row 11.
    assert_eq!(rejects[0].row_number, Some(11));
    assert_eq!(rejects[0].column_name.as_deref(), Some("A (N°)"));
    assert_eq!(rejects[0].value.as_deref(), Some("débutant + intermédiaire"));
    assert!(rejects[0].text.contains("plusieurs niveaux"), "{}", rejects[0].text);
}
