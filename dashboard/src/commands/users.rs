//! `opssies user add|disable|list|reset-password`.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use anyhow::{Result, bail};
use ingest::Store;

use crate::accounts;
use crate::cli::{IdentityArgs, UserAction};
use crate::exit;

/// A password from a hidden prompt on a terminal, else the first line of standard input.
fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Mot de passe (12 caractères au moins) : ")?;
        let again = rpassword::prompt_password("Confirmez : ")?;
        if first != again {
            bail!("les deux saisies diffèrent");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Binds an identity of a provider to an account, journaled.
fn bind(connection: &duckdb::Connection, name: &str, provider: &str, identity: &IdentityArgs) -> Result<()> {
    use ingest::store::records::IdentityKey;
    if provider.is_empty()
        || !provider
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        bail!("fournisseur « {provider} » : le nom d'un [[sso]] des réglages (minuscules, chiffres, tirets)");
    }
    let key = match (&identity.subject, &identity.email, identity.sso_finess_claim) {
        (Some(subject), None, false) => IdentityKey::Subject(subject),
        (None, Some(email), false) => IdentityKey::Email(email),
        (None, None, true) => {
            let bound = accounts::list(connection)?
                .into_iter()
                .find(|(account, ..)| account == name)
                .is_some_and(|(_, role, finess, _)| role == "etablissement" && finess.is_some());
            if !bound {
                bail!("--sso-finess-claim : pour un compte etablissement lié à un FINESS (--finess) seulement");
            }
            IdentityKey::FinessClaim
        }
        _ => bail!("indiquez l'identité : --subject SUJET, --email ADRESSE ou --sso-finess-claim (une seule)"),
    };
    ingest::store::records::bind_identity(connection, name, provider, key)?;
    let said = match key {
        IdentityKey::Subject(subject) => format!("{provider} : sujet {subject}"),
        IdentityKey::Email(email) => format!("{provider} : {email}"),
        IdentityKey::FinessClaim => format!("{provider} : structures du professionnel (FINESS du compte)"),
    };
    accounts::audit(
        connection,
        &accounts::AuditEntry {
            action: "identité liée",
            target: Some(name),
            detail: Some(&said),
            ..Default::default()
        },
    );
    println!("Compte « {name} » lié à l'identité {said}.");
    Ok(())
}

pub fn run(store_path: &Path, action: &UserAction) -> Result<u8> {
    let store = Store::open(store_path)?;
    let connection = store.connection();
    accounts::seal(connection)?;
    match action {
        UserAction::Add {
            name,
            role,
            finess,
            sso,
            identity,
        } => {
            // An account of a provider has no password anyone knows: a random one, never shown.
            let password = match sso {
                Some(_) => accounts::random_token(32),
                None => read_password()?,
            };
            accounts::add(connection, name, *role, finess.as_deref(), &password)?;
            if let (Some(provider), Some(identity)) = (sso, identity) {
                bind(connection, name, provider, identity)?;
            }
            accounts::audit(
                connection,
                &accounts::AuditEntry {
                    action: "compte créé",
                    target: Some(name),
                    detail: Some(role.name()),
                    ..Default::default()
                },
            );
            println!("Compte « {name} » créé (rôle {}).", role.name());
        }
        UserAction::Bind { name, sso, identity } => {
            if !accounts::list(connection)?.iter().any(|(account, ..)| account == name) {
                bail!("compte « {name} » inconnu : créez-le avec opssies user add");
            }
            bind(connection, name, sso, identity)?;
        }
        UserAction::Disable { name } => {
            accounts::disable(connection, name)?;
            accounts::audit(
                connection,
                &accounts::AuditEntry {
                    action: "compte désactivé",
                    target: Some(name),
                    ..Default::default()
                },
            );
            println!("Compte « {name} » désactivé.");
        }
        UserAction::ResetPassword { name } => {
            let password = read_password()?;
            accounts::reset_password(connection, name, &password)?;
            accounts::audit(
                connection,
                &accounts::AuditEntry {
                    action: "mot de passe changé",
                    target: Some(name),
                    ..Default::default()
                },
            );
            println!("Mot de passe de « {name} » changé.");
        }
        UserAction::List => {
            println!("compte;role;finess;actif");
            for (name, role, finess, disabled) in accounts::list(connection)? {
                println!(
                    "{name};{role};{};{}",
                    finess.unwrap_or_default(),
                    if disabled { "non" } else { "oui" }
                );
            }
        }
    }
    Ok(exit::OK)
}

/// `opssies journal verify`: 0 when the chain holds, 1 naming the first row that does not fit.
pub fn verify_journal(store_path: &Path) -> Result<u8> {
    let store = Store::open(store_path)?;
    match accounts::verify_chain(store.connection())? {
        accounts::ChainState::Intact { rows } => {
            println!("Journal d'audit intact : {rows} ligne(s), chacune suit la précédente.");
            Ok(exit::OK)
        }
        accounts::ChainState::Broken { seq, logged_at, reason } => {
            eprintln!(
                "Journal d'audit altéré : la ligne n° {seq} (du {logged_at} UTC) ne correspond pas : {reason}. \
                 Comparez avec la dernière sauvegarde et prévenez le responsable de la sécurité."
            );
            Ok(exit::JOURNAL_ALTERED)
        }
    }
}
