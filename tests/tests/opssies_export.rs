//! `opssies opssies-export` on the generated region, run as a user would: the files validate
//! against the ministry's schema, an import gives the same events back, nothing is sent twice.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ingest::{ImportOptions, Store};
use serde_json::Value;

fn opssies(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_opssies-e2e"))
        .env_remove("OPSSIES_STORE")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/opssies-v013")
}

fn files(directory: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(directory)
        .map(|entries| entries.map(|entry| entry.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn export(store: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "opssies-export",
        "--store",
        store.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    String::from_utf8(opssies(&args).stdout).unwrap()
}

/// The identity the import gives each event of a file, in order.
fn identities(path: &Path) -> Vec<String> {
    let mut diagnostics = ingest::report::Diagnostics::default();
    let parsed = ingest::parsers::opssies::parse(
        &std::fs::read(path).unwrap(),
        path.file_name().and_then(|name| name.to_str()),
        &mut diagnostics,
    )
    .unwrap();
    assert!(
        diagnostics.rejects.is_empty() && diagnostics.warnings.is_empty(),
        "{diagnostics:?}"
    );
    ingest::parsers::opssies::event_ids(&parsed)
}

/// The codes a v0.13 list allows (`definitions.NAME.enum` of the general schema).
fn allowed(schema: &Value, name: &str) -> Vec<Value> {
    schema["definitions"][name]["enum"].as_array().unwrap().clone()
}

/// The generated region in a store, and its first export (shared by the tests of this file).
struct Exported {
    directory: PathBuf,
    store: PathBuf,
    out: PathBuf,
    said: String,
}

fn exported() -> &'static Exported {
    static EXPORTED: std::sync::OnceLock<Exported> = std::sync::OnceLock::new();
    EXPORTED.get_or_init(|| {
        // Kept for the whole run (the tests of this file share it).
        let directory = tempfile::tempdir().unwrap().keep();
        let (store, _) = common::region_store(&directory);
        let out = directory.join("vers-opssies");
        let said = export(&store, &out, &[]);
        Exported {
            directory,
            store,
            out,
            said,
        }
    })
}

#[test]
fn the_export_reimports_identically_and_sends_nothing_twice() {
    let Exported {
        directory,
        store: store_path,
        out,
        said,
    } = exported();
    let (store_path, out) = (store_path.clone(), out.clone());
    let written = files(&out);
    assert_eq!(written.len(), 1, "{said}");
    let name = written[0].file_name().unwrap().to_str().unwrap().to_owned();
    let d1 = ingest::parsers::opssies::parse_care_d1_name(&name).unwrap();
    assert_eq!(
        d1.sender, "ARS-IDF",
        "the D1 convention: SENDER-D1-AAAAMMJJ-HHMMSS.json"
    );
    let document: Value = serde_json::from_slice(&std::fs::read(&written[0]).unwrap()).unwrap();
    let events = document["events"]["event"].as_array().unwrap();
    assert!(events.len() > 100, "the region's own exercises: {}", events.len());
    assert!(said.contains(&format!("{} événement(s)", events.len())), "{said}");

    // Every code is one of the v0.13 lists.
    let general: Value = serde_json::from_slice(
        &std::fs::read(reference().join("ng-msp-opssies-schema-multi-refs-v13-raw.json")).unwrap(),
    )
    .unwrap();
    for event in events {
        assert!(allowed(&general, "eventType").contains(&event["eventType"]));
        assert_eq!(event["eventType"], 43);
        assert!(allowed(&general, "tlp").contains(&event["tlp"]));
        if let Some(programme) = event.get("eventAnalysisType") {
            assert!(allowed(&general, "eventAnalysisType").contains(programme));
        }
        for date in event["dates"].as_array().unwrap() {
            assert!(allowed(&general, "dateType").contains(&date["dateType"]));
        }
        let stakeholders = event["stakeholders"].as_array().unwrap();
        let recipient = stakeholders.iter().find(|s| s["stakeholderRoleType"] == 4).unwrap();
        assert_eq!(recipient["stakeholderType"], 1);
        assert_eq!(recipient["stakeholderId"][0]["stakeholderIdType"], 2, "FINESS ET first");
        for stakeholder in stakeholders {
            assert!(allowed(&general, "stakeholderRoleType").contains(&stakeholder["stakeholderRoleType"]));
            assert!(allowed(&general, "stakeholderType").contains(&stakeholder["stakeholderType"]));
        }
    }
    let requester = &document["events"]["stakeholders"][0];
    assert_eq!(requester["stakeholderRoleType"], 1, "the ARS requests every exercise");

    // What the store received from OPSSIES is not sent back; AAP-funded ones carry the
    // programme and the application's deposit.
    let store = Store::open(&store_path).unwrap();
    let connection = store.connection();
    let reported: BTreeSet<(String, String)> = connection
        .prepare(
            "SELECT ee.finess_et, strftime(CAST(e.completed_at AS DATE), '%Y%m%d') FROM events e
             JOIN event_establishments ee USING (event_id) WHERE e.event_type = 43 AND e.completed_at IS NOT NULL",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut funded = 0;
    for event in events {
        let site = event["stakeholders"][0]["stakeholderId"][0]["__text"]
            .as_str()
            .unwrap()
            .to_owned();
        let dates = event["dates"].as_array().unwrap();
        if let Some(done) = dates.iter().find(|date| date["dateType"] == 7) {
            let day = done["__text"].as_str().unwrap()[..8].to_owned();
            assert!(
                !reported.contains(&(site.clone(), day)),
                "{site} was reported by OPSSIES"
            );
        }
        if event.get("eventAnalysisType").is_some() {
            funded += 1;
            assert_eq!(event["eventAnalysisType"], 5, "[aap] programme = CARE");
            assert!(dates.iter().any(|date| date["dateType"] == 1), "the deposit: {event}");
        }
    }
    assert!(funded > 0, "the call funded exercises of the region");
    drop(store);

    // Nothing new: no file, and it says so.
    let again = export(&store_path, &out, &[]);
    assert_eq!(files(&out).len(), 1, "{again}");
    assert!(again.contains("Rien de nouveau"), "{again}");

    // The same facts exported again give the same identities; --since a later date, none.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let later = export(&store_path, &out, &["--since", "2099-01-01", "--resend"]);
    assert!(later.contains("Rien de nouveau"), "{later}");
    export(&store_path, &out, &["--resend"]);
    let both = files(&out);
    assert_eq!(both.len(), 2);
    let first = identities(&both[0]);
    assert_eq!(first, identities(&both[1]));
    assert_eq!(
        first.iter().collect::<BTreeSet<_>>().len(),
        first.len(),
        "distinct events"
    );

    // Imported into a fresh store, the file gives the same events.
    let fresh_path = directory.join("entrepot.duckdb");
    let mut fresh = Store::open(&fresh_path).unwrap();
    fresh.import_file(&both[0], &ImportOptions::default()).unwrap();
    let stored: BTreeSet<String> = fresh
        .connection()
        .prepare("SELECT event_id FROM events")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored, first.iter().cloned().collect::<BTreeSet<_>>());
    let rejected: i64 = fresh
        .connection()
        .query_row("SELECT count(*) FROM rejects", [], |row| row.get(0))
        .unwrap();
    assert_eq!(rejected, 0);
}

/// The ministry's JSON Schema (`schema-d1.json`, the CaRE D1 convention the files follow),
/// checked by an independent validator: Python's `jsonschema` (Draft 4). .ci/run installs
/// it; without it this test is reported as ignored rather than passed.
#[test]
#[cfg_attr(
    not(jsonschema_test),
    ignore = "python3 with jsonschema is missing (pip install jsonschema)"
)]
fn every_exported_file_validates_against_the_ministry_schema() {
    let Exported { directory, out, .. } = exported();
    let written: Vec<PathBuf> = files(out).into_iter().take(1).collect();
    assert_eq!(written.len(), 1);
    for file in &written {
        let (valid, report) = validate(file);
        assert!(valid, "{}: {report}", file.display());
    }
    // The check can fail: a code written as text instead of a number is refused.
    let mut document: Value = serde_json::from_slice(&std::fs::read(&written[0]).unwrap()).unwrap();
    document["events"]["event"][0]["eventType"] = Value::from("43");
    let broken = directory.join("broken.json");
    std::fs::write(&broken, serde_json::to_vec(&document).unwrap()).unwrap();
    let (valid, report) = validate(&broken);
    assert!(!valid && report.contains("is not of type"), "{report}");
    // And the ministry's own valid instance passes.
    assert!(validate(&reference().join("validator-examples/instance-d1.json")).0);
}

/// Whether Python's jsonschema finds the file valid, and what it says.
fn validate(file: &Path) -> (bool, String) {
    let output = Command::new("python3")
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             errors = list(jsonschema.Draft4Validator(schema).iter_errors(json.load(open(sys.argv[2]))))\n\
             print(len(errors)); [print(e.json_path, e.message) for e in errors[:5]]\n\
             sys.exit(1 if errors else 0)",
            reference().join("schema-d1.json").to_str().unwrap(),
            file.to_str().unwrap(),
        ])
        .output()
        .expect("python3 runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), report)
}
