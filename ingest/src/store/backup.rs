//! The store as Parquet files and back (DuckDB's EXPORT DATABASE), with what a backup checks:
//! a row count and an order-free checksum per table.

use std::collections::BTreeMap;
use std::path::Path;

use duckdb::Connection;

/// Row count and sum of the hashes of every row (the same rows give the same sum, in any
/// order) of every table of the store but the `analytics_*` caches (recomputed after a
/// restore); views are computed, so not part of it.
pub fn table_sums(connection: &Connection) -> duckdb::Result<BTreeMap<String, (i64, String)>> {
    let names: Vec<String> = connection
        .prepare(
            "SELECT table_name FROM duckdb_tables()
             WHERE NOT temporary AND schema_name = 'main' AND NOT starts_with(table_name, 'analytics_') ORDER BY 1",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<duckdb::Result<_>>()?;
    let mut sums = BTreeMap::new();
    for name in names {
        let sum: (i64, String) = connection.query_row(
            &format!(
                "SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM {} t",
                identifier(&name)
            ),
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        sums.insert(name, sum);
    }
    Ok(sums)
}

/// Writes every table and the schema into `dir` (one Parquet file per table).
pub fn export_database(connection: &Connection, dir: &Path) -> duckdb::Result<()> {
    connection.execute_batch(&format!("EXPORT DATABASE {} (FORMAT parquet)", literal(dir)))
}

/// Loads each named table from `dir/<name>.parquet` into a migrated store, in one
/// transaction: an existing table's rows are replaced, a table the migrations do not know is
/// created from its file.
pub fn import_tables<'a>(
    connection: &Connection,
    dir: &Path,
    names: impl IntoIterator<Item = &'a String>,
) -> duckdb::Result<()> {
    connection.execute_batch("BEGIN TRANSACTION")?;
    let loaded = (|| {
        for name in names {
            let file = literal(&dir.join(format!("{name}.parquet")));
            let table = identifier(name);
            let exists: bool = connection.query_row(
                "SELECT count(*) > 0 FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?",
                [name],
                |row| row.get(0),
            )?;
            if exists {
                connection.execute_batch(&format!(
                    "DELETE FROM {table}; INSERT INTO {table} BY NAME SELECT * FROM read_parquet({file});"
                ))?;
            } else {
                connection.execute_batch(&format!("CREATE TABLE {table} AS SELECT * FROM read_parquet({file});"))?;
            }
        }
        Ok(())
    })();
    match loaded {
        Ok(()) => connection.execute_batch("COMMIT"),
        Err(error) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}

/// A quoted SQL identifier.
fn identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A path as a quoted SQL string.
fn literal(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "''"))
}
