use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::Arc;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use ingest::catalogue::Catalogues;
use ingest::parsers::self_assessment::GridSettings;
use ingest::store::ParsedFile;
use ingest::{ImportOptions, ImportOutcome, ImportStatus, Store};

use crate::cli::IngestArgs;
use crate::exit;

/// Files above this size get a progress indicator (on a terminal only).
const PROGRESS_THRESHOLD_BYTES: u64 = 5 * 1024 * 1024;
/// Rejects printed per file; the rest are one `opssies rejects N` away.
const REJECTS_SHOWN: usize = 5;
const WARNINGS_SHOWN: usize = 3;

pub fn run(args: &IngestArgs) -> Result<u8> {
    let files = collect_files(&args.paths)?;
    let mut store = Store::open(&args.store.store)?;
    // The parser thread below keeps the other core busy: DuckDB's own worker would only
    // compete with it (measured: about 15 % less CPU for the national set with one thread).
    store.connection().execute_batch("SET threads = 1")?;
    store.checkpoint_once_at_close()?;
    let options = ImportOptions {
        kind: args.kind,
        user: args.user.clone().or_else(|| std::env::var("USER").ok()),
        max_file_bytes: args.max_size_mib.saturating_mul(1024 * 1024),
        catalogues: Arc::new(match &args.catalogue {
            Some(dir) => Catalogues::load_dir(dir)?,
            None => Catalogues::embedded(),
        }),
        grid_settings: match &args.grid_points {
            Some(path) => {
                let bytes = std::fs::read(path).with_context(|| format!("lecture de {}", path.display()))?;
                let points = GridSettings::parse_points(&bytes)
                    .map_err(|message| anyhow::anyhow!("{} : {message}", path.display()))?;
                GridSettings {
                    points,
                    ..GridSettings::default()
                }
            }
            None => GridSettings::default(),
        },
        commit_gate: None,
    };
    let mut code = exit::OK;
    // Files are parsed on a second thread while the store writes the previous one (the
    // two halves take comparable time on large exports). The channel holds nothing: at
    // most one parsed file waits while another is stored, which bounds memory.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<ParsedFile, ingest::StoreError>>(0);
    std::thread::scope(|scope| -> Result<()> {
        let options = &options;
        let files = &files;
        scope.spawn(move || {
            for file in files {
                if sender.send(ParsedFile::read(file, options)).is_err() {
                    break;
                }
            }
        });
        for (file, parsed) in files.iter().zip(receiver) {
            let outcome = store_one(&mut store, file, parsed, options)?;
            if outcome.status == ImportStatus::Refused {
                code = exit::FILE_REFUSED;
            }
            if args.json {
                let mut line = serde_json::to_value(&outcome)?;
                line["file"] = serde_json::Value::String(file.display().to_string());
                println!("{line}");
            } else {
                print_outcome(file, &outcome);
            }
        }
        Ok(())
    })?;
    Ok(code)
}

fn store_one(
    store: &mut Store,
    file: &Path,
    parsed: Result<ParsedFile, ingest::StoreError>,
    options: &ImportOptions,
) -> Result<ImportOutcome> {
    let parsed = parsed.with_context(|| format!("import de {}", file.display()))?;
    let size = parsed.size();
    let spinner = (size >= PROGRESS_THRESHOLD_BYTES && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.set_message(format!(
            "{} ({:.1} Mio) : enregistrement",
            file.display(),
            size as f64 / 1_048_576.0
        ));
        bar
    });
    let outcome = store
        .store_file(parsed, options)
        .with_context(|| format!("import de {}", file.display()))?;
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    Ok(outcome)
}

fn print_outcome(file: &Path, outcome: &ImportOutcome) {
    let mark = match outcome.status {
        ImportStatus::Stored if outcome.rejected > 0 || outcome.warnings > 0 => "⚠",
        ImportStatus::Stored => "✔",
        ImportStatus::Duplicate => "=",
        ImportStatus::Refused => "✘",
    };
    let number = outcome
        .import_id
        .map(|id| format!(" [import n° {id}]"))
        .unwrap_or_default();
    println!("{mark} {}{number} — {}", file.display(), outcome.message);
    for reject in outcome.diagnostics.rejects.iter().take(REJECTS_SHOWN) {
        let value = reject
            .value
            .as_deref()
            .map(|value| format!(" « {value} »"))
            .unwrap_or_default();
        println!("    rejet, {}{value} : {}", reject.location.describe(), reject.reason);
    }
    let hidden = outcome.diagnostics.rejects.len().saturating_sub(REJECTS_SHOWN);
    if hidden > 0
        && let Some(id) = outcome.import_id
    {
        println!("    … et {hidden} autre(s) rejet(s) : opssies rejects {id}");
    }
    for warning in outcome.diagnostics.warnings.iter().take(WARNINGS_SHOWN) {
        let value = warning
            .value
            .as_deref()
            .map(|value| format!(" « {value} »"))
            .unwrap_or_default();
        let place = warning.location.describe();
        let place = if place.is_empty() { "fichier".to_owned() } else { place };
        println!("    avertissement, {place}{value} : {}", warning.message);
    }
    let hidden = outcome.diagnostics.warnings.len().saturating_sub(WARNINGS_SHOWN);
    if hidden > 0
        && let Some(id) = outcome.import_id
    {
        println!("    … et {hidden} autre(s) avertissement(s) : opssies warnings {id}");
    }
}

/// Expands directories (recursively, sorted, hidden files skipped) into files.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let metadata =
            std::fs::metadata(path).with_context(|| format!("{} : fichier ou dossier introuvable", path.display()))?;
        if metadata.is_dir() {
            // A generated set lists its files in import order (referential first).
            let listed = manifest_order(path);
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("lecture du dossier {}", path.display()))?
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|entry| {
                    !entry.file_name().is_some_and(|name| {
                        let name = name.to_string_lossy();
                        name.starts_with('.') || (!listed.is_empty() && name == MANIFEST)
                    })
                })
                .collect();
            entries.sort();
            let mut nested = collect_files(&entries)?;
            if !listed.is_empty() {
                let rank = |file: &PathBuf| {
                    listed
                        .iter()
                        .position(|name| *file == path.join(name))
                        .unwrap_or(usize::MAX)
                };
                nested.sort_by_key(|file| rank(file));
            }
            files.extend(nested);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

const MANIFEST: &str = "manifest.json";

/// The files a folder's `manifest.json` lists, in order; empty without one.
fn manifest_order(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST)) else {
        return Vec::new();
    };
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    manifest["files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .filter_map(|file| file["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
