//! The OSE list with GHT membership: `finess_et;finess_ej;ght;ose`.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::finess::Finess;
use crate::report::{Diagnostics, Location, Refusal};
use crate::tabular::table::Value;
use crate::tabular::{ColumnSpec, Table, ValueKind, Workbook, find_column};

const FINESS_ET: ColumnSpec = ColumnSpec::new(
    "finess_et",
    &[
        "finess_et",
        "finess et",
        "finess",
        "n° finess",
        "no finess",
        "numero finess",
        "finess geographique",
        "n° finess et",
        "nofinesset",
    ],
    true,
    ValueKind::Finess,
);
const FINESS_EJ: ColumnSpec = ColumnSpec::new(
    "finess_ej",
    &[
        "finess_ej",
        "finess ej",
        "finess juridique",
        "n° finess ej",
        "nofinessej",
    ],
    false,
    ValueKind::Finess,
);
const GHT: ColumnSpec = ColumnSpec::new(
    "ght",
    &["ght", "groupement hospitalier de territoire", "nom du ght", "code ght"],
    false,
    ValueKind::Text,
);
const OSE: ColumnSpec = ColumnSpec::new(
    "ose",
    &["ose", "operateur de services essentiels", "est ose"],
    true,
    ValueKind::Bool,
);
const COLUMNS: [ColumnSpec; 4] = [FINESS_ET, FINESS_EJ, GHT, OSE];

#[derive(Debug)]
pub struct OseList {
    pub rows_read: u64,
    pub rows: RecordBatch,
}

/// Whether header cells name the OSE list's columns.
pub fn looks_like(headers: &[String]) -> bool {
    [FINESS_ET.aliases, OSE.aliases, GHT.aliases]
        .iter()
        .all(|aliases| find_column(headers, aliases).is_some())
}

pub fn schema() -> Schema {
    Schema::new(vec![
        Field::new("finess_et", DataType::Utf8, false),
        Field::new("finess_ej", DataType::Utf8, true),
        Field::new("ght", DataType::Utf8, true),
        Field::new("ose", DataType::Boolean, false),
    ])
}

pub fn parse(workbook: &Workbook, diagnostics: &mut Diagnostics) -> Result<OseList, Refusal> {
    let grid = workbook
        .sheet(&["OSE", "Liste OSE", "OSE GHT"], true)
        .ok_or_else(|| Refusal::Structure("fichier vide".to_owned()))?;
    let table = Table::locate(grid, &COLUMNS, diagnostics)?;
    let mut kept: Vec<(Finess, Option<Finess>, Option<String>, bool)> = Vec::new();
    let mut index_by_et: HashMap<Finess, (usize, u64)> = HashMap::new();
    for (row_number, values) in table.typed_rows(&COLUMNS, diagnostics) {
        let finess = |value: &Option<Value>| match value {
            Some(Value::Finess(finess)) => Some(finess.clone()),
            _ => None,
        };
        let Some(et) = finess(&values[0]) else { continue };
        let ej = finess(&values[1]);
        let ght = match &values[2] {
            Some(Value::Text(text)) => Some(text.clone()),
            _ => None,
        };
        let ose = matches!(values[3], Some(Value::Bool(true)));
        match index_by_et.get(&et) {
            Some(&(index, first_line)) => {
                diagnostics.warn(
                    Location {
                        sheet: table.sheet.clone(),
                        row: Some(row_number),
                        ..Location::default()
                    },
                    Some(et.as_str()),
                    format!("FINESS ET déjà listé ligne {first_line} : la dernière ligne l'emporte"),
                );
                kept[index] = (et, ej, ght, ose);
            }
            None => {
                index_by_et.insert(et.clone(), (kept.len(), row_number));
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
        rows_read: table.rows.len() as u64,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tabular::read_workbook;
    use arrow::array::AsArray;

    #[test]
    fn rows_are_read_repaired_or_rejected() {
        let file = "finess_et;finess_ej;ght;ose\n750100125;750712184;GHT Paris Centre;Oui\n10000024;;GHT Ain;non\nXYZ;;GHT;oui\n930100037;;;peut-être\n";
        let mut diagnostics = Diagnostics::default();
        let list = parse(&read_workbook(file.as_bytes(), None).unwrap(), &mut diagnostics).unwrap();
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
        let workbook = read_workbook(b"finess_et;ght\n750100125;GHT\n", None).unwrap();
        let refusal = parse(&workbook, &mut diagnostics).unwrap_err();
        assert!(refusal.to_string().contains("ose"), "{refusal}");
    }
}
