//! The exercise follow-up workbook: sheets `Exercices` and `Actions` (a CSV holding either
//! table is accepted too). An action without owner or deadline is stored and flagged.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, Date32Builder, Int64Builder, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::dates::to_date32;
use crate::report::{Diagnostics, Location, Refusal};
use crate::tabular::table::Value;
use crate::tabular::{ColumnSpec, Grid, Table, ValueKind, Workbook, find_column};
use crate::text::fold;

const FINESS: ColumnSpec = ColumnSpec::new(
    "finess_et",
    &["FINESS ET", "finess_et", "FINESS", "N° FINESS"],
    true,
    ValueKind::Finess,
);

const EXERCISE_COLUMNS: [ColumnSpec; 11] = [
    FINESS,
    ColumnSpec::new("planned_on", &["Date prévue", "date_prevue"], false, ValueKind::Date),
    ColumnSpec::new(
        "completed_on",
        &["Date de réalisation", "date_realisation"],
        false,
        ValueKind::Date,
    ),
    ColumnSpec::new("kit", &["Kit", "Kit utilisé"], false, ValueKind::Text),
    ColumnSpec::new("scenario", &["Scénario", "scenario"], false, ValueKind::Text),
    ColumnSpec::new("provider", &["Prestataire", "prestataire"], false, ValueKind::Text),
    ColumnSpec::new("aap_funded", &["Financé AAP", "finance_aap"], false, ValueKind::Bool),
    ColumnSpec::new(
        "direction_present",
        &["Direction présente", "direction_presente"],
        false,
        ValueKind::Bool,
    ),
    ColumnSpec::new(
        "observers",
        &["Observateurs", "observateurs"],
        false,
        ValueKind::Integer,
    ),
    ColumnSpec::new("retex_on", &["Date du RETEX", "date_retex"], false, ValueKind::Date),
    ColumnSpec::new("cancelled", &["Annulé", "annule"], false, ValueKind::Bool),
];

const ACTION_COLUMNS: [ColumnSpec; 7] = [
    FINESS,
    ColumnSpec::new(
        "exercise_on",
        &["Date de l'exercice", "date_exercice"],
        false,
        ValueKind::Date,
    ),
    ColumnSpec::new("action", &["Action", "action"], true, ValueKind::Text),
    ColumnSpec::new("owner", &["Responsable", "responsable"], false, ValueKind::Text),
    ColumnSpec::new("deadline", &["Échéance", "echeance"], false, ValueKind::Date),
    ColumnSpec::new("status", &["Statut", "statut"], false, ValueKind::Text),
    ColumnSpec::new(
        "closed_on",
        &["Date de clôture", "date_cloture"],
        false,
        ValueKind::Date,
    ),
];

#[derive(Debug)]
pub struct ExerciseWorkbook {
    pub rows_read: u64,
    pub exercises: RecordBatch,
    pub actions: RecordBatch,
}

pub fn is_exercise_workbook(workbook: &Workbook) -> bool {
    workbook.sheet(&["Exercices"], false).is_some()
}

/// Whether CSV headers are either table's.
pub fn looks_like(headers: &[String]) -> bool {
    let has = |aliases: &[&str]| find_column(headers, aliases).is_some();
    has(FINESS.aliases)
        && (has(EXERCISE_COLUMNS[2].aliases) || (has(ACTION_COLUMNS[2].aliases) && has(ACTION_COLUMNS[4].aliases)))
}

fn normalise_kit(raw: &str) -> Option<&'static str> {
    let folded = fold(raw);
    [
        ("debutant", "débutant"),
        ("intermediaire", "intermédiaire"),
        ("confirme", "confirmé"),
        ("guide", "guide ANSSI"),
        ("anssi", "guide ANSSI"),
        ("autre", "autre"),
    ]
    .iter()
    .find(|(prefix, _)| folded.starts_with(prefix) || folded.contains(&format!(" {prefix}")))
    .map(|(_, kit)| *kit)
}

fn normalise_status(raw: &str) -> Option<&'static str> {
    let folded = fold(raw);
    [
        ("a faire", "à faire"),
        ("en cours", "en cours"),
        ("fait", "fait"),
        ("termine", "fait"),
        ("abandon", "abandonné"),
    ]
    .iter()
    .find(|(prefix, _)| folded.starts_with(prefix))
    .map(|(_, status)| *status)
}

pub fn parse(workbook: &Workbook, diagnostics: &mut Diagnostics) -> Result<ExerciseWorkbook, Refusal> {
    let (exercise_grid, action_grid) = if is_exercise_workbook(workbook) {
        (
            workbook.sheet(&["Exercices"], false),
            workbook.sheet(&["Actions", "Plan d'actions"], false),
        )
    } else {
        // A CSV holds one table: an action list has an `Action` column.
        let grid = workbook
            .sheets
            .first()
            .ok_or_else(|| Refusal::Structure("fichier vide".to_owned()))?;
        let headers: Vec<String> = grid
            .rows
            .first()
            .map(|(_, cells)| cells.iter().map(crate::tabular::Cell::display).collect())
            .unwrap_or_default();
        if find_column(&headers, ACTION_COLUMNS[2].aliases).is_some() {
            (None, Some(grid))
        } else {
            (Some(grid), None)
        }
    };
    let mut rows_read = 0;
    let exercises = match exercise_grid {
        Some(grid) => read_exercises(grid, diagnostics, &mut rows_read)?,
        None => empty(exercises_schema()),
    };
    let actions = match action_grid {
        Some(grid) => read_actions(grid, diagnostics, &mut rows_read)?,
        None => empty(actions_schema()),
    };
    Ok(ExerciseWorkbook {
        rows_read,
        exercises,
        actions,
    })
}

fn empty(schema: Schema) -> RecordBatch {
    RecordBatch::new_empty(Arc::new(schema))
}

fn text(value: &Option<Value>) -> Option<&str> {
    match value {
        Some(Value::Text(text)) => Some(text.as_str()),
        _ => None,
    }
}

fn date(value: &Option<Value>) -> Option<i32> {
    match value {
        Some(Value::Date(date)) => Some(to_date32(*date)),
        _ => None,
    }
}

fn flag(value: &Option<Value>) -> Option<bool> {
    match value {
        Some(Value::Bool(flag)) => Some(*flag),
        _ => None,
    }
}

fn finess(value: &Option<Value>) -> &str {
    match value {
        Some(Value::Finess(finess)) => finess.as_str(),
        _ => "",
    }
}

pub fn exercises_schema() -> Schema {
    Schema::new(vec![
        Field::new("finess_et", DataType::Utf8, false),
        Field::new("planned_on", DataType::Date32, true),
        Field::new("completed_on", DataType::Date32, true),
        Field::new("kit", DataType::Utf8, true),
        Field::new("kit_as_written", DataType::Utf8, true),
        Field::new("scenario", DataType::Utf8, true),
        Field::new("provider", DataType::Utf8, true),
        Field::new("aap_funded", DataType::Boolean, true),
        Field::new("direction_present", DataType::Boolean, true),
        Field::new("observers", DataType::Int64, true),
        Field::new("retex_on", DataType::Date32, true),
        Field::new("cancelled", DataType::Boolean, false),
        Field::new("source_row", DataType::Int64, false),
    ])
}

fn read_exercises(grid: &Grid, diagnostics: &mut Diagnostics, rows_read: &mut u64) -> Result<RecordBatch, Refusal> {
    let table = Table::locate(grid, &EXERCISE_COLUMNS, diagnostics)?;
    *rows_read += table.rows.len() as u64;
    let rows = table.typed_rows(&EXERCISE_COLUMNS, diagnostics);
    let (mut et, mut kit, mut kit_raw, mut scenario, mut provider) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut planned, mut completed, mut retex) = (Date32Builder::new(), Date32Builder::new(), Date32Builder::new());
    let (mut funded, mut direction, mut cancelled) =
        (BooleanBuilder::new(), BooleanBuilder::new(), BooleanBuilder::new());
    let (mut observers, mut source) = (Int64Builder::new(), Int64Builder::new());
    for (row, values) in &rows {
        et.append_value(finess(&values[0]));
        planned.append_option(date(&values[1]));
        completed.append_option(date(&values[2]));
        let written = text(&values[3]);
        let normalised = written.and_then(normalise_kit);
        if let (Some(written), None) = (written, normalised) {
            let column = table.column_index("kit").unwrap_or(0);
            diagnostics.warn(
                table.location(*row, column),
                Some(written),
                "kit inconnu (débutant, intermédiaire, confirmé, guide ANSSI, autre) : gardé tel quel",
            );
        }
        kit.append_option(normalised);
        kit_raw.append_option(written);
        scenario.append_option(text(&values[4]));
        provider.append_option(text(&values[5]));
        funded.append_option(flag(&values[6]));
        direction.append_option(flag(&values[7]));
        observers.append_option(match &values[8] {
            Some(Value::Integer(count)) => Some(*count),
            _ => None,
        });
        retex.append_option(date(&values[9]));
        cancelled.append_value(flag(&values[10]).unwrap_or(false));
        source.append_value(*row as i64);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(et.finish()),
        Arc::new(planned.finish()),
        Arc::new(completed.finish()),
        Arc::new(kit.finish()),
        Arc::new(kit_raw.finish()),
        Arc::new(scenario.finish()),
        Arc::new(provider.finish()),
        Arc::new(funded.finish()),
        Arc::new(direction.finish()),
        Arc::new(observers.finish()),
        Arc::new(retex.finish()),
        Arc::new(cancelled.finish()),
        Arc::new(source.finish()),
    ];
    Ok(RecordBatch::try_new(Arc::new(exercises_schema()), columns).expect("columns built to match the schema"))
}

pub fn actions_schema() -> Schema {
    Schema::new(vec![
        Field::new("finess_et", DataType::Utf8, false),
        Field::new("exercise_on", DataType::Date32, true),
        Field::new("action", DataType::Utf8, false),
        Field::new("owner", DataType::Utf8, true),
        Field::new("deadline", DataType::Date32, true),
        Field::new("status", DataType::Utf8, true),
        Field::new("closed_on", DataType::Date32, true),
        Field::new("source_row", DataType::Int64, false),
    ])
}

fn read_actions(grid: &Grid, diagnostics: &mut Diagnostics, rows_read: &mut u64) -> Result<RecordBatch, Refusal> {
    let table = Table::locate(grid, &ACTION_COLUMNS, diagnostics)?;
    *rows_read += table.rows.len() as u64;
    let rows = table.typed_rows(&ACTION_COLUMNS, diagnostics);
    let (mut et, mut action, mut owner, mut status) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut exercise_on, mut deadline, mut closed_on) =
        (Date32Builder::new(), Date32Builder::new(), Date32Builder::new());
    let mut source = Int64Builder::new();
    for (row, values) in &rows {
        et.append_value(finess(&values[0]));
        exercise_on.append_option(date(&values[1]));
        action.append_value(text(&values[2]).unwrap_or_default());
        owner.append_option(text(&values[3]));
        deadline.append_option(date(&values[4]));
        let written = text(&values[5]);
        let normalised = written.and_then(normalise_status);
        if let (Some(written), None) = (written, normalised) {
            let column = table.column_index("status").unwrap_or(0);
            diagnostics.warn(
                table.location(*row, column),
                Some(written),
                "statut inconnu (à faire, en cours, fait, abandonné) : laissé vide",
            );
        }
        status.append_option(normalised);
        closed_on.append_option(date(&values[6]));
        source.append_value(*row as i64);
        if values[3].is_none() || values[4].is_none() {
            let missing = match (values[3].is_none(), values[4].is_none()) {
                (true, true) => "ni responsable ni échéance",
                (true, false) => "pas de responsable",
                _ => "pas d'échéance",
            };
            diagnostics.warn(
                Location {
                    sheet: table.sheet.clone(),
                    row: Some(*row),
                    ..Location::default()
                },
                text(&values[2]),
                format!("action sans suivi possible ({missing}) : enregistrée et signalée"),
            );
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(et.finish()),
        Arc::new(exercise_on.finish()),
        Arc::new(action.finish()),
        Arc::new(owner.finish()),
        Arc::new(deadline.finish()),
        Arc::new(status.finish()),
        Arc::new(closed_on.finish()),
        Arc::new(source.finish()),
    ];
    Ok(RecordBatch::try_new(Arc::new(actions_schema()), columns).expect("columns built to match the schema"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kits_and_statuses_are_normalised() {
        assert_eq!(normalise_kit("Kit intermédiaire"), Some("intermédiaire"));
        assert_eq!(normalise_kit("Débutant"), Some("débutant"));
        assert_eq!(normalise_kit("Guide ANSSI"), Some("guide ANSSI"));
        assert_eq!(normalise_kit("maison"), None);
        assert_eq!(normalise_status("A faire"), Some("à faire"));
        assert_eq!(normalise_status("Abandonnée"), Some("abandonné"));
        assert_eq!(normalise_status("Fait"), Some("fait"));
    }
}
