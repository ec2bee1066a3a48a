//! `opssies user add|disable|list|reset-password`.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use anyhow::{Result, bail};
use ingest::Store;

use crate::accounts;
use crate::cli::UserAction;
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

pub fn run(store_path: &Path, action: &UserAction) -> Result<u8> {
    let store = Store::open(store_path)?;
    let connection = store.connection();
    match action {
        UserAction::Add { name, role, finess } => {
            let password = read_password()?;
            accounts::add(connection, name, *role, finess.as_deref(), &password)?;
            accounts::audit(connection, None, None, "compte créé", Some(name), Some(role.name()));
            println!("Compte « {name} » créé (rôle {}).", role.name());
        }
        UserAction::Disable { name } => {
            accounts::disable(connection, name)?;
            accounts::audit(connection, None, None, "compte désactivé", Some(name), None);
            println!("Compte « {name} » désactivé.");
        }
        UserAction::ResetPassword { name } => {
            let password = read_password()?;
            accounts::reset_password(connection, name, &password)?;
            accounts::audit(connection, None, None, "mot de passe changé", Some(name), None);
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
