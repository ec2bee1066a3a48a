//! The analysts' snapshot: a copy of the store that DuckDB, Python or DBeaver open while the
//! server holds the store itself (DuckDB lets one process write a file, and readers of the
//! same file conflict with it). Tables and views, without the `analytics_*` caches (derived)
//! nor the accounts and the journal (not the analysts'). Written to a temporary file, then
//! renamed over the previous snapshot: a reader sees the old one or the new one, whole.

use std::path::{Path, PathBuf};

use duckdb::Connection;

use super::StoreError;

/// The tables an analyst's copy holds: a table is copied only when it is named here (a new
/// table stays out until someone decides; `every_table_is_decided` fails until then).
pub const SHARED: [&str; 20] = [
    "actions",
    "answer_rows",
    "answer_values",
    "applications",
    "declarations",
    "event_sources",
    "events",
    "exercises",
    "finess_referential",
    "imports",
    "incidents",
    "opssies_sent",
    "ose_ght",
    "questions",
    "referential_presence",
    "rejects",
    "schema_version",
    "self_assessment_levels",
    "self_assessments",
    "warnings",
];

/// Tables of the store that never leave it (accounts, the journal, identities); the
/// `analytics_*` caches are derived and left out too.
pub const KEPT_BACK: [&str; 3] = ["users", "audit_log", "user_identities"];

/// The snapshot beside a store: `opssies.duckdb` → `opssies-lecture.duckdb`.
pub fn default_path(store: &Path) -> PathBuf {
    let stem = store
        .file_stem()
        .map_or_else(|| "opssies".into(), |stem| stem.to_string_lossy().into_owned());
    store.with_file_name(format!("{stem}-lecture.duckdb"))
}

/// What a snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub path: PathBuf,
    pub tables: usize,
    pub views: usize,
}

/// Writes the snapshot of the store this connection opens to `target`.
pub fn write(connection: &Connection, target: &Path) -> Result<Snapshot, StoreError> {
    let temporary = target.with_extension("duckdb.tmp");
    for leftover in [temporary.clone(), temporary.with_extension("tmp.wal")] {
        let _ = std::fs::remove_file(leftover);
    }
    let quoted = temporary.display().to_string().replace('\'', "''");
    let home: String = connection.query_row("SELECT current_database()", [], |row| row.get(0))?;
    connection.execute_batch(&format!("ATTACH '{quoted}' AS opssies_snapshot"))?;
    let copied = copy(connection, &home);
    let _ = connection.execute_batch(&format!("USE \"{}\"", home.replace('"', "\"\"")));
    let detached = connection.execute_batch("DETACH opssies_snapshot");
    let (tables, views) = copied?;
    detached?;
    std::fs::rename(&temporary, target).map_err(|source| StoreError::Read {
        path: target.to_path_buf(),
        source,
    })?;
    Ok(Snapshot {
        path: target.to_path_buf(),
        tables,
        views,
    })
}

fn copy(connection: &Connection, home: &str) -> Result<(usize, usize), StoreError> {
    let tables: Vec<String> = connection
        .prepare(
            "SELECT table_name FROM duckdb_tables()
             WHERE database_name = ? AND schema_name = 'main' AND NOT temporary
               AND NOT starts_with(table_name, 'analytics_') ORDER BY table_name",
        )?
        .query_map([home], |row| row.get(0))?
        .collect::<duckdb::Result<_>>()?;
    let tables: Vec<String> = tables
        .into_iter()
        .filter(|table| SHARED.contains(&table.as_str()))
        .collect();
    let home_quoted = home.replace('"', "\"\"");
    for table in &tables {
        let name = table.replace('"', "\"\"");
        connection.execute_batch(&format!(
            "CREATE TABLE opssies_snapshot.main.\"{name}\" AS SELECT * FROM \"{home_quoted}\".main.\"{name}\""
        ))?;
    }
    // Views are created inside the snapshot (their names resolve there), each after the
    // views it reads: a pass creates those whose sources exist, until none is left.
    let mut views: Vec<String> = connection
        .prepare(
            "SELECT sql FROM duckdb_views()
             WHERE database_name = ? AND schema_name = 'main' AND NOT internal AND NOT temporary",
        )?
        .query_map([home], |row| row.get(0))?
        .collect::<duckdb::Result<_>>()?;
    let count = views.len();
    connection.execute_batch("USE opssies_snapshot")?;
    while !views.is_empty() {
        let before = views.len();
        views.retain(|definition| connection.execute_batch(definition).is_err());
        if views.len() == before {
            return Err(StoreError::Database(
                connection
                    .execute_batch(&views[0])
                    .err()
                    .unwrap_or(duckdb::Error::InvalidQuery),
            ));
        }
    }
    Ok((tables.len(), count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_decided() {
        // Each table the migrations create is either the analysts' or kept back, never both.
        let store = crate::Store::open_in_memory().unwrap_or_else(|error| panic!("{error}"));
        let tables: Vec<String> = store
            .connection()
            .prepare("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary")
            .and_then(|mut statement| statement.query_map([], |row| row.get(0))?.collect())
            .unwrap_or_else(|error| panic!("{error}"));
        for table in &tables {
            let shared = SHARED.contains(&table.as_str());
            let kept = KEPT_BACK.contains(&table.as_str());
            assert!(shared != kept, "table « {table} »: add it to SHARED or to KEPT_BACK");
        }
        assert_eq!(tables.len(), SHARED.len() + KEPT_BACK.len());
    }
}
