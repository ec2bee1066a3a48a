//! One reading interface for CSV and XLSX: a workbook of visible sheets, each a grid of
//! typed cells with the row numbers Excel shows.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Arc;

use calamine::{DataRef, Reader, SheetVisible, Xlsx, XlsxError};
use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::read_csv;
use crate::report::Refusal;
use crate::text::SourceEncoding;

/// A cell as the file holds it. CSV cells are always text; XLSX cells keep their type.
/// Text is shared: an XLSX sheet repeats a few strings (« Oui », « Non ») millions of times.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(Arc<str>),
    Number(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// `display`, borrowing the text of a text cell (no copy for the common case).
    pub fn shown(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(text) => std::borrow::Cow::Borrowed(text.trim()),
            other => std::borrow::Cow::Owned(other.display()),
        }
    }

    /// The cell as a person reads it (numbers without a useless `.0`).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.trim().to_owned(),
            Cell::Number(number) if number.fract() == 0.0 && number.abs() < 1e15 => format!("{}", *number as i64),
            Cell::Number(number) => number.to_string(),
            Cell::Bool(true) => "VRAI".to_owned(),
            Cell::Bool(false) => "FAUX".to_owned(),
            // Written by hand: chrono's `format` interprets its pattern on every call.
            Cell::DateTime(datetime) if datetime.time() == chrono::NaiveTime::MIN => {
                format!("{:02}/{:02}/{:04}", datetime.day(), datetime.month(), datetime.year())
            }
            Cell::DateTime(datetime) => datetime.format("%d/%m/%Y %H:%M:%S").to_string(),
        }
    }
}

/// One sheet: rows with their 1-based number as Excel shows it; cells from column A.
#[derive(Debug, Clone)]
pub struct Grid {
    /// `None` for a CSV file.
    pub sheet: Option<String>,
    pub rows: Vec<(u64, Vec<Cell>)>,
}

/// The visible sheets of a file, in order (a CSV file is one unnamed sheet).
#[derive(Debug)]
pub struct Workbook {
    pub sheets: Vec<Grid>,
    /// Set for CSV files.
    pub encoding: Option<SourceEncoding>,
    /// Sheets skipped because hidden, for the report.
    pub hidden_sheets: Vec<String>,
}

impl Workbook {
    /// The first sheet whose name matches one of the aliases (folded), else the first sheet
    /// when `first_as_fallback`.
    pub fn sheet(&self, aliases: &[&str], first_as_fallback: bool) -> Option<&Grid> {
        let wanted: Vec<String> = aliases.iter().map(|alias| crate::text::fold(alias)).collect();
        self.sheets
            .iter()
            .find(|grid| {
                grid.sheet
                    .as_deref()
                    .is_some_and(|name| wanted.contains(&crate::text::fold(name)))
            })
            .or_else(|| first_as_fallback.then(|| self.sheets.first()).flatten())
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC)
}

/// Reads a CSV or XLSX file (XLSX recognised by its bytes, never by its name).
pub fn read_workbook(bytes: &[u8], file_name: Option<&str>) -> Result<Workbook, Refusal> {
    if is_xlsx(bytes) {
        return read_xlsx(bytes);
    }
    let claims_xlsx = file_name.is_some_and(|name| {
        let lower = name.to_ascii_lowercase();
        lower.ends_with(".xlsx") || lower.ends_with(".xlsm")
    });
    if claims_xlsx || bytes.starts_with(b"%PDF") || bytes.contains(&0) {
        return Err(Refusal::Structure(
            "le fichier n'est ni un classeur Excel (.xlsx) lisible ni un fichier texte CSV : il est peut-être d'un autre type, renommé. Réenregistrez-le depuis Excel au format .xlsx ou CSV".to_owned(),
        ));
    }
    let table = read_csv(bytes)?;
    let mut rows = Vec::with_capacity(table.rows.len() + 1);
    rows.push((1, table.headers.iter().map(String::as_str).map(text_cell).collect()));
    rows.extend(
        table
            .rows
            .into_iter()
            .map(|(line, fields)| (line, fields.iter().map(String::as_str).map(text_cell).collect())),
    );
    Ok(Workbook {
        sheets: vec![Grid { sheet: None, rows }],
        encoding: Some(table.encoding),
        hidden_sheets: Vec::new(),
    })
}

/// Limits on what an XLSX may unpack to (inputs.md "Limits"): checked on the zip's central
/// directory before anything is decompressed, so a zip bomb is refused at once.
const MAX_UNPACKED_BYTES: u64 = 1 << 30;
const MAX_COMPRESSION_RATIO: u64 = 200;
/// Entries smaller than this may compress as well as they like.
const RATIO_CHECK_FROM_BYTES: u64 = 16 << 20;
const MAX_ROWS_PER_SHEET: usize = 1_000_000;
/// Excel's last column, XFD.
const MAX_COLUMNS_PER_SHEET: usize = 16_384;

fn unreadable(detail: String) -> Refusal {
    Refusal::Structure(format!(
        "classeur Excel illisible ({detail}) : le fichier est peut-être tronqué ou endommagé. Réenregistrez-le depuis Excel puis réimportez-le"
    ))
}

fn check_unpacked_size(bytes: &[u8]) -> Result<(), Refusal> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|error| unreadable(error.to_string()))?;
    let mut total = 0u64;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|error| unreadable(error.to_string()))?;
        let (unpacked, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(unpacked);
        if unpacked >= RATIO_CHECK_FROM_BYTES && unpacked / packed > MAX_COMPRESSION_RATIO {
            return Err(Refusal::Structure(format!(
                "classeur suspect : « {} » se décompresse {} fois (limite {MAX_COMPRESSION_RATIO}) ; ce n'est pas un export normal (bombe de décompression ?)",
                entry.name().map(|name| name.into_owned()).unwrap_or_default(),
                unpacked / packed
            )));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(Refusal::Structure(format!(
            "classeur trop volumineux une fois décompressé : {} Mio (limite {} Mio)",
            total >> 20,
            MAX_UNPACKED_BYTES >> 20
        )));
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Workbook, Refusal> {
    check_unpacked_size(bytes)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|error| unreadable(error.to_string()))?;
    let metadata = workbook.sheets_metadata().to_vec();
    let mut sheets = Vec::new();
    let mut hidden_sheets = Vec::new();
    for sheet in metadata {
        if sheet.visible != SheetVisible::Visible {
            hidden_sheets.push(sheet.name);
            continue;
        }
        let rows = read_sheet_rows(&mut workbook, &sheet.name)?;
        sheets.push(Grid {
            sheet: Some(sheet.name),
            rows,
        });
    }
    if sheets.is_empty() {
        return Err(Refusal::Structure(
            "le classeur ne contient aucune feuille visible".to_owned(),
        ));
    }
    Ok(Workbook {
        sheets,
        encoding: None,
        hidden_sheets,
    })
}

/// Streams a sheet's cells straight into rows (no intermediate calamine range: shared
/// strings are copied once, and a sheet over the row limit is refused as soon as it is seen).
/// Rows run from the first non-empty one to the last, blank rows included; each row ends at
/// its last non-empty cell (a missing cell reads as empty).
fn read_sheet_rows(workbook: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Vec<(u64, Vec<Cell>)>, Refusal> {
    let mut reader = match workbook.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        // A chart sheet has no cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(error) => return Err(unreadable(error.to_string())),
    };
    let mut first_row: Option<u32> = None;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut shared = SharedCells::new();
    while let Some(cell) = reader.next_cell().map_err(|error| unreadable(error.to_string()))? {
        let value = convert(cell.get_value(), &mut shared);
        if value == Cell::Empty {
            continue;
        }
        let (row, column) = cell.get_position();
        let first = *first_row.get_or_insert(row);
        // Rows out of order (never written so by Excel) shift what was read down.
        let shift = first.saturating_sub(row) as usize;
        let index = row.saturating_sub(first) as usize;
        if index.max(rows.len() + shift) >= MAX_ROWS_PER_SHEET {
            return Err(Refusal::Structure(format!(
                "la feuille « {name} » dépasse {MAX_ROWS_PER_SHEET} lignes (limite du nombre de lignes par feuille)"
            )));
        }
        if shift > 0 {
            rows.splice(0..0, std::iter::repeat_with(Vec::new).take(shift));
            first_row = Some(row);
        }
        if index >= rows.len() {
            rows.resize_with(index + 1, Vec::new);
        }
        let column = column as usize;
        if column >= MAX_COLUMNS_PER_SHEET {
            return Err(unreadable(format!(
                "cellule en colonne {} de la feuille « {name} », au-delà de la dernière colonne d'Excel",
                column + 1
            )));
        }
        let cells = &mut rows[index];
        if column >= cells.len() {
            cells.resize(column + 1, Cell::Empty);
        }
        cells[column] = value;
    }
    let first = u64::from(first_row.unwrap_or(0));
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(index, cells)| (first + index as u64 + 1, cells))
        .collect())
}

/// The sheet's shared strings already turned into cells, by address in calamine's table.
type SharedCells = HashMap<(usize, usize), Cell>;

fn convert(data: &DataRef<'_>, shared: &mut SharedCells) -> Cell {
    match data {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::SharedString(text) => shared
            .entry((text.as_ptr() as usize, text.len()))
            .or_insert_with(|| text_cell(text))
            .clone(),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text_cell(text),
        DataRef::Int(value) => Cell::Number(*value as f64),
        DataRef::Float(value) => Cell::Number(*value),
        DataRef::Bool(value) => Cell::Bool(*value),
        DataRef::DateTime(datetime) => {
            let (year, month, day, hour, minute, second, _) = datetime.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
                .and_then(|date| date.and_hms_opt(u32::from(hour), u32::from(minute), u32::from(second)))
                .map_or(Cell::Number(datetime.as_f64()), Cell::DateTime)
        }
    }
}

fn text_cell(text: &str) -> Cell {
    if text.trim().is_empty() {
        Cell::Empty
    } else {
        Cell::Text(text.into())
    }
}

/// An Excel serial date (1900 system, with its phantom 29 February 1900) as a date.
pub fn excel_serial_to_datetime(serial: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Serial 60 is the non-existent 1900-02-29; from 61 on, day 0 is 1899-12-30.
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let serial = if serial < 61.0 { serial + 1.0 } else { serial };
    let milliseconds = (serial * 86_400_000.0).round() as i64;
    base.checked_add_signed(chrono::Duration::milliseconds(milliseconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_follow_the_1900_system() {
        // 45000 is 2023-03-15 (Excel shows it so); 1 is 1900-01-01; 61 is 1900-03-01.
        assert_eq!(
            excel_serial_to_datetime(45000.0).unwrap().to_string(),
            "2023-03-15 00:00:00"
        );
        assert_eq!(
            excel_serial_to_datetime(1.0).unwrap().to_string(),
            "1900-01-01 00:00:00"
        );
        assert_eq!(
            excel_serial_to_datetime(61.0).unwrap().to_string(),
            "1900-03-01 00:00:00"
        );
        assert_eq!(
            excel_serial_to_datetime(45000.5).unwrap().to_string(),
            "2023-03-15 12:00:00"
        );
        assert_eq!(excel_serial_to_datetime(-3.0), None);
    }

    #[test]
    fn a_pdf_renamed_xlsx_is_refused() {
        let refusal = read_workbook(b"%PDF-1.7\n...", Some("export.xlsx")).unwrap_err();
        assert!(refusal.to_string().contains("ni un classeur Excel"), "{refusal}");
    }
}
