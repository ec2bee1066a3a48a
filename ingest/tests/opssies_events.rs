//! Every quirk of inputs.md §1, each on a fixture written here.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Float64Type, Int32Type, TimestampMicrosecondType};
use ingest::parsers::opssies::{self, parse_care_d1_name};
use ingest::{Diagnostics, Refusal};
use serde_json::{Value, json};

fn recipient(ids: Value) -> Value {
    json!({
        "stakeholderId": ids,
        "stakeholderNameTypes": [
            {"stakeholderNameType": 1, "__text": "CH TEST"},
            {"stakeholderNameType": 2, "__text": "CENTRE HOSPITALIER DE TEST"}
        ],
        "stakeholderType": 1,
        "stakeholderRoleType": 4
    })
}

fn event(ids: Value, event_type: i64) -> Value {
    json!({
        "stakeholders": [recipient(ids)],
        "dates": [{"dateType": 7, "__text": "20240115-141742"}],
        "outcome": {"level": 2},
        "tlp": "amber",
        "eventAnalysisType": 3,
        "eventType": event_type
    })
}

fn site(finess: &str) -> Value {
    json!([{"stakeholderIdType": 2, "__text": finess}])
}

fn file(events: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({"events": {"event": events}})).unwrap()
}

fn parse(bytes: &[u8]) -> (opssies::EventsFile, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let parsed = opssies::parse(bytes, None, &mut diagnostics).expect("file accepted");
    (parsed, diagnostics)
}

fn text(batch: &RecordBatch, column: &str, row: usize) -> Option<String> {
    let array = batch.column(batch.schema().index_of(column).unwrap());
    (!array.is_null(row)).then(|| array.as_string::<i32>().value(row).to_owned())
}

fn int(batch: &RecordBatch, column: &str, row: usize) -> i32 {
    batch
        .column(batch.schema().index_of(column).unwrap())
        .as_primitive::<Int32Type>()
        .value(row)
}

fn warning_paths(diagnostics: &Diagnostics, fragment: &str) -> Vec<String> {
    diagnostics
        .warnings
        .iter()
        .filter(|warning| warning.message.contains(fragment))
        .map(|warning| warning.location.json_path.clone().unwrap_or_default())
        .collect()
}

#[test]
fn a_plain_event_is_read_with_its_fields() {
    let mut with_outcome = event(site("750100125"), 27);
    with_outcome["outcome"] = json!({"score": 7780, "level": 1});
    with_outcome["dates"] = json!([
        {"dateType": 4, "__text": "20231205-152050"},
        {"dateType": 7, "__text": "20240115-141742"}
    ]);
    let (parsed, diagnostics) = parse(&file(vec![with_outcome]));
    assert!(
        diagnostics.rejects.is_empty() && diagnostics.warnings.is_empty(),
        "{diagnostics:?}"
    );
    let batch = &parsed.events;
    assert_eq!(batch.num_rows(), 1);
    assert_eq!(text(batch, "recipient_finess_et", 0).as_deref(), Some("750100125"));
    assert_eq!(
        text(batch, "recipient_name", 0).as_deref(),
        Some("CENTRE HOSPITALIER DE TEST")
    );
    assert_eq!(int(batch, "event_type", 0), 27);
    assert_eq!(text(batch, "nist_function", 0).as_deref(), Some("PROTÉGER"));
    assert_eq!(text(batch, "programme", 0).as_deref(), Some("SUNES"));
    assert_eq!(text(batch, "tlp", 0).as_deref(), Some("amber"));
    let score = batch
        .column(batch.schema().index_of("outcome_score").unwrap())
        .as_primitive::<Float64Type>()
        .value(0);
    assert_eq!(score, 7780.0);
    assert_eq!(int(batch, "outcome_level", 0), 1);
    let completed = batch
        .column(batch.schema().index_of("completed_at").unwrap())
        .as_primitive::<TimestampMicrosecondType>();
    // 2024-01-15 14:17:42 = 19737 days after the epoch (54 years incl. 13 leap days = 19723, +14) and 51462 s.
    assert_eq!(
        completed.value(0),
        (19_737 * 86_400 + 14 * 3600 + 17 * 60 + 42) * 1_000_000
    );
    let registered = batch.column(batch.schema().index_of("registration_effective_at").unwrap());
    assert!(!registered.is_null(0));
    assert!(
        batch
            .column(batch.schema().index_of("request_effective_at").unwrap())
            .is_null(0)
    );
}

#[test]
fn text_values_with_spaces_are_trimmed_with_a_warning() {
    let (parsed, diagnostics) = parse(&file(vec![event(
        json!([{"stakeholderIdType": 2, "__text": "  750100125 "}]),
        28,
    )]));
    assert_eq!(
        text(&parsed.events, "recipient_finess_et", 0).as_deref(),
        Some("750100125")
    );
    assert_eq!(
        warning_paths(&diagnostics, "espaces autour"),
        vec!["$.events.event[0].stakeholders[0].stakeholderId[0].__text"]
    );
}

#[test]
fn stakeholder_id_may_be_an_object_or_an_array() {
    let object = event(json!({"stakeholderIdType": 2, "__text": "930100037"}), 28);
    let array = event(site("750712184"), 28);
    let (parsed, diagnostics) = parse(&file(vec![object, array]));
    assert!(diagnostics.rejects.is_empty());
    assert_eq!(
        text(&parsed.events, "recipient_finess_et", 0).as_deref(),
        Some("930100037")
    );
    assert_eq!(
        text(&parsed.events, "recipient_finess_et", 1).as_deref(),
        Some("750712184")
    );
}

#[test]
fn identifiers_that_are_not_digits_are_kept_with_a_warning() {
    let document = json!({"events": {
        "stakeholders": [
            {"stakeholderId": {"stakeholderIdType": 4, "__text": "identifiant_siren_ex_industriel"},
             "stakeholderNameTypes": [{"stakeholderNameType": 1, "__text": "INDUS"}], "stakeholderType": 3, "stakeholderRoleType": 2},
            {"stakeholderId": {"stakeholderIdType": 3, "__text": "TST-00"},
             "stakeholderNameTypes": [{"stakeholderNameType": 1, "__text": "GHT TEST"}], "stakeholderType": 2, "stakeholderRoleType": 1}
        ],
        "event": [event(site("750100125"), 29)]
    }});
    let (parsed, diagnostics) = parse(&serde_json::to_vec(&document).unwrap());
    assert_eq!(parsed.events.num_rows(), 1);
    assert_eq!(
        text(&parsed.events, "provider_id", 0).as_deref(),
        Some("identifiant_siren_ex_industriel")
    );
    assert_eq!(text(&parsed.events, "provider_id_type", 0).as_deref(), Some("siren"));
    assert_eq!(text(&parsed.events, "requester_id", 0).as_deref(), Some("TST-00"));
    assert_eq!(
        warning_paths(&diagnostics, "SIREN non conforme"),
        vec!["$.events.stakeholders[0].stakeholderId"]
    );
    assert_eq!(
        warning_paths(&diagnostics, "n'est pas un numéro FINESS"),
        vec!["$.events.stakeholders[1].stakeholderId"]
    );
}

#[test]
fn the_placeholder_finess_is_stored_with_a_warning() {
    let (parsed, diagnostics) = parse(&file(vec![event(site("000000001"), 29)]));
    assert_eq!(
        text(&parsed.events, "recipient_finess_et", 0).as_deref(),
        Some("000000001")
    );
    assert_eq!(
        warning_paths(&diagnostics, "FINESS fictif"),
        vec!["$.events.event[0].stakeholders[0].stakeholderId[0]"]
    );
}

#[test]
fn a_name_type_outside_the_code_list_is_warned() {
    let mut with_odd_name = event(site("750100125"), 28);
    with_odd_name["stakeholders"][0]["stakeholderNameTypes"] =
        json!([{"stakeholderNameType": 6, "__text": "GHT TEST"}]);
    let (parsed, diagnostics) = parse(&file(vec![with_odd_name]));
    assert_eq!(text(&parsed.events, "recipient_name", 0).as_deref(), Some("GHT TEST"));
    assert_eq!(
        warning_paths(&diagnostics, "type de nom hors liste"),
        vec!["$.events.event[0].stakeholders[0].stakeholderNameTypes[0].stakeholderNameType"]
    );
}

#[test]
fn functional_contexts_73_and_74_are_kept_with_a_warning() {
    let mut with_contexts = event(site("750100125"), 28);
    with_contexts["scopes"] = json!([{"functionalContexts": [
        {"functionalContextCategory": 71, "__text": "portail", "isPersonalData": true, "isPersonalHealthcareData": false},
        {"functionalContextCategory": 73, "__text": "site institutionnel"},
        {"functionalContextCategory": 74, "__text": "site associatif", "isPersonalHealthcareData": true}
    ], "domains": ["a.fr", " b.fr", "a.fr"], "subnetIpV4s": ["x/32"], "autonomousSystemNumbers": ["AS1", "AS2"]}]);
    let (parsed, diagnostics) = parse(&file(vec![with_contexts]));
    assert_eq!(
        warning_paths(&diagnostics, "hors de l'énumération"),
        vec![
            "$.events.event[0].scopes[0].functionalContexts[1].functionalContextCategory",
            "$.events.event[0].scopes[0].functionalContexts[2].functionalContextCategory"
        ]
    );
    let batch = &parsed.events;
    assert_eq!(int(batch, "functional_context_count", 0), 3);
    assert_eq!(
        int(batch, "domain_count", 0),
        2,
        "a.fr twice and ' b.fr' trimmed: two distinct domains"
    );
    assert_eq!(int(batch, "asn_count", 0), 2);
    assert_eq!(int(batch, "subnet_v4_count", 0), 1);
    let flag = |name| {
        batch
            .column(batch.schema().index_of(name).unwrap())
            .as_boolean()
            .value(0)
    };
    assert!(flag("has_personal_data"));
    assert!(flag("has_health_data"));
}

#[test]
fn contexts_placed_directly_under_the_event_are_counted_with_a_warning() {
    let mut misplaced = event(site("750100125"), 60);
    misplaced["functionalContexts"] = json!([{"functionalContextCategory": 5, "__text": "site A"}]);
    misplaced["technicalContexts"] = json!([{"technicalContextCategory": 6, "__text": "vlan4094"}]);
    misplaced["scopes"] = json!([{"functionalContexts": [{"functionalContextCategory": 5, "__text": "site A"}, {"functionalContextCategory": 5, "__text": "site B"}]}]);
    let (parsed, diagnostics) = parse(&file(vec![misplaced]));
    assert_eq!(
        warning_paths(&diagnostics, "directement sous l'événement"),
        vec![
            "$.events.event[0].functionalContexts",
            "$.events.event[0].technicalContexts"
        ]
    );
    // "site A" appears in both places: counted once.
    assert_eq!(int(&parsed.events, "functional_context_count", 0), 2);
    assert_eq!(int(&parsed.events, "technical_context_count", 0), 1);
}

#[test]
fn a_repeated_identifier_is_warned_once_and_the_site_wins_over_the_legal_entity() {
    let ids = json!([
        {"stakeholderIdType": 3, "__text": "930100037"},
        {"stakeholderIdType": 2, "__text": "930100037"},
        {"stakeholderIdType": 2, "__text": "930100037"}
    ]);
    let (parsed, diagnostics) = parse(&file(vec![event(ids, 27)]));
    assert_eq!(
        warning_paths(&diagnostics, "identifiant répété"),
        vec!["$.events.event[0].stakeholders[0].stakeholderId[2]"]
    );
    assert_eq!(
        text(&parsed.events, "recipient_finess_et", 0).as_deref(),
        Some("930100037")
    );
    assert_eq!(
        text(&parsed.events, "recipient_finess_ej", 0).as_deref(),
        Some("930100037")
    );
}

#[test]
fn a_recipient_known_only_by_its_legal_entity_or_range_is_kept() {
    let legal = event(json!([{"stakeholderIdType": 3, "__text": "750712184"}]), 28);
    let range = event(json!([{"stakeholderIdType": 1, "__text": "750100125"}]), 28);
    let (parsed, diagnostics) = parse(&file(vec![legal, range]));
    assert!(diagnostics.rejects.is_empty());
    assert_eq!(text(&parsed.events, "recipient_finess_et", 0), None);
    assert_eq!(
        text(&parsed.events, "recipient_finess_ej", 0).as_deref(),
        Some("750712184")
    );
    assert_eq!(
        text(&parsed.events, "recipient_finess_range", 1).as_deref(),
        Some("750100125")
    );
}

#[test]
fn events_that_cannot_be_understood_are_rejected_and_the_others_kept() {
    let good = event(site("750100125"), 28);
    let mut no_recipient = event(site("750100125"), 28);
    no_recipient["stakeholders"][0]["stakeholderRoleType"] = json!(2);
    let mut no_date = event(site("750100125"), 28);
    no_date["dates"] = json!([{"dateType": 7, "__text": "pas une date"}]);
    let unknown_type = event(site("750100125"), 99);
    let mut bad_finess = event(site("ABC"), 28);
    bad_finess["outcome"] = json!({"level": 3});
    let (parsed, diagnostics) = parse(&file(vec![good, no_recipient, no_date, unknown_type, bad_finess]));
    assert_eq!(parsed.events_read, 5);
    assert_eq!(parsed.events.num_rows(), 1);
    let rejects: Vec<(&str, &str)> = diagnostics
        .rejects
        .iter()
        .map(|reject| (reject.location.json_path.as_deref().unwrap(), reject.reason.as_str()))
        .collect();
    assert_eq!(rejects.len(), 4, "{rejects:?}");
    assert_eq!(rejects[0].0, "$.events.event[1]");
    assert!(rejects[0].1.contains("aucun établissement destinataire"));
    assert_eq!(rejects[1].0, "$.events.event[2].dates");
    assert!(rejects[1].1.contains("aucune date lisible"));
    assert_eq!(rejects[2].0, "$.events.event[3].eventType");
    assert!(rejects[2].1.contains("type d'événement inconnu"));
    assert_eq!(rejects[3].0, "$.events.event[4].stakeholders");
    assert!(rejects[3].1.contains("aucun FINESS"));
}

#[test]
fn a_byte_order_mark_is_accepted_with_a_warning() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(file(vec![event(site("750100125"), 28)]));
    let (parsed, diagnostics) = parse(&bytes);
    assert_eq!(parsed.events.num_rows(), 1);
    assert_eq!(warning_paths(&diagnostics, "BOM"), vec!["$"]);
}

#[test]
fn latin1_bytes_refuse_the_file_with_the_offset() {
    let mut bytes = br#"{"events": {"event": [], "x": "Agence du Num"#.to_vec();
    let offset = bytes.len();
    bytes.extend(b"\xe9rique\"}}");
    let mut diagnostics = Diagnostics::default();
    let refusal = opssies::parse(&bytes, None, &mut diagnostics).unwrap_err();
    assert_eq!(refusal, Refusal::NotUtf8 { offset, byte: 0xE9 });
    let message = refusal.to_string();
    assert!(
        message.contains("pas en UTF-8") && message.contains(&format!("position {offset}")),
        "{message}"
    );
}

#[test]
fn malformed_json_refuses_the_file_with_line_and_column() {
    let bytes = b"{\n  \"events\": {\n    \"event\": [\n      \"a\",\n    ]\n  }\n}";
    let mut diagnostics = Diagnostics::default();
    let refusal = opssies::parse(bytes, None, &mut diagnostics).unwrap_err();
    // The trailing comma after "a" is found when `]` arrives: line 5, column 5.
    match &refusal {
        Refusal::InvalidJson { line, column, .. } => assert_eq!((*line, *column), (5, 5)),
        other => panic!("unexpected refusal {other:?}"),
    }
    assert!(refusal.to_string().contains("ligne 5, colonne 5"));
}

#[test]
fn a_file_without_events_root_is_refused() {
    let mut diagnostics = Diagnostics::default();
    let refusal = opssies::parse(br#"{"evenements": []}"#, None, &mut diagnostics).unwrap_err();
    assert!(matches!(refusal, Refusal::Structure(_)));
}

#[test]
fn tlp_is_normalised_and_missing_tlp_is_most_restrictive() {
    let mut upper = event(site("750100125"), 28);
    upper["tlp"] = json!("TLP:GREEN");
    let mut missing = event(site("750100125"), 61);
    missing.as_object_mut().unwrap().remove("tlp");
    let mut white = event(site("750100125"), 27);
    white["tlp"] = json!("white");
    let (parsed, diagnostics) = parse(&file(vec![upper, missing, white]));
    let tlps: Vec<String> = (0..3).map(|row| text(&parsed.events, "tlp", row).unwrap()).collect();
    assert_eq!(tlps, vec!["green", "red", "clear"]);
    assert_eq!(warning_paths(&diagnostics, "TLP").len(), 3);
}

#[test]
fn the_same_event_twice_in_one_file_is_kept_once() {
    let one = event(site("750100125"), 28);
    let (parsed, diagnostics) = parse(&file(vec![one.clone(), one]));
    assert_eq!(parsed.events.num_rows(), 1);
    assert_eq!(
        warning_paths(&diagnostics, "identique à $.events.event[0]"),
        vec!["$.events.event[1]"]
    );
}

#[test]
fn event_identity_ignores_layout_and_key_order() {
    let compact = br#"{"events":{"event":[{"eventType":28,"tlp":"amber","dates":[{"dateType":7,"__text":"20240115-141742"}],"stakeholders":[{"stakeholderRoleType":4,"stakeholderId":[{"stakeholderIdType":2,"__text":"750100125"}]}]}]}}"#;
    let spread = b"{\n \"events\": {\"event\": [ {\"stakeholders\": [{\"stakeholderId\": [{\"__text\": \" 750100125\", \"stakeholderIdType\": 2}], \"stakeholderRoleType\": 4}],\n \"dates\": [{\"__text\": \"20240115-141742\", \"dateType\": 7}], \"tlp\": \"amber\", \"eventType\": 28}]}}";
    let (first, _) = parse(compact);
    let (second, _) = parse(spread);
    assert_eq!(text(&first.events, "event_id", 0), text(&second.events, "event_id", 0));
    let (other, _) = parse(&file(vec![event(site("750100125"), 61)]));
    assert_ne!(text(&first.events, "event_id", 0), text(&other.events, "event_id", 0));
}

#[test]
fn care_d1_file_names_give_sender_and_generation_time() {
    let name = parse_care_d1_name("COMPANY-D1-20250101-101520.json").unwrap();
    assert_eq!(name.sender, "COMPANY");
    assert_eq!(name.generated_at.to_string(), "2025-01-01 10:15:20");
    let dashed = parse_care_d1_name("/tmp/MA-SOCIETE-D1-20241231-235959.json").unwrap();
    assert_eq!(dashed.sender, "MA-SOCIETE");
    assert!(parse_care_d1_name("instance-d1.json").is_none());
    assert!(
        parse_care_d1_name("COMPANY-D1-20251301-101520.json").is_none(),
        "month 13"
    );
}

#[test]
fn an_array_of_documents_and_a_single_event_object_are_both_understood() {
    let one = json!({"events": {"event": [event(site("750100125"), 28)]}});
    let single_object = json!({"events": {"event": event(site("930100037"), 61)}});
    let bytes = serde_json::to_vec(&json!([one, single_object])).unwrap();
    let (parsed, diagnostics) = parse(&bytes);
    assert_eq!(parsed.events_read, 2);
    assert_eq!(parsed.events.num_rows(), 2);
    assert_eq!(
        text(&parsed.events, "json_path", 0).as_deref(),
        Some("$[0].events.event[0]")
    );
    assert_eq!(
        text(&parsed.events, "json_path", 1).as_deref(),
        Some("$[1].events.event")
    );
    assert_eq!(warning_paths(&diagnostics, "tableau de 2 document(s)"), vec!["$"]);
    assert_eq!(
        warning_paths(&diagnostics, "objet et non un tableau"),
        vec!["$[1].events.event"]
    );
}

#[test]
fn the_json_schema_itself_is_refused_with_a_clear_message() {
    let mut diagnostics = Diagnostics::default();
    let refusal = opssies::parse(
        br#"{"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"events": {}}}"#,
        None,
        &mut diagnostics,
    )
    .unwrap_err();
    assert!(refusal.to_string().contains("schéma JSON"), "{refusal}");
}
