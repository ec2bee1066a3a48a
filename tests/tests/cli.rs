//! The `opssies` command line, run as a subprocess exactly as a user or a script would.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ingest::Store;
use ingest::finess::luhn_key;
use ingest::store::TRANSACTION_OPEN_MARKER;
use serde_json::Value;

fn opssies() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opssies-e2e"));
    command.env_remove("OPSSIES_STORE").env("OPSSIES_USER", "testeur");
    command
}

fn run(args: &[&str]) -> Output {
    opssies().args(args).output().expect("the program starts")
}

/// Runs the program and expects success, showing its error output otherwise.
fn run_ok(args: &[&str]) -> Output {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A valid FINESS ET in a département: 7 digits from `serial`, then the Luhn key.
fn finess(departement: &str, serial: u32) -> String {
    let first_eight = format!("{departement}{serial:06}");
    let key = luhn_key(&first_eight).unwrap();
    format!("{first_eight}{key}")
}

fn site_line(finess_et: &str, name: &str) -> String {
    let mut fields = vec![""; 32];
    fields[0] = "structureet";
    fields[1] = finess_et;
    fields[2] = finess_et;
    fields[3] = name;
    fields[4] = name;
    fields[13] = &finess_et[..2];
    fields[18] = "355";
    fields.join(";")
}

/// An etalab extract of `count` valid sites numbered from `first`.
fn write_extract(path: &Path, date: &str, first: u32, count: u32) {
    let mut text = format!("finess;etalab;{count};{date}\n");
    for serial in first..first + count {
        text.push_str(&site_line(&finess("75", serial), &format!("ETABLISSEMENT {serial}")));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn write_events(path: &Path, finess_et: &str, event_type: u32) {
    let document = serde_json::json!({"events": {"event": [{
        "stakeholders": [{"stakeholderId": [{"stakeholderIdType": 2, "__text": finess_et}], "stakeholderRoleType": 4}],
        "dates": [{"dateType": 7, "__text": "20240115-141742"}],
        "tlp": "amber",
        "eventType": event_type
    }]}});
    std::fs::write(path, serde_json::to_vec_pretty(&document).unwrap()).unwrap();
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

/// Copies a closed store with its write-ahead log, if any.
fn copy_store(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    let wal = |path: &Path| PathBuf::from(format!("{}.wal", path.display()));
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to)).unwrap();
    }
}

fn counts(store: &Path) -> Vec<(&'static str, i64)> {
    Store::open(store).unwrap().table_counts().unwrap()
}

#[test]
fn ingest_reports_each_file_in_json_and_exit_codes_follow() {
    let directory = tempfile::tempdir().unwrap();
    let inputs = directory.path().join("entrees");
    std::fs::create_dir(&inputs).unwrap();
    write_extract(&inputs.join("a-etalab.csv"), "2024-07-05", 1, 3);
    write_events(&inputs.join("b-events.json"), &finess("75", 1), 28);
    std::fs::write(inputs.join("c-casse.json"), "{\"events\": {\"event\": [,]}}").unwrap();
    let store = directory.path().join("base.duckdb");
    let store_arg = store.to_str().unwrap();

    let output = run(&["ingest", "--store", store_arg, "--json", inputs.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "a refused file makes the exit code 1");
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 3);
    let expected = [
        ("a-etalab.csv", "finess", "stored", 3, 3),
        ("b-events.json", "opssies-events", "stored", 1, 1),
    ];
    for (line, (file, kind, status, read, stored)) in lines.iter().zip(expected) {
        assert!(line["file"].as_str().unwrap().ends_with(file), "{line}");
        assert_eq!(line["kind"], kind);
        assert_eq!(line["status"], status);
        assert_eq!(line["rows_read"], read);
        assert_eq!(line["rows_stored"], stored);
        assert_eq!(line["rejected"], 0);
        assert_eq!(line["warnings"], 0);
        assert!(line["message"].is_string());
    }
    assert_eq!(lines[2]["status"], "refused");
    assert!(
        lines[2]["message"].as_str().unwrap().contains("ligne 1, colonne"),
        "{}",
        lines[2]
    );

    // The same files again: the two stored ones are duplicates; only the broken one is refused again.
    let again = run(&[
        "ingest",
        "--store",
        store_arg,
        "--json",
        inputs.join("a-etalab.csv").to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(json_lines(&again)[0]["status"], "duplicate");

    // The imports listing shows the three imports and who made them.
    let listing = run(&["imports", "--store", store_arg, "--json"]);
    assert_eq!(listing.status.code(), Some(0));
    let imports = json_lines(&listing);
    assert_eq!(imports.len(), 3);
    assert!(imports.iter().all(|import| import["user_name"] == "testeur"));
}

#[test]
fn a_usage_error_exits_with_2_and_an_unknown_kind_is_explained() {
    let output = run(&["ingest"]);
    assert_eq!(output.status.code(), Some(2));
    let output = run(&["ingest", "--kind", "tableur", "x.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("opssies-events"));
}

#[test]
fn rejects_are_printed_as_csv_with_where_and_why() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("etalab.csv");
    let good = site_line(&finess("75", 1), "BON");
    std::fs::write(
        &file,
        format!("finess;etalab;2;2024-07-05\n{good}\nstructureet;75XX;court\n"),
    )
    .unwrap();
    let store = directory.path().join("base.duckdb");
    let store_arg = store.to_str().unwrap();
    let output = run(&["ingest", "--store", store_arg, file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "rows rejected but the file is stored");
    let text = stdout(&output);
    assert!(text.contains("1 rejeté(s)"), "{text}");
    assert!(text.contains("rejet, ligne 3"), "{text}");

    let rejects = run(&["rejects", "--store", store_arg, "1"]);
    assert_eq!(rejects.status.code(), Some(0));
    let csv = stdout(&rejects);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "import;fichier;feuille;ligne;colonne;chemin_json;valeur;motif"
    );
    assert_eq!(lines.len(), 2);
    // The value holds `;`, so it is quoted.
    assert!(
        lines[1].starts_with("1;etalab.csv;;3;;;\"structureet;75XX;court\";"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("3 champs au lieu de 32"));
}

#[test]
fn a_missing_file_is_a_failure_not_a_refusal() {
    let directory = tempfile::tempdir().unwrap();
    let store = directory.path().join("base.duckdb");
    let output = run(&["ingest", "--store", store.to_str().unwrap(), "/nonexistent/fichier.csv"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("introuvable"));
}

#[test]
fn the_demo_generates_the_region_once_and_imports_it_into_a_fresh_store() {
    let directory = tempfile::tempdir().unwrap();
    let set = directory.path().join("region");
    let store = directory.path().join("demo.duckdb");
    let args = [
        "demo",
        "--no-serve",
        "--dir",
        set.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
    ];
    let output = run(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    assert!(text.contains("Région de démonstration générée"), "{text}");
    assert!(text.contains("Observatoire — Île-de-France, au "), "{text}");
    assert!(text.contains("Ciblage SESAN"), "{text}");
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(set.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap().len() as i64;
    let sites = manifest["truths"]["referential_sites"].as_i64().unwrap();

    // A second run reuses the files and starts the store afresh: one import per file
    // (the duplicate file included, as a refusal-free "already stored").
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("Jeu de démonstration réutilisé"));
    let after = counts(&store);
    let count_of = |name: &str| after.iter().find(|(table, _)| *table == name).unwrap().1;
    let duplicates = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|file| file["expected"]["status"] == "duplicate")
        .count() as i64;
    assert_eq!(count_of("imports"), files - duplicates);
    assert_eq!(count_of("establishments"), sites);
}

/// Prepares a store holding a small extract and one event, and a large extract to import.
fn store_with_history(directory: &Path) -> (PathBuf, PathBuf) {
    let store = directory.join("base.duckdb");
    let small = directory.join("petit.csv");
    let events = directory.join("evenements.json");
    write_extract(&small, "2024-07-05", 1, 5);
    write_events(&events, &finess("75", 2), 43);
    let output = run(&[
        "ingest",
        "--store",
        store.to_str().unwrap(),
        small.to_str().unwrap(),
        events.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let large = directory.join("grand.csv");
    write_extract(&large, "2024-11-05", 100, 60_000);
    (store, large)
}

#[test]
fn an_import_killed_inside_its_transaction_leaves_the_store_as_before() {
    let directory = tempfile::tempdir().unwrap();
    let (store, large) = store_with_history(directory.path());
    let before = counts(&store);

    let mut child = opssies()
        .args(["ingest", "--store", store.to_str().unwrap(), large.to_str().unwrap()])
        .env("OPSSIES_TEST_PAUSE_BEFORE_COMMIT_MS", "60000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let marker_seen = stderr
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains(TRANSACTION_OPEN_MARKER));
    assert!(marker_seen, "the import reached its transaction");
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    assert_eq!(counts(&store), before, "nothing of the killed import is visible");
    let rerun = run(&[
        "ingest",
        "--store",
        store.to_str().unwrap(),
        "--json",
        large.to_str().unwrap(),
    ]);
    assert_eq!(rerun.status.code(), Some(0));
    assert_eq!(
        json_lines(&rerun)[0]["status"],
        "stored",
        "not a duplicate: the killed import never committed"
    );
    let after = counts(&store);
    let establishments = after.iter().find(|(table, _)| *table == "establishments").unwrap().1;
    assert_eq!(establishments, 5 + 60_000);
    let distinct: i64 = Store::open(&store)
        .unwrap()
        .connection()
        .query_row("SELECT count(DISTINCT finess_et) FROM finess_referential", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(distinct, establishments, "no duplicate row");
}

#[test]
fn imports_killed_at_random_moments_leave_the_store_before_or_after_never_between() {
    let directory = tempfile::tempdir().unwrap();
    let (store, large) = store_with_history(directory.path());
    let before = counts(&store);

    // How long a full import takes here, to spread the kills over it.
    let probe_store = directory.path().join("sonde.duckdb");
    copy_store(&store, &probe_store);
    let started = Instant::now();
    assert_eq!(
        run(&[
            "ingest",
            "--store",
            probe_store.to_str().unwrap(),
            large.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    let full_duration = started.elapsed();
    let after = counts(&probe_store);

    let mut seed = u64::from(std::process::id()) ^ started.elapsed().as_nanos() as u64;
    for _ in 0..4 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let delay = full_duration.mul_f64((seed >> 11) as f64 / (1u64 << 53) as f64);
        let mut child = opssies()
            .args(["ingest", "--store", store.to_str().unwrap(), large.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay.max(Duration::from_millis(1)));
        let _ = child.kill();
        child.wait().unwrap();
        let now = counts(&store);
        if now == after {
            // The import committed before the kill landed: a whole import, which is fine.
            break;
        }
        assert_eq!(
            now, before,
            "killed after {delay:?}: the store must be exactly as before or after"
        );
    }
    let rerun = run(&[
        "ingest",
        "--store",
        store.to_str().unwrap(),
        "--json",
        large.to_str().unwrap(),
    ]);
    assert_eq!(rerun.status.code(), Some(0));
    assert!(["stored", "duplicate"].contains(&json_lines(&rerun)[0]["status"].as_str().unwrap()));
    let final_counts = counts(&store);
    let establishments =
        |counts: &[(&str, i64)]| counts.iter().find(|(table, _)| *table == "establishments").unwrap().1;
    assert_eq!(establishments(&final_counts), establishments(&after));
}

#[test]
fn listings_never_create_a_store_and_a_busy_store_is_explained() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("faute-de-frappe.duckdb");
    let output = run(&["imports", "--store", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("n'existe pas"));
    assert!(!missing.exists());

    // While an import holds the store, another command is told why it cannot open it.
    let (store, large) = store_with_history(directory.path());
    let mut child = opssies()
        .args(["ingest", "--store", store.to_str().unwrap(), large.to_str().unwrap()])
        .env("OPSSIES_TEST_PAUSE_BEFORE_COMMIT_MS", "60000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    assert!(
        stderr
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains(TRANSACTION_OPEN_MARKER))
    );
    let busy = run(&["status", "--store", store.to_str().unwrap()]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(busy.status.code(), Some(3));
    let message = String::from_utf8_lossy(&busy.stderr);
    assert!(message.contains("déjà ouverte par un autre programme"), "{message}");
}

#[test]
fn reports_run_on_an_ingested_generated_region() {
    let directory = tempfile::tempdir().unwrap();
    let set = directory.path().join("jeu");
    let store = directory.path().join("base.duckdb");
    let (set_arg, store_arg) = (set.to_str().unwrap(), store.to_str().unwrap());
    run_ok(&["demo-data", "--out", set_arg, "--seed", "4", "--today", "2026-11-29"]);
    // A folder with a manifest is imported in the manifest's order, the manifest itself skipped.
    let output = run(&["ingest", "--store", store_arg, "--json", set_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(set.join("manifest.json")).unwrap()).unwrap();
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), manifest["files"].as_array().unwrap().len());
    assert_eq!(lines[0]["kind"], "finess");

    let output = run_ok(&[
        "report",
        "--store",
        store_arg,
        "--as-of",
        "2026-11-29",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let truths = &manifest["truths"];
    assert_eq!(
        report["headline"]["establishments"].as_i64().unwrap(),
        truths["region_es"].as_i64().unwrap() + truths["region_esms"].as_i64().unwrap()
    );
    let output = run(&[
        "report",
        "--store",
        store_arg,
        "--as-of",
        "29/11/2026",
        "--format",
        "csv",
    ]);
    let text = stdout(&output);
    assert!(text.starts_with("departement;libelle;etablissements;"), "{text}");
    assert_eq!(text.lines().count(), 9, "header and the 8 départements: {text}");

    let tricky = truths["tricky_names"]
        .as_array()
        .unwrap()
        .iter()
        .find(|named| named["name"].as_str().unwrap().contains("<script>"))
        .unwrap();
    let finess = tricky["finess"].as_str().unwrap();
    let output = run(&[
        "establishment",
        "--store",
        store_arg,
        "--as-of",
        "2026-11-29",
        "--format",
        "json",
        finess,
    ]);
    assert_eq!(output.status.code(), Some(0));
    let fiche: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(fiche["status"]["name"], tricky["name"]);
    let output = run(&["establishment", "--store", store_arg, "750000000"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("750000000"));

    let output = run(&["aap", "--store", store_arg, "--as-of", "2026-11-29", "--format", "csv"]);
    let applications = manifest["truths"]["aap"]["applications"].as_array().unwrap().len();
    assert_eq!(stdout(&output).lines().count(), applications + 1);
    let output = run(&["methodology"]);
    assert!(stdout(&output).contains("moins de 5 établissements"));
    let output = run(&["report", "--store", store_arg, "--as-of", "hier"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Rows and a checksum per table, computed here, independently of the program.
fn sums(store: &Path) -> Vec<(String, i64, String)> {
    let connection = duckdb::Connection::open(store).unwrap();
    let names: Vec<String> = connection
        .prepare(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main'
             AND NOT starts_with(table_name, 'analytics_') ORDER BY 1",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names
        .into_iter()
        .map(|name| {
            let (rows, checksum): (i64, String) = connection
                .query_row(
                    &format!("SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM \"{name}\" t"),
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .unwrap();
            (name, rows, checksum)
        })
        .collect()
}

#[test]
fn backup_then_restore_gives_every_table_back_and_a_tampered_backup_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let store = directory.path().join("base.duckdb");
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/samples");
    let output = run(&["ingest", "--store", store.to_str().unwrap(), samples]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let backup = directory.path().join("sauvegarde");
    run_ok(&[
        "backup",
        "--store",
        store.to_str().unwrap(),
        "--out",
        backup.to_str().unwrap(),
    ]);
    assert!(backup.join("manifest.json").exists() && backup.join("events.parquet").exists());

    let restored = directory.path().join("restauree.duckdb");
    run_ok(&[
        "restore",
        backup.to_str().unwrap(),
        "--store",
        restored.to_str().unwrap(),
    ]);
    let before = sums(&store);
    assert!(before.iter().any(|(name, rows, _)| name == "events" && *rows > 0));
    assert_eq!(sums(&restored), before);

    // A backup changed after the fact is refused, and no store is left behind.
    let file = backup.join("events.parquet");
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xFF;
    std::fs::write(&file, bytes).unwrap();
    let again = directory.path().join("encore.duckdb");
    let output = run(&["restore", backup.to_str().unwrap(), "--store", again.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("modifié"));
    assert!(!again.exists());
    // Restoring over an existing store is refused too.
    let output = run(&["restore", backup.to_str().unwrap(), "--store", store.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
}

#[test]
fn a_full_disk_during_an_import_is_explained_and_leaves_the_store_as_before() {
    let directory = tempfile::tempdir().unwrap();
    let (store, large) = store_with_history(directory.path());
    let before = counts(&store);
    let sum_of_rows = |store: &Path| {
        Store::open(store)
            .unwrap()
            .connection()
            .query_row("SELECT sum(hash(finess_et)) FROM finess_referential", [], |row| {
                row.get::<_, duckdb::types::Value>(0)
            })
            .unwrap()
    };
    let rows_before = sum_of_rows(&store);
    // The disk "fills" 64 KiB above the store's size: a file-size limit on the process
    // (bash counts 1 KiB blocks), with SIGXFSZ ignored so writes fail with EFBIG as on a
    // full disk instead of killing the process.
    let limit_kib = std::fs::metadata(&store).unwrap().len() / 1024 + 64;
    let output = Command::new("bash")
        .args([
            "-c",
            &format!("trap '' XFSZ; ulimit -f {limit_kib}; exec \"$0\" \"$@\""),
            env!("CARGO_BIN_EXE_opssies-e2e"),
            "ingest",
            "--store",
            store.to_str().unwrap(),
            large.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(3),
        "a system failure, not a refusal: {message}"
    );
    assert!(message.contains("plus assez d'espace disque"), "{message}");
    assert!(message.contains("la base est inchangée"), "{message}");
    assert!(message.contains("libérez de la place"), "{message}");

    // Without the limit the store opens, holds exactly what it held, and the import works.
    assert_eq!(counts(&store), before, "nothing of the failed import is visible");
    assert_eq!(sum_of_rows(&store), rows_before);
    let rerun = run_ok(&[
        "ingest",
        "--store",
        store.to_str().unwrap(),
        "--json",
        large.to_str().unwrap(),
    ]);
    assert_eq!(json_lines(&rerun)[0]["status"], "stored");
}

/// `opssies user add NAME --role R --store P` (the option after the subcommand, as users type
/// it), the password on standard input.
fn add_user(store: &Path, name: &str, role: &str) {
    let mut child = opssies()
        .args(["user", "add", name, "--role", role, "--store", store.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "un mot de passe assez long").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn journal_verify_passes_untouched_and_names_the_first_altered_row() {
    let directory = tempfile::tempdir().unwrap();
    let store = directory.path().join("base.duckdb");
    let extract = directory.path().join("finess.csv");
    write_extract(&extract, "2026-01-01", 1, 3);
    run_ok(&["ingest", "--store", store.to_str().unwrap(), extract.to_str().unwrap()]);
    for (name, role) in [("analyste", "ars"), ("appui", "sesan"), ("gestion", "admin")] {
        add_user(&store, name, role);
    }
    // The analysts' read copy: the referential's three sites, no account.
    let copy = directory.path().join("copie.duckdb");
    run_ok(&[
        "snapshot",
        "--store",
        store.to_str().unwrap(),
        "--out",
        copy.to_str().unwrap(),
    ]);
    let opened = duckdb::Connection::open(&copy).unwrap();
    let sites: i64 = opened
        .query_row("SELECT count(*) FROM establishments", [], |row| row.get(0))
        .unwrap();
    let accounts: i64 = opened
        .query_row(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'users'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!((sites, accounts), (3, 0));
    drop(opened);
    // The common option is accepted after any subcommand, in the store it names.
    let listed = run(&["user", "list", "--store", store.to_str().unwrap()]);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listed.contains("analyste;ars;") && listed.contains("gestion;admin;"),
        "{listed}"
    );
    let verify = |store: &Path| run(&["journal", "--store", store.to_str().unwrap(), "verify"]);
    let output = verify(&store);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout(&output).contains("intact : 3 ligne(s)"), "{}", stdout(&output));

    // One row's content changed with DuckDB: the chain breaks at that row.
    let altered = directory.path().join("altered.duckdb");
    copy_store(&store, &altered);
    {
        let connection = duckdb::Connection::open(&altered).unwrap();
        connection
            .execute("UPDATE audit_log SET detail = 'ars' WHERE seq = 2", [])
            .unwrap();
    }
    let output = verify(&altered);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("ligne n° 2") && stderr.contains("contenu a été modifié"),
        "{stderr}"
    );

    // One row removed: the next one no longer follows.
    let removed = directory.path().join("removed.duckdb");
    copy_store(&store, &removed);
    {
        let connection = duckdb::Connection::open(&removed).unwrap();
        connection.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap();
    }
    let output = verify(&removed);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ligne n° 3"), "{stderr}");
}
