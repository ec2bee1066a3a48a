//! Writers: the generated history in the real formats of `inputs.md`, with planted
//! messiness, each file's expected ingest report recorded as it is written.

pub mod aap;
pub mod etalab;
pub mod events;
pub mod exercises;
pub mod grids;
pub mod incidents;
pub mod ose;
pub mod osis;

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use sha2::{Digest, Sha256};

use crate::GenerateError;
use crate::manifest::{Expected, FileEntry};

/// Collects the files of a set as they are written.
pub struct Output {
    dir: PathBuf,
    pub entries: Vec<FileEntry>,
}

impl Output {
    pub fn new(dir: &Path) -> Self {
        Output {
            dir: dir.to_owned(),
            entries: Vec::new(),
        }
    }

    pub fn write(
        &mut self,
        name: &str,
        kind: &'static str,
        rows: u64,
        bytes: &[u8],
        expected: Expected,
    ) -> Result<(), GenerateError> {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| GenerateError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| GenerateError::Io { path, source })?;
        self.entries.push(FileEntry {
            name: name.to_owned(),
            kind,
            rows,
            sha256: hex::encode(Sha256::digest(bytes)),
            expected,
        });
        Ok(())
    }
}

pub fn french_date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

pub fn french_datetime(moment: NaiveDateTime) -> String {
    moment.format("%d/%m/%Y %H:%M").to_string()
}

pub fn oui_non(value: bool) -> &'static str {
    if value { "Oui" } else { "Non" }
}

/// A workbook whose bytes depend only on its content (a fixed creation time), so the same
/// seed gives the same files and the same hashes.
pub fn new_workbook() -> Workbook {
    let mut workbook = Workbook::new();
    if let Ok(created) = ExcelDateTime::from_ymd(2026, 1, 1) {
        workbook.set_properties(
            &DocProperties::new()
                .set_creation_datetime(&created)
                .set_author("OPSSIES démonstration"),
        );
    }
    workbook
}

pub fn workbook_bytes(mut workbook: Workbook) -> Result<Vec<u8>, GenerateError> {
    workbook.save_to_buffer().map_err(xlsx)
}

pub fn xlsx(error: XlsxError) -> GenerateError {
    GenerateError::Xlsx(error.to_string())
}

pub fn date_format() -> Format {
    Format::new().set_num_format("dd/mm/yyyy")
}

pub fn datetime_format() -> Format {
    Format::new().set_num_format("dd/mm/yyyy hh:mm")
}

pub fn write_date(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    day: NaiveDate,
    format: &Format,
) -> Result<(), GenerateError> {
    let cell = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8).map_err(xlsx)?;
    sheet
        .write_datetime_with_format(row, column, &cell, format)
        .map_err(xlsx)?;
    Ok(())
}

pub fn write_datetime(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    moment: NaiveDateTime,
    format: &Format,
) -> Result<(), GenerateError> {
    let day = moment.date();
    let cell = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)
        .and_then(|cell| cell.and_hms(moment.hour() as u16, moment.minute() as u8, 0))
        .map_err(xlsx)?;
    sheet
        .write_datetime_with_format(row, column, &cell, format)
        .map_err(xlsx)?;
    Ok(())
}

pub fn write_text(sheet: &mut Worksheet, row: u32, column: u16, text: &str) -> Result<(), GenerateError> {
    if !text.is_empty() {
        sheet.write_string(row, column, text).map_err(xlsx)?;
    }
    Ok(())
}

/// A valid FINESS (right Luhn key) that no generated establishment has.
pub fn unused_finess(prefix: &str, series: &str) -> String {
    let body = format!("{prefix}{series}");
    let body = format!("{body:0<8}");
    let key = ingest::finess::luhn_key(&body).unwrap_or('0');
    format!("{body}{key}")
}
