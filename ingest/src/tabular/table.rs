//! A sheet read as a table: the header row found by its key column (title rows above it
//! skipped), columns matched by alias, blank and `Total` rows left out, and cells converted
//! to typed values the French way. A new input kind is a list of `ColumnSpec`s.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::grid::{Cell, Grid, excel_serial_to_datetime};
use super::{column_letter, find_column};
use crate::dates::parse_datetime_fr;
use crate::finess::{Finess, FinessRepair};
use crate::report::{Diagnostics, Location, Refusal};
use crate::text::{fold, parse_bool_fr};

/// How many rows may stand above the header (titles, logos, notes).
const HEADER_SEARCH_ROWS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Finess,
    Integer,
    Decimal,
    /// A percentage as a number from 0 to 100 (`45 %`, `45`, or an Excel percent cell 0.45).
    Percent,
    Date,
    DateTime,
    Bool,
}

#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub key: &'static str,
    /// Header texts that mean this column (compared ignoring case, accents and spacing).
    pub aliases: &'static [&'static str],
    pub required: bool,
    pub kind: ValueKind,
}

impl ColumnSpec {
    pub const fn new(
        key: &'static str,
        aliases: &'static [&'static str],
        required: bool,
        kind: ValueKind,
    ) -> ColumnSpec {
        ColumnSpec {
            key,
            aliases,
            required,
            kind,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Finess(Finess),
    Integer(i64),
    Decimal(f64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Bool(bool),
}

/// A located table over a grid.
#[derive(Debug)]
pub struct Table<'a> {
    pub sheet: Option<String>,
    pub header_row: u64,
    /// The header of each column, with vertically merged header cells filled in.
    pub headers: Vec<String>,
    columns: HashMap<&'static str, usize>,
    /// Data rows: blank rows and `Total` rows removed.
    pub rows: Vec<&'a (u64, Vec<Cell>)>,
}

impl<'a> Table<'a> {
    /// Finds the header row (the first row holding the first required column's header) and
    /// maps every declared column. A missing required column refuses the file.
    pub fn locate(grid: &'a Grid, specs: &[ColumnSpec], diagnostics: &mut Diagnostics) -> Result<Table<'a>, Refusal> {
        let key = specs.iter().find(|spec| spec.required).unwrap_or(&specs[0]);
        let header_index = grid
            .rows
            .iter()
            .take(HEADER_SEARCH_ROWS)
            .position(|(_, cells)| find_column(&texts(cells), key.aliases).is_some())
            .ok_or_else(|| {
                Refusal::Structure(format!(
                    "{}colonne obligatoire « {} » introuvable dans les {HEADER_SEARCH_ROWS} premières lignes",
                    sheet_prefix(grid),
                    key.aliases[0]
                ))
            })?;
        let (header_row, header_cells) = &grid.rows[header_index];
        let mut headers = texts(header_cells);
        // A header merged vertically over two rows keeps its text in the upper cell.
        if header_index > 0 {
            let above = texts(&grid.rows[header_index - 1].1);
            for (index, header) in headers.iter_mut().enumerate() {
                if header.is_empty()
                    && let Some(text) = above.get(index).filter(|text| !text.is_empty())
                {
                    header.clone_from(text);
                }
            }
        }
        let mut columns = HashMap::new();
        let mut missing = Vec::new();
        for spec in specs {
            match find_column(&headers, spec.aliases) {
                Some(index) => {
                    columns.insert(spec.key, index);
                }
                None if spec.required => missing.push(spec.aliases[0]),
                None => {}
            }
        }
        if !missing.is_empty() {
            return Err(Refusal::Structure(format!(
                "{}colonne(s) obligatoire(s) introuvable(s) : {} (en-têtes lus ligne {header_row} : {})",
                sheet_prefix(grid),
                missing.join(", "),
                headers
                    .iter()
                    .filter(|header| !header.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" | ")
            )));
        }
        let mut rows = Vec::new();
        for row in &grid.rows[header_index + 1..] {
            let (number, cells) = row;
            if cells.iter().all(Cell::is_blank) {
                continue;
            }
            let first = cells
                .iter()
                .find(|cell| !cell.is_blank())
                .map(Cell::display)
                .unwrap_or_default();
            if fold(&first).starts_with("total") {
                diagnostics.warn(
                    Location {
                        sheet: grid.sheet.clone(),
                        row: Some(*number),
                        ..Location::default()
                    },
                    Some(&first),
                    "ligne de total ignorée",
                );
                continue;
            }
            rows.push(row);
        }
        Ok(Table {
            sheet: grid.sheet.clone(),
            header_row: *header_row,
            headers,
            columns,
            rows,
        })
    }

    pub fn has(&self, key: &str) -> bool {
        self.columns.contains_key(key)
    }

    pub fn column_index(&self, key: &str) -> Option<usize> {
        self.columns.get(key).copied()
    }

    /// `C (Raison sociale)`.
    pub fn describe_column(&self, index: usize) -> String {
        format!(
            "{} ({})",
            column_letter(index),
            self.headers.get(index).map_or("", String::as_str)
        )
    }

    pub fn location(&self, row: u64, column: usize) -> Location {
        Location {
            sheet: self.sheet.clone(),
            row: Some(row),
            column: Some(self.describe_column(column)),
            json_path: None,
        }
    }

    pub fn cell<'r>(&self, row: &'r (u64, Vec<Cell>), column: usize) -> &'r Cell {
        row.1.get(column).unwrap_or(&Cell::Empty)
    }

    /// The typed value of a declared column in a row: `Ok(None)` when absent or blank,
    /// `Err(reason)` when it cannot be read as its kind. Repairs are warned.
    pub fn value(
        &self,
        row: &(u64, Vec<Cell>),
        spec: &ColumnSpec,
        diagnostics: &mut Diagnostics,
    ) -> Result<Option<Value>, String> {
        let Some(column) = self.column_index(spec.key) else {
            return Ok(None);
        };
        let cell = self.cell(row, column);
        if cell.is_blank() {
            return Ok(None);
        }
        let value = convert(cell, spec.kind)?;
        if let (Value::Finess(finess), ValueKind::Finess) = (&value, spec.kind) {
            let shown = cell.display();
            if let Ok((_, repairs)) = Finess::parse_lenient(&shown) {
                for repair in repairs {
                    let message = match repair {
                        FinessRepair::PaddedLeadingZeros => {
                            format!(
                                "FINESS « {shown} » complété à 9 chiffres en {finess} (zéro initial perdu par Excel)"
                            )
                        }
                        FinessRepair::SeparatorsRemoved => format!("FINESS « {shown} » lu {finess} (espaces retirés)"),
                    };
                    diagnostics.warn(self.location(row.0, column), Some(&shown), message);
                }
            }
            if finess.luhn_ok() == Some(false) {
                diagnostics.warn(
                    self.location(row.0, column),
                    Some(finess.as_str()),
                    format!("clé de contrôle (Luhn) du FINESS {finess} incorrecte : numéro conservé, vérifiez-le"),
                );
            }
        }
        Ok(Some(value))
    }

    /// Every declared column of each data row, typed; a row with a bad or missing required
    /// value is rejected whole (one reject, naming the first bad cell) and left out.
    pub fn typed_rows(&self, specs: &[ColumnSpec], diagnostics: &mut Diagnostics) -> Vec<(u64, Vec<Option<Value>>)> {
        self.rows
            .iter()
            .filter_map(|row| {
                let values: Option<Vec<Option<Value>>> = specs
                    .iter()
                    .map(|spec| self.value_or_reject(row, spec, diagnostics))
                    .collect();
                values.map(|values| (row.0, values))
            })
            .collect()
    }

    /// Like `value`, but a bad or missing required value becomes a reject naming the cell;
    /// `None` tells the caller to drop the row.
    pub fn value_or_reject(
        &self,
        row: &(u64, Vec<Cell>),
        spec: &ColumnSpec,
        diagnostics: &mut Diagnostics,
    ) -> Option<Option<Value>> {
        let column = self.column_index(spec.key).unwrap_or(0);
        match self.value(row, spec, diagnostics) {
            Ok(None) if spec.required => {
                diagnostics.reject(
                    self.location(row.0, column),
                    None,
                    format!("valeur obligatoire manquante ({})", spec.aliases[0]),
                );
                None
            }
            Ok(value) => Some(value),
            Err(reason) => {
                let shown = self.cell(row, column).display();
                diagnostics.reject(self.location(row.0, column), Some(&shown), reason);
                None
            }
        }
    }
}

fn sheet_prefix(grid: &Grid) -> String {
    grid.sheet
        .as_ref()
        .map(|sheet| format!("feuille « {sheet} » : "))
        .unwrap_or_default()
}

fn texts(cells: &[Cell]) -> Vec<String> {
    cells.iter().map(Cell::display).collect()
}

/// Converts a cell to a kind, the French way; the error is a reason in French.
pub fn convert(cell: &Cell, kind: ValueKind) -> Result<Value, String> {
    // Shown in error messages only: formatting a date or a number costs more than reading it.
    let shown = || cell.shown();
    match kind {
        ValueKind::Text => Ok(Value::Text(shown().into_owned())),
        ValueKind::Finess => Finess::parse_lenient(&shown())
            .map(|(finess, _)| Value::Finess(finess))
            .map_err(|error| error.to_string()),
        ValueKind::Integer => match number(cell) {
            Some(value) if value.fract() == 0.0 => Ok(Value::Integer(value as i64)),
            _ => Err(format!("nombre entier attendu, « {} » lu", shown())),
        },
        ValueKind::Decimal => number(cell)
            .map(Value::Decimal)
            .ok_or_else(|| format!("nombre attendu, « {} » lu", shown())),
        ValueKind::Percent => {
            let value = match cell {
                // Excel stores 45 % as 0.45 in a percent-formatted cell.
                Cell::Number(value) if (0.0..=1.0).contains(value) && *value != 0.0 && *value != 1.0 => value * 100.0,
                _ => number(cell).ok_or_else(|| format!("pourcentage attendu, « {} » lu", shown()))?,
            };
            if (0.0..=100.0).contains(&value) {
                Ok(Value::Decimal(value))
            } else {
                Err(format!("pourcentage hors de 0 à 100 : « {} »", shown()))
            }
        }
        ValueKind::Date | ValueKind::DateTime => {
            let datetime = match cell {
                Cell::DateTime(datetime) => Some(*datetime),
                Cell::Number(serial) => excel_serial_to_datetime(*serial),
                Cell::Text(text) => parse_datetime_fr(text),
                _ => None,
            }
            .ok_or_else(|| format!("date attendue (jj/mm/aaaa), « {} » lu", shown()))?;
            Ok(if kind == ValueKind::Date {
                Value::Date(datetime.date())
            } else {
                Value::DateTime(datetime)
            })
        }
        ValueKind::Bool => match cell {
            Cell::Bool(value) => Ok(Value::Bool(*value)),
            Cell::Number(value) if *value == 1.0 || *value == 0.0 => Ok(Value::Bool(*value == 1.0)),
            _ => {
                let shown = shown();
                parse_bool_fr(&shown)
                    .map(Value::Bool)
                    .ok_or_else(|| format!("Oui ou Non attendu, « {shown} » lu"))
            }
        },
    }
}

fn number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Number(value) => Some(*value),
        Cell::Text(text) => parse_decimal_fr(text),
        _ => None,
    }
}

/// `12,5`, `4 000 €`, `45 %`, `1 234,50` (thin and no-break spaces too), `1234.5`.
pub fn parse_decimal_fr(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .trim_end_matches(['€', '%'])
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    let normalised = if cleaned.contains(',') {
        cleaned.replace('.', "").replace(',', ".")
    } else {
        cleaned
    };
    normalised.parse::<f64>().ok().filter(|value| value.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers() {
        assert_eq!(parse_decimal_fr("12,5"), Some(12.5));
        assert_eq!(parse_decimal_fr("4 000 €"), Some(4000.0));
        assert_eq!(parse_decimal_fr("4\u{202f}000,00\u{a0}€"), Some(4000.0));
        assert_eq!(parse_decimal_fr("45 %"), Some(45.0));
        assert_eq!(parse_decimal_fr("1.234,5"), Some(1234.5));
        assert_eq!(parse_decimal_fr("1234.5"), Some(1234.5));
        assert_eq!(parse_decimal_fr("douze"), None);
        assert_eq!(parse_decimal_fr(""), None);
    }

    #[test]
    fn cells_convert_by_kind() {
        let text = |value: &str| Cell::Text(value.into());
        assert_eq!(
            convert(&Cell::Number(10000024.0), ValueKind::Finess),
            Ok(Value::Finess(Finess::parse("010000024").unwrap()))
        );
        assert_eq!(
            convert(&Cell::Number(0.45), ValueKind::Percent),
            Ok(Value::Decimal(45.0))
        );
        assert_eq!(convert(&text("45 %"), ValueKind::Percent), Ok(Value::Decimal(45.0)));
        assert!(convert(&text("145 %"), ValueKind::Percent).is_err());
        let date = NaiveDate::from_ymd_opt(2023, 3, 15).unwrap();
        assert_eq!(convert(&Cell::Number(45000.0), ValueKind::Date), Ok(Value::Date(date)));
        assert_eq!(convert(&text("15/03/2023"), ValueKind::Date), Ok(Value::Date(date)));
        assert_eq!(convert(&text("2023-03-15"), ValueKind::Date), Ok(Value::Date(date)));
        assert_eq!(convert(&text("X"), ValueKind::Bool), Ok(Value::Bool(true)));
        assert_eq!(convert(&Cell::Bool(false), ValueKind::Bool), Ok(Value::Bool(false)));
        assert!(
            convert(&text("bientôt"), ValueKind::Date)
                .unwrap_err()
                .contains("« bientôt »")
        );
        assert_eq!(convert(&text("4 000"), ValueKind::Integer), Ok(Value::Integer(4000)));
        assert!(convert(&text("4,5"), ValueKind::Integer).is_err());
    }
}
