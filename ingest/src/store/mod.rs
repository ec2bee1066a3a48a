//! The embedded DuckDB store: schema migrations, transactional loads with provenance,
//! rejects and warnings.

pub mod backup;
mod load;
mod migrations;
pub mod parquet;
pub mod records;
pub mod snapshot;

use std::path::{Path, PathBuf};

use duckdb::Connection;
use serde::Serialize;

pub use load::{
    CommitGate, DEFAULT_MAX_FILE_BYTES, GateHold, ImportOptions, ImportOutcome, ImportStatus, ParsedFile,
    TRANSACTION_OPEN_MARKER,
};
pub use migrations::LATEST_VERSION;

/// Failures of the store itself (not of an input file, which are refusals).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("impossible d'ouvrir la base {path} : {source}")]
    Open { path: PathBuf, source: duckdb::Error },
    #[error(
        "la base {path} est déjà ouverte par un autre programme (un import ou le serveur opssies) : réessayez quand il aura fini"
    )]
    Locked { path: PathBuf },
    #[error("la base {path} n'existe pas : créez-la en important des fichiers (opssies ingest) ou vérifiez --store")]
    Missing { path: PathBuf },
    #[error(
        "la base {path} a été créée par une version plus récente du programme (schéma v{found}, cette version connaît jusqu'à v{supported}) : mettez opssies à jour"
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },
    #[error("erreur de la base : {0}")]
    Database(#[from] duckdb::Error),
    #[error("impossible de lire {path} : {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("import annulé ({0}) : la base est inchangée, relancez l'import plus tard")]
    Interrupted(String),
    #[error(
        "plus assez d'espace disque pour la base {path} ({detail}) : l'import est annulé et la base est inchangée ; libérez de la place sur le disque (ou demandez à l'administrateur d'agrandir le volume) puis relancez l'import"
    )]
    DiskFull { path: PathBuf, detail: String },
}

impl StoreError {
    /// A write that failed for lack of space (disk full, quota or file-size limit) is told as
    /// such: the user can act on it, a raw I/O error says nothing.
    pub(crate) fn explain_disk_full(self, path: &std::path::Path) -> StoreError {
        let text = self.to_string();
        let lowered = text.to_lowercase();
        let full = [
            "no space left",
            "file too large",
            "disk quota",
            "disk is full",
            "out of disk",
        ]
        .iter()
        .any(|symptom| lowered.contains(symptom));
        match self {
            StoreError::Database(_) if full => StoreError::DiskFull {
                path: path.to_path_buf(),
                detail: text.trim_start_matches("erreur de la base : ").to_owned(),
            },
            other => other,
        }
    }
}

pub struct Store {
    connection: Connection,
    path: PathBuf,
}

/// One line of the `imports` table, for listings.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub import_id: i64,
    pub file_name: String,
    pub kind: Option<String>,
    pub status: String,
    pub started_at: String,
    pub rows_read: i64,
    pub rows_stored: i64,
    pub rows_rejected: i64,
    pub warning_count: i64,
    pub user_name: Option<String>,
    pub sha256: String,
    pub message: Option<String>,
}

/// One line of the `rejects` or `warnings` table joined with its file name.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticRecord {
    pub import_id: i64,
    pub file_name: String,
    pub sheet: Option<String>,
    pub row_number: Option<i64>,
    pub column_name: Option<String>,
    pub json_path: Option<String>,
    pub value: Option<String>,
    /// The reason (rejects) or the message (warnings), in French.
    pub text: String,
}

/// Which diagnostics table to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagnosticKind {
    Rejects,
    Warnings,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_at(path, LATEST_VERSION)
    }

    /// Opens (creating if needed) the store at `path` with its schema brought up to `version`
    /// at most (a restore loads a backup's tables into the schema they were written with,
    /// then calls [`Store::migrate`]).
    pub fn open_at(path: impl AsRef<Path>, version: i64) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let connection = Connection::open(&path).map_err(|source| {
            // DuckDB allows one writing process per file.
            if source.to_string().contains("Could not set lock") {
                StoreError::Locked { path: path.clone() }
            } else {
                StoreError::Open {
                    path: path.clone(),
                    source,
                }
            }
        })?;
        let mut store = Store { connection, path };
        migrations::migrate_to(&mut store.connection, &store.path, version)?;
        Ok(store)
    }

    /// For a run of imports (the `ingest` command): one checkpoint, when the store closes.
    /// A checkpoint rewrites the row groups the imports since the last one appended to,
    /// freeing the blocks the previous one wrote: with DuckDB's 16 MB default, a national
    /// ingest ended with 40 free blocks of 220 (10 MiB of a 55 MiB file); checkpointing once
    /// writes each table once (43.7 MiB, no free block), for 30 MiB more at the peak
    /// (uncheckpointed rows stay in memory). Not for the indicators' writes, whose tables are
    /// rewritten whole anyway.
    pub fn checkpoint_once_at_close(&self) -> Result<(), StoreError> {
        Ok(self.connection.execute_batch("SET checkpoint_threshold = '1GB'")?)
    }

    /// Brings the schema up to date.
    pub fn migrate(&mut self) -> Result<(), StoreError> {
        migrations::migrate(&mut self.connection, &self.path)
    }

    /// Opens a store that must already exist (for listings: a typo in `--store` must not
    /// create an empty store).
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    /// An in-memory store, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let connection = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        let mut store = Store { connection, path };
        migrations::migrate(&mut store.connection, &store.path)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for read queries by the analytics layer.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        migrations::current_version(&self.connection).map_err(StoreError::from)
    }

    /// Imports, newest first.
    pub fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT import_id, file_name, kind, status, strftime(started_at, '%Y-%m-%d %H:%M:%S'), rows_read, rows_stored,
                    rows_rejected, warning_count, user_name, sha256, message
             FROM imports ORDER BY import_id DESC",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(ImportRecord {
                import_id: row.get(0)?,
                file_name: row.get(1)?,
                kind: row.get(2)?,
                status: row.get(3)?,
                started_at: row.get(4)?,
                rows_read: row.get(5)?,
                rows_stored: row.get(6)?,
                rows_rejected: row.get(7)?,
                warning_count: row.get(8)?,
                user_name: row.get(9)?,
                sha256: row.get(10)?,
                message: row.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Rejects of one import, or of all imports, in file order.
    pub fn rejects(&self, import_id: Option<i64>) -> Result<Vec<DiagnosticRecord>, StoreError> {
        self.diagnostics(DiagnosticKind::Rejects, import_id)
    }

    /// Rejects or warnings of one import, or of all imports, in file order.
    pub fn diagnostics(
        &self,
        kind: DiagnosticKind,
        import_id: Option<i64>,
    ) -> Result<Vec<DiagnosticRecord>, StoreError> {
        diagnostics(&self.connection, kind, import_id)
    }

    /// Row counts of the public tables, for summaries.
    pub fn table_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        const TABLES: [&str; 11] = [
            "establishments",
            "legal_entities",
            "events",
            "event_sources",
            "ose_ght",
            "declarations",
            "answers",
            "questions",
            "imports",
            "rejects",
            "warnings",
        ];
        TABLES
            .iter()
            .map(|table| {
                let count: i64 = self
                    .connection
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0))?;
                Ok((*table, count))
            })
            .collect()
    }
}

/// Rejects or warnings of one import, or of all imports, in file order, on any connection
/// of the store.
pub fn diagnostics(
    connection: &Connection,
    kind: DiagnosticKind,
    import_id: Option<i64>,
) -> Result<Vec<DiagnosticRecord>, StoreError> {
    let (table, text_column) = match kind {
        DiagnosticKind::Rejects => ("rejects", "reason"),
        DiagnosticKind::Warnings => ("warnings", "message"),
    };
    let mut statement = connection.prepare(&format!(
        "SELECT r.import_id, i.file_name, r.sheet, r.row_number, r.column_name, r.json_path, r.value, r.{text_column}
         FROM {table} r JOIN imports i USING (import_id)
         WHERE ?::BIGINT IS NULL OR r.import_id = ?::BIGINT
         ORDER BY r.import_id, r.sheet NULLS FIRST, r.row_number NULLS FIRST, r.json_path"
    ))?;
    let rows = statement.query_map([import_id, import_id], |row| {
        Ok(DiagnosticRecord {
            import_id: row.get(0)?,
            file_name: row.get(1)?,
            sheet: row.get(2)?,
            row_number: row.get(3)?,
            column_name: row.get(4)?,
            json_path: row.get(5)?,
            value: row.get(6)?,
            text: row.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
