use std::path::Path;

use anyhow::Result;
use ingest::Store;
use ingest::store::DiagnosticKind;

use crate::exit;

pub fn imports(store_path: &Path, json: bool) -> Result<u8> {
    let store = Store::open_existing(store_path)?;
    let imports = store.imports()?;
    if json {
        for record in &imports {
            println!("{}", serde_json::to_string(record)?);
        }
        return Ok(exit::OK);
    }
    if imports.is_empty() {
        println!("Aucun import dans {}.", store_path.display());
        return Ok(exit::OK);
    }
    println!(
        "{:>5}  {:<19}  {:<15}  {:<8}  {:>9}  {:>9}  {:>7}  {:>7}  fichier",
        "n°", "début (UTC)", "type", "statut", "lues", "gardées", "rejets", "avert."
    );
    for record in &imports {
        println!(
            "{:>5}  {:<19}  {:<15}  {:<8}  {:>9}  {:>9}  {:>7}  {:>7}  {}",
            record.import_id,
            record.started_at,
            record.kind.as_deref().unwrap_or("?"),
            match record.status.as_str() {
                "stored" => "importé",
                _ => "refusé",
            },
            record.rows_read,
            record.rows_stored,
            record.rows_rejected,
            record.warning_count,
            record.file_name
        );
        if record.status != "stored"
            && let Some(message) = &record.message
        {
            println!("       {message}");
        }
    }
    Ok(exit::OK)
}

/// Rejects or warnings as `;`-separated CSV on stdout.
pub fn diagnostics(store_path: &Path, kind: DiagnosticKind, import: Option<i64>) -> Result<u8> {
    let store = Store::open_existing(store_path)?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(std::io::stdout().lock());
    let last_header = match kind {
        DiagnosticKind::Rejects => "motif",
        DiagnosticKind::Warnings => "message",
    };
    writer.write_record([
        "import",
        "fichier",
        "feuille",
        "ligne",
        "colonne",
        "chemin_json",
        "valeur",
        last_header,
    ])?;
    for record in store.diagnostics(kind, import)? {
        writer.write_record([
            record.import_id.to_string(),
            record.file_name,
            record.sheet.unwrap_or_default(),
            record.row_number.map(|row| row.to_string()).unwrap_or_default(),
            record.column_name.unwrap_or_default(),
            record.json_path.unwrap_or_default(),
            record.value.unwrap_or_default(),
            record.text,
        ])?;
    }
    writer.flush()?;
    Ok(exit::OK)
}

pub fn status(store_path: &Path) -> Result<u8> {
    let store = Store::open_existing(store_path)?;
    println!("Base {} — schéma v{}", store_path.display(), store.schema_version()?);
    for (table, count) in store.table_counts()? {
        println!("  {table:<16} {count:>10}");
    }
    Ok(exit::OK)
}
