//! Reading delimited text the way French Excel writes it: encoding and separator sniffed,
//! headers matched ignoring case, accents and spacing, with aliases.

use crate::report::Refusal;
use crate::text::{SourceEncoding, decode_lenient, fold};

/// A CSV file read whole: its header and its rows with their line numbers as Excel shows them.
#[derive(Debug)]
pub struct CsvTable {
    pub headers: Vec<String>,
    /// (1-based row number counting the header, fields)
    pub rows: Vec<(u64, Vec<String>)>,
    pub encoding: SourceEncoding,
    pub separator: u8,
}

impl CsvTable {
    /// The index of the first header matching one of the aliases (compared folded).
    pub fn column(&self, aliases: &[&str]) -> Option<usize> {
        find_column(&self.headers, aliases)
    }

    /// `C (Raison sociale)`: the column as a person finds it in Excel.
    pub fn describe_column(&self, index: usize) -> String {
        format!(
            "{} ({})",
            column_letter(index),
            self.headers.get(index).map_or("", String::as_str)
        )
    }
}

/// The index of the first header matching one of the aliases (compared folded).
pub fn find_column(headers: &[String], aliases: &[&str]) -> Option<usize> {
    let folded: Vec<String> = headers.iter().map(|header| fold(header)).collect();
    aliases.iter().find_map(|alias| {
        let alias = fold(alias);
        folded.iter().position(|header| *header == alias)
    })
}

/// The header fields of a delimited file, read from its first line only (for kind detection).
pub fn first_line_headers(bytes: &[u8]) -> Vec<String> {
    let end = bytes.iter().position(|&byte| byte == b'\n').unwrap_or(bytes.len());
    let (line, _) = decode_lenient(&bytes[..end]);
    let separator = char::from(sniff_separator(&line));
    line.trim_end_matches('\r')
        .split(separator)
        .map(|field| field.trim().trim_matches('"').to_owned())
        .collect()
}

/// Excel's column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: usize) -> String {
    let mut letters = Vec::new();
    let mut remaining = index + 1;
    while remaining > 0 {
        let digit = (remaining - 1) % 26;
        letters.push(char::from(b'A' + digit as u8));
        remaining = (remaining - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Picks `;`, `,` or tab: the one that splits the first line into the most fields.
fn sniff_separator(first_line: &str) -> u8 {
    [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|separator| first_line.bytes().filter(|b| b == separator).count())
        .unwrap_or(b';')
}

pub mod grid;
pub mod table;

pub use grid::{Cell, Grid, Workbook, read_workbook};
pub use table::{ColumnSpec, Table, ValueKind};

pub fn read_csv(bytes: &[u8]) -> Result<CsvTable, Refusal> {
    let (text, encoding) = decode_lenient(bytes);
    if text.trim().is_empty() {
        return Err(Refusal::Empty);
    }
    let first_line = text.lines().next().unwrap_or_default();
    let separator = sniff_separator(first_line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|field| field.trim().to_owned()).collect(),
        Some(Err(error)) => return Err(Refusal::Structure(format!("en-tête illisible : {error}"))),
        None => return Err(Refusal::Empty),
    };
    // Row numbers come from byte offsets (the csv crate's own line count is off after CRLF),
    // so a quoted field with line breaks keeps the next row's number right.
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, byte)| *byte == b'\n')
        .map(|(offset, _)| offset)
        .collect();
    let line_at = |byte: u64| newlines.partition_point(|&offset| (offset as u64) <= byte) as u64 + 1;
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|error| {
            let line = error.position().map_or(0, |position| line_at(position.byte()));
            Refusal::Structure(format!(
                "CSV illisible ligne {line} : guillemet non fermé ou encodage incohérent"
            ))
        })?;
        let line = record.position().map_or(0, |position| line_at(position.byte()));
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(CsvTable {
        headers,
        rows,
        encoding,
        separator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_like_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn separators_are_sniffed_and_headers_folded() {
        for (separator, text) in [
            (b';', "N° FINESS;OSE\r\n750100125;Oui\r\n"),
            (b',', "N° FINESS,OSE\n750100125,Oui\n"),
            (b'\t', "N° FINESS\tOSE\n750100125\tOui\n"),
        ] {
            let table = read_csv(text.as_bytes()).unwrap();
            assert_eq!(table.separator, separator);
            assert_eq!(table.column(&["finess_et", "n° finess"]), Some(0));
            assert_eq!(table.column(&["ose"]), Some(1));
            assert_eq!(table.rows, vec![(2, vec!["750100125".to_owned(), "Oui".to_owned()])]);
        }
    }

    #[test]
    fn quoted_line_breaks_keep_row_numbers_right() {
        let table = read_csv("a;b\n1;\"deux\nlignes\"\n3;4\n".as_bytes()).unwrap();
        assert_eq!(table.rows[0].0, 2);
        assert_eq!(table.rows[0].1[1], "deux\nlignes");
        assert_eq!(table.rows[1].0, 4);
    }
}
