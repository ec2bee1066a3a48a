//! Reliability on the generated national set (39,001 establishments, campaigns 2023–2026):
//! an import killed at random moments, and the server under load while an import commits.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::{DATE, Server, literal_agent};
use generator::{Manifest, Options, Scale};
use ingest::Store;

/// The national set, generated once per test process (about 15 s).
fn national_set() -> &'static (PathBuf, Manifest) {
    static SET: OnceLock<(PathBuf, Manifest)> = OnceLock::new();
    SET.get_or_init(|| {
        let directory = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("national-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        let options = Options {
            scale: Scale::National,
            campaigns: None,
            seed: 2023,
            today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        };
        let manifest = generator::generate(&options, &directory).unwrap();
        (directory, manifest)
    })
}

fn opssies(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opssies-e2e"));
    command.args(args);
    command
}

fn run(args: &[&str]) -> Output {
    opssies(args).output().unwrap()
}

/// Rows of every table of the store (the materialised analytics aside, which imports never
/// touch), opening the store as a user would.
fn counts(store: &Path) -> Vec<(String, i64)> {
    let store = Store::open(store).unwrap_or_else(|error| panic!("the store must open: {error}"));
    let connection = store.connection();
    let mut statement = connection
        .prepare(
            "SELECT table_name FROM duckdb_tables()
             WHERE schema_name = 'main' AND NOT temporary AND table_name NOT LIKE 'analytics%'
             ORDER BY table_name",
        )
        .unwrap();
    let tables: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let count: i64 = connection
                .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |row| row.get(0))
                .unwrap();
            (table, count)
        })
        .collect()
}

/// A small deterministic generator for the kill moments; the seed is printed on failure.
struct Moments(u64);

impl Moments {
    fn next_fraction(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn a_national_import_killed_at_ten_random_moments_leaves_whole_files_only_and_resumes_without_duplicates() {
    let (set, manifest) = national_set();
    let directory = tempfile::tempdir().unwrap();

    // The reference: the store after each file, imported one file at a time.
    let reference = directory.path().join("reference.duckdb");
    let mut states = vec![counts(&reference)];
    // When each file's import ended, from the start of the first.
    let mut ended_at = vec![Duration::ZERO];
    let started = Instant::now();
    for file in &manifest.files {
        let path = set.join(&file.name);
        let output = run(&["ingest", "--store", reference.to_str().unwrap(), path.to_str().unwrap()]);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}: {}",
            file.name,
            String::from_utf8_lossy(&output.stderr)
        );
        ended_at.push(started.elapsed());
        states.push(counts(&reference));
    }
    let full_import = started.elapsed();
    let complete = states.last().unwrap().clone();

    // Ten kills at random moments spread over the import: each run takes the files from
    // where the store stands and is killed at a random moment of the import time left,
    // divided among the kills still to come. A run that ended before its kill is not counted.
    let store = directory.path().join("base.duckdb");
    let seed = u64::from(std::process::id()) ^ started.elapsed().as_nanos() as u64;
    let mut moments = Moments(seed);
    let mut reached = 0;
    let mut kills = 0u32;
    let mut runs = 0;
    while kills < 10 {
        if reached == manifest.files.len() {
            // The set went through before ten kills (runs are faster than the file-by-file
            // reference): start again from an empty store.
            std::fs::remove_file(&store).unwrap();
            let _ = std::fs::remove_file(format!("{}.wal", store.display()));
            reached = 0;
        }
        runs += 1;
        assert!(runs <= 40, "seed {seed}: the imports keep ending before their kill");
        let left = full_import.saturating_sub(ended_at[reached]);
        let delay = left
            .mul_f64(moments.next_fraction() / f64::from(11 - kills))
            .max(Duration::from_millis(50));
        let remaining: Vec<String> = manifest.files[reached.min(manifest.files.len() - 1)..]
            .iter()
            .map(|file| set.join(&file.name).display().to_string())
            .collect();
        let mut command = opssies(&["ingest", "--store", store.to_str().unwrap()]);
        command.args(&remaining);
        let mut child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let now = counts(&store);
        // The first state at or after the last one reached (a duplicate file adds nothing).
        let position = (reached..states.len())
            .find(|&position| states[position] == now)
            .unwrap_or_else(|| {
                let earlier = states.iter().position(|state| *state == now);
                panic!(
                    "run {runs} (seed {seed}, after {delay:?}): the store is neither as before nor as after a file (matches an earlier state: {earlier:?}): {now:?}"
                )
            });
        if !finished {
            kills += 1;
        }
        reached = position;
    }

    // A last run finishes the set: exactly the reference, no file stored twice.
    let rerun = run(&["ingest", "--store", store.to_str().unwrap(), set.to_str().unwrap()]);
    assert!(
        matches!(rerun.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    assert_eq!(
        counts(&store),
        complete,
        "seed {seed}: the resumed import equals a clean one"
    );
    let twice: i64 = Store::open(&store)
        .unwrap()
        .connection()
        .query_row(
            "SELECT count(*) - count(DISTINCT sha256) FROM imports WHERE status = 'stored'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(twice, 0, "no file stored twice");
    println!(
        "seed {seed}: 10 kills over {:.1} s of import ({runs} runs), the last at file {reached} of {}",
        full_import.as_secs_f64(),
        manifest.files.len()
    );
}

/// Sends a multipart upload of one file; status and body.
fn upload(server: &Server, cookie: &str, name: &str, bytes: &[u8]) -> (u16, String) {
    let token = server.csrf_token(cookie, "/import", "/import");
    let mut body = format!(
        "--frontiere\r\nContent-Disposition: form-data; name=\"fichiers\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n--frontiere--\r\n");
    server.post_with(
        Some(cookie),
        &format!("/import?csrf={token}"),
        "multipart/form-data; boundary=frontiere",
        body,
    )
}

/// One request: status, data version header, body.
fn fetch(server: &Server, path: &str) -> (u16, i64, String) {
    let agent = literal_agent();
    let mut response = agent
        .get(&format!("{}{path}", server.base))
        .header("cookie", &server.cookie)
        .call()
        .unwrap();
    let status = response.status().as_u16();
    let version = response
        .headers()
        .get("x-opssies-data-version")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .unwrap_or(-1);
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .unwrap();
    (status, version, body)
}

#[test]
fn the_server_answers_throughout_a_national_import_with_the_data_wholly_before_or_after() {
    let (set, manifest) = national_set();
    let directory = tempfile::tempdir().unwrap();
    let store = directory.path().join("base.duckdb");
    // Everything but the latest oSIS export, which is then imported through the server.
    let latest = manifest
        .files
        .iter()
        .filter(|file| file.kind == "osis")
        .max_by_key(|file| file.rows)
        .unwrap();
    let others: Vec<String> = manifest
        .files
        .iter()
        .filter(|file| file.name != latest.name)
        .map(|file| set.join(&file.name).display().to_string())
        .collect();
    let mut args = vec!["ingest", "--store", store.to_str().unwrap()];
    args.extend(others.iter().map(String::as_str));
    let output = run(&args);
    assert!(matches!(output.status.code(), Some(0 | 1)));
    let server = Server::start_on(directory, store.clone(), manifest.clone());

    let watched = [
        format!("/api/regional?date={DATE}"),
        format!("/?date={DATE}"),
        format!("/api/etablissements/{}?date={DATE}", server.establishment_site),
        format!("/etablissements?date={DATE}&departement=75"),
    ];
    let before = fetch_all(&server, &watched);
    let table_before = server.json(&format!("/api/etablissements?date={DATE}"));
    let table_before = table_before.as_array().unwrap();
    fiches_show_their_rows(&server, table_before.iter().take(20));
    let old_version = before[0].0;
    assert!(old_version > 0, "every response carries its data version");

    // While the import runs: four clients read the watched pages in turn.
    let importing = AtomicBool::new(true);
    let requests = AtomicUsize::new(0);
    let bytes = std::fs::read(set.join(&latest.name)).unwrap();
    let uploader = server.login("admin", common::PASSWORD).unwrap();
    let seen: Vec<Vec<(usize, u16, i64, String)>> = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..4)
            .map(|reader| {
                let server = &server;
                let watched = &watched;
                let importing = &importing;
                let requests = &requests;
                scope.spawn(move || {
                    let mut seen = Vec::new();
                    let mut turn = reader;
                    while importing.load(Ordering::SeqCst) {
                        let index = turn % watched.len();
                        let (status, version, body) = fetch(server, &watched[index]);
                        requests.fetch_add(1, Ordering::SeqCst);
                        seen.push((index, status, version, body));
                        turn += 1;
                    }
                    seen
                })
            })
            .collect();
        let (status, report) = upload(&server, &uploader, &latest.name, &bytes);
        // A few more rounds after the commit.
        std::thread::sleep(Duration::from_secs(2));
        importing.store(false, Ordering::SeqCst);
        assert_eq!(status, 200, "{report}");
        assert!(report.contains("enregistré"), "{report}");
        readers.into_iter().map(|reader| reader.join().unwrap()).collect()
    });

    let after = fetch_all(&server, &watched);
    let new_version = after[0].0;
    assert!(new_version > old_version, "the import is a new data version");
    assert_ne!(before[0].1, after[0].1, "the import changes the regional figures");
    // The fiches kept for region viewers are rebuilt with the import: the sites whose row
    // of the table changed show the new row on their fiche.
    let table_after = server.json(&format!("/api/etablissements?date={DATE}"));
    let table_after = table_after.as_array().unwrap();
    assert_eq!(table_before.len(), table_after.len());
    let changed: Vec<&serde_json::Value> = table_before
        .iter()
        .zip(table_after)
        .filter(|(before, after)| before != after)
        .map(|(_, after)| after)
        .collect();
    assert!(!changed.is_empty(), "the import changes some establishments");
    fiches_show_their_rows(&server, changed.into_iter().take(20));

    let mut old_seen = 0;
    let mut new_seen = 0;
    for (index, status, version, body) in seen.into_iter().flatten() {
        assert!(status < 500, "{}: status {status}", watched[index]);
        assert_eq!(status, 200, "{}", watched[index]);
        if version == old_version {
            assert!(
                body == before[index].1,
                "{}: old version, other figures\n{}",
                watched[index],
                first_difference(&before[index].1, &body)
            );
            old_seen += 1;
        } else {
            assert_eq!(version, new_version, "{}: unknown data version", watched[index]);
            assert!(
                body == after[index].1,
                "{}: new version, other figures\n{}",
                watched[index],
                first_difference(&after[index].1, &body)
            );
            new_seen += 1;
        }
    }
    println!("{old_seen} responses before the import, {new_seen} after, no error");
    assert!(
        old_seen > 0 && new_seen > 0,
        "requests on both sides: {old_seen} old, {new_seen} new"
    );
    assert!(requests.load(Ordering::SeqCst) >= 8);

    // The CLI cannot write into the store the server holds: refused, with the reason.
    let refused = run(&["ingest", "--store", store.to_str().unwrap(), &others[0]]);
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("déjà ouverte par un autre programme"));
}

/// Where two bodies part, with some context, for a failure message.
fn first_difference(expected: &str, seen: &str) -> String {
    let at = expected
        .bytes()
        .zip(seen.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(seen.len()));
    let window = |text: &str| {
        let mut start = at.saturating_sub(120).min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (at + 120).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        text[start..end].to_owned()
    };
    format!(
        "first difference at byte {at} (lengths {} and {}):\nexpected …{}…\nseen     …{}…",
        expected.len(),
        seen.len(),
        window(expected),
        window(seen)
    )
}

/// Each row of the establishments table is the status its fiche shows.
fn fiches_show_their_rows<'a>(server: &Server, rows: impl Iterator<Item = &'a serde_json::Value>) {
    for row in rows {
        let finess = row["finess_et"].as_str().unwrap();
        let fiche = server.json(&format!("/api/etablissements/{finess}?date={DATE}"));
        assert_eq!(&fiche["status"], row, "{finess}");
    }
}

/// Each watched page's data version and body, every one answered 200.
fn fetch_all(server: &Server, watched: &[String]) -> Vec<(i64, String)> {
    watched
        .iter()
        .map(|path| {
            let (status, version, body) = fetch(server, path);
            assert_eq!(status, 200, "{path}");
            (version, body)
        })
        .collect()
}
