//! oSIS questionnaire exports ("mise à jour OPSSIES"): the wide XLSX (or CSV) the platform
//! gives an ARS — one row per establishment and campaign, one column per question — and the
//! long CSV `finess_et;campagne;code_question;reponse;date_maj[;statut]`.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, Date32Builder, Float64Builder, Int64Builder, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;

use std::borrow::Cow;

use crate::catalogue::{Catalogue, Catalogues, Question};
use crate::dates::to_date32;
use crate::finess::Finess;
use crate::report::{Diagnostics, Location, Refusal};
use crate::tabular::table::Value;
use crate::tabular::{Cell, ColumnSpec, Table, ValueKind, Workbook};
use crate::text::fold;

const FINESS_ET: ColumnSpec = ColumnSpec::new(
    "finess_et",
    &[
        "FINESS ET",
        "finess_et",
        "FINESS",
        "N° FINESS",
        "Finess géographique",
        "N° FINESS ET",
    ],
    true,
    ValueKind::Finess,
);
const FINESS_EJ: ColumnSpec = ColumnSpec::new(
    "finess_ej",
    &["FINESS EJ", "finess_ej", "Finess juridique", "N° FINESS EJ"],
    false,
    ValueKind::Finess,
);
const NAME: ColumnSpec = ColumnSpec::new(
    "name",
    &["Raison sociale", "Nom", "Établissement"],
    false,
    ValueKind::Text,
);
const CAMPAIGN: ColumnSpec = ColumnSpec::new("campaign", &["Campagne", "campagne", "Année"], true, ValueKind::Integer);
const STATUS: ColumnSpec = ColumnSpec::new("status", &["Statut", "statut", "État"], false, ValueKind::Text);
const UPDATED: ColumnSpec = ColumnSpec::new(
    "updated_on",
    &[
        "Date de dernière mise à jour",
        "date_maj",
        "Dernière mise à jour",
        "Date de mise à jour",
    ],
    true,
    ValueKind::Date,
);
const QUESTION: ColumnSpec = ColumnSpec::new(
    "question",
    &["code_question", "Code question", "Question"],
    true,
    ValueKind::Text,
);
const ANSWER: ColumnSpec = ColumnSpec::new("answer", &["reponse", "Réponse"], false, ValueKind::Text);

const WIDE: [ColumnSpec; 6] = [FINESS_ET, FINESS_EJ, NAME, CAMPAIGN, STATUS, UPDATED];
const LONG: [ColumnSpec; 6] = [FINESS_ET, CAMPAIGN, QUESTION, ANSWER, UPDATED, STATUS];

/// Sheet names of the wide export (else its first sheet).
const SHEET_ALIASES: &[&str] = &["Réponses", "Reponses", "Export", "Déclarations"];

#[derive(Debug)]
pub struct OsisExport {
    pub rows_read: u64,
    pub declarations: RecordBatch,
    pub answers: RecordBatch,
    /// The catalogue versions the file used, for the store's `questions` table.
    pub catalogues_used: Vec<Catalogue>,
}

/// Whether header cells look like an oSIS export (either layout).
pub fn looks_like(headers: &[String]) -> bool {
    let has = |spec: &ColumnSpec| crate::tabular::find_column(headers, spec.aliases).is_some();
    has(&FINESS_ET) && has(&CAMPAIGN) && has(&UPDATED)
}

/// A question code at the start of a header: `GOUV-01 - Un RSSI…` → `GOUV-01`.
fn question_code(header: &str) -> Option<&str> {
    let token = header.trim().split([' ', '\u{a0}', '\n']).next()?;
    let (letters, digits) = token.split_once('-')?;
    (!letters.is_empty()
        && letters.bytes().all(|b| b.is_ascii_uppercase())
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit()))
    .then_some(token)
}

#[derive(Debug, Clone)]
struct Declaration {
    row: u64,
    finess_et: Finess,
    finess_ej: Option<Finess>,
    name: Option<String>,
    campaign: i64,
    version: String,
    status: Option<String>,
    updated_on: NaiveDate,
}

/// An answer borrows its question from the catalogue and its text from the sheet: no
/// per-answer copies of codes, domains, labels or cells (millions at national scale).
#[derive(Debug, Clone)]
struct AnswerRow<'a> {
    question: &'a Question,
    raw: Cow<'a, str>,
    normalised: Cow<'static, str>,
    points: Option<f64>,
}

/// Declarations keyed by (FINESS, campaign), with their answers sorted by question code,
/// one per question.
type Collected<'a> = BTreeMap<(String, i64), (Declaration, Vec<AnswerRow<'a>>)>;

/// The long layout's answers of one declaration while its rows are read.
type AnswersByCode<'a> = BTreeMap<&'a str, AnswerRow<'a>>;

/// Sorts a row's answers by question code; of two answers to one question, the later
/// column's wins.
fn by_question(mut answers: Vec<AnswerRow<'_>>) -> Vec<AnswerRow<'_>> {
    answers.sort_by(|a, b| a.question.code.cmp(&b.question.code));
    answers.dedup_by(|later, earlier| {
        let same = later.question.code == earlier.question.code;
        if same {
            std::mem::swap(later, earlier);
        }
        same
    });
    answers
}

pub fn parse(
    workbook: &Workbook,
    catalogues: &Catalogues,
    diagnostics: &mut Diagnostics,
) -> Result<OsisExport, Refusal> {
    let grid = workbook
        .sheet(SHEET_ALIASES, true)
        .ok_or_else(|| Refusal::Structure("aucune feuille lisible dans le classeur".to_owned()))?;
    // The long layout has a question-code column; the wide one has a column per question.
    let probe = Table::locate(grid, &[FINESS_ET, QUESTION], &mut Diagnostics::default());
    let mut collected = Collected::new();
    let rows_read = match probe {
        Ok(_) => parse_long(grid, catalogues, diagnostics, &mut collected)?,
        Err(_) => parse_wide(grid, catalogues, diagnostics, &mut collected)?,
    };
    let mut versions: Vec<Catalogue> = Vec::new();
    for (declaration, _) in collected.values() {
        if !versions
            .iter()
            .any(|catalogue| catalogue.version == declaration.version)
            && let Some(catalogue) = catalogues.for_campaign(declaration.campaign)
        {
            versions.push(catalogue.clone());
        }
    }
    let (declarations, answers) = build_batches(&collected);
    Ok(OsisExport {
        rows_read,
        declarations,
        answers,
        catalogues_used: versions,
    })
}

/// Reads the fields common to both layouts; `None` when the row is rejected.
fn declaration(
    table: &Table<'_>,
    row: &(u64, Vec<Cell>),
    catalogues: &Catalogues,
    diagnostics: &mut Diagnostics,
) -> Option<(Declaration, String)> {
    let finess_et = match table.value_or_reject(row, &FINESS_ET, diagnostics)? {
        Some(Value::Finess(finess)) => finess,
        _ => return None,
    };
    let campaign = match table.value_or_reject(row, &CAMPAIGN, diagnostics)? {
        Some(Value::Integer(year)) => year,
        _ => return None,
    };
    let updated_on = match table.value_or_reject(row, &UPDATED, diagnostics)? {
        Some(Value::Date(date)) => date,
        _ => return None,
    };
    let Some(catalogue) = catalogues.for_campaign(campaign) else {
        let column = table.column_index(CAMPAIGN.key).unwrap_or(0);
        diagnostics.reject(
            table.location(row.0, column),
            Some(&campaign.to_string()),
            format!("campagne {campaign} sans catalogue de questions : ajoutez-la à data/catalogue/campaigns.csv avec sa version"),
        );
        return None;
    };
    let finess_ej = table
        .value(row, &FINESS_EJ, diagnostics)
        .ok()
        .flatten()
        .and_then(|value| match value {
            Value::Finess(finess) => Some(finess),
            _ => None,
        });
    let name = table
        .value(row, &NAME, diagnostics)
        .ok()
        .flatten()
        .map(|value| match value {
            Value::Text(text) => text,
            other => format!("{other:?}"),
        });
    let status = table.value(row, &STATUS, diagnostics).ok().flatten().map(|value| {
        let raw = match value {
            Value::Text(text) => text,
            other => format!("{other:?}"),
        };
        normalise_status(&raw).map_or_else(
            || {
                let column = table.column_index(STATUS.key).unwrap_or(0);
                diagnostics.warn(
                    table.location(row.0, column),
                    Some(&raw),
                    "statut inconnu (Validé, En cours, Non commencé attendus) : gardé tel quel",
                );
                raw.clone()
            },
            str::to_owned,
        )
    });
    let version = catalogue.version.clone();
    Some((
        Declaration {
            row: row.0,
            finess_et,
            finess_ej,
            name,
            campaign,
            version: version.clone(),
            status,
            updated_on,
        },
        version,
    ))
}

fn normalise_status(raw: &str) -> Option<&'static str> {
    let folded = fold(raw);
    if folded.starts_with("valid") {
        Some("Validé")
    } else if folded.starts_with("en cours") {
        Some("En cours")
    } else if folded.starts_with("non commence") || folded.starts_with("non demarre") {
        Some("Non commencé")
    } else {
        None
    }
}

fn keep<'a>(
    collected: &mut Collected<'a>,
    declaration: Declaration,
    answers: Vec<AnswerRow<'a>>,
    table: &Table<'_>,
    diagnostics: &mut Diagnostics,
) {
    let key = (declaration.finess_et.to_string(), declaration.campaign);
    if let Some((previous, _)) = collected.get(&key) {
        diagnostics.warn(
            Location {
                sheet: table.sheet.clone(),
                row: Some(declaration.row),
                ..Location::default()
            },
            Some(&key.0),
            format!(
                "déclaration {} {} déjà présente ligne {} : la dernière ligne l'emporte",
                key.0, key.1, previous.row
            ),
        );
    }
    collected.insert(key, (declaration, answers));
}

fn parse_wide<'a>(
    grid: &'a crate::tabular::Grid,
    catalogues: &'a Catalogues,
    diagnostics: &mut Diagnostics,
    collected: &mut Collected<'a>,
) -> Result<u64, Refusal> {
    let table = Table::locate(grid, &WIDE, diagnostics)?;
    let question_columns: Vec<(usize, String)> = table
        .headers
        .iter()
        .enumerate()
        .filter_map(|(index, header)| question_code(header).map(|code| (index, code.to_owned())))
        .collect();
    if question_columns.is_empty() {
        return Err(Refusal::Structure(format!(
            "aucune colonne de question (en-tête commençant par un code comme « GOUV-01 ») ligne {}",
            table.header_row
        )));
    }
    // Each column's question, looked up once per catalogue version rather than per cell.
    let mut resolved: Vec<(&'a Catalogue, Vec<Option<&'a Question>>)> = Vec::new();
    for &row in &table.rows {
        let Some((declaration, version)) = declaration(&table, row, catalogues, diagnostics) else {
            continue;
        };
        let catalogue = catalogues
            .for_campaign(declaration.campaign)
            .expect("checked by declaration()");
        let questions = match resolved.iter().position(|(known, _)| std::ptr::eq(*known, catalogue)) {
            Some(index) => &resolved[index].1,
            None => {
                let questions = question_columns
                    .iter()
                    .map(|(column, code)| {
                        let question = catalogue.question(code);
                        if question.is_none() {
                            diagnostics.warn(
                                Location {
                                    sheet: table.sheet.clone(),
                                    row: Some(table.header_row),
                                    column: Some(table.describe_column(*column)),
                                    json_path: None,
                                },
                                Some(code),
                                format!("question {code} absente du catalogue {version} : colonne ignorée"),
                            );
                        }
                        question
                    })
                    .collect();
                resolved.push((catalogue, questions));
                &resolved[resolved.len() - 1].1
            }
        };
        let mut answers = Vec::with_capacity(question_columns.len());
        for ((column, _), question) in question_columns.iter().zip(questions) {
            let Some(question) = question else {
                continue;
            };
            let cell = table.cell(row, *column);
            if cell.is_blank() {
                continue;
            }
            match question.normalise(cell, declaration.updated_on) {
                Ok(answer) => answers.push(AnswerRow {
                    question,
                    raw: cell.shown(),
                    normalised: answer.normalised,
                    points: answer.points,
                }),
                Err(reason) => diagnostics.reject(table.location(row.0, *column), Some(&cell.display()), reason),
            }
        }
        keep(collected, declaration, by_question(answers), &table, diagnostics);
    }
    Ok(table.rows.len() as u64)
}

fn parse_long<'a>(
    grid: &'a crate::tabular::Grid,
    catalogues: &'a Catalogues,
    diagnostics: &mut Diagnostics,
    collected: &mut Collected<'a>,
) -> Result<u64, Refusal> {
    let table = Table::locate(grid, &LONG, diagnostics)?;
    let question_column = table.column_index(QUESTION.key).unwrap_or(0);
    let answer_column = table.column_index(ANSWER.key);
    // Answers arrive one per row: gathered by question code, the last row winning.
    let mut gathered: BTreeMap<(String, i64), (Declaration, AnswersByCode<'a>)> = BTreeMap::new();
    for &row in &table.rows {
        let Some((declaration, version)) = declaration(&table, row, catalogues, diagnostics) else {
            continue;
        };
        let catalogue = catalogues
            .for_campaign(declaration.campaign)
            .expect("checked by declaration()");
        let code = table.cell(row, question_column).display();
        let key = (declaration.finess_et.to_string(), declaration.campaign);
        let entry = gathered
            .entry(key)
            .or_insert_with(|| (declaration.clone(), BTreeMap::new()));
        // The declaration's date is its latest answer's.
        if declaration.updated_on > entry.0.updated_on {
            entry.0.updated_on = declaration.updated_on;
        }
        if declaration.status.is_some() {
            entry.0.status.clone_from(&declaration.status);
        }
        let Some(question) = catalogue.question(&code) else {
            diagnostics.warn(
                table.location(row.0, question_column),
                Some(&code),
                format!("question {code} absente du catalogue {version} : réponse ignorée"),
            );
            continue;
        };
        let cell = answer_column.map_or(&Cell::Empty, |column| table.cell(row, column));
        if cell.is_blank() {
            continue;
        }
        match question.normalise(cell, declaration.updated_on) {
            Ok(answer) => {
                entry.1.insert(
                    question.code.as_str(),
                    AnswerRow {
                        question,
                        raw: cell.shown(),
                        normalised: answer.normalised,
                        points: answer.points,
                    },
                );
            }
            Err(reason) => diagnostics.reject(
                table.location(row.0, answer_column.unwrap_or(0)),
                Some(&cell.display()),
                reason,
            ),
        }
    }
    collected.extend(
        gathered
            .into_iter()
            .map(|(key, (declaration, answers))| (key, (declaration, answers.into_values().collect()))),
    );
    Ok(table.rows.len() as u64)
}

pub fn declarations_schema() -> Schema {
    Schema::new(vec![
        Field::new("finess_et", DataType::Utf8, false),
        Field::new("finess_ej", DataType::Utf8, true),
        Field::new("name", DataType::Utf8, true),
        Field::new("campaign", DataType::Int64, false),
        Field::new("catalogue_version", DataType::Utf8, false),
        Field::new("status", DataType::Utf8, true),
        Field::new("updated_on", DataType::Date32, false),
        Field::new("source_row", DataType::Int64, false),
    ])
}

pub fn answers_schema() -> Schema {
    Schema::new(vec![
        // The row of the declaration in the declarations batch (the store numbers them).
        Field::new("declaration_index", DataType::Int64, false),
        Field::new("question_code", DataType::Utf8, false),
        Field::new("raw_answer", DataType::Utf8, false),
        Field::new("normalised_value", DataType::Utf8, false),
        Field::new("points", DataType::Float64, true),
    ])
}

fn build_batches(collected: &Collected) -> (RecordBatch, RecordBatch) {
    let n = collected.len();
    let mut et = StringBuilder::with_capacity(n, n * 9);
    let mut ej = StringBuilder::with_capacity(n, n * 9);
    let mut name = StringBuilder::with_capacity(n, n * 32);
    let mut campaign = Int64Builder::with_capacity(n);
    let mut version = StringBuilder::with_capacity(n, n * 2);
    let mut status = StringBuilder::with_capacity(n, n * 8);
    let mut updated = Date32Builder::with_capacity(n);
    let mut source_row = Int64Builder::with_capacity(n);
    let answers_count: usize = collected.values().map(|(_, answers)| answers.len()).sum();
    let m = answers_count;
    // An answer's domain, maximum and weight are its question's (stored once, in `questions`);
    // its declaration is a number. Answers go by question, then declaration: the store
    // compresses a question's answers, which share a few values, much better side by side.
    let (mut a_declaration, mut a_code) = (Int64Builder::with_capacity(m), StringBuilder::with_capacity(m, m * 8));
    let (mut a_raw, mut a_normalised) = (
        StringBuilder::with_capacity(m, m * 4),
        StringBuilder::with_capacity(m, m * 4),
    );
    let mut a_points = Float64Builder::with_capacity(m);
    let mut by_question: Vec<(&str, usize, &AnswerRow<'_>)> = Vec::with_capacity(m);
    for (index, (declaration, answers)) in collected.values().enumerate() {
        et.append_value(declaration.finess_et.as_str());
        ej.append_option(declaration.finess_ej.as_ref().map(Finess::as_str));
        name.append_option(declaration.name.as_deref());
        campaign.append_value(declaration.campaign);
        version.append_value(&declaration.version);
        status.append_option(declaration.status.as_deref());
        updated.append_value(to_date32(declaration.updated_on));
        source_row.append_value(declaration.row as i64);
        by_question.extend(
            answers
                .iter()
                .map(|answer| (answer.question.code.as_str(), index, answer)),
        );
    }
    by_question.sort_unstable_by_key(|&(code, index, _)| (code, index));
    for (code, index, answer) in by_question {
        a_declaration.append_value(index as i64);
        a_code.append_value(code);
        a_raw.append_value(&answer.raw);
        a_normalised.append_value(answer.normalised.as_ref());
        a_points.append_option(answer.points);
    }
    let declarations: Vec<ArrayRef> = vec![
        Arc::new(et.finish()),
        Arc::new(ej.finish()),
        Arc::new(name.finish()),
        Arc::new(campaign.finish()),
        Arc::new(version.finish()),
        Arc::new(status.finish()),
        Arc::new(updated.finish()),
        Arc::new(source_row.finish()),
    ];
    let answers: Vec<ArrayRef> = vec![
        Arc::new(a_declaration.finish()),
        Arc::new(a_code.finish()),
        Arc::new(a_raw.finish()),
        Arc::new(a_normalised.finish()),
        Arc::new(a_points.finish()),
    ];
    (
        RecordBatch::try_new(Arc::new(declarations_schema()), declarations).expect("columns built to match the schema"),
        RecordBatch::try_new(Arc::new(answers_schema()), answers).expect("columns built to match the schema"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_codes_start_headers() {
        assert_eq!(
            question_code("GOUV-01 - Un RSSI ou référent SSI est-il désigné ?"),
            Some("GOUV-01")
        );
        assert_eq!(question_code("SENSI-03\u{a0}Kit"), Some("SENSI-03"));
        assert_eq!(question_code("FINESS ET"), None);
        assert_eq!(question_code("Date de dernière mise à jour"), None);
        assert_eq!(question_code("gouv-01 minuscule"), None);
    }
}
