//! Reading spreadsheets the way French Excel writes them. `grid` reads CSV or XLSX into
//! sheets of typed cells, `table` locates a declared table in a sheet and converts its
//! cells; this module holds the CSV reader (encoding and separator sniffed) and header
//! matching (case, accents and spacing ignored, with aliases).

pub mod grid;
pub mod table;

pub use grid::{Cell, Grid, Workbook, read_workbook};
pub use table::{ColumnSpec, Table, ValueKind};

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

/// Picks `;`, tab or `,`: the one seen most often in the first lines (title rows may have
/// none); `;`, French Excel's, wins ties.
fn sniff_separator(text: &str) -> u8 {
    let head: Vec<&str> = text.lines().take(10).collect();
    let count = |separator: u8| {
        head.iter()
            .map(|line| line.bytes().filter(|&b| b == separator).count())
            .sum::<usize>()
    };
    [b'\t', b','].into_iter().fold(b';', |best, candidate| {
        if count(candidate) > count(best) {
            candidate
        } else {
            best
        }
    })
}

pub fn read_csv(bytes: &[u8]) -> Result<CsvTable, Refusal> {
    let (text, encoding) = decode_lenient(bytes);
    if text.trim().is_empty() {
        return Err(Refusal::Empty);
    }
    let separator = sniff_separator(&text);
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
    fn a_title_line_without_separators_does_not_fool_the_sniffer() {
        let table = read_csv("Export du 15/07/2024\nFINESS ET;Campagne\n750100125;2024\n".as_bytes()).unwrap();
        assert_eq!(table.separator, b';');
        assert_eq!(table.rows[0].1, vec!["FINESS ET".to_owned(), "Campagne".to_owned()]);
        let commas = read_csv("titre\na,b\n1,2\n".as_bytes()).unwrap();
        assert_eq!(commas.separator, b',');
    }

    #[test]
    fn quoted_line_breaks_keep_row_numbers_right() {
        let table = read_csv("a;b\n1;\"deux\nlignes\"\n3;4\n".as_bytes()).unwrap();
        assert_eq!(table.rows[0].0, 2);
        assert_eq!(table.rows[0].1[1], "deux\nlignes");
        assert_eq!(table.rows[1].0, 4);
    }
}
