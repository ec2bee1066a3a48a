//! Numbered schema migrations; the version is recorded in the store itself.

use std::path::Path;

use duckdb::Connection;

use super::StoreError;

/// (version, SQL). Append only: a released migration is never edited.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_initial.sql")),
    (2, include_str!("migrations/0002_questionnaire.sql")),
    (3, include_str!("migrations/0003_self_assessment.sql")),
    (4, include_str!("migrations/0004_incidents.sql")),
    (5, include_str!("migrations/0005_exercises.sql")),
    (6, include_str!("migrations/0006_applications.sql")),
    (7, include_str!("migrations/0007_accounts.sql")),
    (8, include_str!("migrations/0008_audit_chain.sql")),
    (9, include_str!("migrations/0009_incident_tlp.sql")),
    (10, include_str!("migrations/0010_referential_presence.sql")),
    (11, include_str!("migrations/0011_rules_leave_the_store.sql")),
    (12, include_str!("migrations/0012_identities.sql")),
    (13, include_str!("migrations/0013_opssies_sent.sql")),
    (14, include_str!("migrations/0014_answers_by_question.sql")),
];

pub const LATEST_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

pub(super) fn current_version(connection: &Connection) -> duckdb::Result<i64> {
    connection.query_row("SELECT coalesce(max(version), 0) FROM schema_version", [], |row| {
        row.get(0)
    })
}

pub(super) fn migrate(connection: &mut Connection, path: &Path) -> Result<(), StoreError> {
    migrate_to(connection, path, LATEST_VERSION)
}

/// Brings the schema up to `target` (a backup is restored into the schema it was written
/// with, then migrated like any older store).
pub(super) fn migrate_to(connection: &mut Connection, path: &Path, target: i64) -> Result<(), StoreError> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version      BIGINT PRIMARY KEY,
             applied_at   TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP,
             program      VARCHAR NOT NULL
         )",
    )?;
    let found = current_version(connection)?;
    if found > LATEST_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: LATEST_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS
        .iter()
        .filter(|(version, _)| *version > found && *version <= target)
    {
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.execute(
            "INSERT INTO schema_version (version, program) VALUES (?, ?)",
            duckdb::params![version, concat!("opssies ", env!("CARGO_PKG_VERSION"))],
        )?;
        transaction.commit()?;
        tracing::info!(version, "schema migrated");
    }
    Ok(())
}
