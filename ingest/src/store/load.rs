//! Loading one file: duplicate check, parse, then one transaction that stores the rows, the
//! rejects, the warnings and the import's own record — or nothing at all.

use std::collections::HashMap;
use std::path::Path;

use arrow::array::{Array, Float64Array, Int64Array, Int64Builder, StringArray};
use arrow::datatypes::{DataType, Schema};
use arrow::record_batch::RecordBatch;
use duckdb::{Connection, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Store, StoreError};
use std::sync::Arc;

use crate::catalogue::Catalogues;
use crate::parsers::self_assessment::GridSettings;
use crate::parsers::{self, InputKind, ParseContext, Parsed};
use crate::report::{Diagnostics, Location, Refusal};

/// Default limit on one file's size (inputs.md "Limits").
pub const DEFAULT_MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// Set by the crash-safety tests only: the import announces on stderr that its transaction
/// is open, then waits this many milliseconds before committing, so a test can kill it there.
const PAUSE_BEFORE_COMMIT_ENV: &str = "OPSSIES_TEST_PAUSE_BEFORE_COMMIT_MS";
pub const TRANSACTION_OPEN_MARKER: &str = "opssies: transaction ouverte";

/// Closed around every commit by whoever shares the store with readers (the web server),
/// so that no reader ever sees an import half-way; it may also refuse the commit (the
/// server is stopping), and the import is then rolled back.
pub trait CommitGate: Send + Sync + std::fmt::Debug {
    /// Waits until no reader is at work; new readers wait until the hold is dropped.
    fn close(&self) -> Result<Box<dyn GateHold + '_>, String>;
}

/// A closed gate; told when the commit succeeded, dropped after the commit either way.
pub trait GateHold {
    fn committed(&mut self, import_id: i64);
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Forces the kind instead of recognising it.
    pub kind: Option<InputKind>,
    /// Who imports, recorded in `imports.user_name`.
    pub user: Option<String>,
    pub max_file_bytes: u64,
    /// Question catalogues for oSIS exports (default: the embedded demonstration catalogue).
    pub catalogues: Arc<Catalogues>,
    /// Points per level of the self-assessment grids (default: `data/self_assessment_points.csv`).
    pub grid_settings: GridSettings,
    /// Shared with concurrent readers (see [`CommitGate`]); `None` for a lone process.
    pub commit_gate: Option<Arc<dyn CommitGate>>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            kind: None,
            user: None,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            catalogues: Arc::new(Catalogues::embedded()),
            grid_settings: GridSettings::default(),
            commit_gate: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportStatus {
    /// Stored (possibly with rejects and warnings).
    Stored,
    /// The same bytes were already stored: nothing changed.
    Duplicate,
    /// Refused whole: nothing of it is stored.
    Refused,
}

/// What happened to one file; serialised as the CLI's `--json` line.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub file: String,
    #[serde(serialize_with = "serialize_kind")]
    pub kind: Option<InputKind>,
    pub status: ImportStatus,
    pub import_id: Option<i64>,
    pub sha256: String,
    pub rows_read: u64,
    pub rows_stored: u64,
    pub rejected: u64,
    pub warnings: u64,
    pub message: String,
    /// For a duplicate, the import that first stored these bytes.
    pub duplicate_of: Option<i64>,
    #[serde(skip)]
    pub diagnostics: Diagnostics,
}

fn serialize_kind<S: serde::Serializer>(kind: &Option<InputKind>, serializer: S) -> Result<S::Ok, S::Error> {
    match kind {
        Some(kind) => serializer.serialize_str(kind.name()),
        None => serializer.serialize_none(),
    }
}

/// A file read and parsed, not yet stored: the pure half of an import, which may run on
/// another thread while the store writes the previous file.
#[derive(Debug)]
pub struct ParsedFile {
    file_name: String,
    sha256: String,
    size: u64,
    started_at: String,
    result: Result<(Parsed, Diagnostics), (Option<InputKind>, Refusal)>,
}

impl ParsedFile {
    /// Parses bytes under a file name (the name is only recorded, never used as a path).
    pub fn parse(file_name: &str, bytes: &[u8], options: &ImportOptions) -> ParsedFile {
        ParsedFile::parse_hashed(file_name, bytes, hex::encode(Sha256::digest(bytes)), options)
    }

    /// Reads then parses a file; the size limit is checked before reading.
    pub fn read(path: &Path, options: &ImportOptions) -> Result<ParsedFile, StoreError> {
        Ok(match read_within_limit(path, options)? {
            (file_name, Err((size, refusal))) => ParsedFile {
                file_name,
                sha256: String::new(),
                size,
                started_at: now_utc(),
                result: Err((options.kind, refusal)),
            },
            (file_name, Ok(bytes)) => ParsedFile::parse(&file_name, &bytes, options),
        })
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    fn parse_hashed(file_name: &str, bytes: &[u8], sha256: String, options: &ImportOptions) -> ParsedFile {
        let size = bytes.len() as u64;
        let started_at = now_utc();
        let clock = std::time::Instant::now();
        let result = if size > options.max_file_bytes {
            Err((options.kind, too_large(size, options.max_file_bytes)))
        } else {
            let mut diagnostics = Diagnostics::default();
            let context = ParseContext {
                file_name: Some(file_name),
                catalogues: &options.catalogues,
                grid_settings: &options.grid_settings,
            };
            parsers::detect_and_parse(options.kind, bytes, context, &mut diagnostics)
                .map(|parsed| (parsed, diagnostics))
        };
        tracing::debug!(file = file_name, seconds = clock.elapsed().as_secs_f64(), "parsed");
        ParsedFile {
            file_name: file_name.to_owned(),
            sha256,
            size,
            started_at,
            result,
        }
    }
}

impl Store {
    /// Reads and imports one file. The size limit is checked before reading.
    pub fn import_file(&mut self, path: &Path, options: &ImportOptions) -> Result<ImportOutcome, StoreError> {
        match read_within_limit(path, options)? {
            (name, Err((size, refusal))) => self.record_refusal(&name, "", size, options.kind, refusal, options),
            (name, Ok(bytes)) => self.import_bytes(&name, &bytes, options),
        }
    }

    /// Imports bytes under a file name (the name is only recorded, never used as a path).
    pub fn import_bytes(
        &mut self,
        file_name: &str,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportOutcome, StoreError> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        // A file already stored is not parsed again.
        if let Some(duplicate) = self.duplicate_outcome(file_name, &sha256)? {
            return Ok(duplicate);
        }
        let parsed = ParsedFile::parse_hashed(file_name, bytes, sha256, options);
        self.store_file(parsed, options)
    }

    /// Stores a file parsed beforehand (possibly on another thread): a duplicate is
    /// recognised here, at storing time, so the same bytes twice in one batch store once.
    pub fn store_file(&mut self, file: ParsedFile, options: &ImportOptions) -> Result<ImportOutcome, StoreError> {
        let ParsedFile {
            file_name,
            sha256,
            size,
            started_at,
            result,
        } = file;
        if let Some(duplicate) = self.duplicate_outcome(&file_name, &sha256)? {
            return Ok(duplicate);
        }
        match result {
            Err((kind, refusal)) => self.record_refusal(&file_name, &sha256, size, kind, refusal, options),
            Ok((parsed, diagnostics)) => self
                .store_parsed(started_at, &file_name, &sha256, size, parsed, diagnostics, options)
                .map_err(|error| error.explain_disk_full(&self.path)),
        }
    }

    fn duplicate_outcome(&self, file_name: &str, sha256: &str) -> Result<Option<ImportOutcome>, StoreError> {
        Ok(self
            .stored_import_with_hash(sha256)?
            .map(|(first_import, first_kind)| ImportOutcome {
                file: file_name.to_owned(),
                kind: first_kind.and_then(|name| name.parse().ok()),
                status: ImportStatus::Duplicate,
                import_id: None,
                sha256: sha256.to_owned(),
                rows_read: 0,
                rows_stored: 0,
                rejected: 0,
                warnings: 0,
                message: format!("fichier déjà importé à l'identique (import n° {first_import}) : rien n'a changé"),
                duplicate_of: Some(first_import),
                diagnostics: Diagnostics::default(),
            }))
    }

    fn stored_import_with_hash(&self, sha256: &str) -> Result<Option<(i64, Option<String>)>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT import_id, kind FROM imports WHERE sha256 = ? AND status = 'stored' ORDER BY import_id LIMIT 1",
        )?;
        let mut rows = statement.query([sha256])?;
        match rows.next()? {
            Some(row) => Ok(Some((row.get(0)?, row.get(1)?))),
            None => Ok(None),
        }
    }

    fn record_refusal(
        &mut self,
        file_name: &str,
        sha256: &str,
        size: u64,
        kind: Option<InputKind>,
        refusal: Refusal,
        options: &ImportOptions,
    ) -> Result<ImportOutcome, StoreError> {
        let message = format!("fichier refusé : {refusal}");
        let started_at = now_utc();
        let transaction = self.connection.transaction()?;
        let import_id = next_import_id(&transaction)?;
        transaction.execute(
            "INSERT INTO imports (import_id, file_name, sha256, kind, size_bytes, started_at, finished_at, status,
                                  rows_read, rows_stored, rows_rejected, warning_count, message, user_name)
             VALUES (?, ?, ?, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP, 'refused', 0, 0, 0, 0, ?, ?)",
            params![
                import_id,
                file_name,
                sha256,
                kind.map(InputKind::name),
                size as i64,
                started_at,
                now_utc(),
                message,
                options.user
            ],
        )?;
        commit(transaction, import_id, options)?;
        Ok(ImportOutcome {
            file: file_name.to_owned(),
            kind,
            status: ImportStatus::Refused,
            import_id: Some(import_id),
            sha256: sha256.to_owned(),
            rows_read: 0,
            rows_stored: 0,
            rejected: 0,
            warnings: 0,
            message,
            duplicate_of: None,
            diagnostics: Diagnostics::default(),
        })
    }

    #[allow(clippy::too_many_arguments)] // the import's identity, its parse and its options
    fn store_parsed(
        &mut self,
        started_at: String,
        file_name: &str,
        sha256: &str,
        size: u64,
        parsed: Parsed,
        mut diagnostics: Diagnostics,
        options: &ImportOptions,
    ) -> Result<ImportOutcome, StoreError> {
        let kind = parsed.kind();
        let rows_read = parsed.rows_read();
        let clock = std::time::Instant::now();
        let transaction = self.connection.transaction()?;
        let import_id = next_import_id(&transaction)?;

        let rows_stored = match &parsed {
            Parsed::Finess(extract) => load_finess(&transaction, import_id, &extract.sites, &mut diagnostics)?,
            Parsed::OseList(list) => load_ose(&transaction, import_id, &list.rows, &mut diagnostics)?,
            Parsed::Events(file) => load_events(&transaction, import_id, &file.events, &mut diagnostics)?,
            Parsed::Osis(export) => load_osis(&transaction, import_id, export)?,
            Parsed::Grids(grids) => load_grids(&transaction, import_id, grids)?,
            Parsed::Applications(applications) => {
                insert_staged(&transaction, "applications", import_id, &applications.applications)?
            }
            Parsed::Exercises(workbook) => {
                insert_staged(&transaction, "exercises", import_id, &workbook.exercises)?
                    + insert_staged(&transaction, "actions", import_id, &workbook.actions)?
            }
            Parsed::Incidents(incidents) => insert_staged(&transaction, "incidents", import_id, &incidents.incidents)?,
        };
        // Only CaRE D1 event files name their sender and generation time.
        let care_d1_name = match &parsed {
            Parsed::Events(file) => file.care_d1_name.as_ref(),
            _ => None,
        };
        let sender = care_d1_name.map(|name| name.sender.clone());
        let generated_at = care_d1_name.map(|name| name.generated_at.format("%Y-%m-%d %H:%M:%S").to_string());
        insert_diagnostics(&transaction, import_id, &diagnostics)?;

        let rejected = diagnostics.rejects.len() as u64;
        let warnings = diagnostics.warnings.len() as u64;
        let message = summary_message(kind, rows_read, rows_stored, rejected, warnings);
        transaction.execute(
            "INSERT INTO imports (import_id, file_name, sha256, kind, size_bytes, encoding, started_at, finished_at, status,
                                  rows_read, rows_stored, rows_rejected, warning_count, message, user_name, source_date,
                                  sender, file_generated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP, 'stored', ?, ?, ?, ?, ?, ?, ?::DATE, ?, ?::TIMESTAMP)",
            params![
                import_id,
                file_name,
                sha256,
                kind.name(),
                size as i64,
                parsed.encoding().map(|encoding| encoding.label()),
                started_at,
                now_utc(),
                rows_read as i64,
                rows_stored as i64,
                rejected as i64,
                warnings as i64,
                message,
                options.user,
                parsed.extract_date().map(|date| date.to_string()),
                sender,
                generated_at,
            ],
        )?;
        let loaded = clock.elapsed().as_secs_f64();
        pause_before_commit_if_testing();
        commit(transaction, import_id, options)?;
        tracing::debug!(
            file = file_name,
            load_seconds = loaded,
            commit_seconds = clock.elapsed().as_secs_f64() - loaded,
            "stored"
        );
        Ok(ImportOutcome {
            file: file_name.to_owned(),
            kind: Some(kind),
            status: ImportStatus::Stored,
            import_id: Some(import_id),
            sha256: sha256.to_owned(),
            rows_read,
            rows_stored,
            rejected,
            warnings,
            message,
            duplicate_of: None,
            diagnostics,
        })
    }
}

/// A file's name and bytes, or its size and the refusal when it exceeds the limit (checked
/// before reading, so an oversized file is never loaded in memory).
type WithinLimit = (String, Result<Vec<u8>, (u64, Refusal)>);

fn read_within_limit(path: &Path, options: &ImportOptions) -> Result<WithinLimit, StoreError> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let read_error = |source| StoreError::Read {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > options.max_file_bytes {
        return Ok((name, Err((size, too_large(size, options.max_file_bytes)))));
    }
    let bytes = std::fs::read(path).map_err(read_error)?;
    Ok((name, Ok(bytes)))
}

fn too_large(size: u64, limit: u64) -> Refusal {
    Refusal::TooLarge {
        size_bytes: size,
        limit_mib: limit / 1_048_576,
    }
}

fn summary_message(kind: InputKind, read: u64, stored: u64, rejected: u64, warnings: u64) -> String {
    let unit = match kind {
        InputKind::OpssiesEvents => "événement(s)",
        InputKind::FinessEtalab => "ligne(s)",
        InputKind::OseList => "ligne(s)",
        InputKind::OsisExport => "déclaration(s)",
        InputKind::SelfAssessment => "grille(s)",
        InputKind::Incidents => "incident(s)",
        InputKind::Exercises => "exercice(s) et action(s)",
        InputKind::Applications => "dossier(s)",
    };
    format!(
        "{} : {read} {unit} lu(s), {stored} enregistré(s), {rejected} rejeté(s), {warnings} avertissement(s)",
        kind.label()
    )
}

fn now_utc() -> String {
    chrono::Utc::now()
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

/// Commits through the gate when readers share the store.
fn commit(transaction: duckdb::Transaction<'_>, import_id: i64, options: &ImportOptions) -> Result<(), StoreError> {
    let Some(gate) = &options.commit_gate else {
        transaction.commit()?;
        return Ok(());
    };
    let mut hold = gate.close().map_err(StoreError::Interrupted)?;
    transaction.commit()?;
    hold.committed(import_id);
    Ok(())
}

fn next_import_id(connection: &Connection) -> duckdb::Result<i64> {
    connection.query_row("SELECT coalesce(max(import_id), 0) + 1 FROM imports", [], |row| {
        row.get(0)
    })
}

fn pause_before_commit_if_testing() {
    if let Some(milliseconds) = std::env::var(PAUSE_BEFORE_COMMIT_ENV)
        .ok()
        .and_then(|text| text.parse::<u64>().ok())
    {
        eprintln!("{TRANSACTION_OPEN_MARKER}");
        std::thread::sleep(std::time::Duration::from_millis(milliseconds));
    }
}

/// Creates a temporary table shaped like the batch and appends the batch to it.
fn stage(connection: &Connection, name: &str, batch: &RecordBatch) -> duckdb::Result<()> {
    let columns: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|field| format!("\"{}\" {}", field.name(), sql_type(field.data_type())))
        .collect();
    connection.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE {name} ({})", columns.join(", ")))?;
    if batch.num_rows() > 0 {
        let mut appender = connection.appender_to_catalog_and_db(name, "temp", "main")?;
        appender.append_record_batch(batch.clone())?;
        appender.flush()?;
    }
    Ok(())
}

fn sql_type(data_type: &DataType) -> &'static str {
    match data_type {
        DataType::Boolean => "BOOLEAN",
        DataType::Int32 => "INTEGER",
        DataType::Int64 => "BIGINT",
        DataType::Float64 => "DOUBLE",
        DataType::Date32 => "DATE",
        DataType::Timestamp(_, _) => "TIMESTAMP",
        _ => "VARCHAR",
    }
}

fn column_names(schema: &Schema) -> Vec<String> {
    schema
        .fields()
        .iter()
        .map(|field| format!("\"{}\"", field.name()))
        .collect()
}

fn load_finess(
    connection: &Connection,
    import_id: i64,
    sites: &RecordBatch,
    diagnostics: &mut Diagnostics,
) -> duckdb::Result<u64> {
    stage(connection, "stage_finess", sites)?;
    let columns = column_names(&sites.schema());
    let updates: Vec<String> = columns
        .iter()
        .filter(|column| *column != "\"finess_et\"")
        .map(|column| format!("{column} = s.{column}"))
        .collect();
    let values: Vec<String> = columns.iter().map(|column| format!("s.{column}")).collect();
    // A later extract wins; an older one re-imported afterwards must not undo it.
    let merged = connection.execute(
        &format!(
            "MERGE INTO finess_referential AS r
             USING (SELECT *, ? AS import_id FROM temp.stage_finess) AS s
             ON r.finess_et = s.finess_et
             WHEN MATCHED AND coalesce(s.extract_date, DATE '0001-01-01') >= coalesce(r.extract_date, DATE '0001-01-01')
                 THEN UPDATE SET {}, import_id = s.import_id
             WHEN NOT MATCHED THEN INSERT ({}, import_id) VALUES ({}, s.import_id)",
            updates.join(", "),
            columns.join(", "),
            values.join(", "),
        ),
        [import_id],
    )? as u64;
    // Every extract's list of sites, older ones included: closures are read from it.
    connection.execute(
        "INSERT INTO referential_presence SELECT ?, extract_date, finess_et FROM temp.stage_finess",
        [import_id],
    )?;
    let kept_newer = sites.num_rows() as u64 - merged;
    if kept_newer > 0 {
        diagnostics.warn(
            Location::default(),
            None,
            format!(
                "{kept_newer} établissement(s) non mis à jour : la base contient pour eux un extrait FINESS plus récent"
            ),
        );
    }
    connection.execute_batch("DROP TABLE temp.stage_finess")?;
    Ok(merged)
}

fn load_ose(
    connection: &Connection,
    import_id: i64,
    rows: &RecordBatch,
    diagnostics: &mut Diagnostics,
) -> duckdb::Result<u64> {
    stage(connection, "stage_ose", rows)?;
    let stored = connection.execute(
        "INSERT INTO ose_ght (import_id, finess_et, finess_ej, ght, ose) SELECT ?, finess_et, finess_ej, ght, ose FROM temp.stage_ose",
        [import_id],
    )? as u64;
    // Only meaningful once a referential is loaded.
    let mut statement = connection.prepare(
        "SELECT s.finess_et FROM temp.stage_ose s
         WHERE EXISTS (SELECT 1 FROM finess_referential)
           AND NOT EXISTS (SELECT 1 FROM finess_referential r WHERE r.finess_et = s.finess_et)
         ORDER BY s.finess_et",
    )?;
    let unknown: Vec<String> = statement.query_map([], |row| row.get(0))?.collect::<Result<_, _>>()?;
    for finess in unknown {
        diagnostics.warn(
            Location::default(),
            Some(&finess),
            format!("FINESS ET {finess} absent du référentiel FINESS chargé : ligne gardée"),
        );
    }
    connection.execute_batch("DROP TABLE temp.stage_ose")?;
    Ok(stored)
}

fn load_events(
    connection: &Connection,
    import_id: i64,
    events: &RecordBatch,
    diagnostics: &mut Diagnostics,
) -> duckdb::Result<u64> {
    stage(connection, "stage_events", events)?;
    let mut statement = connection.prepare(
        "SELECT s.json_path, e.import_id FROM temp.stage_events s JOIN events e USING (event_id) ORDER BY s.json_path",
    )?;
    let known: Vec<(String, i64)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (json_path, first_import) in known {
        diagnostics.warn(
            Location::json(json_path),
            None,
            format!("événement déjà enregistré par l'import n° {first_import} : non dupliqué"),
        );
    }
    let columns = column_names(&events.schema()).join(", ");
    let stored = connection.execute(
        &format!(
            "INSERT INTO events (import_id, {columns})
             SELECT ?, {columns} FROM temp.stage_events s
             WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.event_id)"
        ),
        [import_id],
    )? as u64;
    connection.execute(
        "INSERT INTO event_sources (event_id, import_id, json_path) SELECT event_id, ?, json_path FROM temp.stage_events",
        [import_id],
    )?;
    connection.execute_batch("DROP TABLE temp.stage_events")?;
    Ok(stored)
}

fn load_osis(connection: &Connection, import_id: i64, export: &parsers::osis::OsisExport) -> duckdb::Result<u64> {
    // Each declaration gets the next number of the store; its answers name it by that number.
    let first: i64 = connection.query_row(
        "SELECT coalesce(max(declaration_id), 0) + 1 FROM declarations",
        [],
        |row| row.get(0),
    )?;
    let rows = export.declarations.num_rows() as i64;
    let numbered = with_column(
        &export.declarations,
        "declaration_id",
        Arc::new(Int64Array::from_iter_values(first..first + rows)),
    )?;
    let stored = insert_staged(connection, "declarations", import_id, &numbered)?;
    store_answers(connection, first, &export.answers)?;
    // The questions of each catalogue version, stored once: an answer reads its domain,
    // maximum and weight there (view `answers`), so every question answered must be here.
    // A version seen before keeps its questions; one it lacked is added.
    for catalogue in &export.catalogues_used {
        let known: Vec<String> = connection
            .prepare("SELECT code FROM questions WHERE catalogue_version = ?")?
            .query_map([&catalogue.version], |row| row.get(0))?
            .collect::<duckdb::Result<_>>()?;
        let mut appender = connection.appender("questions")?;
        for question in catalogue
            .questions
            .iter()
            .filter(|question| !known.contains(&question.code))
        {
            appender.append_row(params![
                catalogue.version,
                question.code,
                question.domain,
                question.label,
                question.answer_type.name(),
                question.max_points(),
                question.weight,
                question.expectation
            ])?;
        }
        appender.flush()?;
    }
    Ok(stored)
}

/// A column of a batch the parser built, by name and type.
fn column<'b, T: 'static>(batch: &'b RecordBatch, name: &str) -> duckdb::Result<&'b T> {
    batch
        .column_by_name(name)
        .and_then(|column| column.as_any().downcast_ref::<T>())
        .ok_or_else(|| duckdb::Error::InvalidColumnName(name.to_owned()))
}

/// An export's answers as the store keeps them (migration 14): each distinct answer of a
/// question — its text as typed, its normalised value, its points — once in
/// `answer_values`, numbered; each answer of a declaration, two numbers in `answer_rows`
/// (its declaration, numbered from `first_declaration` in the batch's order, and its value).
/// A national campaign's 700,000 answers share some 30,000 values.
fn store_answers(connection: &Connection, first_declaration: i64, answers: &RecordBatch) -> duckdb::Result<()> {
    let declaration = column::<Int64Array>(answers, "declaration_index")?;
    let code = column::<StringArray>(answers, "question_code")?;
    let raw = column::<StringArray>(answers, "raw_answer")?;
    let normalised = column::<StringArray>(answers, "normalised_value")?;
    let points = column::<Float64Array>(answers, "points")?;
    type Value = (String, String, String, Option<u64>);
    let stored: Vec<(i64, Value)> = connection
        .prepare("SELECT value_id, question_code, raw_answer, normalised_value, points FROM answer_values")?
        .query_map([], |row| {
            let points: Option<f64> = row.get(4)?;
            Ok((
                row.get(0)?,
                (row.get(1)?, row.get(2)?, row.get(3)?, points.map(f64::to_bits)),
            ))
        })?
        .collect::<duckdb::Result<_>>()?;
    let mut next = stored.iter().map(|(id, _)| *id).max().unwrap_or(0) + 1;
    let mut values: HashMap<(&str, &str, &str, Option<u64>), i64> = stored
        .iter()
        .map(|(id, (code, raw, normalised, points))| ((code.as_str(), raw.as_str(), normalised.as_str(), *points), *id))
        .collect();
    let mut new_values = connection.appender("answer_values")?;
    let (mut declaration_ids, mut value_ids) = (
        Int64Builder::with_capacity(answers.num_rows()),
        Int64Builder::with_capacity(answers.num_rows()),
    );
    for row in 0..answers.num_rows() {
        let row_points = points.is_valid(row).then(|| points.value(row));
        let key = (
            code.value(row),
            raw.value(row),
            normalised.value(row),
            row_points.map(f64::to_bits),
        );
        let id = match values.get(&key) {
            Some(id) => *id,
            None => {
                new_values.append_row(params![next, key.0, key.1, key.2, row_points])?;
                values.insert(key, next);
                next += 1;
                next - 1
            }
        };
        declaration_ids.append_value(first_declaration + declaration.value(row));
        value_ids.append_value(id);
    }
    new_values.flush()?;
    let rows = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            arrow::datatypes::Field::new("declaration_id", DataType::Int64, false),
            arrow::datatypes::Field::new("value_id", DataType::Int64, false),
        ])),
        vec![Arc::new(declaration_ids.finish()), Arc::new(value_ids.finish())],
    )
    .map_err(|error| duckdb::Error::ToSqlConversionFailure(Box::new(error)))?;
    insert_staged_rows(connection, "answer_rows", &rows)?;
    Ok(())
}

/// The batch with one more column, last.
fn with_column(batch: &RecordBatch, name: &str, column: arrow::array::ArrayRef) -> duckdb::Result<RecordBatch> {
    let mut fields: Vec<arrow::datatypes::Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|field| field.as_ref().clone())
        .collect();
    fields.push(arrow::datatypes::Field::new(name, column.data_type().clone(), false));
    let mut columns = batch.columns().to_vec();
    columns.push(column);
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|error| duckdb::Error::ToSqlConversionFailure(Box::new(error)))
}

/// Appends a batch to a table whose first column is `import_id`, straight from Arrow (no
/// staging copy: at national scale the answers alone are millions of rows).
fn insert_staged(connection: &Connection, table: &str, import_id: i64, batch: &RecordBatch) -> duckdb::Result<u64> {
    let rows = batch.num_rows();
    if rows == 0 {
        return Ok(0);
    }
    insert_staged_rows(
        connection,
        table,
        &with_column(batch, "import_id", Arc::new(Int64Array::from_value(import_id, rows)))?,
    )
}

/// Appends a batch to the table's columns of the same names.
fn insert_staged_rows(connection: &Connection, table: &str, with_import: &RecordBatch) -> duckdb::Result<u64> {
    let rows = with_import.num_rows();
    if rows == 0 {
        return Ok(0);
    }
    let names: Vec<String> = with_import
        .schema()
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut appender = connection.appender_with_columns(table, &names)?;
    appender.append_record_batch(with_import.clone())?;
    appender.flush()?;
    Ok(rows as u64)
}

fn load_grids(connection: &Connection, import_id: i64, grids: &parsers::self_assessment::Grids) -> duckdb::Result<u64> {
    let stored = insert_staged(connection, "self_assessments", import_id, &grids.grids)?;
    insert_staged(connection, "self_assessment_levels", import_id, &grids.levels)?;
    Ok(stored)
}

fn insert_diagnostics(connection: &Connection, import_id: i64, diagnostics: &Diagnostics) -> duckdb::Result<()> {
    let mut rejects = connection.appender("rejects")?;
    for reject in &diagnostics.rejects {
        let location = &reject.location;
        rejects.append_row(params![
            import_id,
            location.sheet,
            location.row.map(|row| row as i64),
            location.column,
            location.json_path,
            reject.value,
            reject.reason
        ])?;
    }
    rejects.flush()?;
    let mut warnings = connection.appender("warnings")?;
    for warning in &diagnostics.warnings {
        let location = &warning.location;
        warnings.append_row(params![
            import_id,
            location.sheet,
            location.row.map(|row| row as i64),
            location.column,
            location.json_path,
            warning.value,
            warning.message
        ])?;
    }
    warnings.flush()?;
    Ok(())
}
