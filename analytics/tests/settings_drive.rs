//! Each setting an indicator reads changes its figures and the methodology text (issue 17,
//! finding 3): the CNIL delay, the questions the catalogue marks as evidence of E4 and E5,
//! the freshness bounds and k. (`same_exercise_within_days`: as_of.rs.) Expected values
//! worked out in the comments.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use analytics::methodology::{Amounts, text};
use analytics::{Analytics, Filter, Scope, Settings};
use common::{Fixture, day, finess, status_with as status, uniform_answers};
use ingest::ImportOptions;
use ingest::catalogue::Catalogues;

fn with(layer: &str) -> Settings {
    Settings::from_layers(&[("réglage.toml", layer)]).unwrap()
}

fn methodology(fixture: &Fixture, settings: &Settings) -> String {
    let evidence = Analytics::new(fixture.store.connection(), settings)
        .evidence_questions()
        .unwrap();
    text(settings, Amounts::Hidden, &evidence)
}

#[test]
fn the_cnil_delay_is_the_setting() {
    let (a, b, c) = (finess("75", 1), finess("75", 2), finess("93", 3));
    let mut fixture = Fixture::new();
    fixture.sites(&[(&a, "75", "355", "1"), (&b, "75", "355", "1"), (&c, "93", "355", "1")]);
    // Three leaks declared 15/03/2024 10:00: A notified 72 h later to the minute, B 72 h and
    // one minute later, C never.
    fixture.incidents(&[
        ("15/03/2024 10:00", &a, true, "18/03/2024 10:00"),
        ("15/03/2024 10:00", &b, true, "18/03/2024 10:01"),
        ("15/03/2024 10:00", &c, true, ""),
    ]);
    let late_and_missing = |settings: &Settings| {
        let year = Analytics::new(fixture.store.connection(), settings)
            .regional(day("2024-12-31"), &Scope::region(), &Filter::default())
            .unwrap()
            .incidents
            .into_iter()
            .find(|year| year.year == 2024)
            .unwrap();
        (year.cnil_late, year.cnil_missing)
    };
    // 72 h (default): A is in time (exactly 72 h), B late by a minute, C never notified.
    assert_eq!(late_and_missing(&Settings::default()), (1, 1));
    // 48 h: A and B late.
    assert_eq!(late_and_missing(&with("[incidents]\ncnil_within_hours = 48\n")), (2, 1));
    // 73 h: both in time; C is still never notified.
    assert_eq!(late_and_missing(&with("[incidents]\ncnil_within_hours = 73\n")), (0, 1));
    // The fiche's timeline says the same of B, by the same rule.
    let detail = |settings: &Settings| {
        Analytics::new(fixture.store.connection(), settings)
            .fiche(&b, day("2024-12-31"), &Scope::region())
            .unwrap()
            .timeline
            .into_iter()
            .find(|event| event.source == "incident")
            .and_then(|event| event.detail)
            .unwrap()
    };
    assert_eq!(
        detail(&Settings::default()),
        "fuite de données notifiée à la CNIL hors délai"
    );
    assert_eq!(
        detail(&with("[incidents]\ncnil_within_hours = 73\n")),
        "fuite de données notifiée à la CNIL dans les délais"
    );
    assert!(methodology(&fixture, &Settings::default()).contains("plus de 72 heures après"));
    assert!(methodology(&fixture, &with("[incidents]\ncnil_within_hours = 48\n")).contains("plus de 48 heures après"));
}

#[test]
fn the_questions_evidencing_e4_and_e5_are_the_catalogue_s() {
    let site = finess("75", 1);
    // SENSI-01 (staff made aware) 60 %, GOUV-05 (security budget) 0 %, the applications map
    // up to date, the network map not.
    let answers = [
        ("SENSI-01", "60"),
        ("GOUV-05", "0"),
        ("CARTO-01", "Oui"),
        ("CARTO-02", "Non"),
    ];

    // The shipped catalogue: E4 is SENSI-01, E5 CARTO-01 and CARTO-02.
    let mut shipped = Fixture::new();
    shipped.sites(&[(&site, "75", "355", "1")]);
    shipped.declaration(&site, 2025, "10/03/2025", "Validé", &answers);
    let settings = Settings::default();
    let s = status(&shipped, &settings, "2025-06-30", &site);
    // 60 ≥ 50 → E4 met; one of the two maps « oui » → E5 partial.
    assert_eq!(s.staff_trained_percent, Some(60.0));
    assert_eq!(s.e4_awareness, "atteint");
    assert_eq!(s.e5_cartography, "partiel");
    let shipped_text = methodology(&shipped, &settings);
    assert!(
        shipped_text.contains("SENSI-01 « Part du personnel sensibilisé cette année (%) »"),
        "{shipped_text}"
    );
    assert!(shipped_text.contains("CARTO-01 « La cartographie des applications est-elle à jour ? » et CARTO-02"));

    // A catalogue where GOUV-05 evidences E4 and only CARTO-01 evidences E5.
    let catalogue: String = include_str!("../../data/catalogue/v1.csv")
        .lines()
        .map(|line| {
            let code = line.split(';').next().unwrap_or("");
            match code {
                "SENSI-01" | "CARTO-02" => line.trim_end_matches("E4").trim_end_matches("E5").to_owned(),
                "GOUV-05" => format!("{line}E4"),
                _ => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let options = ImportOptions {
        catalogues: Arc::new(Catalogues::from_text("v1", &catalogue, &[2025]).unwrap()),
        ..ImportOptions::default()
    };
    let mut other = Fixture::new();
    other.sites(&[(&site, "75", "355", "1")]);
    other.declaration_with(&options, &site, 2025, "10/03/2025", "Validé", &answers);
    let s = status(&other, &settings, "2025-06-30", &site);
    // GOUV-05 at 0 %: answered, under 1 % → E4 not met; the one E5 question « oui » → met.
    assert_eq!(s.staff_trained_percent, Some(0.0));
    assert_eq!(s.e4_awareness, "non atteint");
    assert_eq!(s.e5_cartography, "atteint");
    let other_text = methodology(&other, &settings);
    assert!(
        other_text.contains("GOUV-05 « Part du budget informatique consacrée à la sécurité (%) »"),
        "{other_text}"
    );
    assert!(
        !other_text.contains("SENSI-01") && !other_text.contains("CARTO-02"),
        "{other_text}"
    );
}

#[test]
fn the_freshness_bounds_are_the_settings() {
    let site = finess("75", 1);
    let mut fixture = Fixture::new();
    fixture.sites(&[(&site, "75", "355", "1")]);
    fixture.declaration(&site, 2025, "10/03/2025", "Validé", &uniform_answers("Oui"));
    // On 30/06/2025 the declaration is 21 + 30 + 31 + 30 = 112 days old.
    let freshness = |settings: &Settings| status(&fixture, settings, "2025-06-30", &site).freshness;
    // Default 90 / 365: over 90, at most 365 → « à rafraîchir ».
    assert_eq!(freshness(&Settings::default()), "à rafraîchir");
    // Up to date for 112 days: « à jour »; for 111: still « à rafraîchir ».
    assert_eq!(freshness(&with("[freshness]\nup_to_date_days = 112\n")), "à jour");
    assert_eq!(freshness(&with("[freshness]\nup_to_date_days = 111\n")), "à rafraîchir");
    // To refresh up to 111 days only: « obsolète ».
    assert_eq!(
        freshness(&with("[freshness]\nup_to_date_days = 30\nrefresh_days = 111\n")),
        "obsolète"
    );
    let changed = methodology(&fixture, &with("[freshness]\nup_to_date_days = 112\n"));
    assert!(
        changed.contains("À jour : 112 jours ou moins ; à rafraîchir : de 113 à 365 jours"),
        "{changed}"
    );
}

#[test]
fn k_hides_groups_under_it() {
    // Five public CH of Paris with a maturity: one peer group of five.
    let sites: Vec<String> = (1..=5).map(|serial| finess("75", serial)).collect();
    let mut fixture = Fixture::new();
    let rows: Vec<(&str, &str, &str, &str)> = sites.iter().map(|site| (site.as_str(), "75", "355", "1")).collect();
    fixture.sites(&rows);
    for site in &sites {
        fixture.declaration(site, 2025, "10/03/2025", "Validé", &uniform_answers("Oui"));
    }
    let groups = |settings: &Settings| {
        Analytics::new(fixture.store.connection(), settings)
            .peer_groups(day("2025-06-30"), &Scope::region(), &Filter::default())
            .unwrap()
            .into_iter()
            .map(|group| (group.group, group.figures.establishments))
            .collect::<Vec<_>>()
    };
    // k = 5 (default): the group of five is shown.
    assert_eq!(groups(&Settings::default()), [("Public — CH".to_owned(), 5)]);
    // k = 6: hidden.
    let six = with("[benchmarks]\nminimum_group_size = 6\n");
    assert!(groups(&six).is_empty());
    // The fiche's peer figures follow the same k (no group of six: no figure at all).
    let fiche = Analytics::new(fixture.store.connection(), &six)
        .fiche(&sites[0], day("2025-06-30"), &Scope::region())
        .unwrap();
    assert!(
        fiche.benchmarks.iter().all(|b| b.figures.is_none()),
        "{:?}",
        fiche.benchmarks
    );
    assert!(methodology(&fixture, &six).contains("moins de 6 établissements"));
}
