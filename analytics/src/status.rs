//! One establishment's indicators as of a date: the rows of `establishment_status.sql`.

use chrono::NaiveDate;
use duckdb::Row;
use duckdb::types::Value;
use serde::Serialize;

use crate::statuses::{ExerciseStatus, Expectation, Freshness, Reason, UnknownStatus};

/// A date column read without duckdb's chrono feature (DuckDB gives days since 1970).
pub fn date(row: &Row<'_>, column: &str) -> duckdb::Result<Option<NaiveDate>> {
    Ok(match row.get::<_, Value>(column)? {
        Value::Date32(days) => NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(i64::from(days)))),
        Value::Timestamp(_, micros) => {
            chrono::DateTime::from_timestamp_micros(micros).map(|moment| moment.date_naive())
        }
        _ => None,
    })
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EstablishmentStatus {
    pub finess_et: String,
    pub finess_ej: Option<String>,
    pub name: Option<String>,
    pub departement: Option<String>,
    pub departement_label: Option<String>,
    pub category_code: Option<String>,
    pub category_label: Option<String>,
    pub family: String,
    /// `ES` or `ESMS`.
    pub kind: String,
    pub sector_group: String,
    pub peer_group: String,
    pub ose: bool,
    pub ght: Option<String>,
    pub in_region: bool,
    /// Closed at the reference date (absent from the newest FINESS extract): from this date.
    /// A closed site has its fiche but leaves every list, aggregate and denominator.
    pub closed_on: Option<NaiveDate>,
    pub last_declaration_on: Option<NaiveDate>,
    pub last_declaration_campaign: Option<i64>,
    pub last_declaration_status: Option<String>,
    pub freshness: Freshness,
    pub maturity: Option<f64>,
    pub maturity_level: Option<i32>,
    pub maturity_completion: Option<f64>,
    pub maturity_partial: Option<bool>,
    pub maturity_campaign: Option<i64>,
    pub exercise_status: ExerciseStatus,
    pub last_exercise_on: Option<NaiveDate>,
    pub last_exercise_source: Option<String>,
    pub last_direction_present: Option<bool>,
    pub last_kit: Option<String>,
    pub next_planned_on: Option<NaiveDate>,
    pub ads_on: Option<NaiveDate>,
    pub silene_on: Option<NaiveDate>,
    pub cybersurveillance_on: Option<NaiveDate>,
    pub mail_audit_on: Option<NaiveDate>,
    pub care_audit_on: Option<NaiveDate>,
    pub care_level: Option<i32>,
    pub training_on: Option<NaiveDate>,
    pub incidents_365: i64,
    pub action_count: i64,
    pub overdue_actions: i64,
    pub untracked_actions: i64,
    pub staff_trained_percent: Option<f64>,
    /// The answers of the questions the catalogue marks as evidence of E5 (`attente`), each
    /// « question answer ».
    pub cartography_answers: Vec<String>,
    pub self_assessed_on: Option<NaiveDate>,
    pub self_assessment_score: Option<i64>,
    pub recommended_kit: Option<String>,
    pub e1_exercise: Expectation,
    pub e2_audits: Expectation,
    pub e3_observatory: Expectation,
    pub e4_awareness: Expectation,
    pub e5_cartography: Expectation,
    pub items_met: i32,
    pub priority_score: i64,
    pub priority_reasons: Vec<Reason>,
}

/// A list of texts (a `VARCHAR[]` column).
pub fn texts(row: &Row<'_>, column: &str) -> duckdb::Result<Vec<String>> {
    Ok(match row.get::<_, Value>(column)? {
        Value::List(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Text(text) => Some(text),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

impl EstablishmentStatus {
    pub fn from_row(row: &Row<'_>) -> duckdb::Result<Self> {
        Ok(EstablishmentStatus {
            finess_et: row.get("finess_et")?,
            finess_ej: row.get("finess_ej")?,
            name: row.get("name")?,
            departement: row.get("departement")?,
            departement_label: row.get("departement_label")?,
            category_code: row.get("category_code")?,
            category_label: row.get("category_label")?,
            family: row.get("family")?,
            kind: row.get("kind")?,
            sector_group: row.get("sector_group")?,
            peer_group: row.get("peer_group")?,
            ose: row.get("ose")?,
            ght: row.get("ght")?,
            in_region: row.get("in_region")?,
            closed_on: date(row, "closed_on")?,
            last_declaration_on: date(row, "last_declaration_on")?,
            last_declaration_campaign: row.get("last_declaration_campaign")?,
            last_declaration_status: row.get("last_declaration_status")?,
            freshness: row.get("freshness")?,
            maturity: row.get("maturity")?,
            maturity_level: row.get("maturity_level")?,
            maturity_completion: row.get("maturity_completion")?,
            maturity_partial: row.get("maturity_partial")?,
            maturity_campaign: row.get("maturity_campaign")?,
            exercise_status: row.get("exercise_status")?,
            last_exercise_on: date(row, "last_exercise_on")?,
            last_exercise_source: row.get("last_exercise_source")?,
            last_direction_present: row.get("last_direction_present")?,
            last_kit: row.get("last_kit")?,
            next_planned_on: date(row, "next_planned_on")?,
            ads_on: date(row, "ads_on")?,
            silene_on: date(row, "silene_on")?,
            cybersurveillance_on: date(row, "cybersurveillance_on")?,
            mail_audit_on: date(row, "mail_audit_on")?,
            care_audit_on: date(row, "care_audit_on")?,
            care_level: row.get("care_level")?,
            training_on: date(row, "training_on")?,
            incidents_365: row.get("incidents_365")?,
            action_count: row.get("action_count")?,
            overdue_actions: row.get("overdue_actions")?,
            untracked_actions: row.get("untracked_actions")?,
            staff_trained_percent: row.get("staff_trained_percent")?,
            cartography_answers: texts(row, "cartography_answers")?,
            self_assessed_on: date(row, "self_assessed_on")?,
            self_assessment_score: row.get("self_assessment_score")?,
            recommended_kit: row.get("recommended_kit")?,
            e1_exercise: row.get("e1_exercise")?,
            e2_audits: row.get("e2_audits")?,
            e3_observatory: row.get("e3_observatory")?,
            e4_awareness: row.get("e4_awareness")?,
            e5_cartography: row.get("e5_cartography")?,
            items_met: row.get("items_met")?,
            priority_score: row.get("priority_score")?,
            priority_reasons: texts(row, "priority_reasons")?
                .into_iter()
                .map(|text| {
                    Reason::parse(&text).ok_or_else(|| {
                        duckdb::Error::FromSqlConversionFailure(
                            0,
                            duckdb::types::Type::Text,
                            Box::new(UnknownStatus(text)),
                        )
                    })
                })
                .collect::<duckdb::Result<_>>()?,
        })
    }

    /// The priority reasons as the pages list them.
    pub fn reasons_text(&self) -> String {
        self.priority_reasons
            .iter()
            .map(|reason| reason.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
