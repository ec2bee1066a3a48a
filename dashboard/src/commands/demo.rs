use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use generator::{Options, Scale};
use ingest::{ImportOptions, ImportStatus, Store};

use crate::cli::DemoArgs;
use crate::commands::ingest_files::collect_files;
use crate::exit;

pub fn run(args: &DemoArgs) -> Result<u8> {
    let manifest_path = args.dir.join("manifest.json");
    if manifest_path.exists() {
        println!("Jeu de démonstration réutilisé : {}", args.dir.display());
    } else {
        let options = Options {
            scale: Scale::Region,
            campaigns: None,
            seed: 2023,
            today: chrono::Local::now().date_naive(),
        };
        let started = std::time::Instant::now();
        let manifest = generator::generate(&options, &args.dir)?;
        println!(
            "Région de démonstration générée dans {} : {} fichiers en {:.1} s",
            args.dir.display(),
            manifest.files.len(),
            started.elapsed().as_secs_f64()
        );
    }
    remove_store(&args.store)?;
    let mut store = Store::open(&args.store)?;
    let options = ImportOptions {
        user: Some("demo".to_owned()),
        ..ImportOptions::default()
    };
    let files = collect_files(std::slice::from_ref(&args.dir))?;
    let started = std::time::Instant::now();
    let mut code = exit::OK;
    // Per kind: files, rows stored, rejects, warnings, duplicates.
    let mut by_kind: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    for file in &files {
        let outcome = store.import_file(file, &options)?;
        let kind = outcome
            .kind
            .map_or_else(|| "inconnu".to_owned(), |kind| kind.to_string());
        let totals = by_kind.entry(kind).or_default();
        totals[0] += 1;
        totals[1] += outcome.rows_stored;
        totals[2] += outcome.rejected;
        totals[3] += outcome.warnings;
        match outcome.status {
            ImportStatus::Duplicate => totals[4] += 1,
            ImportStatus::Refused => {
                code = exit::FILE_REFUSED;
                println!("  ✘ {} — {}", file.display(), outcome.message);
            }
            ImportStatus::Stored => {}
        }
    }
    println!(
        "{} fichiers importés dans {} en {:.1} s :",
        files.len(),
        args.store.display(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "  {:<16} {:>8} {:>10} {:>8} {:>13} {:>9}",
        "type", "fichiers", "lignes", "rejets", "avertissements", "doublons"
    );
    for (kind, [count, rows, rejects, warnings, duplicates]) in &by_kind {
        println!("  {kind:<16} {count:>8} {rows:>10} {rejects:>8} {warnings:>13} {duplicates:>9}");
    }
    println!();
    summary(&store)?;
    println!();
    println!(
        "Détail des rejets : opssies rejects --store {} ; la base s'ouvre aussi avec DuckDB (tables décrites dans le README).",
        args.store.display()
    );
    Ok(code)
}

fn remove_store(path: &Path) -> Result<()> {
    for suffix in ["", ".wal"] {
        let file = format!("{}{suffix}", path.display());
        if Path::new(&file).exists() {
            std::fs::remove_file(&file)
                .with_context(|| format!("suppression de l'ancienne base de démonstration {file}"))?;
        }
    }
    Ok(())
}

/// A first regional picture straight from the store's tables.
fn summary(store: &Store) -> Result<()> {
    let connection = store.connection();
    println!("Établissements de la région par département :");
    let mut statement = connection.prepare(
        "SELECT departement || ' ' || any_value(departement_label), count(*), count(*) FILTER (WHERE ose)
         FROM establishments
         WHERE departement IN ('75', '77', '78', '91', '92', '93', '94', '95')
         GROUP BY departement ORDER BY departement",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
    })?;
    for row in rows {
        let (departement, total, ose) = row?;
        println!("  {departement:<24} {total:>5} établissement(s), dont {ose} OSE");
    }
    println!();
    println!("Déclarations oSIS en vigueur par campagne :");
    let mut statement = connection.prepare(
        "SELECT campaign, count(*), count(*) FILTER (WHERE status = 'Validé')
         FROM current_declarations GROUP BY campaign ORDER BY campaign",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
    })?;
    for row in rows {
        let (campaign, declarations, validated) = row?;
        println!("  {campaign}  {declarations:>6} déclaration(s), dont {validated} validée(s)");
    }
    println!();
    println!("Événements OPSSIES par type :");
    let mut statement = connection.prepare(
        "SELECT event_type, any_value(event_type_label), count(*) FROM events GROUP BY event_type ORDER BY event_type",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, i32>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?))
    })?;
    for row in rows {
        let (code, label, count) = row?;
        println!("  {code:>2} {label:<80} {count:>6}");
    }
    Ok(())
}
