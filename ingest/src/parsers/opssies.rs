//! OPSSIES BI v2 event files (JSON, schema v0.13), with every quirk real instances show.
//!
//! The parser is forgiving where the meaning is clear (it warns, naming the JSON path) and
//! rejects an event only when it cannot be understood: no recipient establishment, no
//! readable date, or an unknown event type. A file that is not UTF-8 or not JSON is refused.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use chrono::NaiveDateTime;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::opssies_codes::{
    DATE_COLUMNS, FUNCTIONAL_CONTEXT_MAX, TECHNICAL_CONTEXT_MAX, event_type_label, id_type_name, programme,
};
use crate::dates::{parse_opssies_datetime, to_timestamp_micros};
use crate::finess::Finess;
use crate::report::{Diagnostics, Location, Refusal};
use crate::text::decode_utf8;

/// The file, ready for the store: one row per understood event.
#[derive(Debug)]
pub struct EventsFile {
    /// Sender and generation time from a CaRE D1 file name (`SOCIETE-D1-AAAAMMJJ-HHMMSS.json`).
    pub care_d1_name: Option<CareD1Name>,
    pub extraction_date: Option<NaiveDateTime>,
    pub events_read: u64,
    pub events: RecordBatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareD1Name {
    pub sender: String,
    pub generated_at: NaiveDateTime,
}

/// Parses `SOCIETE-D1-AAAAMMJJ-HHMMSS.json`; the sender may itself contain dashes.
pub fn parse_care_d1_name(file_name: &str) -> Option<CareD1Name> {
    let base = file_name.rsplit(['/', '\\']).next()?;
    let stem = base.strip_suffix(".json").or_else(|| base.strip_suffix(".JSON"))?;
    let (head, time) = stem.rsplit_once('-')?;
    let (head, date) = head.rsplit_once('-')?;
    let (sender, marker) = head.rsplit_once('-')?;
    if !marker.eq_ignore_ascii_case("D1") || sender.is_empty() {
        return None;
    }
    let generated_at = NaiveDateTime::parse_from_str(&format!("{date}-{time}"), "%Y%m%d-%H%M%S").ok()?;
    Some(CareD1Name {
        sender: sender.to_owned(),
        generated_at,
    })
}

/// The identity of each stored event of a parsed file, in the file's order.
pub fn event_ids(file: &EventsFile) -> Vec<String> {
    file.events
        .column_by_name("event_id")
        .and_then(|column| column.as_any().downcast_ref::<arrow::array::StringArray>())
        .map(|ids| ids.iter().flatten().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Whether the bytes look like an OPSSIES events file: a JSON object mentioning `events`.
pub fn looks_like(bytes: &[u8]) -> bool {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = start.iter().find(|b| !b.is_ascii_whitespace());
    matches!(first, Some(b'{' | b'[')) && start.windows(8).take(4096).any(|window| window == b"\"events\"")
}

const ROLE_REQUESTER: i64 = 1;
const ROLE_PROVIDER: i64 = 2;
const ROLE_AUDITOR: i64 = 3;
const ROLE_RECIPIENT: i64 = 4;

#[derive(Debug, Clone, Default)]
struct Stakeholder {
    role: Option<i64>,
    /// (idType, identifier), in file order, duplicates removed.
    ids: Vec<(i64, String)>,
    short_name: Option<String>,
    long_name: Option<String>,
}

impl Stakeholder {
    fn name(&self) -> Option<&str> {
        self.long_name.as_deref().or(self.short_name.as_deref())
    }

    fn first_id(&self) -> Option<&(i64, String)> {
        self.ids.first()
    }
}

/// One understood event, before it becomes a row.
#[derive(Debug, Default)]
struct EventRow {
    event_id: String,
    json_path: String,
    event_type: i32,
    programme_code: Option<i32>,
    tlp: &'static str,
    recipient_et: Option<String>,
    recipient_ej: Option<String>,
    recipient_range: Option<String>,
    recipient_name: Option<String>,
    requester: Option<Stakeholder>,
    provider: Option<Stakeholder>,
    auditor: Option<Stakeholder>,
    dates: [Option<NaiveDateTime>; 9],
    outcome_score: Option<f64>,
    outcome_level: Option<i32>,
    scope: ScopeSummary,
    raw_json: String,
}

#[derive(Debug, Default)]
struct ScopeSummary {
    functional_contexts: BTreeSet<(i64, String)>,
    technical_contexts: BTreeSet<(i64, String)>,
    asns: BTreeSet<String>,
    domains: BTreeSet<String>,
    subnets_v4: BTreeSet<String>,
    subnets_v6: BTreeSet<String>,
    personal_data: bool,
    health_data: bool,
    ad_forest: Option<String>,
}

pub fn parse(bytes: &[u8], file_name: Option<&str>, diagnostics: &mut Diagnostics) -> Result<EventsFile, Refusal> {
    let (text, had_bom) = decode_utf8(bytes).map_err(|(offset, byte)| Refusal::NotUtf8 { offset, byte })?;
    if text.trim().is_empty() {
        return Err(Refusal::Empty);
    }
    if had_bom {
        diagnostics.warn(
            Location::json("$"),
            None,
            "marque d'ordre des octets (BOM) UTF-8 en tête de fichier : ignorée",
        );
    }
    let root: Value = serde_json::from_str(text).map_err(|error| Refusal::InvalidJson {
        line: error.line(),
        column: error.column(),
        detail: json_error_in_french(&error),
    })?;
    if root.get("$schema").is_some() {
        return Err(Refusal::Structure(
            "ce fichier est un schéma JSON (la définition du format), pas un fichier d'événements OPSSIES".to_owned(),
        ));
    }
    // One document `{"events": …}`, or (some exporters) an array of such documents.
    let documents: Vec<(String, &Value)> = match &root {
        Value::Array(items) => {
            diagnostics.warn(
                Location::json("$"),
                None,
                format!(
                    "le fichier est un tableau de {} document(s) OPSSIES et non un seul : chacun est lu",
                    items.len()
                ),
            );
            items
                .iter()
                .enumerate()
                .map(|(index, item)| (format!("$[{index}]"), item))
                .collect()
        }
        _ => vec![("$".to_owned(), &root)],
    };
    let mut extraction_date = None;
    let mut sender_from_content = None;
    let mut rows = Vec::new();
    let mut events_read = 0u64;
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut reader = Reader { diagnostics };
    for (prefix, document) in documents {
        let Some(events) = document.get("events").and_then(Value::as_object) else {
            return Err(Refusal::Structure(format!(
                "{prefix} doit contenir un objet « events » (schéma OPSSIES BI v2)"
            )));
        };
        if let Some(Value::String(text)) = document.get("extractionDate").or_else(|| events.get("extractionDate")) {
            let parsed = parse_opssies_datetime(text);
            if parsed.is_none() {
                reader.diagnostics.warn(
                    Location::json(format!("{prefix}.extractionDate")),
                    Some(text),
                    "date d'extraction illisible (AAAAMMJJ-HHMMSS attendu) : ignorée",
                );
            }
            extraction_date = extraction_date.or(parsed);
        }
        let common: Vec<Stakeholder> = match events.get("stakeholders") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| reader.stakeholder(item, &format!("{prefix}.events.stakeholders[{index}]")))
                .collect(),
            Some(_) => {
                reader.diagnostics.warn(
                    Location::json(format!("{prefix}.events.stakeholders")),
                    None,
                    "« stakeholders » devrait être un tableau : ignoré",
                );
                Vec::new()
            }
            None => Vec::new(),
        };
        let common_canonical = canonical(events.get("stakeholders").unwrap_or(&Value::Null));
        sender_from_content = sender_from_content.or_else(|| {
            common
                .iter()
                .find(|stakeholder| stakeholder.role == Some(ROLE_PROVIDER))
                .and_then(|provider| provider.short_name.clone().or_else(|| provider.long_name.clone()))
        });

        // x2js-style conversions turn a one-element list into an object.
        let event_items: Vec<(String, &Value)> = match events.get("event") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| (format!("{prefix}.events.event[{index}]"), item))
                .collect(),
            Some(object @ Value::Object(_)) => {
                reader.diagnostics.warn(
                    Location::json(format!("{prefix}.events.event")),
                    None,
                    "« event » est un objet et non un tableau : lu comme un seul événement",
                );
                vec![(format!("{prefix}.events.event"), object)]
            }
            Some(_) => {
                return Err(Refusal::Structure(format!(
                    "{prefix}.events.event doit être un tableau d'événements"
                )));
            }
            None => {
                reader.diagnostics.warn(
                    Location::json(format!("{prefix}.events")),
                    None,
                    "aucun événement (« events.event » absent)",
                );
                Vec::new()
            }
        };
        events_read += event_items.len() as u64;
        for (path, item) in event_items {
            let Some(row) = reader.event(item, &path, &common, &common_canonical) else {
                continue;
            };
            if let Some(first_path) = seen.get(&row.event_id) {
                reader.diagnostics.warn(
                    Location::json(&path),
                    None,
                    format!("événement identique à {first_path} : enregistré une seule fois"),
                );
                continue;
            }
            seen.insert(row.event_id.clone(), path);
            rows.push(row);
        }
    }

    let care_d1_name = file_name.and_then(parse_care_d1_name);
    let sender = care_d1_name
        .as_ref()
        .map(|name| name.sender.clone())
        .or(sender_from_content);
    let events = build_batch(
        &rows,
        sender.as_deref(),
        care_d1_name.as_ref().map(|name| name.generated_at),
        extraction_date,
    );
    Ok(EventsFile {
        care_d1_name,
        extraction_date,
        events_read,
        events,
    })
}

struct Reader<'a> {
    diagnostics: &'a mut Diagnostics,
}

impl Reader<'_> {
    /// A `__text` value, trimmed, with a warning when it had blanks around it.
    fn text(&mut self, object: &Map<String, Value>, path: &str) -> Option<String> {
        let value = object.get("__text")?;
        let raw = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => {
                self.diagnostics.warn(
                    Location::json(format!("{path}.__text")),
                    Some(&number.to_string()),
                    "valeur numérique au lieu d'un texte : lue comme texte",
                );
                number.to_string()
            }
            _ => return None,
        };
        let trimmed = raw.trim();
        if trimmed.len() != raw.len() {
            self.diagnostics.warn(
                Location::json(format!("{path}.__text")),
                Some(&raw),
                "espaces autour de la valeur : supprimés",
            );
        }
        Some(trimmed.to_owned())
    }

    fn integer(&mut self, object: &Map<String, Value>, key: &str, path: &str) -> Option<i64> {
        match object.get(key)? {
            Value::Number(number) => number.as_i64().or_else(|| {
                self.diagnostics.warn(
                    Location::json(format!("{path}.{key}")),
                    Some(&number.to_string()),
                    "entier attendu : valeur ignorée",
                );
                None
            }),
            Value::String(text) => match text.trim().parse::<i64>() {
                Ok(value) => {
                    self.diagnostics.warn(
                        Location::json(format!("{path}.{key}")),
                        Some(text),
                        "nombre écrit entre guillemets : lu comme nombre",
                    );
                    Some(value)
                }
                Err(_) => {
                    self.diagnostics.warn(
                        Location::json(format!("{path}.{key}")),
                        Some(text),
                        "entier attendu : valeur ignorée",
                    );
                    None
                }
            },
            other => {
                self.diagnostics.warn(
                    Location::json(format!("{path}.{key}")),
                    Some(&other.to_string()),
                    "entier attendu : valeur ignorée",
                );
                None
            }
        }
    }

    fn stakeholder(&mut self, value: &Value, path: &str) -> Stakeholder {
        let mut stakeholder = Stakeholder::default();
        let Some(object) = value.as_object() else {
            self.diagnostics
                .warn(Location::json(path), None, "acteur illisible (objet attendu) : ignoré");
            return stakeholder;
        };
        stakeholder.role = self.integer(object, "stakeholderRoleType", path);
        if let Some(role) = stakeholder.role
            && !(1..=4).contains(&role)
        {
            self.diagnostics.warn(
                Location::json(format!("{path}.stakeholderRoleType")),
                Some(&role.to_string()),
                "rôle d'acteur hors liste (1 à 4) : acteur ignoré",
            );
        }
        // `stakeholderId` is an object in the schema, an array in real instances.
        let id_values: Vec<(String, &Value)> = match object.get("stakeholderId") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| (format!("{path}.stakeholderId[{index}]"), item))
                .collect(),
            Some(item @ Value::Object(_)) => vec![(format!("{path}.stakeholderId"), item)],
            _ => Vec::new(),
        };
        for (id_path, id_value) in id_values {
            let Some(id_object) = id_value.as_object() else {
                continue;
            };
            let Some(id_type) = self.integer(id_object, "stakeholderIdType", &id_path) else {
                self.diagnostics.warn(
                    Location::json(&id_path),
                    None,
                    "type d'identifiant absent : identifiant ignoré",
                );
                continue;
            };
            let Some(identifier) = self.text(id_object, &id_path).filter(|text| !text.is_empty()) else {
                self.diagnostics
                    .warn(Location::json(&id_path), None, "identifiant vide : ignoré");
                continue;
            };
            self.check_identifier(id_type, &identifier, &id_path);
            if stakeholder.ids.contains(&(id_type, identifier.clone())) {
                self.diagnostics.warn(
                    Location::json(&id_path),
                    Some(&identifier),
                    "identifiant répété pour le même acteur : doublon ignoré",
                );
                continue;
            }
            stakeholder.ids.push((id_type, identifier));
        }
        if let Some(Value::Array(names)) = object.get("stakeholderNameTypes") {
            for (index, name) in names.iter().enumerate() {
                let name_path = format!("{path}.stakeholderNameTypes[{index}]");
                let Some(name_object) = name.as_object() else { continue };
                let name_type = self.integer(name_object, "stakeholderNameType", &name_path);
                let Some(text) = self.text(name_object, &name_path) else {
                    continue;
                };
                match name_type {
                    Some(1) => stakeholder.short_name = Some(text),
                    Some(2) => stakeholder.long_name = Some(text),
                    other => {
                        self.diagnostics.warn(
                            Location::json(format!("{name_path}.stakeholderNameType")),
                            Some(&other.map_or_else(|| "absent".to_owned(), |code| code.to_string())),
                            "type de nom hors liste (1 libellé court, 2 libellé long) : lu comme libellé court",
                        );
                        stakeholder.short_name.get_or_insert(text);
                    }
                }
            }
        }
        stakeholder
    }

    fn check_identifier(&mut self, id_type: i64, identifier: &str, path: &str) {
        let location = || Location::json(path);
        match id_type {
            1..=3 => match Finess::parse(identifier) {
                Ok(finess) if finess.is_placeholder() => self.diagnostics.warn(
                    location(),
                    Some(identifier),
                    "FINESS fictif (000000001, valeur d'exemple) : aucun établissement réel ne lui correspond",
                ),
                Ok(finess) if finess.luhn_ok() == Some(false) => self.diagnostics.warn(
                    location(),
                    Some(identifier),
                    format!("clé de contrôle (Luhn) du FINESS {finess} incorrecte : numéro conservé, vérifiez-le"),
                ),
                Ok(_) => {}
                Err(_) => self.diagnostics.warn(
                    location(),
                    Some(identifier),
                    format!(
                        "identifiant {} qui n'est pas un numéro FINESS (9 chiffres) : gardé tel quel",
                        id_type_name(id_type).unwrap_or("FINESS")
                    ),
                ),
            },
            4 | 5 => {
                let expected_len = if id_type == 4 { 9 } else { 14 };
                if identifier.len() != expected_len || !identifier.bytes().all(|b| b.is_ascii_digit()) {
                    self.diagnostics.warn(
                        location(),
                        Some(identifier),
                        format!(
                            "{} non conforme ({expected_len} chiffres attendus) : gardé tel quel",
                            if id_type == 4 { "SIREN" } else { "SIRET" }
                        ),
                    );
                }
            }
            6 => {}
            other => self.diagnostics.warn(
                location(),
                Some(&other.to_string()),
                "type d'identifiant hors liste (1 à 6) : gardé tel quel",
            ),
        }
    }

    fn event(&mut self, value: &Value, path: &str, common: &[Stakeholder], common_canonical: &str) -> Option<EventRow> {
        let Some(object) = value.as_object() else {
            self.diagnostics.reject(
                Location::json(path),
                None,
                "événement illisible : un objet JSON est attendu",
            );
            return None;
        };
        let mut row = EventRow {
            json_path: path.to_owned(),
            ..EventRow::default()
        };

        // Event type first: without it nothing else means anything.
        let event_type = self.integer(object, "eventType", path);
        match event_type {
            Some(code) if event_type_label(code).is_some() => row.event_type = code as i32,
            Some(code) => {
                self.diagnostics.reject(
                    Location::json(format!("{path}.eventType")),
                    Some(&code.to_string()),
                    "type d'événement inconnu (codes 1 à 61 du schéma OPSSIES) : événement non enregistré",
                );
                return None;
            }
            None => {
                self.diagnostics.reject(
                    Location::json(path),
                    None,
                    "type d'événement (eventType) absent : événement non enregistré",
                );
                return None;
            }
        }

        let own: Vec<Stakeholder> = match object.get("stakeholders") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| self.stakeholder(item, &format!("{path}.stakeholders[{index}]")))
                .collect(),
            _ => Vec::new(),
        };
        let by_role = |role: i64| {
            own.iter()
                .find(|s| s.role == Some(role))
                .or_else(|| common.iter().find(|s| s.role == Some(role)))
                .cloned()
        };
        let Some(recipient) = by_role(ROLE_RECIPIENT) else {
            self.diagnostics.reject(
                Location::json(path),
                None,
                "aucun établissement destinataire (acteur de rôle 4) : événement non enregistré",
            );
            return None;
        };
        let finess_of = |id_type: i64| {
            recipient
                .ids
                .iter()
                .filter(|(kind, _)| *kind == id_type)
                .find_map(|(_, text)| Finess::parse(text).ok())
                .map(|finess| finess.to_string())
        };
        row.recipient_et = finess_of(2);
        row.recipient_ej = finess_of(3);
        row.recipient_range = finess_of(1);
        if row.recipient_et.is_none() && row.recipient_ej.is_none() && row.recipient_range.is_none() {
            let shown = recipient
                .ids
                .iter()
                .map(|(_, text)| text.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            self.diagnostics.reject(
                Location::json(format!("{path}.stakeholders")),
                (!shown.is_empty()).then_some(shown.as_str()),
                "le destinataire n'a aucun FINESS (géographique, juridique ou plage) valide : événement non enregistré",
            );
            return None;
        }
        row.recipient_name = recipient.name().map(str::to_owned);
        row.requester = by_role(ROLE_REQUESTER);
        row.provider = by_role(ROLE_PROVIDER);
        row.auditor = by_role(ROLE_AUDITOR);

        self.dates(object, path, &mut row)?;

        row.tlp = self.tlp(object, path);
        if let Some(code) = self.integer(object, "eventAnalysisType", path) {
            if programme(code).is_none() {
                self.diagnostics.warn(
                    Location::json(format!("{path}.eventAnalysisType")),
                    Some(&code.to_string()),
                    "programme hors liste (1 à 5) : gardé sans libellé",
                );
            }
            row.programme_code = i32::try_from(code).ok();
        }
        if let Some(outcome) = object.get("outcome").and_then(Value::as_object) {
            let outcome_path = format!("{path}.outcome");
            row.outcome_score = match outcome.get("score") {
                Some(Value::Number(number)) => number.as_f64(),
                Some(Value::String(text)) => text.trim().replace(',', ".").parse().ok(),
                _ => None,
            };
            row.outcome_level = self
                .integer(outcome, "level", &outcome_path)
                .and_then(|level| i32::try_from(level).ok());
        }
        self.scopes(object, path, &mut row.scope);

        row.event_id = event_identity(common_canonical, value);
        row.raw_json = value.to_string();
        Some(row)
    }

    /// Reads `dates[]`; returns `None` (and rejects) when no date is readable.
    fn dates(&mut self, object: &Map<String, Value>, path: &str, row: &mut EventRow) -> Option<()> {
        let items = match object.get("dates") {
            Some(Value::Array(items)) => items.as_slice(),
            _ => &[],
        };
        let mut readable = 0;
        for (index, item) in items.iter().enumerate() {
            let date_path = format!("{path}.dates[{index}]");
            let Some(date_object) = item.as_object() else { continue };
            let date_type = self.integer(date_object, "dateType", &date_path);
            let Some(text) = self.text(date_object, &date_path) else {
                continue;
            };
            let Some(parsed) = parse_opssies_datetime(&text) else {
                self.diagnostics.warn(
                    Location::json(format!("{date_path}.__text")),
                    Some(&text),
                    "date illisible (AAAAMMJJ-HHMMSS attendu) : ignorée",
                );
                continue;
            };
            match date_type {
                Some(kind @ 1..=9) => {
                    let slot = &mut row.dates[(kind - 1) as usize];
                    if let Some(previous) = *slot
                        && previous != parsed
                    {
                        self.diagnostics.warn(
                            Location::json(&date_path),
                            Some(&text),
                            "plusieurs dates du même type : la plus récente est gardée",
                        );
                    }
                    *slot = Some(slot.map_or(parsed, |previous| previous.max(parsed)));
                    readable += 1;
                }
                other => {
                    self.diagnostics.warn(
                        Location::json(format!("{date_path}.dateType")),
                        Some(&other.map_or_else(|| "absent".to_owned(), |code| code.to_string())),
                        "type de date hors liste (1 à 9) : date ignorée",
                    );
                }
            }
        }
        if readable == 0 {
            self.diagnostics.reject(
                Location::json(format!("{path}.dates")),
                None,
                "aucune date lisible : événement non enregistré",
            );
            return None;
        }
        Some(())
    }

    fn tlp(&mut self, object: &Map<String, Value>, path: &str) -> &'static str {
        let location = || Location::json(format!("{path}.tlp"));
        let Some(Value::String(raw)) = object.get("tlp") else {
            self.diagnostics.warn(
                location(),
                None,
                "niveau TLP absent : traité comme « red » (diffusion la plus restreinte)",
            );
            return "red";
        };
        let normalised = raw.trim().to_ascii_lowercase();
        let normalised = normalised.strip_prefix("tlp:").unwrap_or(&normalised);
        let tlp = match normalised {
            "red" => "red",
            "amber" | "amber+strict" => "amber",
            "green" => "green",
            "clear" => "clear",
            "white" => {
                self.diagnostics.warn(
                    location(),
                    Some(raw),
                    "TLP « white » (TLP 1.0) lu comme « clear » (TLP 2.0)",
                );
                return "clear";
            }
            _ => {
                self.diagnostics.warn(
                    location(),
                    Some(raw),
                    "niveau TLP inconnu : traité comme « red » (diffusion la plus restreinte)",
                );
                return "red";
            }
        };
        if tlp != raw.as_str() {
            self.diagnostics.warn(
                location(),
                Some(raw),
                format!("niveau TLP écrit « {raw} » : lu comme « {tlp} »"),
            );
        }
        tlp
    }

    fn scopes(&mut self, object: &Map<String, Value>, path: &str, summary: &mut ScopeSummary) {
        if let Some(scopes) = object.get("scopes") {
            match scopes {
                Value::Array(items) => {
                    for (index, item) in items.iter().enumerate() {
                        if let Some(scope) = item.as_object() {
                            self.scope(scope, &format!("{path}.scopes[{index}]"), summary);
                        }
                    }
                }
                Value::Object(scope) => self.scope(scope, &format!("{path}.scopes"), summary),
                _ => {}
            }
        }
        // Real instances put contexts directly under the event instead of under `scopes`.
        for key in [
            "functionalContexts",
            "technicalContexts",
            "autonomousSystemNumbers",
            "domains",
            "subnetIpV4s",
            "subnetIpV6s",
        ] {
            if object.contains_key(key) {
                self.diagnostics.warn(
                    Location::json(format!("{path}.{key}")),
                    None,
                    format!("« {key} » placé directement sous l'événement et non sous « scopes » : pris en compte"),
                );
            }
        }
        self.scope(object, path, summary);
        if let Some(forest) = object.get("scope").and_then(|scope| scope.get("forest")) {
            summary.ad_forest = forest
                .get("forestFqdn")
                .and_then(Value::as_str)
                .map(|fqdn| fqdn.trim().to_owned());
        }
    }

    fn scope(&mut self, scope: &Map<String, Value>, path: &str, summary: &mut ScopeSummary) {
        for (key, max, contexts) in [
            (
                "functionalContexts",
                FUNCTIONAL_CONTEXT_MAX,
                &mut summary.functional_contexts,
            ),
            (
                "technicalContexts",
                TECHNICAL_CONTEXT_MAX,
                &mut summary.technical_contexts,
            ),
        ] {
            let category_key = if key == "functionalContexts" {
                "functionalContextCategory"
            } else {
                "technicalContextCategory"
            };
            let Some(Value::Array(items)) = scope.get(key) else {
                continue;
            };
            for (index, item) in items.iter().enumerate() {
                let item_path = format!("{path}.{key}[{index}]");
                let Some(context) = item.as_object() else { continue };
                let category = self.integer(context, category_key, &item_path);
                if let Some(code) = category
                    && !(1..=max).contains(&code)
                {
                    self.diagnostics.warn(
                        Location::json(format!("{item_path}.{category_key}")),
                        Some(&code.to_string()),
                        format!("catégorie {code} hors de l'énumération du schéma (1 à {max}) : contexte gardé"),
                    );
                }
                let text = self.text(context, &item_path).unwrap_or_default();
                contexts.insert((category.unwrap_or(0), text));
                summary.personal_data |= context.get("isPersonalData") == Some(&Value::Bool(true));
                summary.health_data |= context.get("isPersonalHealthcareData") == Some(&Value::Bool(true));
            }
        }
        for (key, set) in [
            ("autonomousSystemNumbers", &mut summary.asns),
            ("domains", &mut summary.domains),
            ("subnetIpV4s", &mut summary.subnets_v4),
            ("subnetIpV6s", &mut summary.subnets_v6),
        ] {
            if let Some(Value::Array(items)) = scope.get(key) {
                set.extend(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|text| text.trim().to_owned()),
                );
            }
        }
    }
}

/// The identity of an event: a SHA-256 of its canonical content (keys sorted, strings
/// trimmed, whitespace-free) together with the file's common stakeholders it inherits.
fn event_identity(common_canonical: &str, event: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(common_canonical.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical(event).as_bytes());
    hex::encode(hasher.finalize())
}

fn canonical(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (position, key) in keys.into_iter().enumerate() {
                    if position > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (position, item) in items.iter().enumerate() {
                    if position > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            Value::String(text) => out.push_str(&Value::String(text.trim().to_owned()).to_string()),
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn json_error_in_french(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let detail = message.split(" at line ").next().unwrap_or(&message);
    match detail {
        "expected value" => "valeur attendue (virgule en trop avant « ] » ou « } » ?)".to_owned(),
        "trailing comma" => "virgule en trop".to_owned(),
        "EOF while parsing an object" | "EOF while parsing a list" | "EOF while parsing a value" => {
            "fichier tronqué".to_owned()
        }
        "key must be a string" => "clé sans guillemets".to_owned(),
        other => other.to_owned(),
    }
}

pub fn schema() -> Schema {
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, None);
    let mut fields = vec![
        Field::new("event_id", DataType::Utf8, false),
        Field::new("json_path", DataType::Utf8, false),
        Field::new("event_type", DataType::Int32, false),
        Field::new("event_type_label", DataType::Utf8, true),
        Field::new("nist_function", DataType::Utf8, true),
        Field::new("programme_code", DataType::Int32, true),
        Field::new("programme", DataType::Utf8, true),
        Field::new("tlp", DataType::Utf8, false),
        Field::new("recipient_finess_et", DataType::Utf8, true),
        Field::new("recipient_finess_ej", DataType::Utf8, true),
        Field::new("recipient_finess_range", DataType::Utf8, true),
        Field::new("recipient_name", DataType::Utf8, true),
    ];
    for role in ["requester", "provider", "auditor"] {
        fields.push(Field::new(format!("{role}_id"), DataType::Utf8, true));
        fields.push(Field::new(format!("{role}_id_type"), DataType::Utf8, true));
        fields.push(Field::new(format!("{role}_name"), DataType::Utf8, true));
    }
    for column in DATE_COLUMNS {
        fields.push(Field::new(column, timestamp.clone(), true));
    }
    fields.extend([
        Field::new("outcome_score", DataType::Float64, true),
        Field::new("outcome_level", DataType::Int32, true),
        Field::new("functional_context_count", DataType::Int32, false),
        Field::new("technical_context_count", DataType::Int32, false),
        Field::new("asn_count", DataType::Int32, false),
        Field::new("domain_count", DataType::Int32, false),
        Field::new("subnet_v4_count", DataType::Int32, false),
        Field::new("subnet_v6_count", DataType::Int32, false),
        Field::new("has_personal_data", DataType::Boolean, false),
        Field::new("has_health_data", DataType::Boolean, false),
        Field::new("ad_forest", DataType::Utf8, true),
        Field::new("sender", DataType::Utf8, true),
        Field::new("file_generated_at", timestamp.clone(), true),
        Field::new("extraction_date", timestamp, true),
        Field::new("raw_json", DataType::Utf8, false),
    ]);
    Schema::new(fields)
}

fn build_batch(
    rows: &[EventRow],
    sender: Option<&str>,
    generated_at: Option<NaiveDateTime>,
    extraction_date: Option<NaiveDateTime>,
) -> RecordBatch {
    let n = rows.len();
    let strings = || StringBuilder::with_capacity(n, n * 16);
    let (mut event_id, mut json_path, mut type_label, mut nist, mut programme_label, mut tlp) =
        (strings(), strings(), strings(), strings(), strings(), strings());
    let (mut recipient_et, mut recipient_ej, mut recipient_range, mut recipient_name) =
        (strings(), strings(), strings(), strings());
    let mut roles: Vec<[StringBuilder; 3]> = (0..3).map(|_| [strings(), strings(), strings()]).collect();
    let mut event_type = Int32Builder::with_capacity(n);
    let mut programme_code = Int32Builder::with_capacity(n);
    let mut dates: Vec<TimestampMicrosecondBuilder> =
        (0..9).map(|_| TimestampMicrosecondBuilder::with_capacity(n)).collect();
    let mut score = Float64Builder::with_capacity(n);
    let mut level = Int32Builder::with_capacity(n);
    let mut counts: Vec<Int32Builder> = (0..6).map(|_| Int32Builder::with_capacity(n)).collect();
    let (mut personal, mut health) = (BooleanBuilder::with_capacity(n), BooleanBuilder::with_capacity(n));
    let (mut forest, mut senders, mut raw) = (strings(), strings(), StringBuilder::with_capacity(n, n * 1024));
    let (mut generated, mut extracted) = (
        TimestampMicrosecondBuilder::with_capacity(n),
        TimestampMicrosecondBuilder::with_capacity(n),
    );

    for row in rows {
        event_id.append_value(&row.event_id);
        json_path.append_value(&row.json_path);
        event_type.append_value(row.event_type);
        let label = event_type_label(i64::from(row.event_type));
        type_label.append_option(label);
        nist.append_option(label.and_then(|label| label.split('/').next()));
        programme_code.append_option(row.programme_code);
        programme_label.append_option(row.programme_code.and_then(|code| programme(i64::from(code))));
        tlp.append_value(row.tlp);
        recipient_et.append_option(row.recipient_et.as_deref());
        recipient_ej.append_option(row.recipient_ej.as_deref());
        recipient_range.append_option(row.recipient_range.as_deref());
        recipient_name.append_option(row.recipient_name.as_deref());
        for (builders, stakeholder) in roles.iter_mut().zip([&row.requester, &row.provider, &row.auditor]) {
            let id = stakeholder.as_ref().and_then(Stakeholder::first_id);
            builders[0].append_option(id.map(|(_, text)| text.as_str()));
            builders[1].append_option(id.and_then(|(kind, _)| id_type_name(*kind)));
            builders[2].append_option(stakeholder.as_ref().and_then(Stakeholder::name));
        }
        for (builder, date) in dates.iter_mut().zip(row.dates.iter()) {
            builder.append_option(date.map(to_timestamp_micros));
        }
        score.append_option(row.outcome_score);
        level.append_option(row.outcome_level);
        let scope = &row.scope;
        for (builder, count) in counts.iter_mut().zip([
            scope.functional_contexts.len(),
            scope.technical_contexts.len(),
            scope.asns.len(),
            scope.domains.len(),
            scope.subnets_v4.len(),
            scope.subnets_v6.len(),
        ]) {
            builder.append_value(i32::try_from(count).unwrap_or(i32::MAX));
        }
        personal.append_value(scope.personal_data);
        health.append_value(scope.health_data);
        forest.append_option(scope.ad_forest.as_deref());
        senders.append_option(sender);
        generated.append_option(generated_at.map(to_timestamp_micros));
        extracted.append_option(extraction_date.map(to_timestamp_micros));
        raw.append_value(&row.raw_json);
    }

    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(event_id.finish()),
        Arc::new(json_path.finish()),
        Arc::new(event_type.finish()),
        Arc::new(type_label.finish()),
        Arc::new(nist.finish()),
        Arc::new(programme_code.finish()),
        Arc::new(programme_label.finish()),
        Arc::new(tlp.finish()),
        Arc::new(recipient_et.finish()),
        Arc::new(recipient_ej.finish()),
        Arc::new(recipient_range.finish()),
        Arc::new(recipient_name.finish()),
    ];
    for builders in &mut roles {
        for builder in builders.iter_mut() {
            columns.push(Arc::new(builder.finish()));
        }
    }
    columns.extend(dates.iter_mut().map(|builder| Arc::new(builder.finish()) as ArrayRef));
    columns.push(Arc::new(score.finish()));
    columns.push(Arc::new(level.finish()));
    columns.extend(counts.iter_mut().map(|builder| Arc::new(builder.finish()) as ArrayRef));
    columns.push(Arc::new(personal.finish()));
    columns.push(Arc::new(health.finish()));
    columns.push(Arc::new(forest.finish()));
    columns.push(Arc::new(senders.finish()));
    columns.push(Arc::new(generated.finish()));
    columns.push(Arc::new(extracted.finish()));
    columns.push(Arc::new(raw.finish()));
    RecordBatch::try_new(Arc::new(schema()), columns).expect("columns built to match the schema")
}
