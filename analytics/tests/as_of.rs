//! "As of a date" means what was known then (issue 17, finding 1): of two exports of one
//! campaign, a replay between them reads the earlier one. Expected values worked out here.

#![allow(clippy::unwrap_used)]

mod common;

use analytics::{Analytics, EstablishmentStatus, Filter, Scope, Settings};
use common::{Fixture, day, finess, uniform_answers};

fn status(fixture: &Fixture, as_of: &str, site: &str) -> EstablishmentStatus {
    let settings = Settings::default();
    Analytics::new(fixture.store.connection(), &settings)
        .establishments(day(as_of), &Scope::region(), &Filter::default())
        .unwrap()
        .into_iter()
        .find(|row| row.finess_et == site)
        .unwrap()
}

#[test]
fn a_replay_between_two_exports_of_one_campaign_reads_the_earlier_one() {
    let site = finess("75", 1);
    let mut fixture = Fixture::new();
    fixture.sites(&[(&site, "75", "355", "1")]);
    // Campaign 2025 exported twice: 10/03/2025 in progress, every answer "Oui" (10 of 10
    // points: maturity 100); 15/09/2025 validated, every answer "Non".
    fixture.declaration(&site, 2025, "10/03/2025", "En cours", &uniform_answers("Oui"));
    fixture.declaration(&site, 2025, "15/09/2025", "Validé", &uniform_answers("Non"));

    // 30/06/2025, between the two: the March export. Its age is 21 days left in March + 30
    // (April) + 31 (May) + 30 (June) = 112 days: over 90, at most 365 → « à rafraîchir »; not
    // validated but at most 365 days old → E3 « partiel »; maturity 100.
    let june = status(&fixture, "2025-06-30", &site);
    assert_eq!(june.last_declaration_on, Some(day("2025-03-10")));
    assert_eq!(june.freshness, "à rafraîchir");
    assert_eq!(june.e3_observatory, "partiel");
    assert_eq!(june.last_declaration_status.as_deref(), Some("En cours"));
    assert_eq!(june.maturity.map(|m| m.round()), Some(100.0));

    // The day before the March export: nothing known → « jamais », E3 « non atteint ».
    let before = status(&fixture, "2025-03-09", &site);
    assert_eq!(before.freshness, "jamais");
    assert_eq!(before.e3_observatory, "non atteint");
    assert_eq!(before.maturity, None);

    // 01/10/2025: the September export, 16 days old → « à jour », validated → E3 « atteint »,
    // and its answers (all "Non") give a lower maturity than March's.
    let october = status(&fixture, "2025-10-01", &site);
    assert_eq!(october.last_declaration_on, Some(day("2025-09-15")));
    assert_eq!(october.freshness, "à jour");
    assert_eq!(october.e3_observatory, "atteint");
    assert!(october.maturity.unwrap() < 100.0, "{:?}", october.maturity);

    // The fiche's domains follow the same submission: every domain at 100 in June.
    let settings = Settings::default();
    let fiche = Analytics::new(fixture.store.connection(), &settings)
        .fiche(&site, day("2025-06-30"), &Scope::region())
        .unwrap();
    assert!(!fiche.domains.is_empty());
    assert!(
        fiche.domains.iter().all(|d| d.score.map(f64::round) == Some(100.0)),
        "{:?}",
        fiche.domains
    );
    assert!(fiche.domains.iter().all(|d| d.previous.is_none()));

    // What was left out, and the timeline: on 30/06 nothing is replaced yet (September is not
    // known); on 01/10 the March submission is replaced by September's, and the fiche's
    // timeline shows both, the March one marked as replaced.
    let analytics = Analytics::new(fixture.store.connection(), &settings);
    assert!(
        analytics
            .superseded(day("2025-06-30"), &Scope::region(), 10)
            .unwrap()
            .is_empty()
    );
    let replaced = analytics.superseded(day("2025-10-01"), &Scope::region(), 10).unwrap();
    assert_eq!(replaced.len(), 1, "{replaced:?}");
    assert_eq!(replaced[0].item, format!("{site} — campagne 2025"));
    assert_eq!(
        (replaced[0].version_on, replaced[0].replaced_by_on),
        (Some(day("2025-03-10")), Some(day("2025-09-15")))
    );
    let timeline: Vec<(Option<chrono::NaiveDate>, Option<String>)> = analytics
        .fiche(&site, day("2025-10-01"), &Scope::region())
        .unwrap()
        .timeline
        .into_iter()
        .filter(|event| event.source == "oSIS")
        .map(|event| (event.date, event.detail))
        .collect();
    assert_eq!(
        timeline,
        [
            (Some(day("2025-09-15")), Some("Validé".to_owned())),
            (
                Some(day("2025-03-10")),
                Some("En cours (remplacée par une déclaration plus récente)".to_owned())
            ),
        ]
    );
}

/// Finding 2: a site present in one FINESS extract and absent from a newer one is closed from
/// that extract's date — out of every list, aggregate and denominator, its fiche saying so —
/// and open again when a later extract holds it.
#[test]
fn a_site_missing_from_a_newer_extract_is_closed_from_that_extract_s_date() {
    let (a, b, c) = (finess("75", 1), finess("75", 2), finess("75", 3));
    let all = [
        (a.as_str(), "75", "355", "1"),
        (b.as_str(), "75", "355", "1"),
        (c.as_str(), "75", "355", "1"),
    ];
    let mut fixture = Fixture::new();
    // 15/01: A, B, C. 01/06: A, B (C gone). 01/09: A, B, C (C back).
    fixture.sites_on("2026-01-15", &all);
    fixture.sites_on("2026-06-01", &all[..2]);
    fixture.sites_on("2026-09-01", &all);
    let settings = Settings::default();
    let analytics = Analytics::new(fixture.store.connection(), &settings);
    let counted = |as_of: &str| {
        analytics
            .regional(day(as_of), &Scope::region(), &Filter::default())
            .unwrap()
            .headline
            .establishments
    };
    let listed = |as_of: &str| -> Vec<String> {
        analytics
            .establishments(day(as_of), &Scope::region(), &Filter::default())
            .unwrap()
            .into_iter()
            .map(|row| row.finess_et)
            .collect()
    };
    // Both sides of the closing date, then of the reopening.
    assert_eq!(counted("2026-05-31"), 3);
    assert_eq!(counted("2026-06-01"), 2);
    assert_eq!(counted("2026-07-01"), 2);
    assert_eq!(listed("2026-07-01"), vec![a.clone(), b.clone()]);
    assert_eq!(counted("2026-08-31"), 2);
    assert_eq!(counted("2026-09-01"), 3);
    assert_eq!(listed("2026-09-15").len(), 3);
    // Before any extract of its own date the site is simply open (15/01 is the first).
    assert_eq!(counted("2026-03-01"), 3);
    // Its fiche stays readable and says since when it is closed.
    let fiche = analytics.fiche(&c, day("2026-07-01"), &Scope::region()).unwrap();
    assert_eq!(fiche.status.closed_on, Some(day("2026-06-01")));
    let fiche = analytics.fiche(&c, day("2026-09-15"), &Scope::region()).unwrap();
    assert_eq!(fiche.status.closed_on, None);
    // Nor is it a target of SESAN while closed (it has every reason to be one otherwise).
    let targets: Vec<String> = analytics
        .targeting(day("2026-07-01"), &Scope::region(), &Filter::default())
        .unwrap()
        .into_iter()
        .map(|row| row.finess_et)
        .collect();
    assert!(!targets.contains(&c) && targets.contains(&a), "{targets:?}");
}

/// The 7-day merge of a workbook exercise with an OPSSIES event 43 is the setting
/// `same_exercise_within_days`, read by the SQL (it was a constant of a migration).
#[test]
fn the_exercise_merge_follows_its_setting() {
    let site = finess("75", 1);
    let mut fixture = Fixture::new();
    fixture.sites(&[(&site, "75", "355", "1")]);
    // The workbook says 01/03/2026; OPSSIES reports an exercise on 09/03/2026: 8 days apart.
    fixture.exercises(&[(&site, "", "01/03/2026")]);
    fixture.event(&site, 43, 7, "20260309-100000", "amber");
    let last = |days: i64| {
        let settings =
            Settings::from_layers(&[("x.toml", &format!("[exercises]\nsame_exercise_within_days = {days}\n"))])
                .unwrap();
        let row = Analytics::new(fixture.store.connection(), &settings)
            .establishments(day("2026-04-01"), &Scope::region(), &Filter::default())
            .unwrap()
            .remove(0);
        (row.last_exercise_on, row.last_exercise_source)
    };
    // 7 days: two exercises, the latest is OPSSIES's of 09/03.
    assert_eq!(last(7), (Some(day("2026-03-09")), Some("opssies".to_owned())));
    // 8 days: one exercise, the workbook's date, both sources.
    assert_eq!(last(8), (Some(day("2026-03-01")), Some("classeur+opssies".to_owned())));
    // And the methodology says so.
    let settings = Settings::from_layers(&[("x.toml", "[exercises]\nsame_exercise_within_days = 8\n")]).unwrap();
    assert!(
        analytics::methodology::text(&settings, analytics::methodology::Amounts::Hidden, &[])
            .contains("à 8 jours d'écart ou moins")
    );
}

/// Finding 1 for the call's applications: a replay reads each application's version known
/// then (the newest updated on or before the date), and leaves out one first seen later.
#[test]
fn a_replay_of_the_call_reads_the_applications_as_exported_then() {
    let site = finess("75", 1);
    let mut fixture = Fixture::new();
    fixture.sites(&[(&site, "75", "355", "1")]);
    let header = "ID;État du dossier;Dernière mise à jour le;Déposé le;FINESS ET;Score de l'auto-évaluation;Montant de la commande (€);Date de dernière mise à jour OPSSIES;Grille d'auto-évaluation;Bon de commande\n";
    // June export: application 1, deposited 01/06/2023, order of 6,000 €.
    fixture.import_text(
        "dossiers-juin.csv",
        &format!("{header}1;en_instruction;02/06/2023 10:00;01/06/2023 09:00;{site};120;6000;15/05/2023;grille.pdf;commande.pdf\n"),
    );
    // October export: application 1 updated 02/10/2023 with an order of 0 € (check 6 fails),
    // and application 2 deposited 01/09/2023.
    fixture.import_text(
        "dossiers-octobre.csv",
        &format!(
            "{header}1;en_instruction;02/10/2023 10:00;01/06/2023 09:00;{site};120;0;15/05/2023;grille.pdf;commande.pdf\n\
             2;en_instruction;01/09/2023 10:00;01/09/2023 09:00;{site};120;6000;15/05/2023;grille.pdf;commande.pdf\n"
        ),
    );
    let settings = Settings::default();
    let analytics = Analytics::new(fixture.store.connection(), &settings);
    // 01/08/2023: only application 1, as exported in June: its order check (C6, index 5) passes.
    let august = analytics.aap(day("2023-08-01"), &Scope::region()).unwrap();
    let ids: Vec<i64> = august.applications.iter().map(|a| a.application_id).collect();
    assert_eq!(ids, vec![1]);
    assert_eq!(august.applications[0].checks[5], "ok");
    assert_eq!(august.applications[0].order_amount, Some(6000.0));
    // 15/10/2023: both, application 1 as updated in October: C6 fails.
    let october = analytics.aap(day("2023-10-15"), &Scope::region()).unwrap();
    let first = october.applications.iter().find(|a| a.application_id == 1).unwrap();
    assert_eq!(october.applications.len(), 2);
    assert_eq!(first.checks[5], "échec");
}
