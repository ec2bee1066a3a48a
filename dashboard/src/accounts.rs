//! Accounts of the dashboard: roles, argon2id password hashes, and the append-only audit log.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use duckdb::{Connection, params};

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

    fn parse(text: &str) -> Option<Role> {
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
        let known: bool = connection.query_row(
            "SELECT count(*) > 0 FROM finess_referential WHERE finess_et = ? OR finess_ej = ?",
            params![finess, finess],
            |row| row.get(0),
        )?;
        if !known {
            return Err(AccountError::UnknownFiness(finess.to_owned()));
        }
    }
    let exists: bool = connection.query_row("SELECT count(*) > 0 FROM users WHERE user_name = ?", [name], |row| {
        row.get(0)
    })?;
    if exists {
        return Err(AccountError::Exists(name.to_owned()));
    }
    let password_hash = hash(password)?;
    connection.execute(
        "INSERT INTO users VALUES (?, ?, ?, ?, false, current_timestamp::TIMESTAMP, current_timestamp::TIMESTAMP)",
        params![
            name,
            role.name(),
            finess.filter(|_| role == Role::Etablissement),
            password_hash
        ],
    )?;
    Ok(())
}

pub fn reset_password(connection: &Connection, name: &str, password: &str) -> Result<(), AccountError> {
    let password_hash = hash(password)?;
    let changed = connection.execute(
        "UPDATE users SET password_hash = ?, disabled = false, updated_at = current_timestamp::TIMESTAMP WHERE user_name = ?",
        params![password_hash, name],
    )?;
    if changed == 0 {
        Err(AccountError::Unknown(name.to_owned()))
    } else {
        Ok(())
    }
}

pub fn disable(connection: &Connection, name: &str) -> Result<(), AccountError> {
    let changed = connection.execute(
        "UPDATE users SET disabled = true, updated_at = current_timestamp::TIMESTAMP WHERE user_name = ?",
        [name],
    )?;
    if changed == 0 {
        Err(AccountError::Unknown(name.to_owned()))
    } else {
        Ok(())
    }
}

/// Name, role, bound FINESS, disabled.
pub type AccountRow = (String, String, Option<String>, bool);

pub fn list(connection: &Connection) -> Result<Vec<AccountRow>, AccountError> {
    let mut statement = connection.prepare("SELECT user_name, role, finess, disabled FROM users ORDER BY user_name")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?;
    Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
}

/// The user when the password is right and the account active. An unknown name costs the
/// same hashing work as a wrong password, so timing does not tell them apart.
pub fn verify(connection: &Connection, name: &str, password: &str) -> Result<Option<User>, AccountError> {
    let found: Option<(String, Option<String>, String, bool)> = connection
        .prepare("SELECT role, finess, password_hash, disabled FROM users WHERE user_name = ?")?
        .query_map([name], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .next()
        .transpose()?;
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

/// Appends to the audit log (never updated, never deleted by the program).
pub fn audit(
    connection: &Connection,
    user: Option<&str>,
    address: Option<&str>,
    action: &str,
    target: Option<&str>,
    detail: Option<&str>,
) {
    let result = connection.execute(
        "INSERT INTO audit_log VALUES (current_timestamp::TIMESTAMP, ?, ?, ?, ?, ?)",
        params![user, address, action, target, detail],
    );
    if let Err(error) = result {
        tracing::error!("journal d'audit : {error}");
    }
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
