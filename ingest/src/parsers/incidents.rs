//! CERT Santé incident declarations (CSV): `date_declaration;finess_et;type;impact_patient;
//! declare_anssi;notifie_cnil;date_notification_cnil;chiffrement;fuite_donnees[;tlp]`.
//!
//! The optional `tlp` column (`red`, `amber`, `green`, `clear`, with or without `TLP:`, or
//! their French names) is stored as given; a row without one gets the settings' default when
//! the indicators read it, and a row on the day of a red OPSSIES event of its site is red
//! whatever it says (analytics `visible_incidents`).

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;

use crate::dates::to_timestamp_micros;
use crate::report::{Diagnostics, Refusal};
use crate::tabular::table::Value;
use crate::tabular::{ColumnSpec, Table, ValueKind, Workbook, find_column};

const DECLARED: ColumnSpec = ColumnSpec::new(
    "declared_at",
    &["date_declaration", "Date de déclaration"],
    true,
    ValueKind::DateTime,
);
const FINESS: ColumnSpec = ColumnSpec::new(
    "finess_et",
    &["finess_et", "FINESS ET", "FINESS"],
    true,
    ValueKind::Finess,
);
const KIND: ColumnSpec = ColumnSpec::new("incident_type", &["type", "Type d'incident"], false, ValueKind::Text);
const PATIENT: ColumnSpec = ColumnSpec::new(
    "patient_impact",
    &["impact_patient", "Impact patient"],
    false,
    ValueKind::Bool,
);
const ANSSI: ColumnSpec = ColumnSpec::new(
    "declared_to_anssi",
    &["declare_anssi", "Déclaré ANSSI"],
    false,
    ValueKind::Bool,
);
const CNIL: ColumnSpec = ColumnSpec::new(
    "cnil_notified",
    &["notifie_cnil", "Notifié CNIL"],
    false,
    ValueKind::Bool,
);
const CNIL_AT: ColumnSpec = ColumnSpec::new(
    "cnil_notified_at",
    &["date_notification_cnil", "Date de notification CNIL"],
    false,
    ValueKind::DateTime,
);
const ENCRYPTION: ColumnSpec = ColumnSpec::new("encryption", &["chiffrement", "Chiffrement"], false, ValueKind::Bool);
const LEAK: ColumnSpec = ColumnSpec::new(
    "data_leak",
    &["fuite_donnees", "Fuite de données"],
    false,
    ValueKind::Bool,
);

const TLP: ColumnSpec = ColumnSpec::new("tlp", &["tlp", "TLP", "Niveau TLP"], false, ValueKind::Text);

const COLUMNS: [ColumnSpec; 10] = [
    DECLARED, FINESS, KIND, PATIENT, ANSSI, CNIL, CNIL_AT, ENCRYPTION, LEAK, TLP,
];

/// The TLP level a cell names, if it names one.
pub fn tlp_level(text: &str) -> Option<&'static str> {
    let folded = text.trim().to_lowercase();
    let level = folded.strip_prefix("tlp:").unwrap_or(&folded).trim();
    Some(match level {
        "red" | "rouge" => "red",
        "amber" | "amber+strict" | "ambre" | "orange" => "amber",
        "green" | "vert" => "green",
        "clear" | "white" | "blanc" => "clear",
        _ => return None,
    })
}

#[derive(Debug)]
pub struct Incidents {
    pub rows_read: u64,
    pub incidents: RecordBatch,
}

pub fn looks_like(headers: &[String]) -> bool {
    find_column(headers, DECLARED.aliases).is_some() && find_column(headers, FINESS.aliases).is_some()
}

pub fn schema() -> Schema {
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, None);
    Schema::new(vec![
        Field::new("declared_at", timestamp.clone(), false),
        Field::new("finess_et", DataType::Utf8, false),
        Field::new("incident_type", DataType::Utf8, true),
        Field::new("patient_impact", DataType::Boolean, true),
        Field::new("declared_to_anssi", DataType::Boolean, true),
        Field::new("cnil_notified", DataType::Boolean, true),
        Field::new("cnil_notified_at", timestamp, true),
        Field::new("encryption", DataType::Boolean, true),
        Field::new("data_leak", DataType::Boolean, true),
        Field::new("source_row", DataType::Int64, false),
        Field::new("tlp", DataType::Utf8, true),
    ])
}

pub fn parse(workbook: &Workbook, diagnostics: &mut Diagnostics) -> Result<Incidents, Refusal> {
    let grid = workbook
        .sheets
        .first()
        .ok_or_else(|| Refusal::Structure("fichier vide".to_owned()))?;
    let table = Table::locate(grid, &COLUMNS, diagnostics)?;
    let n = table.rows.len();
    let (mut declared, mut cnil_at) = (
        TimestampMicrosecondBuilder::with_capacity(n),
        TimestampMicrosecondBuilder::with_capacity(n),
    );
    let (mut finess, mut kind, mut source, mut tlp) = (
        StringBuilder::new(),
        StringBuilder::new(),
        Int64Builder::with_capacity(n),
        StringBuilder::new(),
    );
    let tlp_column = table.column_index(TLP.key);
    let mut flags: Vec<BooleanBuilder> = (0..5).map(|_| BooleanBuilder::with_capacity(n)).collect();
    for (row_number, values) in table.typed_rows(&COLUMNS, diagnostics) {
        let datetime = |value: &Option<Value>| match value {
            Some(Value::DateTime(datetime)) => Some(to_timestamp_micros(*datetime)),
            _ => None,
        };
        let flag = |value: &Option<Value>| match value {
            Some(Value::Bool(flag)) => Some(*flag),
            _ => None,
        };
        let Some(declared_at) = datetime(&values[0]) else {
            continue;
        };
        let Some(Value::Finess(et)) = &values[1] else { continue };
        declared.append_value(declared_at);
        finess.append_value(et.as_str());
        kind.append_option(match &values[2] {
            Some(Value::Text(text)) => Some(text.as_str()),
            _ => None,
        });
        for (builder, index) in flags.iter_mut().zip([3, 4, 5, 7, 8]) {
            builder.append_option(flag(&values[index]));
        }
        cnil_at.append_option(datetime(&values[6]));
        source.append_value(row_number as i64);
        // An unreadable level is taken as the strictest: never shown wider than meant.
        tlp.append_option(match &values[9] {
            Some(Value::Text(text)) => Some(tlp_level(text).unwrap_or_else(|| {
                diagnostics.warn(
                    table.location(row_number, tlp_column.unwrap_or(0)),
                    Some(&text[..]),
                    "niveau TLP inconnu (red, amber, green ou clear attendu) : incident traité comme TLP:RED",
                );
                "red"
            })),
            _ => None,
        });
    }
    let mut flags = flags.into_iter();
    let mut next_flag = || Arc::new(flags.next().expect("five flags").finish()) as ArrayRef;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(declared.finish()),
        Arc::new(finess.finish()),
        Arc::new(kind.finish()),
        next_flag(),
        next_flag(),
        next_flag(),
        Arc::new(cnil_at.finish()),
        next_flag(),
        next_flag(),
        Arc::new(source.finish()),
        Arc::new(tlp.finish()),
    ];
    Ok(Incidents {
        rows_read: n as u64,
        incidents: RecordBatch::try_new(Arc::new(schema()), columns).expect("columns built to match the schema"),
    })
}
