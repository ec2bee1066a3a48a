//! Every threshold, weight and window of the indicators, from one settings file: the
//! project's `data/settings.toml` (the spec's values), overlaid by a deployment's own file.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

const DEFAULTS: &str = include_str!("../../data/settings.toml");

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("lecture de {path} impossible : {source}")]
    Read { path: String, source: std::io::Error },
    #[error("réglages {origin} illisibles : {detail}")]
    Parse { origin: String, detail: String },
    #[error("réglage incohérent : {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub region: Region,
    pub freshness: Freshness,
    pub sources: Sources,
    pub exercises: Exercises,
    pub audits: Audits,
    pub maturity: Maturity,
    pub scorecard: Scorecard,
    pub self_assessment: SelfAssessment,
    pub aap: Call,
    pub targeting: Targeting,
    pub benchmarks: Benchmarks,
    pub incidents: Incidents,
    pub sessions: Sessions,
    pub opssies_export: OpssiesExport,
    /// OpenID Connect providers (ProConnect, Pro Santé Connect…), any number; none by default.
    #[serde(default)]
    pub sso: Vec<SsoProvider>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: String,
    pub departements: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Freshness {
    pub up_to_date_days: i64,
    pub refresh_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    pub finess_days: i64,
    pub osis_days: i64,
    pub events_days: i64,
    pub aap_days_during_call: i64,
    pub exercises_days: i64,
    pub incidents_days: i64,
    pub ose_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercises {
    pub done_within_days: i64,
    pub planned_within_days: i64,
    pub same_exercise_within_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audits {
    pub within_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Maturity {
    pub partial_below: f64,
    pub not_computed_below: f64,
    pub level_bounds: [f64; 4],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    pub awareness_met_percent: f64,
    pub declaration_max_age_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelfAssessment {
    pub intermediate_from: i64,
    pub confirmed_above: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub envelope_euros: i64,
    pub flat_amount_euros: i64,
    pub update_within_months: i64,
    pub cross_check_days: i64,
    /// The OPSSIES programme funding the call's exercises (`eventAnalysisType`: HOPEN1,
    /// HOPEN2, SUNES, SONS, CARE), sent with them to the warehouse; empty: none.
    #[serde(default)]
    pub programme: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targeting {
    pub no_exercise: i64,
    pub ose_missing_audit: i64,
    pub declaration_outdated: i64,
    pub low_maturity: i64,
    pub overdue_actions: i64,
    pub recent_incident: i64,
    pub no_cybersurveillance: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmarks {
    pub minimum_group_size: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incidents {
    pub cnil_within_hours: i64,
    pub default_tlp: Tlp,
}

/// What the OPSSIES export sends as the region's own facts (`opssies opssies-export`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpssiesExport {
    /// The sender in the file names (`SENDER-D1-AAAAMMJJ-HHMMSS.json`): letters, digits, dashes.
    pub sender: String,
    /// The ARS, requester of every exported exercise: its SIREN or SIRET and its names.
    pub requester_id: String,
    pub requester_short_name: String,
    pub requester_long_name: String,
    /// The sharing level of the exported events.
    pub tlp: Tlp,
}

impl OpssiesExport {
    /// A sender fits a D1 file name (`SENDER-D1-…json`): letters, digits and dashes.
    pub fn valid_sender(sender: &str) -> bool {
        !sender.is_empty() && sender.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }

    /// The OPSSIES identifier type of the requester: 4 (SIREN, 9 digits) or 5 (SIRET, 14).
    pub fn requester_id_type(&self) -> i64 {
        if self.requester_id.len() == 14 { 5 } else { 4 }
    }
}

/// A TLP level (FIRST TLP 2.0, as the OPSSIES schema writes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tlp {
    Red,
    Amber,
    Green,
    Clear,
}

impl Tlp {
    pub fn name(self) -> &'static str {
        match self {
            Tlp::Red => "red",
            Tlp::Amber => "amber",
            Tlp::Green => "green",
            Tlp::Clear => "clear",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sessions {
    pub idle_minutes: i64,
    pub absolute_hours: i64,
    pub login_attempts_per_account: u32,
    pub login_attempts_per_address: u32,
    pub login_window_minutes: u32,
    /// The password form on the login page (false: single sign-on only).
    #[serde(default = "enabled")]
    pub local_login: bool,
}

fn enabled() -> bool {
    true
}

/// One OpenID Connect provider the server is a relying party of. No secret here: the
/// client secret is read from a file or an environment variable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoProvider {
    /// A short identifier (`proconnect`, `psc`): in addresses, accounts and the journal.
    pub name: String,
    /// What the login page's button says (« Se connecter avec ProConnect »).
    pub label: String,
    /// The discovery document, wherever the provider serves it (Pro Santé Connect's is not
    /// at the standard path).
    pub discovery_url: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret_file: Option<String>,
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// The callback registered at the provider; the server answers at its path.
    pub redirect_url: String,
    #[serde(default = "openid_scope")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub acr_values: Option<String>,
    /// The signature algorithms an ID token may use (pinned: others are refused).
    #[serde(default = "rs256")]
    pub id_token_algs: Vec<String>,
}

fn openid_scope() -> Vec<String> {
    vec!["openid".to_owned(), "email".to_owned()]
}

fn rs256() -> Vec<String> {
    vec!["RS256".to_owned()]
}

impl Default for Settings {
    fn default() -> Self {
        // The embedded defaults are checked by a test; failing here would be a build defect.
        Settings::from_layers(&[]).unwrap_or_else(|error| panic!("data/settings.toml: {error}"))
    }
}

impl Settings {
    /// The defaults, then each layer's values over them (a layer gives only what it changes).
    pub fn from_layers(layers: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let parse = |origin: &str, text: &str| {
            text.parse::<toml::Table>().map_err(|error| SettingsError::Parse {
                origin: origin.to_owned(),
                detail: error.to_string(),
            })
        };
        let mut merged = parse("par défaut (data/settings.toml)", DEFAULTS)?;
        for (origin, text) in layers {
            merge(&mut merged, parse(origin, text)?);
        }
        let origin = layers.last().map_or("par défaut", |(origin, _)| origin).to_owned();
        let settings: Settings = toml::Value::Table(merged)
            .try_into()
            .map_err(|error: toml::de::Error| SettingsError::Parse {
                origin,
                detail: error.to_string(),
            })?;
        settings.validate()?;
        Ok(settings)
    }

    /// The defaults overlaid by a deployment's file.
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Settings::from_layers(&[(&path.display().to_string(), &text)])
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let invalid = |message: &str| Err(SettingsError::Invalid(message.to_owned()));
        let export = &self.opssies_export;
        if export.sender.is_empty() || !export.sender.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return invalid("opssies_export.sender : lettres, chiffres et tirets seulement (nom des fichiers D1)");
        }
        if !matches!(export.requester_id.len(), 9 | 14) || !export.requester_id.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("opssies_export.requester_id : SIREN (9 chiffres) ou SIRET (14 chiffres) de l'ARS");
        }
        if !["", "HOPEN1", "HOPEN2", "SUNES", "SONS", "CARE"].contains(&self.aap.programme.as_str()) {
            return invalid("aap.programme : HOPEN1, HOPEN2, SUNES, SONS, CARE ou vide");
        }
        for (index, provider) in self.sso.iter().enumerate() {
            let named = |message: &str| SettingsError::Invalid(format!("sso « {} » : {message}", provider.name));
            if provider.name.is_empty()
                || !provider
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(named("name : lettres minuscules, chiffres et tirets seulement"));
            }
            if self.sso[..index].iter().any(|other| other.name == provider.name) {
                return Err(named("nom en double"));
            }
            if provider.client_secret_file.is_some() == provider.client_secret_env.is_some() {
                return Err(named(
                    "indiquez client_secret_file ou client_secret_env (l'un des deux)",
                ));
            }
            if !provider.scopes.iter().any(|scope| scope == "openid") {
                return Err(named("scopes doit contenir « openid »"));
            }
            if provider.id_token_algs.is_empty() || provider.id_token_algs.iter().any(|alg| alg == "none") {
                return Err(named("id_token_algs : au moins un algorithme, jamais « none »"));
            }
        }
        if !self.sessions.local_login && self.sso.is_empty() {
            return invalid("sessions.local_login = false demande au moins un fournisseur [[sso]]");
        }
        if !(0 < self.freshness.up_to_date_days && self.freshness.up_to_date_days < self.freshness.refresh_days) {
            return invalid("freshness : il faut 0 < up_to_date_days < refresh_days");
        }
        if !self.maturity.level_bounds.windows(2).all(|pair| pair[0] < pair[1]) {
            return invalid("maturity.level_bounds doit être croissant");
        }
        if !(0.0..=1.0).contains(&self.maturity.not_computed_below)
            || self.maturity.not_computed_below > self.maturity.partial_below
        {
            return invalid("maturity : il faut 0 ≤ not_computed_below ≤ partial_below ≤ 1");
        }
        if self.self_assessment.intermediate_from > self.self_assessment.confirmed_above {
            return invalid("self_assessment : intermediate_from doit être ≤ confirmed_above");
        }
        if self.aap.opens_on > self.aap.closes_on || self.aap.flat_amount_euros <= 0 {
            return invalid("aap : fenêtre ou montant forfaitaire incohérent");
        }
        if self.benchmarks.minimum_group_size < 2 {
            return invalid("benchmarks.minimum_group_size doit être au moins 2");
        }
        if self.region.departements.is_empty() {
            return invalid("region.departements est vide");
        }
        Ok(())
    }

    /// Kit recommended for a self-assessment score.
    pub fn kit_for(&self, score: i64) -> &'static str {
        if score < self.self_assessment.intermediate_from {
            "débutant"
        } else if score <= self.self_assessment.confirmed_above {
            "intermédiaire"
        } else {
            "confirmé"
        }
    }
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(overlay_inner)) => merge(inner, overlay_inner),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// A period of days as the pages write it: « 12 mois » for a year, « N jours » otherwise.
pub fn period(days: i64) -> String {
    match days {
        365 | 366 => "12 mois".to_owned(),
        730 | 731 => "24 mois".to_owned(),
        _ => format!("{days} jours"),
    }
}

impl Settings {
    /// The window an exercise counts as done in (« 12 mois » by default).
    pub fn exercise_period(&self) -> String {
        period(self.exercises.done_within_days)
    }

    /// The window an audit counts as recent in.
    pub fn audit_period(&self) -> String {
        period(self.audits.within_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_region_files_load() {
        let france = Settings::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../data/regions/france.toml"
        )))
        .unwrap();
        assert_eq!(france.region.name, "France");
        // 96 metropolitan départements (2A and 2B, no 20) and the five overseas ones.
        assert_eq!(france.region.departements.len(), 101);
        assert!(france.region.departements.iter().any(|code| code == "2B"));
        assert!(!france.region.departements.iter().any(|code| code == "20"));
    }

    #[test]
    fn an_export_sender_that_would_break_a_file_name_is_refused() {
        let refused = Settings::from_layers(&[("x.toml", "[opssies_export]\nsender = \"ARS/IDF\"\n")]);
        assert!(matches!(refused, Err(SettingsError::Invalid(message)) if message.contains("sender")));
        let refused = Settings::from_layers(&[("x.toml", "[aap]\nprogramme = \"CAREX\"\n")]);
        assert!(matches!(refused, Err(SettingsError::Invalid(message)) if message.contains("programme")));
    }

    #[test]
    fn defaults_are_the_spec_values() {
        let settings = Settings::from_layers(&[]).unwrap();
        assert_eq!(settings.freshness.up_to_date_days, 90);
        assert_eq!(settings.freshness.refresh_days, 365);
        assert_eq!(settings.benchmarks.minimum_group_size, 5);
        assert_eq!(settings.aap.flat_amount_euros, 4_000);
        assert_eq!(settings.aap.opens_on, NaiveDate::from_ymd_opt(2023, 1, 1).unwrap());
        assert_eq!(settings.aap.closes_on, NaiveDate::from_ymd_opt(2023, 6, 30).unwrap());
        let weights = &settings.targeting;
        let total = weights.no_exercise
            + weights.ose_missing_audit
            + weights.declaration_outdated
            + weights.low_maturity
            + weights.overdue_actions
            + weights.recent_incident
            + weights.no_cybersurveillance;
        assert_eq!(total, 100);
        assert_eq!(
            (
                settings.kit_for(74),
                settings.kit_for(75),
                settings.kit_for(150),
                settings.kit_for(151)
            ),
            ("débutant", "intermédiaire", "intermédiaire", "confirmé")
        );
    }

    #[test]
    fn a_deployment_file_changes_only_what_it_gives_and_mistakes_are_named() {
        let settings =
            Settings::from_layers(&[("deploiement.toml", "[benchmarks]\nminimum_group_size = 10\n")]).unwrap();
        assert_eq!(settings.benchmarks.minimum_group_size, 10);
        assert_eq!(settings.freshness.up_to_date_days, 90);
        let error = Settings::from_layers(&[("x.toml", "[freshness]\nup_to_date_days = 400\n")]).unwrap_err();
        assert!(error.to_string().contains("up_to_date_days"), "{error}");
        let error = Settings::from_layers(&[("x.toml", "[benchmarks]\nk = 3\n")]).unwrap_err();
        assert!(error.to_string().contains("x.toml"), "{error}");
    }
}
