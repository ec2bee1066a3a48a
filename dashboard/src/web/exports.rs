//! Exports of what a page shows, under the same filters: CSV for French Excel (UTF-8 with
//! BOM, `;`, decimal comma), RFC 4180 CSV, XLSX with typed cells, and Parquet (written by
//! DuckDB) for analysts.

use analytics::{AAP_CHECKS, Analytics, EstablishmentStatus, Figures};
use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde::Deserialize;

use super::auth::Viewer;
use super::params::{Params, Query};
use super::{AppState, WebError, pages};

#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Integer(i64),
    Number(f64),
    /// A share between 0 and 1, shown as a percentage.
    Share(f64),
    Date(NaiveDate),
    Empty,
}

pub struct Table {
    pub name: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

fn optional_text(value: Option<&str>) -> Cell {
    value.map_or(Cell::Empty, |value| Cell::Text(value.to_owned()))
}

fn optional_number(value: Option<f64>) -> Cell {
    value.map_or(Cell::Empty, Cell::Number)
}

fn optional_date(value: Option<NaiveDate>) -> Cell {
    value.map_or(Cell::Empty, Cell::Date)
}

/// The first cells of a row about one establishment: FINESS, name, département.
fn site_cells(r: &EstablishmentStatus) -> Vec<Cell> {
    vec![
        text(&r.finess_et),
        optional_text(r.name.as_deref()),
        optional_text(r.departement.as_deref()),
    ]
}

fn share(part: i64, whole: i64) -> Cell {
    Figures::rate(part, whole).map_or(Cell::Empty, Cell::Share)
}

pub fn establishments_table(rows: &[EstablishmentStatus]) -> Table {
    Table {
        name: "etablissements",
        columns: vec![
            "finess_et",
            "etablissement",
            "departement",
            "famille",
            "secteur",
            "ose",
            "e1_exercice",
            "e2_audits",
            "e3_observatoire",
            "e4_sensibilisation",
            "e5_cartographie",
            "maturite",
            "niveau_maturite",
            "completude",
            "fraicheur",
            "derniere_declaration",
            "exercice",
            "dernier_exercice",
            "priorite",
        ],
        rows: rows
            .iter()
            .map(|r| {
                [
                    site_cells(r),
                    vec![
                        text(&r.family),
                        text(&r.sector_group),
                        text(if r.ose { "oui" } else { "non" }),
                        text(r.e1_exercise.label()),
                        text(r.e2_audits.label()),
                        text(r.e3_observatory.label()),
                        text(r.e4_awareness.label()),
                        text(r.e5_cartography.label()),
                        optional_number(r.maturity.map(|m| (m * 10.0).round() / 10.0)),
                        r.maturity_level
                            .map_or(Cell::Empty, |level| Cell::Integer(i64::from(level))),
                        r.maturity_completion.map_or(Cell::Empty, Cell::Share),
                        text(r.freshness.label()),
                        optional_date(r.last_declaration_on),
                        text(r.exercise_status.label()),
                        optional_date(r.last_exercise_on),
                        Cell::Integer(r.priority_score),
                    ],
                ]
                .concat()
            })
            .collect(),
    }
}

pub fn targeting_table(rows: &[EstablishmentStatus]) -> Table {
    Table {
        name: "ciblage",
        columns: vec![
            "priorite",
            "finess_et",
            "etablissement",
            "departement",
            "famille",
            "secteur",
            "ose",
            "raisons",
            "offres_sesan",
        ],
        rows: rows
            .iter()
            .map(|r| {
                let mut offers: Vec<&str> = r.priority_reasons.iter().map(|reason| reason.offer()).collect();
                offers.dedup();
                vec![
                    Cell::Integer(r.priority_score),
                    text(&r.finess_et),
                    optional_text(r.name.as_deref()),
                    optional_text(r.departement.as_deref()),
                    text(&r.family),
                    text(&r.sector_group),
                    text(if r.ose { "oui" } else { "non" }),
                    text(r.reasons_text()),
                    text(offers.join(" ; ")),
                ]
            })
            .collect(),
    }
}

/// Each establishment's exercise: status, last one (with its source and kit), next planned.
pub fn exercises_table(rows: &[EstablishmentStatus]) -> Table {
    Table {
        name: "exercices",
        columns: vec![
            "finess_et",
            "etablissement",
            "departement",
            "exercice",
            "dernier_exercice",
            "source",
            "direction_presente",
            "kit",
            "prochain_prevu",
            "actions",
            "actions_en_retard",
        ],
        rows: rows
            .iter()
            .map(|r| {
                [
                    site_cells(r),
                    vec![
                        text(r.exercise_status.label()),
                        optional_date(r.last_exercise_on),
                        optional_text(r.last_exercise_source.as_deref()),
                        optional_text(
                            r.last_direction_present
                                .map(|present| if present { "oui" } else { "non" }),
                        ),
                        optional_text(r.last_kit.as_deref()),
                        optional_date(r.next_planned_on),
                        Cell::Integer(r.action_count),
                        Cell::Integer(r.overdue_actions),
                    ],
                ]
                .concat()
            })
            .collect(),
    }
}

/// Each establishment's audits: the date of the latest of each kind, and E2.
pub fn audits_table(rows: &[EstablishmentStatus]) -> Table {
    Table {
        name: "audits",
        columns: vec![
            "finess_et",
            "etablissement",
            "departement",
            "ose",
            "ads",
            "silene",
            "cybersurveillance",
            "messagerie",
            "care_d1",
            "care_d1_niveau",
            "e2_audits",
        ],
        rows: rows
            .iter()
            .map(|r| {
                [
                    site_cells(r),
                    vec![
                        text(if r.ose { "oui" } else { "non" }),
                        optional_date(r.ads_on),
                        optional_date(r.silene_on),
                        optional_date(r.cybersurveillance_on),
                        optional_date(r.mail_audit_on),
                        optional_date(r.care_audit_on),
                        r.care_level
                            .map_or(Cell::Empty, |level| Cell::Integer(i64::from(level))),
                        text(r.e2_audits.label()),
                    ],
                ]
                .concat()
            })
            .collect(),
    }
}

pub fn aap_table(report: &super::sight::AapView) -> Table {
    let mut columns = vec!["dossier", "finess_et", "etablissement", "etat", "depose_le"];
    columns.extend([
        "c1_fenetre",
        "c2_es_region",
        "c3_auto_evaluation",
        "c4_maj_3_mois",
        "c5_confirmee",
        "c6_commande",
        "c7_pas_deja_finance",
    ]);
    columns.extend(["rang", "decision", "paiement"]);
    debug_assert_eq!(AAP_CHECKS.len(), 7);
    Table {
        name: "aap",
        columns,
        rows: report
            .applications
            .iter()
            .map(|a| {
                let mut row = vec![
                    Cell::Integer(a.application_id),
                    optional_text(a.finess_et.as_deref()),
                    optional_text(a.name.as_deref()),
                    text(&a.state),
                    optional_text(a.deposited_at.as_deref()),
                ];
                row.extend(a.checks.iter().map(|check| text(check.label())));
                row.push(a.queue_rank.map_or(Cell::Empty, Cell::Integer));
                row.push(text(a.decision.label()));
                row.push(optional_text(a.payment.map(|payment| payment.label())));
                row
            })
            .collect(),
    }
}

pub fn departements_table(report: &analytics::RegionalReport) -> Table {
    Table {
        name: "departements",
        columns: vec![
            "departement",
            "libelle",
            "etablissements",
            "exercice_realise_12_mois",
            "taux_exercice",
            "ose",
            "ose_ads_et_silene",
            "declarations_a_jour",
            "taux_declarations_a_jour",
            "maturite_mediane",
            "e1_atteint",
            "e2_atteint",
            "e3_atteint",
            "e4_atteint",
            "e5_atteint",
        ],
        rows: report
            .by_departement
            .iter()
            .map(|row| {
                let f = &row.figures;
                let mut cells = vec![
                    optional_text(row.departement.as_deref()),
                    optional_text(row.label.as_deref()),
                    Cell::Integer(f.establishments),
                    Cell::Integer(f.exercise_done),
                    share(f.exercise_done, f.establishments),
                    Cell::Integer(f.ose),
                    Cell::Integer(f.ose_audited),
                    Cell::Integer(f.declarations_up_to_date),
                    share(f.declarations_up_to_date, f.establishments),
                    optional_number(f.median_maturity.map(|m| (m * 10.0).round() / 10.0)),
                ];
                cells.extend(f.scorecard_met.iter().map(|met| Cell::Integer(*met)));
                cells
            })
            .collect(),
    }
}

fn csv_text(cell: &Cell, french: bool) -> String {
    let decimal = |value: f64| {
        let text = format!("{value}");
        if french { text.replace('.', ",") } else { text }
    };
    match cell {
        Cell::Text(text) => neutralised(text),
        Cell::Integer(value) => value.to_string(),
        Cell::Number(value) => decimal(*value),
        Cell::Share(value) => decimal((value * 1000.0).round() / 10.0),
        Cell::Date(day) => {
            if french {
                day.format("%d/%m/%Y").to_string()
            } else {
                day.to_string()
            }
        }
        Cell::Empty => String::new(),
    }
}

/// A text cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return before one) starts with an apostrophe: imported names are shown, never
/// run (OWASP "CSV injection").
fn neutralised(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Percent columns are headed `… (%)` in CSV, where the value is a percentage.
fn csv_header(table: &Table, column: usize) -> String {
    let name = table.columns[column];
    let is_share = table
        .rows
        .iter()
        .any(|row| matches!(row.get(column), Some(Cell::Share(_))));
    if is_share {
        format!("{name}_pourcent")
    } else {
        name.to_owned()
    }
}

pub fn to_csv(table: &Table, french: bool) -> Result<Vec<u8>, WebError> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(if french { b';' } else { b',' })
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let internal = |error: csv::Error| WebError::Internal(error.to_string());
    writer
        .write_record((0..table.columns.len()).map(|column| csv_header(table, column)))
        .map_err(internal)?;
    for row in &table.rows {
        writer
            .write_record(row.iter().map(|cell| csv_text(cell, french)))
            .map_err(internal)?;
    }
    let mut bytes = writer
        .into_inner()
        .map_err(|error| WebError::Internal(error.to_string()))?;
    if french {
        bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
    }
    Ok(bytes)
}

pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, WebError> {
    to_xlsx_book(&[(table.name, table)]).map_err(|error| WebError::Internal(error.to_string()))
}

/// A workbook of one sheet per table (named as given), cells typed: dates as dates, shares
/// as percentages. Its properties carry a fixed date, so the same tables give the same bytes.
pub fn to_xlsx_book(sheets: &[(&str, &Table)]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&fixed));
    let (dates, percents, bold) = (
        Format::new().set_num_format("dd/mm/yyyy"),
        Format::new().set_num_format("0.0 %"),
        Format::new().set_bold(),
    );
    for (name, table) in sheets {
        let sheet = workbook.add_worksheet().set_name(*name)?;
        for (column, title) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, *title, &bold)?;
        }
        for (index, row) in table.rows.iter().enumerate() {
            let line = index as u32 + 1;
            for (column, cell) in row.iter().enumerate() {
                let column = column as u16;
                match cell {
                    Cell::Text(value) => {
                        sheet.write_string(line, column, value)?;
                    }
                    Cell::Integer(value) => {
                        sheet.write_number(line, column, *value as f64)?;
                    }
                    Cell::Number(value) => {
                        sheet.write_number(line, column, *value)?;
                    }
                    Cell::Share(value) => {
                        sheet.write_number_with_format(line, column, *value, &percents)?;
                    }
                    Cell::Date(day) => {
                        let value = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
                        sheet.write_datetime_with_format(line, column, &value, &dates)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    workbook.save_to_buffer()
}

/// Parquet through DuckDB: each column typed by its first non-empty cell.
fn to_parquet(connection: &duckdb::Connection, table: &Table) -> Result<Vec<u8>, WebError> {
    use duckdb::types::Value;
    use ingest::store::parquet::{self, ColumnType};
    let types: Vec<ColumnType> = (0..table.columns.len())
        .map(|column| {
            let kinds = table
                .rows
                .iter()
                .filter_map(|row| row.get(column))
                .find(|cell| !matches!(cell, Cell::Empty));
            match kinds {
                Some(Cell::Integer(_)) => ColumnType::Integer,
                Some(Cell::Number(_) | Cell::Share(_)) => ColumnType::Decimal,
                Some(Cell::Date(_)) => ColumnType::Date,
                _ => ColumnType::Text,
            }
        })
        .collect();
    let columns: Vec<(&str, ColumnType)> = table.columns.iter().copied().zip(types.iter().copied()).collect();
    let rows = table.rows.iter().map(|row| {
        row.iter()
            .zip(&types)
            .map(|(cell, kind)| match (cell, *kind) {
                (Cell::Text(text), _) => Value::Text(text.clone()),
                (Cell::Integer(value), ColumnType::Integer) => Value::BigInt(*value),
                (Cell::Integer(value), _) => Value::Double(*value as f64),
                (Cell::Number(value) | Cell::Share(value), _) => Value::Double(*value),
                (Cell::Date(day), _) => Value::Text(day.to_string()),
                (Cell::Empty, _) => Value::Null,
            })
            .collect::<Vec<Value>>()
    });
    // A private folder of a random name (mode 0700), removed with its file when dropped:
    // no other local user can guess, read or plant the file DuckDB writes.
    let folder = tempfile::Builder::new()
        .prefix("opssies-export-")
        .tempdir()
        .map_err(|error| WebError::Internal(format!("dossier temporaire : {error}")))?;
    let file = folder.path().join("export.parquet");
    parquet::write(connection, &columns, rows, &file)?;
    std::fs::read(&file).map_err(|error| WebError::Internal(error.to_string()))
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    import: Option<i64>,
}

/// What an export holds; one route of the table each.
#[derive(Debug, Clone, Copy)]
enum Export {
    Establishments,
    Targeting,
    Aap,
    Departements,
    Rejects,
    Journal,
}

impl Export {
    fn file_stem(self) -> &'static str {
        match self {
            Export::Establishments => "etablissements",
            Export::Targeting => "ciblage",
            Export::Aap => "aap",
            Export::Departements => "departements",
            Export::Rejects => "rejets",
            Export::Journal => "journal",
        }
    }
}

type ExportArgs = (State<AppState>, Extension<Viewer>, Query<Params>, Query<ExportQuery>);

macro_rules! export_route {
    ($name:ident, $kind:expr) => {
        pub async fn $name(
            state: State<AppState>,
            viewer: Extension<Viewer>,
            params: Query<Params>,
            query: Query<ExportQuery>,
        ) -> Result<Response, WebError> {
            export($kind, (state, viewer, params, query)).await
        }
    };
}

export_route!(establishments, Export::Establishments);
export_route!(targeting, Export::Targeting);
export_route!(aap, Export::Aap);
export_route!(departements, Export::Departements);
export_route!(rejects, Export::Rejects);
export_route!(journal, Export::Journal);

async fn export(
    kind: Export,
    (State(state), Extension(viewer), Query(params), Query(query)): ExportArgs,
) -> Result<Response, WebError> {
    let format = query.format.unwrap_or_else(|| "csv".to_owned());
    if !matches!(format.as_str(), "csv" | "csv-rfc4180" | "xlsx" | "parquet") {
        return Err(WebError::BadRequest(format!(
            "format « {format} » inconnu : csv, csv-rfc4180, xlsx ou parquet"
        )));
    }
    if format == "parquet" && !viewer.sight.parquet {
        return Err(WebError::Forbidden("l'export Parquet est réservé à l'ARS".to_owned()));
    }
    let scope = viewer.scope();
    let as_of = params.as_of()?;
    let filter = params.filter()?;
    let table = match kind {
        Export::Establishments => establishments_table(&pages::establishment_rows(&state, scope, &params).await?),
        Export::Targeting => targeting_table(&pages::targeting_rows(&state, scope, &params).await?),
        Export::Aap => aap_table(&viewer.sight.aap(&*state.aap_report(as_of).await?)),
        Export::Departements => {
            let report = state
                .with_context(as_of, &scope.clone(), move |connection, settings| {
                    Ok(Analytics::new(connection, settings).regional(as_of, &scope, &filter)?)
                })
                .await?;
            departements_table(&report)
        }
        Export::Rejects => {
            let import = query.import;
            state
                .with_connection(move |connection, _| {
                    let rows = ingest::store::diagnostics(connection, ingest::store::DiagnosticKind::Rejects, import)
                        .map_err(|error| WebError::Internal(error.to_string()))?
                        .into_iter()
                        .map(|reject| {
                            vec![
                                Cell::Integer(reject.import_id),
                                Cell::Text(reject.file_name),
                                reject.sheet.map_or(Cell::Empty, Cell::Text),
                                reject.row_number.map_or(Cell::Empty, Cell::Integer),
                                reject.column_name.map_or(Cell::Empty, Cell::Text),
                                reject.json_path.map_or(Cell::Empty, Cell::Text),
                                reject.value.map_or(Cell::Empty, Cell::Text),
                                Cell::Text(reject.text),
                            ]
                        })
                        .collect();
                    Ok(Table {
                        name: "rejets",
                        columns: vec![
                            "import",
                            "fichier",
                            "feuille",
                            "ligne",
                            "colonne",
                            "chemin_json",
                            "valeur",
                            "raison",
                        ],
                        rows,
                    })
                })
                .await?
        }
        Export::Journal => {
            super::journal::flush(&state).await;
            let rows = state
                .with_connection(|connection, _| pages::journal_rows(connection, None))
                .await?;
            Table {
                name: "journal",
                columns: vec![
                    "numero",
                    "quand_utc",
                    "qui",
                    "role",
                    "adresse",
                    "action",
                    "objet",
                    "detail",
                    "lignes",
                    "empreinte_precedente",
                    "empreinte",
                ],
                rows: rows
                    .into_iter()
                    .map(|row| row.into_iter().map(Cell::Text).collect())
                    .collect(),
            }
        }
    };
    let row_count = table.rows.len();
    let (bytes, content_type, extension) = match format.as_str() {
        "csv" => (to_csv(&table, true)?, "text/csv; charset=utf-8", "csv"),
        "csv-rfc4180" => (to_csv(&table, false)?, "text/csv; charset=utf-8; header=present", "csv"),
        "xlsx" => (
            to_xlsx(&table)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => {
            let bytes = state
                .with_connection(move |connection, _| to_parquet(connection, &table))
                .await?;
            (bytes, "application/vnd.apache.parquet", "parquet")
        }
    };
    let file_name = format!("{}-{}.{extension}", kind.file_stem(), as_of.format("%Y%m%d"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (
                header::HeaderName::from_static(super::journal::ROWS_HEADER),
                row_count.to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe() {
        let table = Table {
            name: "t",
            columns: vec!["nom", "valeur"],
            rows: vec![
                vec![text("=HYPERLINK(\"http://x\";\"clic\")"), Cell::Number(-2.5)],
                vec![text("+33 1 23"), Cell::Integer(-3)],
                vec![text("-2+3"), Cell::Empty],
                vec![text("@SUM(A1)"), Cell::Empty],
                vec![text("\tTAB"), Cell::Empty],
                vec![text("CLINIQUE L'ÉTOILE"), Cell::Empty],
            ],
        };
        let csv = String::from_utf8(to_csv(&table, false).unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://x\"\";\"\"clic\"\")\",-2.5");
        assert_eq!(lines[2], "'+33 1 23,-3");
        assert_eq!(lines[3], "'-2+3,");
        assert_eq!(lines[4], "'@SUM(A1),");
        assert!(lines[5].trim_start_matches('"').starts_with("'\tTAB"), "{}", lines[5]);
        // Numbers stay numbers; ordinary text is untouched.
        assert_eq!(lines[6], "CLINIQUE L'ÉTOILE,");
    }
}
