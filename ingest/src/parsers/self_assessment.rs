//! Self-assessment grids (grille d'auto-évaluation), which choose the exercise kit: one XLSX
//! per establishment as filled in (sheets `Fiche d'identité` and `Questionnaire`), or a
//! consolidated CSV `finess_et;date;q01;…;q23` with levels `1`/`2`/`3` or their names.
//!
//! 23 questions; points per level 1/5/10 (a setting), so the score runs 23–230; kit:
//! score < 75 débutant, 75 ≤ score ≤ 150 intermédiaire, score > 150 confirmé. A grid with a
//! question unanswered or two levels marked is stored as incomplete, with a reject naming
//! the question, and recommends no kit.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, Date32Builder, Int64Builder, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;

use crate::dates::to_date32;
use crate::finess::Finess;
use crate::report::{Diagnostics, Location, Refusal};
use crate::tabular::table::{Value, convert};
use crate::tabular::{Cell, ColumnSpec, Grid, Table, ValueKind, Workbook, find_column};
use crate::text::fold;

pub const QUESTION_COUNT: usize = 23;

/// Points per level and kit thresholds (domain.md, indicators.md §6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSettings {
    pub points: [i64; 3],
    /// Below this score: débutant.
    pub intermediate_from: i64,
    /// Above this score: confirmé.
    pub confirmed_above: i64,
}

/// The points per level shipped in `data/self_assessment_points.csv`.
const EMBEDDED_POINTS: &str = include_str!("../../../data/self_assessment_points.csv");

impl Default for GridSettings {
    fn default() -> Self {
        let points =
            GridSettings::parse_points(EMBEDDED_POINTS.as_bytes()).expect("the embedded points file is valid (tested)");
        GridSettings {
            points,
            intermediate_from: 75,
            confirmed_above: 150,
        }
    }
}

impl GridSettings {
    /// Reads a `niveau;points` file (débutant, intermédiaire, confirmé).
    pub fn parse_points(bytes: &[u8]) -> Result<[i64; 3], String> {
        let table = crate::tabular::read_csv(bytes).map_err(|refusal| refusal.to_string())?;
        let (level, points) = match (table.column(&["niveau"]), table.column(&["points"])) {
            (Some(level), Some(points)) => (level, points),
            _ => return Err("colonnes « niveau » et « points » attendues".to_owned()),
        };
        let mut found = [None; 3];
        for (line, fields) in &table.rows {
            let name = fields.get(level).map_or("", String::as_str);
            let index = level_of(name).ok_or_else(|| format!("ligne {line} : niveau « {name} » inconnu"))?;
            let value = fields
                .get(points)
                .and_then(|text| text.trim().parse::<i64>().ok())
                .ok_or_else(|| format!("ligne {line} : points illisibles"))?;
            found[index] = Some(value);
        }
        match found {
            [Some(beginner), Some(intermediate), Some(confirmed)] => Ok([beginner, intermediate, confirmed]),
            _ => Err("les trois niveaux (débutant, intermédiaire, confirmé) doivent avoir leurs points".to_owned()),
        }
    }

    pub fn kit(&self, score: i64) -> &'static str {
        if score < self.intermediate_from {
            "débutant"
        } else if score <= self.confirmed_above {
            "intermédiaire"
        } else {
            "confirmé"
        }
    }
}

const LEVELS: [&str; 3] = ["débutant", "intermédiaire", "confirmé"];

fn level_of(text: &str) -> Option<usize> {
    let folded = fold(text);
    match folded.as_str() {
        "1" => Some(0),
        "2" => Some(1),
        "3" => Some(2),
        _ => ["debutant", "intermediaire", "confirme"]
            .iter()
            .position(|name| folded.starts_with(name)),
    }
}

#[derive(Debug)]
pub struct Grids {
    pub rows_read: u64,
    /// One row per grid.
    pub grids: RecordBatch,
    /// One row per answered question of each grid.
    pub levels: RecordBatch,
}

struct ParsedGrid {
    finess_et: Finess,
    assessed_on: Option<NaiveDate>,
    contact: Option<String>,
    /// Level index per question, `None` when unanswered or ambiguous.
    levels: Vec<Option<usize>>,
}

/// Whether a workbook is a per-establishment grid.
pub fn is_grid_workbook(workbook: &Workbook) -> bool {
    workbook.sheet(&["Questionnaire"], false).is_some()
        && workbook
            .sheet(&["Fiche d'identité", "Fiche d identite", "Identité"], false)
            .is_some()
}

/// Whether CSV headers are the consolidated grid's.
pub fn looks_like(headers: &[String]) -> bool {
    find_column(headers, FINESS.aliases).is_some() && find_column(headers, &["q01", "Q1"]).is_some()
}

const FINESS: ColumnSpec = ColumnSpec::new(
    "finess_et",
    &["finess_et", "FINESS ET", "FINESS", "N° FINESS"],
    true,
    ValueKind::Finess,
);
const DATE: ColumnSpec = ColumnSpec::new(
    "date",
    &["date", "Date de l'auto-évaluation", "Date"],
    false,
    ValueKind::Date,
);

pub fn parse(workbook: &Workbook, settings: &GridSettings, diagnostics: &mut Diagnostics) -> Result<Grids, Refusal> {
    let parsed = if is_grid_workbook(workbook) {
        vec![parse_filled_grid(workbook, diagnostics)?]
    } else {
        let grid = workbook
            .sheets
            .first()
            .ok_or_else(|| Refusal::Structure("fichier vide".to_owned()))?;
        parse_consolidated(grid, diagnostics)?
    };
    Ok(build(parsed, settings))
}

fn parse_consolidated(grid: &Grid, diagnostics: &mut Diagnostics) -> Result<Vec<ParsedGrid>, Refusal> {
    let table = Table::locate(grid, &[FINESS, DATE], diagnostics)?;
    let question_columns: Vec<usize> = (1..=QUESTION_COUNT)
        .map(|number| {
            find_column(&table.headers, &[&format!("q{number:02}"), &format!("q{number}")]).ok_or_else(|| {
                Refusal::Structure(format!(
                    "colonne obligatoire « q{number:02} » introuvable (q01 à q23 attendues)"
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let mut grids = Vec::new();
    for row in &table.rows {
        let Some(Some(Value::Finess(finess_et))) = table.value_or_reject(row, &FINESS, diagnostics) else {
            continue;
        };
        let assessed_on = match table.value_or_reject(row, &DATE, diagnostics) {
            Some(Some(Value::Date(date))) => Some(date),
            Some(_) => None,
            None => continue,
        };
        let levels = question_columns
            .iter()
            .enumerate()
            .map(|(index, &column)| {
                let cell = table.cell(row, column);
                let level = level_of(&cell.display());
                if level.is_none() {
                    let why = if cell.is_blank() {
                        "sans réponse"
                    } else {
                        "réponse illisible (1, 2, 3 ou Débutant, Intermédiaire, Confirmé)"
                    };
                    diagnostics.reject(
                        table.location(row.0, column),
                        (!cell.is_blank()).then(|| cell.display()).as_deref(),
                        format!(
                            "question {} {why} : grille enregistrée incomplète, aucun kit recommandé",
                            index + 1
                        ),
                    );
                }
                level
            })
            .collect();
        grids.push(ParsedGrid {
            finess_et,
            assessed_on,
            contact: None,
            levels,
        });
    }
    Ok(grids)
}

/// The value next to a label on the identity sheet (`FINESS : | 750100125`).
fn identity_value<'g>(grid: &'g Grid, labels: &[&str]) -> Option<(u64, usize, &'g Cell)> {
    grid.rows.iter().find_map(|(row, cells)| {
        let label_index = cells.iter().position(|cell| {
            let folded = fold(&cell.display());
            labels.iter().any(|label| folded.contains(&fold(label)))
        })?;
        cells
            .iter()
            .enumerate()
            .skip(label_index + 1)
            .find(|(_, cell)| !cell.is_blank())
            .map(|(index, cell)| (*row, index, cell))
    })
}

fn parse_filled_grid(workbook: &Workbook, diagnostics: &mut Diagnostics) -> Result<ParsedGrid, Refusal> {
    let identity = workbook
        .sheet(&["Fiche d'identité", "Fiche d identite", "Identité"], false)
        .expect("checked by is_grid_workbook");
    let questionnaire = workbook
        .sheet(&["Questionnaire"], false)
        .expect("checked by is_grid_workbook");
    let (row, column, cell) = identity_value(identity, &["finess"]).ok_or_else(|| {
        Refusal::Structure(
            "feuille « Fiche d'identité » : FINESS introuvable (une cellule « FINESS » suivie du numéro)".to_owned(),
        )
    })?;
    let location = || Location {
        sheet: identity.sheet.clone(),
        row: Some(row),
        column: Some(crate::tabular::column_letter(column)),
        json_path: None,
    };
    let finess_et = match convert(cell, ValueKind::Finess) {
        Ok(Value::Finess(finess)) => finess,
        _ => {
            return Err(Refusal::Structure(format!(
                "feuille « Fiche d'identité », {} : « {} » n'est pas un numéro FINESS",
                location().describe(),
                cell.display()
            )));
        }
    };
    let assessed_on =
        identity_value(identity, &["date"]).and_then(|(_, _, cell)| match convert(cell, ValueKind::Date) {
            Ok(Value::Date(date)) => Some(date),
            _ => None,
        });
    let contact = identity_value(identity, &["contact", "référent"]).map(|(_, _, cell)| cell.display());

    let specs = [
        ColumnSpec::new("number", &["N°", "Numéro", "No", "Question"], true, ValueKind::Integer),
        ColumnSpec::new("beginner", &["Débutant"], false, ValueKind::Text),
        ColumnSpec::new("intermediate", &["Intermédiaire"], false, ValueKind::Text),
        ColumnSpec::new("confirmed", &["Confirmé"], false, ValueKind::Text),
        ColumnSpec::new("answer", &["Réponse", "Niveau"], false, ValueKind::Text),
    ];
    let table = Table::locate(questionnaire, &specs, diagnostics)?;
    let level_columns: Vec<Option<usize>> = ["beginner", "intermediate", "confirmed"]
        .iter()
        .map(|key| table.column_index(key))
        .collect();
    if level_columns.iter().all(Option::is_none) && !table.has("answer") {
        return Err(Refusal::Structure(
            "feuille « Questionnaire » : ni colonnes Débutant / Intermédiaire / Confirmé, ni colonne Réponse"
                .to_owned(),
        ));
    }
    let mut levels: Vec<Option<usize>> = vec![None; QUESTION_COUNT];
    let mut seen = [false; QUESTION_COUNT];
    let number_column = table.column_index("number").unwrap_or(0);
    for row in &table.rows {
        let number = match convert(table.cell(row, number_column), ValueKind::Integer) {
            Ok(Value::Integer(number)) if (1..=QUESTION_COUNT as i64).contains(&number) => number as usize,
            _ => continue, // a theme heading or a note between questions
        };
        seen[number - 1] = true;
        let marked: Vec<usize> = level_columns
            .iter()
            .enumerate()
            .filter_map(|(level, column)| {
                column
                    .filter(|&column| !table.cell(row, column).is_blank())
                    .map(|_| level)
            })
            .collect();
        let named = table
            .column_index("answer")
            .and_then(|column| level_of(&table.cell(row, column).display()));
        let level = match (marked.as_slice(), named) {
            ([level], _) => Some(*level),
            ([], Some(level)) => Some(level),
            ([], None) => {
                diagnostics.reject(
                    table.location(row.0, number_column),
                    None,
                    format!("question {number} sans réponse : grille enregistrée incomplète, aucun kit recommandé"),
                );
                None
            }
            (several, _) => {
                let names: Vec<&str> = several.iter().map(|&level| LEVELS[level]).collect();
                diagnostics.reject(
                    table.location(row.0, number_column),
                    Some(&names.join(" + ")),
                    format!("question {number} : plusieurs niveaux cochés : grille enregistrée incomplète, aucun kit recommandé"),
                );
                None
            }
        };
        levels[number - 1] = level;
    }
    for (index, _) in seen.iter().enumerate().filter(|(_, seen)| !**seen) {
        diagnostics.reject(
            Location {
                sheet: questionnaire.sheet.clone(),
                ..Location::default()
            },
            None,
            format!(
                "question {} absente de la feuille : grille enregistrée incomplète, aucun kit recommandé",
                index + 1
            ),
        );
    }
    Ok(ParsedGrid {
        finess_et,
        assessed_on,
        contact,
        levels,
    })
}

pub fn grids_schema() -> Schema {
    Schema::new(vec![
        Field::new("finess_et", DataType::Utf8, false),
        Field::new("assessed_on", DataType::Date32, true),
        Field::new("contact", DataType::Utf8, true),
        Field::new("complete", DataType::Boolean, false),
        Field::new("answered", DataType::Int64, false),
        Field::new("score", DataType::Int64, true),
        Field::new("recommended_kit", DataType::Utf8, true),
    ])
}

pub fn levels_schema() -> Schema {
    Schema::new(vec![
        Field::new("finess_et", DataType::Utf8, false),
        Field::new("assessed_on", DataType::Date32, true),
        Field::new("question", DataType::Int64, false),
        Field::new("level", DataType::Utf8, false),
        Field::new("points", DataType::Int64, false),
    ])
}

fn build(parsed: Vec<ParsedGrid>, settings: &GridSettings) -> Grids {
    let n = parsed.len();
    let (mut finess, mut dates, mut contacts) = (
        StringBuilder::new(),
        Date32Builder::with_capacity(n),
        StringBuilder::new(),
    );
    let (mut complete, mut answered, mut scores, mut kits) = (
        BooleanBuilder::with_capacity(n),
        Int64Builder::with_capacity(n),
        Int64Builder::with_capacity(n),
        StringBuilder::new(),
    );
    let (mut l_finess, mut l_dates, mut l_question, mut l_level, mut l_points) = (
        StringBuilder::new(),
        Date32Builder::new(),
        Int64Builder::new(),
        StringBuilder::new(),
        Int64Builder::new(),
    );
    for grid in &parsed {
        let is_complete = grid.levels.iter().all(Option::is_some);
        let score: i64 = grid.levels.iter().flatten().map(|&level| settings.points[level]).sum();
        finess.append_value(grid.finess_et.as_str());
        dates.append_option(grid.assessed_on.map(to_date32));
        contacts.append_option(grid.contact.as_deref());
        complete.append_value(is_complete);
        answered.append_value(grid.levels.iter().flatten().count() as i64);
        scores.append_option(is_complete.then_some(score));
        kits.append_option(is_complete.then(|| settings.kit(score)));
        for (index, level) in grid.levels.iter().enumerate() {
            if let Some(level) = level {
                l_finess.append_value(grid.finess_et.as_str());
                l_dates.append_option(grid.assessed_on.map(to_date32));
                l_question.append_value(index as i64 + 1);
                l_level.append_value(LEVELS[*level]);
                l_points.append_value(settings.points[*level]);
            }
        }
    }
    let grids: Vec<ArrayRef> = vec![
        Arc::new(finess.finish()),
        Arc::new(dates.finish()),
        Arc::new(contacts.finish()),
        Arc::new(complete.finish()),
        Arc::new(answered.finish()),
        Arc::new(scores.finish()),
        Arc::new(kits.finish()),
    ];
    let levels: Vec<ArrayRef> = vec![
        Arc::new(l_finess.finish()),
        Arc::new(l_dates.finish()),
        Arc::new(l_question.finish()),
        Arc::new(l_level.finish()),
        Arc::new(l_points.finish()),
    ];
    Grids {
        rows_read: n as u64,
        grids: RecordBatch::try_new(Arc::new(grids_schema()), grids).expect("columns built to match the schema"),
        levels: RecordBatch::try_new(Arc::new(levels_schema()), levels).expect("columns built to match the schema"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kit_thresholds_at_their_boundaries() {
        let settings = GridSettings::default();
        // domain.md: score < 75 débutant; 75 ≤ score ≤ 150 intermédiaire; score > 150 confirmé.
        assert_eq!(settings.kit(74), "débutant");
        assert_eq!(settings.kit(75), "intermédiaire");
        assert_eq!(settings.kit(150), "intermédiaire");
        assert_eq!(settings.kit(151), "confirmé");
    }

    #[test]
    fn points_come_from_the_data_file() {
        assert_eq!(GridSettings::default().points, [1, 5, 10]);
        let custom = "niveau;points\nconfirmé;20\ndébutant;2\nintermédiaire;8\n";
        assert_eq!(GridSettings::parse_points(custom.as_bytes()), Ok([2, 8, 20]));
        assert!(GridSettings::parse_points(b"niveau;points\ndebutant;1\n").is_err());
    }

    #[test]
    fn levels_by_number_or_name() {
        assert_eq!(level_of("1"), Some(0));
        assert_eq!(level_of(" Intermédiaire "), Some(1));
        assert_eq!(level_of("CONFIRME"), Some(2));
        assert_eq!(level_of("4"), None);
    }
}
