use std::path::Path;

use anyhow::{Context, Result};
use ingest::{ImportOptions, ImportStatus, Store};

use crate::exit;

macro_rules! sample {
    ($name:literal) => {
        ($name, include_bytes!(concat!("../../../data/samples/", $name)))
    };
}

/// The sample files shipped inside the binary, in the order they are imported (referential first).
const SAMPLES: &[(&str, &[u8])] = &[
    sample!("etalab-cs1100507-stock-20241105-0336.csv"),
    sample!("ose-ght-2024.csv"),
    sample!("osis-export-2023-2024.csv"),
    sample!("opssies-cert-sante-2024.json"),
    sample!("opssies-osis-exercices-2024.json"),
    sample!("ANSSI-audits-2024.json"),
    sample!("AUDITCYB-D1-20241015-093000.json"),
];

pub fn run(store_path: &Path) -> Result<u8> {
    for suffix in ["", ".wal"] {
        let path = format!("{}{suffix}", store_path.display());
        if Path::new(&path).exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("suppression de l'ancienne base de démonstration {path}"))?;
        }
    }
    let mut store = Store::open(store_path)?;
    let options = ImportOptions {
        user: Some("demo".to_owned()),
        ..ImportOptions::default()
    };
    println!("Base de démonstration : {}", store_path.display());
    let mut code = exit::OK;
    for (name, bytes) in SAMPLES {
        let outcome = store.import_bytes(name, bytes, &options)?;
        if outcome.status == ImportStatus::Refused {
            code = exit::FILE_REFUSED;
        }
        println!("  {name} — {}", outcome.message);
    }
    println!();
    println!("Contenu de la base :");
    for (table, count) in store.table_counts()? {
        println!("  {table:<16} {count:>6}");
    }
    println!();
    println!("Établissements par département :");
    let connection = store.connection();
    let mut statement = connection.prepare(
        "SELECT departement || ' ' || any_value(departement_label), count(*), count(*) FILTER (WHERE ose)
         FROM establishments GROUP BY departement ORDER BY departement",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
    })?;
    for row in rows {
        let (departement, total, ose) = row?;
        println!("  {departement:<24} {total:>4} établissement(s), dont {ose} OSE");
    }
    println!();
    println!("Déclarations oSIS en vigueur par campagne :");
    let mut statement = connection.prepare(
        "SELECT campaign, count(*), count(*) FILTER (WHERE status = 'Validé'),
                (SELECT count(*) FROM current_answers a WHERE a.campaign = d.campaign)
         FROM current_declarations d GROUP BY campaign ORDER BY campaign",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (campaign, declarations, validated, answers) = row?;
        println!("  {campaign}  {declarations:>4} déclaration(s), dont {validated} validée(s), {answers} réponse(s)");
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
        let (code_type, label, count) = row?;
        println!("  {code_type:>2} {label:<90} {count:>3}");
    }
    println!();
    println!(
        "Ouvrez la base avec DuckDB : duckdb {}  (tables décrites dans le README)",
        store_path.display()
    );
    Ok(code)
}
