//! The OSE list with GHT membership: `finess_et;finess_ej;ght;ose`.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::finess::{Finess, FinessRepair};
use crate::report::{Diagnostics, Location, Refusal};
use crate::tabular::{CsvTable, find_column, first_line_headers, read_csv};
use crate::text::{SourceEncoding, parse_bool_fr};

pub const FINESS_ET_ALIASES: &[&str] = &[
    "finess_et",
    "finess et",
    "finess",
    "n° finess",
    "no finess",
    "numero finess",
    "finess geographique",
    "n° finess et",
    "nofinesset",
];
const FINESS_EJ_ALIASES: &[&str] = &[
    "finess_ej",
    "finess ej",
    "finess juridique",
    "n° finess ej",
    "nofinessej",
];
const GHT_ALIASES: &[&str] = &["ght", "groupement hospitalier de territoire", "nom du ght", "code ght"];
const OSE_ALIASES: &[&str] = &["ose", "operateur de services essentiels", "est ose"];

#[derive(Debug)]
pub struct OseList {
    pub encoding: SourceEncoding,
    pub rows_read: u64,
    pub rows: RecordBatch,
}

/// Whether a header line names the OSE list's columns.
pub fn looks_like(bytes: &[u8]) -> bool {
    let headers = first_line_headers(bytes);
    [FINESS_ET_ALIASES, OSE_ALIASES, GHT_ALIASES]
        .iter()
        .all(|aliases| find_column(&headers, aliases).is_some())
}

pub fn schema() -> Schema {
    Schema::new(vec![
        Field::new("finess_et", DataType::Utf8, false),
        Field::new("finess_ej", DataType::Utf8, true),
        Field::new("ght", DataType::Utf8, true),
        Field::new("ose", DataType::Boolean, false),
    ])
}

pub fn parse(bytes: &[u8], diagnostics: &mut Diagnostics) -> Result<OseList, Refusal> {
    let table = read_csv(bytes)?;
    if table.encoding == SourceEncoding::Windows1252 {
        diagnostics.warn(
            Location::default(),
            None,
            "fichier décodé en Windows-1252 (Latin-1) : il n'est pas en UTF-8",
        );
    }
    let required = |aliases: &[&str], name: &str| {
        table.column(aliases).ok_or_else(|| {
            Refusal::Structure(format!(
                "colonne obligatoire « {name} » introuvable (en-têtes lus : {}). Attendu : finess_et;finess_ej;ght;ose",
                table.headers.join(" | ")
            ))
        })
    };
    let et_column = required(FINESS_ET_ALIASES, "finess_et")?;
    let ose_column = required(OSE_ALIASES, "ose")?;
    let ej_column = table.column(FINESS_EJ_ALIASES);
    let ght_column = table.column(GHT_ALIASES);

    let mut kept: Vec<(Finess, Option<Finess>, Option<String>, bool)> = Vec::new();
    let mut index_by_et: HashMap<Finess, (usize, u64)> = HashMap::new();
    for (line, fields) in &table.rows {
        let field = |index: usize| fields.get(index).map_or("", |text| text.trim());
        let Some(et) = finess_field(&table, *line, et_column, field(et_column), diagnostics) else {
            continue;
        };
        let ej = match ej_column {
            Some(column) if !field(column).is_empty() => {
                match finess_field(&table, *line, column, field(column), diagnostics) {
                    Some(ej) => Some(ej),
                    None => continue,
                }
            }
            _ => None,
        };
        let Some(ose) = parse_bool_fr(field(ose_column)) else {
            diagnostics.reject(
                Location::line_column(*line, table.describe_column(ose_column)),
                Some(field(ose_column)),
                "valeur OSE illisible : Oui/Non, O/N, Vrai/Faux, 1/0 ou X attendu",
            );
            continue;
        };
        let ght = ght_column.map(field).filter(|text| !text.is_empty()).map(str::to_owned);
        match index_by_et.get(&et) {
            Some(&(index, first_line)) => {
                diagnostics.warn(
                    Location::line(*line),
                    Some(et.as_str()),
                    format!("FINESS ET déjà listé ligne {first_line} : la dernière ligne l'emporte"),
                );
                kept[index] = (et, ej, ght, ose);
            }
            None => {
                index_by_et.insert(et.clone(), (kept.len(), *line));
                kept.push((et, ej, ght, ose));
            }
        }
    }

    let n = kept.len();
    let mut et_builder = StringBuilder::with_capacity(n, n * 9);
    let mut ej_builder = StringBuilder::with_capacity(n, n * 9);
    let mut ght_builder = StringBuilder::with_capacity(n, n * 16);
    let mut ose_builder = BooleanBuilder::with_capacity(n);
    for (et, ej, ght, ose) in &kept {
        et_builder.append_value(et.as_str());
        ej_builder.append_option(ej.as_ref().map(Finess::as_str));
        ght_builder.append_option(ght.as_deref());
        ose_builder.append_value(*ose);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(et_builder.finish()),
        Arc::new(ej_builder.finish()),
        Arc::new(ght_builder.finish()),
        Arc::new(ose_builder.finish()),
    ];
    let rows = RecordBatch::try_new(Arc::new(schema()), columns).expect("columns built to match the schema");
    Ok(OseList {
        encoding: table.encoding,
        rows_read: table.rows.len() as u64,
        rows,
    })
}

/// A FINESS cell of a spreadsheet: repaired and warned, or rejected. `None` means rejected.
pub(crate) fn finess_field(
    table: &CsvTable,
    line: u64,
    column: usize,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Finess> {
    let location = || Location::line_column(line, table.describe_column(column));
    match Finess::parse_lenient(text) {
        Ok((finess, repairs)) => {
            for repair in repairs {
                let message = match repair {
                    FinessRepair::PaddedLeadingZeros => {
                        format!("FINESS « {text} » complété à 9 chiffres en {finess} (zéro initial perdu par Excel)")
                    }
                    FinessRepair::SeparatorsRemoved => format!("FINESS « {text} » lu {finess} (espaces retirés)"),
                };
                diagnostics.warn(location(), Some(text), message);
            }
            if finess.luhn_ok() == Some(false) {
                diagnostics.warn(
                    location(),
                    Some(text),
                    format!("clé de contrôle (Luhn) du FINESS {finess} incorrecte : numéro conservé, vérifiez-le"),
                );
            }
            Some(finess)
        }
        Err(error) => {
            diagnostics.reject(location(), Some(text), error.to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::AsArray;

    #[test]
    fn rows_are_read_repaired_or_rejected() {
        let file = "finess_et;finess_ej;ght;ose\n750100125;750712184;GHT Paris Centre;Oui\n10000024;;GHT Ain;non\nXYZ;;GHT;oui\n930100037;;;peut-être\n";
        let mut diagnostics = Diagnostics::default();
        let list = parse(file.as_bytes(), &mut diagnostics).unwrap();
        assert_eq!(list.rows_read, 4);
        assert_eq!(list.rows.num_rows(), 2);
        let et = list.rows.column(0).as_string::<i32>();
        assert_eq!(et.value(1), "010000024");
        assert!(list.rows.column(3).as_boolean().value(0));
        assert!(!list.rows.column(3).as_boolean().value(1));
        let rejected: Vec<(u64, &str)> = diagnostics
            .rejects
            .iter()
            .map(|r| (r.location.row.unwrap(), r.location.column.as_deref().unwrap()))
            .collect();
        assert_eq!(rejected, vec![(4, "A (finess_et)"), (5, "D (ose)")]);
        assert!(
            diagnostics.warnings[0]
                .message
                .contains("complété à 9 chiffres en 010000024")
        );
    }

    #[test]
    fn a_missing_required_column_refuses_the_file() {
        let mut diagnostics = Diagnostics::default();
        let refusal = parse(b"finess_et;ght\n750100125;GHT\n", &mut diagnostics).unwrap_err();
        assert!(refusal.to_string().contains("« ose » introuvable"), "{refusal}");
    }
}
