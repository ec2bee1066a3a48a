//! The `opssies` program: command line (ingest, listings, demo) and, later, the web dashboard.
//! A library so the end-to-end tests can build a driver binary from the very same code.

pub mod accounts;
pub mod cli;
mod commands;
pub mod format;
mod pdf;
mod scorecard;
pub mod web;

use std::process::ExitCode;

use clap::Parser;

/// Exit codes scripts can rely on.
pub mod exit {
    /// Every file stored or already present.
    pub const OK: u8 = 0;
    /// At least one file was refused.
    pub const FILE_REFUSED: u8 = 1;
    /// `journal verify`: a row of the audit log does not fit the chain.
    pub const JOURNAL_ALTERED: u8 = 1;
    /// Bad command line (clap's own code).
    pub const USAGE: u8 = 2;
    /// The store or the system failed (unreadable file, locked or newer store, disk).
    pub const FAILURE: u8 = 3;
}

/// The whole program: parses the command line, runs the command, returns the exit code.
pub fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("OPSSIES_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("erreur : {error:#}");
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// Rust ignores SIGPIPE, so `println!` panics when the reader of a pipe (`head`, `less`)
/// stops early; a command-line tool should then end quietly, as C tools do.
fn quiet_on_closed_pipe() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(i32::from(exit::OK));
        }
        default_hook(info);
    }));
}
