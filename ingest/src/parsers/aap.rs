//! The AAP (funding call) applications: a Démarches Simplifiées export, sheet `Dossiers`
//! (or a CSV), platform columns first, then the form's fields.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;

use crate::dates::{to_date32, to_timestamp_micros};
use crate::report::{Diagnostics, Refusal};
use crate::tabular::table::Value;
use crate::tabular::{ColumnSpec, Table, ValueKind, Workbook, find_column};
use crate::text::fold;

/// In file order; the index of each column in `COLUMNS` is used below.
const COLUMNS: [ColumnSpec; 22] = [
    ColumnSpec::new(
        "application_id",
        &["ID", "Numéro de dossier", "Dossier"],
        true,
        ValueKind::Integer,
    ),
    ColumnSpec::new("email", &["Email", "E-mail"], false, ValueKind::Text),
    ColumnSpec::new("civility", &["Civilité"], false, ValueKind::Text),
    ColumnSpec::new("last_name", &["Nom"], false, ValueKind::Text),
    ColumnSpec::new("first_name", &["Prénom"], false, ValueKind::Text),
    ColumnSpec::new("archived", &["Archivé"], false, ValueKind::Bool),
    ColumnSpec::new(
        "state",
        &["État du dossier", "Etat du dossier", "État"],
        true,
        ValueKind::Text,
    ),
    ColumnSpec::new("updated_at", &["Dernière mise à jour le"], false, ValueKind::DateTime),
    ColumnSpec::new("deposited_at", &["Déposé le"], false, ValueKind::DateTime),
    ColumnSpec::new(
        "instruction_at",
        &["Passé en instruction le"],
        false,
        ValueKind::DateTime,
    ),
    ColumnSpec::new("decided_at", &["Traité le"], false, ValueKind::DateTime),
    ColumnSpec::new(
        "decision_reason",
        &["Motivation de la décision"],
        false,
        ValueKind::Text,
    ),
    ColumnSpec::new("instructors", &["Instructeurs"], false, ValueKind::Text),
    ColumnSpec::new(
        "finess_et",
        &["FINESS ET", "FINESS", "N° FINESS"],
        false,
        ValueKind::Finess,
    ),
    ColumnSpec::new(
        "self_assessment_score",
        &["Score de l'auto-évaluation", "Score de l'auto-evaluation"],
        false,
        ValueKind::Integer,
    ),
    ColumnSpec::new(
        "order_amount",
        &["Montant de la commande (€)", "Montant de la commande"],
        false,
        ValueKind::Decimal,
    ),
    ColumnSpec::new(
        "planned_exercise_on",
        &["Date prévisionnelle de l'exercice"],
        false,
        ValueKind::Date,
    ),
    ColumnSpec::new(
        "declared_opssies_update_on",
        &["Date de dernière mise à jour OPSSIES"],
        false,
        ValueKind::Date,
    ),
    ColumnSpec::new("grid_attachment", &["Grille d'auto-évaluation"], false, ValueKind::Text),
    ColumnSpec::new("order_attachment", &["Bon de commande"], false, ValueKind::Text),
    ColumnSpec::new("invoice_attachment", &["Facture"], false, ValueKind::Text),
    ColumnSpec::new("paid_on", &["Date de paiement"], false, ValueKind::Date),
];

/// The platform's states, from its codes or its French labels.
fn normalise_state(raw: &str) -> Option<&'static str> {
    match fold(raw).replace('_', " ").as_str() {
        "en construction" => Some("en_construction"),
        "en instruction" => Some("en_instruction"),
        "accepte" => Some("accepte"),
        "refuse" => Some("refuse"),
        "sans suite" | "classe sans suite" => Some("sans_suite"),
        _ => None,
    }
}

#[derive(Debug)]
pub struct Applications {
    pub rows_read: u64,
    pub applications: RecordBatch,
}

pub fn looks_like(headers: &[String]) -> bool {
    find_column(headers, COLUMNS[0].aliases).is_some() && find_column(headers, COLUMNS[6].aliases).is_some()
}

pub fn schema() -> Schema {
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, None);
    let mut fields: Vec<Field> = COLUMNS
        .iter()
        .map(|spec| {
            let data_type = match spec.kind {
                ValueKind::Integer => DataType::Int64,
                ValueKind::Decimal | ValueKind::Percent => DataType::Float64,
                ValueKind::Date => DataType::Date32,
                ValueKind::DateTime => timestamp.clone(),
                ValueKind::Bool => DataType::Boolean,
                ValueKind::Text | ValueKind::Finess => DataType::Utf8,
            };
            Field::new(spec.key, data_type, !spec.required)
        })
        .collect();
    fields.push(Field::new("state_as_written", DataType::Utf8, false));
    fields.push(Field::new("source_row", DataType::Int64, false));
    Schema::new(fields)
}

enum Builder {
    Int(Int64Builder),
    Float(Float64Builder),
    Date(Date32Builder),
    Time(TimestampMicrosecondBuilder),
    Bool(BooleanBuilder),
    Text(StringBuilder),
}

impl Builder {
    fn for_kind(kind: ValueKind) -> Builder {
        match kind {
            ValueKind::Integer => Builder::Int(Int64Builder::new()),
            ValueKind::Decimal | ValueKind::Percent => Builder::Float(Float64Builder::new()),
            ValueKind::Date => Builder::Date(Date32Builder::new()),
            ValueKind::DateTime => Builder::Time(TimestampMicrosecondBuilder::new()),
            ValueKind::Bool => Builder::Bool(BooleanBuilder::new()),
            ValueKind::Text | ValueKind::Finess => Builder::Text(StringBuilder::new()),
        }
    }

    fn append(&mut self, value: Option<&Value>) {
        match (self, value) {
            (Builder::Int(builder), Some(Value::Integer(value))) => builder.append_value(*value),
            (Builder::Float(builder), Some(Value::Decimal(value))) => builder.append_value(*value),
            (Builder::Date(builder), Some(Value::Date(value))) => builder.append_value(to_date32(*value)),
            (Builder::Time(builder), Some(Value::DateTime(value))) => builder.append_value(to_timestamp_micros(*value)),
            (Builder::Bool(builder), Some(Value::Bool(value))) => builder.append_value(*value),
            (Builder::Text(builder), Some(Value::Text(value))) => builder.append_value(value),
            (Builder::Text(builder), Some(Value::Finess(value))) => builder.append_value(value.as_str()),
            (Builder::Int(builder), _) => builder.append_null(),
            (Builder::Float(builder), _) => builder.append_null(),
            (Builder::Date(builder), _) => builder.append_null(),
            (Builder::Time(builder), _) => builder.append_null(),
            (Builder::Bool(builder), _) => builder.append_null(),
            (Builder::Text(builder), _) => builder.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Int(builder) => Arc::new(builder.finish()),
            Builder::Float(builder) => Arc::new(builder.finish()),
            Builder::Date(builder) => Arc::new(builder.finish()),
            Builder::Time(builder) => Arc::new(builder.finish()),
            Builder::Bool(builder) => Arc::new(builder.finish()),
            Builder::Text(builder) => Arc::new(builder.finish()),
        }
    }
}

pub fn parse(workbook: &Workbook, diagnostics: &mut Diagnostics) -> Result<Applications, Refusal> {
    let grid = workbook
        .sheet(&["Dossiers"], true)
        .ok_or_else(|| Refusal::Structure("aucune feuille lisible".to_owned()))?;
    let table = Table::locate(grid, &COLUMNS, diagnostics)?;
    let mut builders: Vec<Builder> = COLUMNS.iter().map(|spec| Builder::for_kind(spec.kind)).collect();
    let (mut state_written, mut source_row) = (StringBuilder::new(), Int64Builder::new());
    let state_column = table.column_index("state").unwrap_or(0);
    for (row_number, mut values) in table.typed_rows(&COLUMNS, diagnostics) {
        let written = match &values[6] {
            Some(Value::Text(text)) => text.clone(),
            _ => String::new(),
        };
        let Some(state) = normalise_state(&written) else {
            diagnostics.reject(
                table.location(row_number, state_column),
                Some(&written),
                "état du dossier inconnu (en construction, en instruction, accepté, refusé, classé sans suite)",
            );
            continue;
        };
        values[6] = Some(Value::Text(state.to_owned()));
        for (builder, value) in builders.iter_mut().zip(&values) {
            builder.append(value.as_ref());
        }
        state_written.append_value(&written);
        source_row.append_value(row_number as i64);
    }
    let mut columns: Vec<ArrayRef> = builders.iter_mut().map(Builder::finish).collect();
    columns.push(Arc::new(state_written.finish()));
    columns.push(Arc::new(source_row.finish()));
    Ok(Applications {
        rows_read: table.rows.len() as u64,
        applications: RecordBatch::try_new(Arc::new(schema()), columns).expect("columns built to match the schema"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_from_codes_and_labels() {
        assert_eq!(normalise_state("en_construction"), Some("en_construction"));
        assert_eq!(normalise_state("Accepté"), Some("accepte"));
        assert_eq!(normalise_state("Classé sans suite"), Some("sans_suite"));
        assert_eq!(normalise_state("refuse"), Some("refuse"));
        assert_eq!(normalise_state("perdu"), None);
    }
}
