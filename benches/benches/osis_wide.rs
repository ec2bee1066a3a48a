//! Ingests a generated wide oSIS export: 40,000 rows × 40 questions in one XLSX sheet, into a
//! fresh on-disk store (read, locate header, normalise and score every answer, store), and
//! prints rows/s and peak memory.
//!
//! Run: `cargo bench -p benches --bench osis_wide`

use std::sync::Arc;
use std::time::Instant;

use ingest::catalogue::Catalogues;
use ingest::{ImportOptions, ImportStatus, Store};
use rust_xlsxwriter::Workbook;

const ROWS: u32 = 40_000;
const QUESTIONS: u16 = 40;
const RUNS: usize = 3;

fn question_type(index: u16) -> (&'static str, &'static str) {
    match index % 4 {
        0 => ("oui_non", "oui=10|non=0"),
        1 => ("oui_partiel_non", "oui=10|partiel=5|non=0"),
        2 => ("pourcentage", "<50:0|<90:5|*:10"),
        _ => ("date", "<=365:10|<=730:5|*:0"),
    }
}

fn answer(index: u16, row: u32) -> String {
    match index % 4 {
        0 => ["Oui", "Non", "oui"][(row % 3) as usize].to_owned(),
        1 => ["Oui", "Partiel", "Non"][((row + u32::from(index)) % 3) as usize].to_owned(),
        2 => format!("{} %", (row * 7 + u32::from(index)) % 101),
        _ => format!("{:02}/{:02}/2023", 1 + row % 28, 1 + (row + u32::from(index)) % 12),
    }
}

/// Set in the child process that imports, so its peak memory is the import's alone.
const FILE_ENV: &str = "OSIS_BENCH_FILE";
const CATALOGUE_ENV: &str = "OSIS_BENCH_CATALOGUE";

fn main() {
    if let (Ok(file), Ok(catalogue)) = (std::env::var(FILE_ENV), std::env::var(CATALOGUE_ENV)) {
        import_and_report(&file, &catalogue);
        return;
    }
    let catalogue_dir = tempfile::tempdir().expect("temporary directory");
    let mut catalogue = String::from("code;domaine;libelle;type;points;poids;attente\n");
    for index in 0..QUESTIONS {
        let (kind, points) = question_type(index);
        catalogue.push_str(&format!(
            "Q-{index:02};D{};Question {index};{kind};{points};1;\n",
            index % 8
        ));
    }
    std::fs::write(catalogue_dir.path().join("vbench.csv"), catalogue).expect("write catalogue");
    std::fs::write(
        catalogue_dir.path().join("campaigns.csv"),
        "campagne;version\n2024;vbench\n",
    )
    .expect("write campaigns");

    let started = Instant::now();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Réponses").expect("name");
    let mut headers = vec![
        "FINESS ET".to_owned(),
        "Raison sociale".into(),
        "Campagne".into(),
        "Statut".into(),
        "Date de dernière mise à jour".into(),
    ];
    headers.extend((0..QUESTIONS).map(|index| format!("Q-{index:02} - Question {index}")));
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(0, column as u16, header).expect("header");
    }
    for row in 1..=ROWS {
        let serial = format!("75{:06}", row);
        let finess = format!("{serial}{}", ingest::finess::luhn_key(&serial).unwrap_or('0'));
        sheet.write_string(row, 0, &finess).expect("cell");
        sheet
            .write_string(row, 1, format!("ETABLISSEMENT {row}"))
            .expect("cell");
        sheet.write_number(row, 2, 2024).expect("cell");
        sheet.write_string(row, 3, "Validé").expect("cell");
        sheet.write_string(row, 4, "30/06/2024").expect("cell");
        for index in 0..QUESTIONS {
            sheet.write_string(row, 5 + index, answer(index, row)).expect("cell");
        }
    }
    let bytes = workbook.save_to_buffer().expect("xlsx");
    let megabytes = bytes.len() as f64 / 1_048_576.0;
    println!(
        "osis_wide: generated {ROWS} rows × {QUESTIONS} questions, {megabytes:.1} MB XLSX in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let input = catalogue_dir.path().join("export-osis.xlsx");
    std::fs::write(&input, &bytes).expect("write the export");
    drop(bytes);
    let status = std::process::Command::new(std::env::current_exe().expect("this benchmark"))
        .env(FILE_ENV, &input)
        .env(CATALOGUE_ENV, catalogue_dir.path())
        .status()
        .expect("run the import");
    assert!(status.success());
}

fn import_and_report(file: &str, catalogue: &str) {
    let catalogues = Arc::new(Catalogues::load_dir(std::path::Path::new(catalogue)).expect("catalogue"));
    let bytes = std::fs::read(file).expect("read the export");
    let megabytes = bytes.len() as f64 / 1_048_576.0;
    let directory = tempfile::tempdir().expect("temporary directory");
    let mut seconds = Vec::new();
    for run in 0..RUNS {
        let mut store = Store::open(directory.path().join(format!("store-{run}.duckdb"))).expect("store");
        let options = ImportOptions {
            catalogues: Arc::clone(&catalogues),
            ..ImportOptions::default()
        };
        let started = Instant::now();
        let outcome = store
            .import_bytes("export-osis.xlsx", &bytes, &options)
            .expect("import");
        seconds.push(started.elapsed().as_secs_f64());
        assert_eq!(outcome.status, ImportStatus::Stored, "{}", outcome.message);
        assert_eq!(outcome.rows_stored, u64::from(ROWS));
        assert_eq!(outcome.rejected, 0);
    }
    seconds.sort_by(f64::total_cmp);
    let median = seconds[RUNS / 2];
    let answers = f64::from(ROWS) * f64::from(QUESTIONS);
    println!(
        "  import median {median:.2} s (min {:.2}, max {:.2}) = {:.0} rows/s, {:.0} answers/s, {:.1} MB/s",
        seconds[0],
        seconds[RUNS - 1],
        f64::from(ROWS) / median,
        answers / median,
        megabytes / median
    );
    if let Some(peak) = benches::peak_rss_mib() {
        println!("  peak resident memory of the importing process {peak:.0} MiB");
    }
}
