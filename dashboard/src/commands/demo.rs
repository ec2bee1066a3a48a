use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use generator::{Options, Scale};
use ingest::{ImportOptions, ImportStatus, Store};

use crate::cli::DemoArgs;
use crate::commands::ingest_files::collect_files;
use crate::commands::report;
use crate::exit;
use crate::format;

pub fn run(args: &DemoArgs) -> Result<u8> {
    let manifest_path = args.dir.join("manifest.json");
    if manifest_path.exists() {
        println!("Jeu de démonstration réutilisé : {}", args.dir.display());
    } else {
        let options = Options {
            scale: Scale::Region,
            campaigns: None,
            seed: 2023,
            today: ingest::dates::paris_today(),
        };
        let started = std::time::Instant::now();
        let manifest = generator::generate(&options, &args.dir)?;
        println!(
            "Région de démonstration générée dans {} : {} fichiers en {} s",
            args.dir.display(),
            manifest.files.len(),
            crate::format::number(started.elapsed().as_secs_f64(), 1)
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
        "{} fichiers importés dans {} en {} s :",
        files.len(),
        args.store.display(),
        crate::format::number(started.elapsed().as_secs_f64(), 1)
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
    if !args.no_serve {
        print_demo_accounts(&store)?;
        drop(store);
        println!();
        let listen = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
        crate::web::serve(&args.store, listen, analytics::Settings::default(), None)?;
    }
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

/// The main job: the regional picture, the first targets and the call's envelope.
fn summary(store: &Store) -> Result<()> {
    let settings = analytics::Settings::default();
    let analytics = analytics::Analytics::new(store.connection(), &settings);
    let today = ingest::dates::paris_today();
    let started = std::time::Instant::now();
    let report = analytics.regional(today, &analytics::Scope::region(), &analytics::Filter::default())?;
    report::print_regional(&report, &settings, None);
    println!();
    let targets = analytics.targeting(today, &analytics::Scope::region(), &analytics::Filter::default())?;
    println!(
        "Ciblage SESAN : les 10 premiers sur {} (opssies targeting pour la liste) :",
        targets.len()
    );
    for row in targets.iter().take(10) {
        println!(
            "  {:>3}  {} {:<42} {}",
            row.priority_score,
            row.finess_et,
            row.name.as_deref().unwrap_or("").chars().take(42).collect::<String>(),
            row.reasons_text()
        );
    }
    let aap = analytics.aap(today, &analytics::Scope::region())?;
    println!();
    println!(
        "{} : {} dossiers, enveloppe {} € dont {} € engagés, {} € à payer, {} € payés (opssies aap)",
        aap.call,
        aap.applications.len(),
        format::integer(aap.envelope_euros),
        format::integer(aap.committed_euros),
        format::integer(aap.payable_euros),
        format::integer(aap.paid_euros)
    );
    println!(
        "(indicateurs calculés en {} s)",
        crate::format::number(started.elapsed().as_secs_f64(), 1)
    );
    Ok(())
}

/// One account per role with a random password, shown once (the store keeps only hashes).
fn print_demo_accounts(store: &Store) -> Result<()> {
    use crate::accounts::{self, Role};
    let connection = store.connection();
    // An establishment with some history, bound by its legal entity.
    let legal_entity = ingest::store::records::demo_legal_entity(connection)?;
    println!("Comptes de démonstration (mots de passe affichés une seule fois) :");
    for (name, role) in [
        ("ars", Role::Ars),
        ("sesan", Role::Sesan),
        ("etablissement", Role::Etablissement),
        ("admin", Role::Admin),
    ] {
        let password = accounts::random_token(9);
        let finess = (role == Role::Etablissement).then(|| legal_entity.clone()).flatten();
        if role == Role::Etablissement && finess.is_none() {
            continue;
        }
        accounts::add(connection, name, role, finess.as_deref(), &password)?;
        println!(
            "  {name:<14} {password}{}",
            finess
                .map(|f| format!("   (établissement : entité juridique {f})"))
                .unwrap_or_default()
        );
    }
    Ok(())
}
