//! `opssies backup --out DIR` and `opssies restore DIR`: the store as Parquet files (DuckDB's
//! EXPORT DATABASE: schema, load script, one file per table) with a manifest of row counts
//! and checksums per table and a SHA-256 per file, and back into a new store, checked.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use duckdb::Connection;
use ingest::Store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::exit;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct TableSum {
    pub rows: i64,
    /// Sum of the hashes of every row: the same rows give the same sum, in any order.
    pub checksum: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    program: String,
    schema_version: i64,
    tables: BTreeMap<String, TableSum>,
    files: BTreeMap<String, String>,
}

/// Row count and checksum of every table of the store. Views are computed, and the
/// `analytics_*` caches are recomputed after a restore, so neither is part of the contract.
pub fn table_sums(connection: &Connection) -> Result<BTreeMap<String, TableSum>> {
    Ok(ingest::store::backup::table_sums(connection)?
        .into_iter()
        .map(|(name, (rows, checksum))| (name, TableSum { rows, checksum }))
        .collect())
}

fn file_hashes(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut hashes = BTreeMap::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("lecture de {}", dir.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_file() && name != "manifest.json" {
            let bytes = std::fs::read(&path).with_context(|| format!("lecture de {}", path.display()))?;
            hashes.insert(name, hex::encode(Sha256::digest(&bytes)));
        }
    }
    Ok(hashes)
}

pub fn backup(store_path: &Path, out: &Path) -> Result<u8> {
    if out.exists()
        && std::fs::read_dir(out)
            .map(|mut entries| entries.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "le dossier {} existe et n'est pas vide : choisissez un dossier neuf",
            out.display()
        );
    }
    let store = Store::open_existing(store_path)?;
    let connection = store.connection();
    let tables = table_sums(connection)?;
    std::fs::create_dir_all(out).with_context(|| format!("création de {}", out.display()))?;
    ingest::store::backup::export_database(connection, out)?;
    let manifest = Manifest {
        program: concat!("opssies ", env!("CARGO_PKG_VERSION")).to_owned(),
        schema_version: store.schema_version()?,
        files: file_hashes(out)?,
        tables,
    };
    std::fs::write(out.join("manifest.json"), serde_json::to_string_pretty(&manifest)?)?;
    let rows: i64 = manifest.tables.values().map(|t| t.rows).sum();
    println!(
        "Sauvegarde de {} dans {} : {} tables, {} lignes, {} fichiers (sommes de contrôle dans manifest.json).",
        store_path.display(),
        out.display(),
        manifest.tables.len(),
        crate::format::integer(rows),
        manifest.files.len()
    );
    Ok(exit::OK)
}

pub fn restore(dir: &Path, store_path: &Path) -> Result<u8> {
    if store_path.exists() {
        bail!(
            "la base {} existe déjà : la restauration se fait dans une base neuve",
            store_path.display()
        );
    }
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .with_context(|| format!("{} n'est pas une sauvegarde (manifest.json absent)", dir.display()))?;
    let manifest: Manifest = serde_json::from_str(&text).context("manifest.json illisible")?;
    let found = file_hashes(dir)?;
    for (name, hash) in &manifest.files {
        match found.get(name) {
            Some(actual) if actual == hash => {}
            Some(_) => {
                bail!("{name} a été modifié depuis la sauvegarde (somme SHA-256 différente) : restauration refusée")
            }
            None => bail!("{name} manque dans {} : restauration refusée", dir.display()),
        }
    }
    if manifest.schema_version > ingest::store::LATEST_VERSION {
        bail!(
            "sauvegarde faite par une version plus récente (schéma v{}) : mettez opssies à jour",
            manifest.schema_version
        );
    }
    let result = (|| -> Result<()> {
        // The schema comes from the migrations (views included), at the backup's version; the
        // rows from the files; then the later migrations, as for any older store.
        let mut store = Store::open_at(store_path, manifest.schema_version)?;
        let connection = store.connection();
        ingest::store::backup::import_tables(connection, dir, manifest.tables.keys())?;
        let restored = table_sums(connection)?;
        for (name, expected) in &manifest.tables {
            if restored.get(name) != Some(expected) {
                bail!("table {name} différente après restauration : restauration annulée");
            }
        }
        store.migrate()?;
        Ok(())
    })();
    if let Err(error) = result {
        for suffix in ["", ".wal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", store_path.display()));
        }
        return Err(error);
    }
    // The restored store opens like any other (its schema version is checked).
    Store::open_existing(store_path)?;
    println!(
        "Base {} restaurée depuis {} : {} tables identiques (lignes et sommes de contrôle).",
        store_path.display(),
        dir.display(),
        manifest.tables.len()
    );
    Ok(exit::OK)
}

/// `opssies snapshot`: the analysts' read copy of the store (see `ingest::store::snapshot`).
pub fn snapshot(store_path: &Path, out: Option<&Path>) -> Result<u8> {
    let store = Store::open_existing(store_path)?;
    let target = out.map_or_else(|| ingest::store::snapshot::default_path(store_path), Path::to_path_buf);
    let written = ingest::store::snapshot::write(store.connection(), &target)?;
    println!(
        "Copie de lecture écrite : {} ({} tables, {} vues ; ni comptes, ni journal, ni caches). Ouvrez-la avec duckdb -readonly {}.",
        written.path.display(),
        written.tables,
        written.views,
        written.path.display()
    );
    Ok(exit::OK)
}
