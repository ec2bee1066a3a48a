//! Accounts of the dashboard: roles, argon2id password hashes, and the append-only audit log.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use duckdb::Connection;
use ingest::store::records;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Ars,
    Sesan,
    Etablissement,
    Admin,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Ars => "ars",
            Role::Sesan => "sesan",
            Role::Etablissement => "etablissement",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "ars" => Role::Ars,
            "sesan" => Role::Sesan,
            "etablissement" => Role::Etablissement,
            "admin" => Role::Admin,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// The FINESS (EJ or ET) an establishment account is bound to.
    pub finess: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("identifiant « {0} » invalide : 2 à 64 caractères parmi a-z, 0-9, point, tiret, souligné")]
    BadName(String),
    #[error("mot de passe trop court : 12 caractères au moins")]
    WeakPassword,
    #[error("le rôle etablissement demande --finess (FINESS EJ ou ET connu du référentiel)")]
    MissingFiness,
    #[error("FINESS « {0} » absent du référentiel (ni EJ ni ET)")]
    UnknownFiness(String),
    #[error("l'utilisateur « {0} » existe déjà")]
    Exists(String),
    #[error("utilisateur « {0} » inconnu")]
    Unknown(String),
    #[error("erreur de la base : {0}")]
    Database(#[from] duckdb::Error),
    #[error("calcul de l'empreinte du mot de passe impossible : {0}")]
    Hash(String),
}

fn check_name(name: &str) -> Result<(), AccountError> {
    let valid = (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'));
    if valid {
        Ok(())
    } else {
        Err(AccountError::BadName(name.to_owned()))
    }
}

pub fn hash(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < 12 {
        return Err(AccountError::WeakPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AccountError::Hash(error.to_string()))
}

/// A random secret (session id, CSRF token, demo password), URL-safe.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    hex::encode(buffer)
}

pub fn add(
    connection: &Connection,
    name: &str,
    role: Role,
    finess: Option<&str>,
    password: &str,
) -> Result<(), AccountError> {
    check_name(name)?;
    let finess = finess.map(str::trim).filter(|f| !f.is_empty());
    if role == Role::Etablissement {
        let finess = finess.ok_or(AccountError::MissingFiness)?;
        if !records::finess_known(connection, finess)? {
            return Err(AccountError::UnknownFiness(finess.to_owned()));
        }
    }
    if records::user_exists(connection, name)? {
        return Err(AccountError::Exists(name.to_owned()));
    }
    let password_hash = hash(password)?;
    records::insert_user(
        connection,
        name,
        role.name(),
        finess.filter(|_| role == Role::Etablissement),
        &password_hash,
    )?;
    Ok(())
}

pub fn reset_password(connection: &Connection, name: &str, password: &str) -> Result<(), AccountError> {
    let password_hash = hash(password)?;
    let changed = records::set_password(connection, name, &password_hash)?;
    if changed == 0 {
        Err(AccountError::Unknown(name.to_owned()))
    } else {
        Ok(())
    }
}

pub fn disable(connection: &Connection, name: &str) -> Result<(), AccountError> {
    let changed = records::disable_user(connection, name)?;
    if changed == 0 {
        Err(AccountError::Unknown(name.to_owned()))
    } else {
        Ok(())
    }
}

/// Name, role, bound FINESS, disabled.
pub type AccountRow = records::UserRow;

pub fn list(connection: &Connection) -> Result<Vec<AccountRow>, AccountError> {
    Ok(records::users(connection)?)
}

/// The user when the password is right and the account active. An unknown name costs the
/// same hashing work as a wrong password, so timing does not tell them apart.
pub fn verify(connection: &Connection, name: &str, password: &str) -> Result<Option<User>, AccountError> {
    let found = records::credentials(connection, name)?;
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZsnJ2WdeGn+Jv6H3yC2P5mnGsYqFh4aXRSeUn8tVPzs";
    let stored = found.as_ref().map_or(DUMMY, |(_, _, hash, _)| hash.as_str());
    let matches = PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    Ok(match found {
        Some((role, finess, _, false)) if matches => Role::parse(&role).map(|role| User {
            name: name.to_owned(),
            role,
            finess,
        }),
        _ => None,
    })
}

/// One row of the audit log, before it is chained.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry<'a> {
    pub user: Option<&'a str>,
    pub role: Option<Role>,
    pub address: Option<&'a str>,
    pub action: &'a str,
    /// What was acted on or seen: an account, a file, a route and FINESS.
    pub target: Option<&'a str>,
    pub detail: Option<&'a str>,
    /// Rows an export returned.
    pub rows: Option<i64>,
}

/// The chain is extended by one writer at a time (two would give the same `seq`).
static CHAIN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Appends to the audit log (never updated, never deleted by the program), chained to the
/// previous row by the store's `audit_row_hash` (migration 8).
pub fn audit(connection: &Connection, entry: &AuditEntry<'_>) {
    let _chain = CHAIN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(error) = append(connection, entry) {
        tracing::error!("journal d'audit : {error}");
    }
}

/// Appends several rows in one transaction (one commit for many consultations).
pub fn audit_all(connection: &Connection, entries: &[AuditEntry<'_>]) -> duckdb::Result<()> {
    let _chain = CHAIN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    connection.execute_batch("BEGIN TRANSACTION")?;
    let written = entries
        .iter()
        .try_for_each(|entry| append(connection, entry).map(|_| ()));
    match written {
        Ok(()) => connection.execute_batch("COMMIT"),
        Err(error) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}

fn append(connection: &Connection, entry: &AuditEntry<'_>) -> duckdb::Result<usize> {
    records::append_journal(
        connection,
        &records::JournalRow {
            user: entry.user,
            role: entry.role.map(Role::name),
            address: entry.address,
            action: entry.action,
            target: entry.target,
            detail: entry.detail,
            rows: entry.rows,
        },
    )
}

/// Rows written before the chain existed (schema 7) are chained once, in their order: called
/// when a program opens the store for accounts or the journal (server, `user`, `journal`).
pub fn seal(connection: &Connection) -> duckdb::Result<()> {
    let _chain = CHAIN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    seal_unchained(connection)
}

fn seal_unchained(connection: &Connection) -> duckdb::Result<()> {
    records::seal_journal(connection)
}

/// The state of the audit log's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainState {
    /// Every row fits: their number.
    Intact { rows: i64 },
    /// The first row that does not fit its content or the previous row.
    Broken {
        seq: i64,
        logged_at: String,
        reason: &'static str,
    },
}

pub fn verify_chain(connection: &Connection) -> duckdb::Result<ChainState> {
    {
        let _chain = CHAIN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        seal_unchained(connection)?;
    }
    Ok(match records::first_chain_break(connection)? {
        Some((seq, logged_at, reason)) => ChainState::Broken {
            seq,
            logged_at,
            reason: match reason {
                records::ChainBreak::Gap => "une ligne manque ou est en double juste avant elle",
                records::ChainBreak::Previous => {
                    "elle ne suit pas la ligne précédente (ligne précédente modifiée ou supprimée)"
                }
                records::ChainBreak::Content => "son contenu a été modifié",
            },
        },
        None => ChainState::Intact {
            rows: records::journal_size(connection)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(check_name("ars.paris-1").is_ok());
        assert!(check_name("A").is_err());
        assert!(check_name("../../etc").is_err());
        assert!(matches!(hash("court"), Err(AccountError::WeakPassword)));
        let hashed = hash("un mot de passe assez long").unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert_eq!(random_token(16).len(), 32);
    }
}
