//! `opssies opssies-export`: the region's own facts for the national OPSSIES warehouse, as
//! OPSSIES BI v2 events (schema v0.13, the CaRE D1 file convention): the follow-up
//! workbook's exercises no OPSSIES event reported and the call's funded exercises, each an
//! event 43 with the establishment as recipient, the ARS as requester and the provider when
//! the workbook names one.
//!
//! Each event's identity is the hash an import computes (the export reads its own file back
//! with the OPSSIES parser to get them): the same facts give the same identities, and what
//! an export sent is recorded in the store (`opssies_sent`), so the next one sends only what
//! is new. The schema has no place for the kit, the Direction's presence or the amounts:
//! they are not sent.

use std::path::Path;

use analytics::{Analytics, ExportableExercise, Settings};
use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, NaiveDateTime};
use ingest::Store;
use ingest::report::Diagnostics;
use serde_json::{Value, json};

use crate::cli::OpssiesExportArgs;
use crate::exit;

/// OPSSIES codes the export writes (`ng-msp-opssies-schema-multi-refs-v13-raw.json`).
const EXERCISE_EVENT: i64 = 43;
const SITE: i64 = 1;
const INCORPORATED_GROUP: i64 = 2;
const THIRD_PARTY: i64 = 3;
const REQUESTER: i64 = 1;
const SERVICE_PROVIDER: i64 = 2;
const RECIPIENT: i64 = 4;
const FINESS_GEO: i64 = 2;
const FINESS_JUR: i64 = 3;
const REQUEST_EFFECTIVE: i64 = 1;
const REGISTRATION_EFFECTIVE: i64 = 4;
const COMPLETION_EFFECTIVE: i64 = 7;
const COMPLETION_PLANNED: i64 = 8;

/// What one export wrote.
#[derive(Debug)]
pub struct Written {
    pub file: Option<std::path::PathBuf>,
    pub events: usize,
    pub already_sent: usize,
}

pub fn run(args: &OpssiesExportArgs) -> Result<u8> {
    let store = Store::open_existing(&args.store.store)?;
    let settings = super::report::load_settings(args.settings.as_deref())?;
    let now = ingest::dates::utc_to_paris(chrono::Utc::now().naive_utc());
    let written = export(&store, &settings, args, now)?;
    match &written.file {
        Some(file) => println!(
            "{} événement(s) écrit(s) dans {}{}",
            written.events,
            file.display(),
            already(written.already_sent)
        ),
        None => println!("Rien de nouveau à envoyer{}.", already(written.already_sent)),
    }
    Ok(exit::OK)
}

fn already(count: usize) -> String {
    match count {
        0 => String::new(),
        count => format!(" ({count} déjà envoyé(s) lors d'un export précédent)"),
    }
}

/// Writes the export file of what was not sent yet and records it as sent.
pub fn export(store: &Store, settings: &Settings, args: &OpssiesExportArgs, now: NaiveDateTime) -> Result<Written> {
    let sender = args.sender.as_deref().unwrap_or(&settings.opssies_export.sender);
    if !analytics::settings::OpssiesExport::valid_sender(sender) {
        bail!("expéditeur « {sender} » : lettres, chiffres et tirets seulement (il fait partie du nom du fichier)");
    }
    let analytics = Analytics::new(store.connection(), settings);
    let exercises = analytics.opssies_exportable(now.date(), args.since)?;
    let file_name = format!("{sender}-D1-{}.json", now.format("%Y%m%d-%H%M%S"));
    let mut events: Vec<Value> = Vec::with_capacity(exercises.len());
    let mut seen = std::collections::HashSet::new();
    for event in exercises.iter().map(|exercise| event(exercise, settings)) {
        // Two workbook rows saying the same thing are one event (as the import would keep).
        if seen.insert(event.to_string()) {
            events.push(event);
        }
    }
    // The identities an import will give these events, read back by the importer's parser.
    let identities = identities(&document(settings, now, &events), &file_name, events.len())?;
    let sent = ingest::store::records::sent_events(store.connection())?;
    let (new, old): (Vec<_>, Vec<_>) = events
        .into_iter()
        .zip(identities)
        .partition(|(_, identity)| args.resend || !sent.contains(identity));
    if new.is_empty() {
        return Ok(Written {
            file: None,
            events: 0,
            already_sent: old.len(),
        });
    }
    let (events, identities): (Vec<Value>, Vec<String>) = new.into_iter().unzip();
    std::fs::create_dir_all(&args.out).with_context(|| format!("création du dossier {}", args.out.display()))?;
    let path = args.out.join(&file_name);
    if path.exists() {
        bail!("{} existe déjà : relancez dans une seconde", path.display());
    }
    let bytes = serde_json::to_vec_pretty(&document(settings, now, &events))?;
    write_whole(&path, &bytes)?;
    ingest::store::records::record_sent(store.connection(), &identities, &file_name)?;
    Ok(Written {
        file: Some(path),
        events: events.len(),
        already_sent: old.len(),
    })
}

/// Written beside, then renamed: the warehouse's pickup never sees half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let partial = path.with_extension("json.part");
    std::fs::write(&partial, bytes).with_context(|| format!("écriture de {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("écriture de {}", path.display()))?;
    Ok(())
}

fn document(settings: &Settings, now: NaiveDateTime, events: &[Value]) -> Value {
    let export = &settings.opssies_export;
    json!({
        "extractionDate": opssies_time(now),
        "events": {
            "stakeholders": [{
                "stakeholderId": { "stakeholderIdType": export.requester_id_type(), "__text": export.requester_id },
                "stakeholderNameTypes": names(&export.requester_short_name, &export.requester_long_name),
                "stakeholderType": INCORPORATED_GROUP,
                "stakeholderRoleType": REQUESTER,
            }],
            "event": events,
        }
    })
}

fn event(exercise: &ExportableExercise, settings: &Settings) -> Value {
    let mut ids = vec![json!({ "stakeholderIdType": FINESS_GEO, "__text": exercise.finess_et })];
    if let Some(ej) = &exercise.finess_ej {
        ids.push(json!({ "stakeholderIdType": FINESS_JUR, "__text": ej }));
    }
    let short = exercise
        .short_name
        .as_deref()
        .or(exercise.long_name.as_deref())
        .unwrap_or(&exercise.finess_et);
    let long = exercise.long_name.as_deref().unwrap_or(short);
    let mut stakeholders = vec![json!({
        "stakeholderId": ids,
        "stakeholderNameTypes": names(short, long),
        "stakeholderType": SITE,
        "stakeholderRoleType": RECIPIENT,
    })];
    if let Some(provider) = &exercise.provider {
        stakeholders.push(json!({
            "stakeholderNameTypes": names(provider, provider),
            "stakeholderType": THIRD_PARTY,
            "stakeholderRoleType": SERVICE_PROVIDER,
        }));
    }
    let day = |date: NaiveDate| opssies_time(date.and_time(chrono::NaiveTime::MIN));
    let mut dates = Vec::new();
    let mut date = |kind: i64, text: Option<String>| {
        if let Some(text) = text {
            dates.push(json!({ "dateType": kind, "__text": text }));
        }
    };
    date(REQUEST_EFFECTIVE, exercise.deposited_at.map(opssies_time));
    date(REGISTRATION_EFFECTIVE, exercise.decided_at.map(opssies_time));
    date(COMPLETION_EFFECTIVE, exercise.completed_on.map(day));
    date(COMPLETION_PLANNED, exercise.planned_on.map(day));
    let mut event = json!({
        "stakeholders": stakeholders,
        "dates": dates,
        "tlp": settings.opssies_export.tlp.name(),
        "eventType": EXERCISE_EVENT,
    });
    if exercise.application_id.is_some()
        && let Some(code) = programme_code(&settings.aap.programme)
    {
        event["eventAnalysisType"] = json!(code);
    }
    event
}

fn names(short: &str, long: &str) -> Value {
    json!([
        { "stakeholderNameType": 1, "__text": short },
        { "stakeholderNameType": 2, "__text": long },
    ])
}

/// The programme's `eventAnalysisType` (the settings checked the name already).
fn programme_code(name: &str) -> Option<i64> {
    (1..=5).find(|code| ingest::parsers::opssies_codes::programme(*code) == Some(name))
}

fn opssies_time(moment: NaiveDateTime) -> String {
    moment.format("%Y%m%d-%H%M%S").to_string()
}

/// The identity of each event, in order, as the OPSSIES import computes it; an event the
/// parser would reject is a defect of the export, not of the data.
fn identities(document: &Value, file_name: &str, expected: usize) -> Result<Vec<String>> {
    let bytes = serde_json::to_vec(document)?;
    let mut diagnostics = Diagnostics::default();
    let parsed = ingest::parsers::opssies::parse(&bytes, Some(file_name), &mut diagnostics)
        .map_err(|refusal| anyhow::anyhow!("export illisible par l'import OPSSIES : {refusal}"))?;
    if let Some(reject) = diagnostics.rejects.first() {
        bail!(
            "l'import OPSSIES rejetterait un événement exporté ({}) : {}",
            reject.location.describe(),
            reject.reason
        );
    }
    // A warning (a FINESS whose key fails, kept so in the referential) does not stop the
    // export: the warehouse's import will say the same; the user hears it first.
    for warning in &diagnostics.warnings {
        eprintln!(
            "avertissement ({}) : {}{}",
            warning.location.describe(),
            warning.message,
            warning
                .value
                .as_deref()
                .map_or_else(String::new, |value| format!(" « {value} »"))
        );
    }
    let ids = ingest::parsers::opssies::event_ids(&parsed);
    if ids.len() != expected {
        bail!("l'import OPSSIES garderait {} événement(s) sur {expected}", ids.len());
    }
    Ok(ids)
}
