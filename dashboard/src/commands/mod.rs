pub mod backup;
mod demo;
mod demo_data;
mod ingest_files;
mod listings;
pub mod opssies_export;
mod publish;
mod report;
mod users;

use anyhow::Result;
use ingest::store::DiagnosticKind;

use crate::cli::{Cli, Command};

/// Runs a command and returns the process exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Ingest(args) => ingest_files::run(&args),
        Command::Imports { store, json } => listings::imports(&store.store, json),
        Command::Rejects { store, import } => listings::diagnostics(&store.store, DiagnosticKind::Rejects, import),
        Command::Warnings { store, import } => listings::diagnostics(&store.store, DiagnosticKind::Warnings, import),
        Command::Status { store } => listings::status(&store.store),
        Command::Demo(args) => demo::run(&args),
        Command::DemoData(args) => demo_data::run(&args),
        Command::User { store, action } => users::run(&store.store, &action),
        Command::Journal {
            store,
            action: crate::cli::JournalAction::Verify,
        } => users::verify_journal(&store.store),
        Command::Backup { store, out } => backup::backup(&store.store, &out),
        Command::Restore { dir, store } => backup::restore(&dir, &store),
        Command::Snapshot { store, out } => backup::snapshot(&store.store, out.as_deref()),
        Command::Serve {
            store,
            listen,
            settings,
            tls_cert,
            tls_key,
        } => {
            let settings = report::load_settings(settings.as_deref())?;
            let tls = tls_cert
                .zip(tls_key)
                .map(|(certificate, key)| crate::web::Tls { certificate, key });
            crate::web::serve(&store.store, listen, settings, tls)?;
            Ok(crate::exit::OK)
        }
        Command::Report(args) => report::regional(&args),
        Command::Establishment { common, finess } => report::establishment(&common, &finess),
        Command::Targeting(args) => report::targeting(&args),
        Command::Aap(args) => report::aap(&args),
        Command::OpssiesExport(args) => opssies_export::run(&args),
        Command::Publish(args) => publish::run(&args),
        Command::Methodology { settings } => report::methodology(settings.as_deref()),
    }
}
