//! What the programs keep in the store besides imported files: the accounts (table `users`,
//! migration 7) and the chained audit journal (`audit_log`, migration 8), and the few facts
//! the dashboard reads about the store itself. Passwords arrive hashed; one writer at a time
//! extends the chain (the caller holds the lock).

use duckdb::{Connection, params};

/// The data version: the latest import's number (0 for an empty store). Shared caches are
/// keyed by it.
pub fn data_version(connection: &Connection) -> duckdb::Result<i64> {
    connection.query_row("SELECT coalesce(max(import_id), 0) FROM imports", [], |row| row.get(0))
}

/// A FINESS that is a site or a legal entity of some referential extract.
pub fn finess_known(connection: &Connection, finess: &str) -> duckdb::Result<bool> {
    connection.query_row(
        "SELECT count(*) > 0 FROM finess_referential WHERE finess_et = ? OR finess_ej = ?",
        params![finess, finess],
        |row| row.get(0),
    )
}

/// The sites an account bound to a FINESS holds: the site itself, or every site of the
/// legal entity, by FINESS.
pub fn sites_of(connection: &Connection, finess: &str) -> duckdb::Result<Vec<String>> {
    connection
        .prepare(
            "SELECT DISTINCT finess_et FROM finess_referential WHERE finess_et = ? OR finess_ej = ? ORDER BY finess_et",
        )?
        .query_map([finess, finess], |row| row.get(0))?
        .collect()
}

pub fn user_exists(connection: &Connection, name: &str) -> duckdb::Result<bool> {
    connection.query_row("SELECT count(*) > 0 FROM users WHERE user_name = ?", [name], |row| {
        row.get(0)
    })
}

pub fn insert_user(
    connection: &Connection,
    name: &str,
    role: &str,
    finess: Option<&str>,
    password_hash: &str,
) -> duckdb::Result<()> {
    connection.execute(
        "INSERT INTO users VALUES (?, ?, ?, ?, false, current_timestamp::TIMESTAMP, current_timestamp::TIMESTAMP)",
        params![name, role, finess, password_hash],
    )?;
    Ok(())
}

/// A new password, the account enabled again; the number of accounts changed (0 or 1).
pub fn set_password(connection: &Connection, name: &str, password_hash: &str) -> duckdb::Result<usize> {
    connection.execute(
        "UPDATE users SET password_hash = ?, disabled = false, updated_at = current_timestamp::TIMESTAMP WHERE user_name = ?",
        params![password_hash, name],
    )
}

/// The number of accounts disabled (0 or 1).
pub fn disable_user(connection: &Connection, name: &str) -> duckdb::Result<usize> {
    connection.execute(
        "UPDATE users SET disabled = true, updated_at = current_timestamp::TIMESTAMP WHERE user_name = ?",
        [name],
    )
}

/// Name, role, bound FINESS, disabled — every account by name.
pub type UserRow = (String, String, Option<String>, bool);

pub fn users(connection: &Connection) -> duckdb::Result<Vec<UserRow>> {
    connection
        .prepare("SELECT user_name, role, finess, disabled FROM users ORDER BY user_name")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .collect()
}

/// Role, bound FINESS, password hash and disabled flag of an account.
pub type Credentials = (String, Option<String>, String, bool);

pub fn credentials(connection: &Connection, name: &str) -> duckdb::Result<Option<Credentials>> {
    connection
        .prepare("SELECT role, finess, password_hash, disabled FROM users WHERE user_name = ?")?
        .query_map([name], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .next()
        .transpose()
}

/// How a single sign-on identity names an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKey<'a> {
    /// The provider's subject (`sub`).
    Subject(&'a str),
    /// An e-mail the provider verified (kept in lower case).
    Email(&'a str),
    /// Any professional whose structures, as the provider gives them, include the account's
    /// FINESS (an establishment account, when the administrator allows it).
    FinessClaim,
}

/// Binds a single sign-on identity to an account.
pub fn bind_identity(connection: &Connection, name: &str, provider: &str, key: IdentityKey<'_>) -> duckdb::Result<()> {
    let (subject, email, finess_claim) = match key {
        IdentityKey::Subject(subject) => (Some(subject), None, false),
        IdentityKey::Email(email) => (None, Some(email), false),
        IdentityKey::FinessClaim => (None, None, true),
    };
    connection.execute(
        "INSERT INTO user_identities VALUES (?, ?, ?, lower(?), ?, current_timestamp::TIMESTAMP)",
        params![name, provider, subject, email, finess_claim],
    )?;
    Ok(())
}

/// The account an identity of a provider names: by its subject first, else by its verified
/// e-mail, else by a FINESS of its structures that an account allowing it is bound to (the
/// first by name when several are: one login, one account).
pub fn account_of_identity(
    connection: &Connection,
    provider: &str,
    subject: &str,
    email: Option<&str>,
    structures: &[String],
) -> duckdb::Result<Option<String>> {
    let structures = structures.join(",");
    connection
        .prepare(
            "SELECT i.user_name FROM user_identities i LEFT JOIN users u USING (user_name)
             WHERE i.provider = $1
               AND (i.subject = $2
                    OR (i.email IS NOT NULL AND i.email = lower($3))
                    OR (i.finess_claim AND u.finess IN (SELECT unnest(string_split($4, ',')) WHERE $4 <> '')))
             ORDER BY i.subject IS NULL, i.email IS NULL, i.user_name LIMIT 1",
        )?
        .query_map(params![provider, subject, email, structures], |row| row.get(0))?
        .next()
        .transpose()
}

/// One row of the journal before it is chained.
#[derive(Debug, Clone, Default)]
pub struct JournalRow<'a> {
    pub user: Option<&'a str>,
    pub role: Option<&'a str>,
    pub address: Option<&'a str>,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub rows: Option<i64>,
}

/// Appends a row chained to the previous one by the store's `audit_row_hash` (migration 8).
pub fn append_journal(connection: &Connection, entry: &JournalRow<'_>) -> duckdb::Result<usize> {
    connection.execute(
        "INSERT INTO audit_log (logged_at, user_name, role, address, action, target, detail, rows_returned,
                                seq, previous_hash, row_hash)
         SELECT entry.*, last.seq + 1, last.hash,
                audit_row_hash(last.hash, last.seq + 1, entry.logged_at, entry.user_name, entry.role, entry.address,
                               entry.action, entry.target, entry.detail, entry.rows_returned)
         FROM (SELECT current_timestamp::TIMESTAMP AS logged_at, ?::VARCHAR AS user_name, ?::VARCHAR AS role,
                      ?::VARCHAR AS address, ?::VARCHAR AS action, ?::VARCHAR AS target, ?::VARCHAR AS detail,
                      ?::BIGINT AS rows_returned) AS entry,
              (SELECT coalesce(max(seq), 0) AS seq, coalesce(arg_max(row_hash, seq), '') AS hash FROM audit_log) AS last",
        params![
            entry.user,
            entry.role,
            entry.address,
            entry.action,
            entry.target,
            entry.detail,
            entry.rows
        ],
    )
}

/// Chains the rows written before the chain existed (schema 7), in their order.
pub fn seal_journal(connection: &Connection) -> duckdb::Result<()> {
    let unchained: i64 =
        connection.query_row("SELECT count(*) FROM audit_log WHERE seq IS NULL", [], |row| row.get(0))?;
    if unchained == 0 {
        return Ok(());
    }
    let rows: Vec<i64> = connection
        .prepare("SELECT rowid FROM audit_log WHERE seq IS NULL ORDER BY logged_at, rowid")?
        .query_map([], |row| row.get(0))?
        .collect::<duckdb::Result<_>>()?;
    for rowid in rows {
        connection.execute(
            "UPDATE audit_log SET seq = last.seq + 1, previous_hash = last.hash,
                 row_hash = audit_row_hash(last.hash, last.seq + 1, logged_at, user_name, role, address, action,
                                           target, detail, rows_returned)
             FROM (SELECT coalesce(max(seq), 0) AS seq, coalesce(arg_max(row_hash, seq), '') AS hash FROM audit_log) last
             WHERE audit_log.rowid = ?",
            [rowid],
        )?;
    }
    Ok(())
}

/// Why a journal row does not fit the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainBreak {
    /// Its number does not follow the previous row's: a row is missing or doubled.
    Gap,
    /// Its previous hash is not the previous row's hash: that row was changed or removed.
    Previous,
    /// Its own hash does not fit its content: it was changed.
    Content,
}

/// The first row that does not fit the chain: number, time (dd/mm/yyyy hh:mm:ss), why.
pub fn first_chain_break(connection: &Connection) -> duckdb::Result<Option<(i64, String, ChainBreak)>> {
    connection
        .prepare(
            "WITH checked AS (
                 SELECT seq, strftime(logged_at, '%d/%m/%Y %H:%M:%S') AS logged_text, previous_hash, row_hash,
                        coalesce(lag(row_hash) OVER (ORDER BY seq), '') AS expected_previous,
                        coalesce(lag(seq) OVER (ORDER BY seq), 0) AS previous_seq,
                        audit_row_hash(previous_hash, seq, logged_at, user_name, role, address, action, target,
                                       detail, rows_returned) AS expected_hash
                 FROM audit_log)
             SELECT seq, logged_text,
                    CASE WHEN seq <> previous_seq + 1 THEN 1 WHEN previous_hash IS DISTINCT FROM expected_previous THEN 2 ELSE 3 END
             FROM checked
             WHERE seq <> previous_seq + 1 OR previous_hash IS DISTINCT FROM expected_previous
                OR row_hash IS DISTINCT FROM expected_hash
             ORDER BY seq LIMIT 1",
        )?
        .query_map([], |row| {
            let reason = match row.get::<_, i32>(2)? {
                1 => ChainBreak::Gap,
                2 => ChainBreak::Previous,
                _ => ChainBreak::Content,
            };
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, reason))
        })?
        .next()
        .transpose()
}

pub fn journal_size(connection: &Connection) -> duckdb::Result<i64> {
    connection.query_row("SELECT count(*) FROM audit_log", [], |row| row.get(0))
}

/// The journal's rows, newest first, as text: number, time, who, role, address, action,
/// target, detail, rows returned, previous and own hash.
pub fn journal_rows(connection: &Connection, limit: Option<i64>) -> duckdb::Result<Vec<Vec<String>>> {
    connection
        .prepare(
            "SELECT CAST(seq AS VARCHAR), strftime(logged_at, '%d/%m/%Y %H:%M:%S'), coalesce(user_name, ''), coalesce(role, ''),
                    coalesce(address, ''), action, coalesce(target, ''), coalesce(detail, ''),
                    coalesce(CAST(rows_returned AS VARCHAR), ''), coalesce(previous_hash, ''), coalesce(row_hash, '')
             FROM audit_log ORDER BY seq DESC LIMIT ?",
        )?
        .query_map([limit.unwrap_or(i64::MAX)], |row| {
            (0..11)
                .map(|index| row.get::<_, Option<String>>(index).map(Option::unwrap_or_default))
                .collect::<duckdb::Result<Vec<String>>>()
        })?
        .collect()
}

/// A legal entity of the Paris département with declarations (the demo's establishment
/// account), the first by FINESS.
pub fn demo_legal_entity(connection: &Connection) -> duckdb::Result<Option<String>> {
    connection
        .prepare(
            "SELECT e.finess_ej FROM establishments e JOIN current_declarations d USING (finess_et)
             WHERE e.departement = '75' AND e.finess_ej IS NOT NULL ORDER BY e.finess_et LIMIT 1",
        )?
        .query_map([], |row| row.get(0))?
        .next()
        .transpose()
}

/// The identities of the events an OPSSIES export sent already.
pub fn sent_events(connection: &Connection) -> duckdb::Result<std::collections::HashSet<String>> {
    connection
        .prepare("SELECT event_id FROM opssies_sent")?
        .query_map([], |row| row.get(0))?
        .collect()
}

/// Records the events of an export file as sent, in one transaction.
pub fn record_sent(connection: &Connection, event_ids: &[String], file_name: &str) -> duckdb::Result<()> {
    let sent_at = chrono::Utc::now().naive_utc().format("%Y-%m-%d %H:%M:%S").to_string();
    connection.execute_batch("BEGIN TRANSACTION")?;
    let recorded = (|| {
        let mut statement = connection
            .prepare("INSERT INTO opssies_sent VALUES (?, ?, CAST(? AS TIMESTAMP)) ON CONFLICT DO NOTHING")?;
        for event_id in event_ids {
            statement.execute(duckdb::params![event_id, file_name, sent_at])?;
        }
        Ok(())
    })();
    match recorded {
        Ok(()) => connection.execute_batch("COMMIT"),
        Err(error) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}
