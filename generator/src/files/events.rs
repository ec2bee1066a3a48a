//! OPSSIES BI v2 event files (schema v0.13), one per hub and year, and CaRE D1 vendor files
//! named `SOCIETE-D1-AAAAMMJJ-HHMMSS.json`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDateTime};
use serde_json::{Value, json};

use super::Output;
use crate::GenerateError;
use crate::activity::{History, add_days, at};
use crate::manifest::Expected;
use crate::world::{Establishment, World};

/// A hub: who sends the file (the provider stakeholder common to its events).
struct Hub {
    file_stem: &'static str,
    siret: &'static str,
    short: &'static str,
    long: &'static str,
}

const ANSSI: Hub = Hub {
    file_stem: "anssi-audits",
    siret: "13000766900018",
    short: "ANSSI",
    long: "Agence nationale de la sécurité des systèmes d'information",
};
const CERT_SANTE: Hub = Hub {
    file_stem: "cert-sante",
    siret: "13001323900010",
    short: "CERT Santé",
    long: "Agence du numérique en santé — CERT Santé",
};
const ATIH: Hub = Hub {
    file_stem: "osis-exercices",
    siret: "18009202500039",
    short: "ATIH",
    long: "Agence technique de l'information sur l'hospitalisation",
};
const ANFH: Hub = Hub {
    file_stem: "anfh-formations",
    siret: "78430711100069",
    short: "ANFH",
    long: "Association nationale pour la formation permanente du personnel hospitalier",
};
const CRISIS_CENTRE: Hub = Hub {
    file_stem: "centre-crise-incidents",
    siret: "11000401000013",
    short: "CCS",
    long: "Centre de crise sanitaire du ministère de la santé",
};

fn stamp(moment: NaiveDateTime) -> String {
    moment.format("%Y%m%d-%H%M%S").to_string()
}

fn provider(hub: &Hub) -> Value {
    json!({
        "stakeholderId": {"stakeholderIdType": 5, "__text": hub.siret},
        "stakeholderNameTypes": [
            {"stakeholderNameType": 1, "__text": hub.short},
            {"stakeholderNameType": 2, "__text": hub.long}
        ],
        "stakeholderType": 3,
        "stakeholderRoleType": 2
    })
}

fn recipient(e: &Establishment, legal_entity_only: bool) -> Value {
    let id = if legal_entity_only {
        json!([{"stakeholderIdType": 3, "__text": e.finess_ej}])
    } else {
        json!([{"stakeholderIdType": 2, "__text": e.finess_et}, {"stakeholderIdType": 3, "__text": e.finess_ej}])
    };
    json!({
        "stakeholderId": id,
        "stakeholderNameTypes": [
            {"stakeholderNameType": 1, "__text": e.short_name},
            {"stakeholderNameType": 2, "__text": e.long_name}
        ],
        "stakeholderType": 1,
        "stakeholderRoleType": 4
    })
}

fn event(recipient: Value, date_type: u32, moment: NaiveDateTime, event_type: u32, tlp: &str) -> Value {
    json!({
        "stakeholders": [recipient],
        "dates": [{"dateType": date_type, "__text": stamp(moment)}],
        "tlp": tlp,
        "eventType": event_type
    })
}

fn document(hub: Option<&Hub>, extracted: NaiveDateTime, events: Vec<Value>) -> Value {
    let mut root = serde_json::Map::new();
    root.insert("extractionDate".into(), Value::String(stamp(extracted)));
    if let Some(hub) = hub {
        root.insert("stakeholders".into(), json!([provider(hub)]));
    }
    root.insert("event".into(), Value::Array(events));
    json!({ "events": root })
}

fn bytes(document: &Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// Writes every event file, and one of them twice under another name.
pub fn write(
    world: &World,
    history: &History,
    today: chrono::NaiveDate,
    output: &mut Output,
) -> Result<(), GenerateError> {
    let first_year = history
        .activities
        .iter()
        .map(|a| a.completed_at.year())
        .chain(
            history
                .exercises
                .iter()
                .filter_map(|e| e.completed_on.or(e.planned_on))
                .map(|d| d.year()),
        )
        .min()
        .unwrap_or(today.year());
    let mut duplicate_of: Option<(String, u64, Vec<u8>)> = None;
    for year in first_year..=today.year() {
        let extracted = if year == today.year() {
            at(add_days(today, -1), 3, 15)
        } else {
            at(crate::activity::date(year + 1, 1, 15), 3, 15)
        };
        let in_year = |moment: NaiveDateTime| moment.year() == year;

        // ANSSI: Active Directory (27) and internet exposure (60) audits of OSE.
        let events: Vec<Value> = history
            .activities
            .iter()
            .filter(|a| matches!(a.event_type, 27 | 60) && in_year(a.completed_at))
            .map(|a| {
                let mut value = event(
                    recipient(&world.establishments[a.establishment], a.legal_entity_only),
                    7,
                    a.completed_at,
                    a.event_type,
                    a.tlp,
                );
                value["outcome"] = outcome(a.score, a.level);
                value
            })
            .collect();
        let name = format!("opssies/{}-{year}.json", ANSSI.file_stem);
        let rows = events.len() as u64;
        let content = bytes(&document(Some(&ANSSI), extracted, events));
        if year == today.year() - 1 {
            duplicate_of = Some((name.clone(), rows, content.clone()));
        }
        if rows > 0 {
            output.write(&name, "opssies-events", rows, &content, Expected::stored())?;
        }

        // CERT Santé: cybersurveillance (28) and mail (61) audits; the latest year's file
        // carries the quirks real senders produce.
        let mut events: Vec<Value> = history
            .activities
            .iter()
            .filter(|a| matches!(a.event_type, 28 | 61) && in_year(a.completed_at))
            .map(|a| {
                let mut value = event(
                    recipient(&world.establishments[a.establishment], false),
                    7,
                    a.completed_at,
                    a.event_type,
                    a.tlp,
                );
                value["outcome"] = outcome(a.score, a.level);
                value
            })
            .collect();
        let mut expected = Expected::stored();
        let quirky = year == today.year() && events.len() >= 3;
        if quirky {
            plant_event_quirks(world, &mut events, at(add_days(today, -5), 9, 0), &mut expected);
        }
        let rows = events.len() as u64;
        let mut content = bytes(&document(Some(&CERT_SANTE), extracted, events));
        if quirky {
            content.splice(0..0, [0xEF, 0xBB, 0xBF]);
            expected.warn("byte_order_mark");
        }
        output.write(
            &format!("opssies/{}-{year}.json", CERT_SANTE.file_stem),
            "opssies-events",
            rows,
            &content,
            expected,
        )?;

        // ATIH (oSIS declarations): crisis exercises (43), done (7) or planned (8).
        let events: Vec<Value> = history
            .exercises
            .iter()
            .filter(|e| !e.cancelled)
            .filter_map(|e| {
                let offset = e.event_offset_days?;
                let (date_type, day) = match e.completed_on {
                    Some(done) => (7, add_days(done, offset)),
                    None => (8, e.planned_on?),
                };
                let moment = at(day, 14, 0);
                // Planned exercises are in the file of the year they were announced.
                let reported_year = if e.completed_on.is_some() {
                    moment.year()
                } else {
                    today.year()
                };
                (reported_year == year).then(|| {
                    event(
                        recipient(&world.establishments[e.establishment], false),
                        date_type,
                        moment,
                        43,
                        if e.completed_on.is_some() { "amber" } else { "green" },
                    )
                })
            })
            .collect();
        write_hub(output, &ATIH, year, extracted, events)?;

        // ANFH: training sessions (21, 22).
        let events: Vec<Value> = history
            .activities
            .iter()
            .filter(|a| matches!(a.event_type, 21 | 22) && in_year(a.completed_at))
            .map(|a| {
                event(
                    recipient(&world.establishments[a.establishment], false),
                    7,
                    a.completed_at,
                    a.event_type,
                    a.tlp,
                )
            })
            .collect();
        write_hub(output, &ANFH, year, extracted, events)?;

        // The ministry's crisis centre: declared incidents (44).
        let events: Vec<Value> = history
            .incidents
            .iter()
            .filter_map(|i| {
                let tlp = i.as_event?;
                in_year(i.declared_at).then(|| {
                    event(
                        recipient(&world.establishments[i.establishment], false),
                        7,
                        i.declared_at,
                        44,
                        tlp,
                    )
                })
            })
            .collect();
        write_hub(output, &CRISIS_CENTRE, year, extracted, events)?;

        // CaRE D1 vendors: one file per vendor and year, named by the convention; the
        // sender is read from the name, outcome is a level only.
        let mut by_vendor: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for a in history
            .activities
            .iter()
            .filter(|a| a.event_type == 29 && in_year(a.completed_at))
        {
            let mut value = event(
                recipient(&world.establishments[a.establishment], false),
                7,
                a.completed_at,
                29,
                a.tlp,
            );
            value["outcome"] = json!({"level": a.level});
            value["eventAnalysisType"] = json!(5);
            by_vendor.entry(a.vendor.unwrap_or("AUDITCYB")).or_default().push(value);
        }
        for (vendor, events) in by_vendor {
            let code: String = vendor.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            let rows = events.len() as u64;
            let content = bytes(&document(None, extracted, events));
            output.write(
                &format!("opssies/{code}-D1-{}.json", stamp(extracted)),
                "opssies-events",
                rows,
                &content,
                Expected::stored(),
            )?;
        }
    }
    // A hub sends last year's file again under another name: nothing new is stored.
    if let Some((name, rows, content)) = duplicate_of {
        let copy = name.replace(".json", " (copie).json");
        output.write(
            &copy,
            "opssies-events",
            rows,
            &content,
            Expected {
                status: "duplicate",
                ..Expected::default()
            },
        )?;
    }
    Ok(())
}

/// A hub's file of one year, when it has events.
fn write_hub(
    output: &mut Output,
    hub: &Hub,
    year: i32,
    extracted: NaiveDateTime,
    events: Vec<Value>,
) -> Result<(), GenerateError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = events.len() as u64;
    let content = bytes(&document(Some(hub), extracted, events));
    output.write(
        &format!("opssies/{}-{year}.json", hub.file_stem),
        "opssies-events",
        rows,
        &content,
        Expected::stored(),
    )
}

fn outcome(score: Option<f64>, level: Option<u32>) -> Value {
    let mut outcome = serde_json::Map::new();
    if let Some(score) = score {
        outcome.insert("score".into(), json!(score));
    }
    if let Some(level) = level {
        outcome.insert("level".into(), json!(level));
    }
    Value::Object(outcome)
}

/// What real instances do (`inputs.md` §1): spaces around values, a TLP spelt the TLP 1.0
/// way, an event sent twice, and four events that cannot be understood.
fn plant_event_quirks(world: &World, events: &mut Vec<Value>, moment: NaiveDateTime, expected: &mut Expected) {
    if let Some(Value::String(text)) = events[0].pointer_mut("/stakeholders/0/stakeholderId/0/__text") {
        *text = format!(" {text} ");
        expected.warn("spaces_around_value");
    }
    events[1]["tlp"] = json!("TLP:GREEN");
    expected.warn("tlp_spelling");
    events.push(events[2].clone());
    expected.warn("event_repeated_in_file");

    let someone = &world.establishments[0];
    let mut no_recipient = event(recipient(someone, false), 7, moment, 28, "green");
    no_recipient["stakeholders"][0]["stakeholderRoleType"] = json!(2);
    events.push(no_recipient);
    expected.reject("event_no_recipient");
    let mut no_date = event(recipient(someone, false), 7, moment, 28, "green");
    no_date["dates"] = json!([]);
    events.push(no_date);
    expected.reject("event_no_date");
    events.push(event(recipient(someone, false), 7, moment, 99, "green"));
    expected.reject("event_unknown_type");
    let mut bad_finess = event(recipient(someone, false), 7, moment, 28, "green");
    bad_finess["stakeholders"][0]["stakeholderId"] = json!([{"stakeholderIdType": 2, "__text": "ABC"}]);
    events.push(bad_finess);
    expected.warn("identifier_not_finess");
    expected.reject("event_recipient_without_finess");
}
