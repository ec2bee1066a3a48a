//! Where the rules live (docs/ARCHITECTURE.md): every statement analytics runs is a file of
//! `analytics/sql/`; the dashboard (pages, API, exports, CLI) and analytics' Rust write no
//! SQL; the store's migrations leave tables and plain "current version" views only.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Statement keywords as written in this codebase's SQL (upper case, whole words).
const STATEMENT_WORDS: [&str; 10] = [
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "COPY", "EXPORT", "PRAGMA", "ATTACH",
];

/// The lines of Rust source that hold SQL: a statement keyword as a whole word outside a
/// comment.
fn sql_lines(source: &str) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or("");
            STATEMENT_WORDS.iter().any(|word| {
                code.match_indices(word).any(|(at, _)| {
                    let before = code[..at].chars().next_back();
                    let after = code[at + word.len()..].chars().next();
                    let part_of_name = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                    !part_of_name(before) && !part_of_name(after)
                })
            })
        })
        .map(|(number, line)| (number + 1, line.trim().to_owned()))
        .collect()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn the_scanner_finds_sql_and_only_sql() {
    assert_eq!(sql_lines("let q = \"SELECT 1\";").len(), 1);
    assert_eq!(sql_lines("connection.execute(\"DELETE FROM t\", [])").len(), 1);
    assert!(sql_lines("// SELECT in a comment").is_empty());
    assert!(sql_lines("file!(STATUS_SELECT, \"x\"); let selected = SELECTED;").is_empty());
    assert!(sql_lines("execute_batch(\"BEGIN TRANSACTION\")").is_empty());
}

#[test]
fn the_dashboard_and_analytics_write_no_sql() {
    let root = workspace();
    let mut files = Vec::new();
    rust_files(&root.join("dashboard/src"), &mut files);
    rust_files(&root.join("analytics/src"), &mut files);
    assert!(files.len() > 20, "{files:?}");
    let mut found = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (line, text) in sql_lines(&source) {
            found.push(format!(
                "{}:{line}: {text}",
                file.strip_prefix(&root).unwrap().display()
            ));
        }
    }
    assert!(
        found.is_empty(),
        "SQL hors de analytics/sql/ (indicateurs) et de ingest/src/store (stockage) :\n{}",
        found.join("\n")
    );
}

#[test]
fn every_analytics_sql_file_is_run_and_every_named_file_exists() {
    let root = workspace();
    let index = std::fs::read_to_string(root.join("analytics/src/sql.rs")).unwrap();
    let mut files = Vec::new();
    let mut stack = vec![root.join("analytics/sql")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sql") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 30, "{files:?}");
    for file in files {
        let name = file
            .strip_prefix(root.join("analytics/sql"))
            .unwrap()
            .with_extension("")
            .display()
            .to_string();
        assert!(
            index.contains(&format!("\"{name}\")")),
            "analytics/sql/{name}.sql n'est lu par aucun code (analytics/src/sql.rs)"
        );
    }
}

#[test]
fn the_store_keeps_tables_and_plain_current_version_views_only() {
    let store = ingest::Store::open_in_memory().unwrap();
    let names = |sql: &str| -> Vec<String> {
        let mut statement = store.connection().prepare(sql).unwrap();
        statement
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    // Each view picks the current version of something stored, or names it otherwise; none
    // holds a threshold, a delay or an event code (those are analytics', reading the settings).
    assert_eq!(
        names("SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' ORDER BY 1"),
        [
            "action_checks",
            "answers",
            "current_answers",
            "current_applications",
            "current_declarations",
            "current_ose_ght",
            "establishments",
            "event_establishments",
            "latest_self_assessments",
            "legal_entities",
        ]
    );
    // The journal's hash, defined once for writing and verifying.
    assert_eq!(
        names(
            "SELECT DISTINCT function_name FROM duckdb_functions()
             WHERE function_type IN ('macro', 'table_macro') AND NOT internal AND schema_name = 'main' ORDER BY 1"
        ),
        ["audit_field", "audit_row_hash"]
    );
}
