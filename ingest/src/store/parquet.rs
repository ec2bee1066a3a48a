//! Rows written as a Parquet file through DuckDB (the exports' Parquet format).

use std::path::Path;

use duckdb::Connection;
use duckdb::types::Value;

/// The type of a column of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Integer,
    Decimal,
    Date,
    Text,
}

impl ColumnType {
    fn sql(self) -> &'static str {
        match self {
            ColumnType::Integer => "BIGINT",
            ColumnType::Decimal => "DOUBLE",
            ColumnType::Date => "DATE",
            ColumnType::Text => "VARCHAR",
        }
    }
}

/// Writes `rows` (values in the columns' order) to `file` with these columns.
pub fn write(
    connection: &Connection,
    columns: &[(&str, ColumnType)],
    rows: impl IntoIterator<Item = Vec<Value>>,
    file: &Path,
) -> duckdb::Result<()> {
    let definition: Vec<String> = columns
        .iter()
        .map(|(name, kind)| format!("\"{}\" {}", name.replace('"', "\"\""), kind.sql()))
        .collect();
    connection.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE export_rows ({})",
        definition.join(", ")
    ))?;
    {
        let mut appender = connection.appender_to_catalog_and_db("export_rows", "temp", "main")?;
        for row in rows {
            appender.append_row(duckdb::appender_params_from_iter(row))?;
        }
        appender.flush()?;
    }
    let path = file.display().to_string().replace('\'', "''");
    connection.execute_batch(&format!(
        "COPY export_rows TO '{path}' (FORMAT parquet); DROP TABLE export_rows;"
    ))
}
