//! Every boundary listed under "Correctness" in indicators.md, on hand-made cases whose
//! expected value is worked out here, in the comments, not read from the code.

#![allow(clippy::unwrap_used)]

mod common;

use analytics::{Analytics, EstablishmentStatus, Filter, Scope, Settings};
use common::{Fixture, day, finess, uniform_answers};

fn statuses(fixture: &Fixture, as_of: &str) -> Vec<EstablishmentStatus> {
    let settings = Settings::default();
    Analytics::new(fixture.store.connection(), &settings)
        .establishments(day(as_of), &Scope::region(), &Filter::default())
        .unwrap()
}

fn of<'a>(rows: &'a [EstablishmentStatus], site: &str) -> &'a EstablishmentStatus {
    rows.iter().find(|row| row.finess_et == site).unwrap()
}

#[test]
fn declaration_freshness_day_90_91_365_366_and_never() {
    let sites: Vec<String> = (1..=5).map(|n| finess("75", n)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "75", "355", "1")).collect::<Vec<_>>());
    // As of 15/06/2026: 90 days before is 17/03/2026 (15 days of June + 31 of May + 30 of
    // April = 76, plus 14 days back into March → 17/03); 91 days is 16/03/2026.
    // 365 days before 15/06/2026 is 15/06/2025 (no 29 February in between); 366 is 14/06/2025.
    fixture
        .declaration(&sites[0], 2026, "17/03/2026", "Validé", &[])
        .declaration(&sites[1], 2026, "16/03/2026", "Validé", &[])
        .declaration(&sites[2], 2025, "15/06/2025", "Validé", &[])
        .declaration(&sites[3], 2025, "14/06/2025", "Validé", &[]);
    let rows = statuses(&fixture, "2026-06-15");
    assert_eq!(of(&rows, &sites[0]).freshness, "à jour");
    assert_eq!(of(&rows, &sites[1]).freshness, "à rafraîchir");
    assert_eq!(of(&rows, &sites[2]).freshness, "à rafraîchir");
    assert_eq!(of(&rows, &sites[3]).freshness, "obsolète");
    assert_eq!(of(&rows, &sites[4]).freshness, "jamais");
    // E3: a validated declaration of at most 365 days is met; 366 days is not.
    assert_eq!(of(&rows, &sites[2]).e3_observatory, "atteint");
    assert_eq!(of(&rows, &sites[3]).e3_observatory, "non atteint");
    // Before the first of them, the same store says "never" for everyone.
    assert!(
        statuses(&fixture, "2025-06-13")
            .iter()
            .all(|row| row.freshness == "jamais")
    );
}

#[test]
fn exercise_day_365_366_and_planned_day_90_91() {
    let sites: Vec<String> = (1..=5).map(|n| finess("93", n)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "93", "355", "1")).collect::<Vec<_>>());
    // As of 10/10/2026: 365 days before is 10/10/2025; 366 days is 09/10/2025.
    // 90 days after is 08/01/2027 (21 days left in October + 30 + 31 = 82, plus 8); 91 is 09/01/2027.
    fixture.exercises(&[
        (&sites[0], "", "10/10/2025"),
        (&sites[1], "", "09/10/2025"),
        (&sites[2], "08/01/2027", ""),
        (&sites[3], "09/01/2027", ""),
        (&sites[4], "", "09/10/2025"),
        (&sites[4], "08/01/2027", ""),
    ]);
    let rows = statuses(&fixture, "2026-10-10");
    assert_eq!(of(&rows, &sites[0]).exercise_status, "réalisé");
    assert_eq!(of(&rows, &sites[1]).exercise_status, "en retard");
    assert_eq!(of(&rows, &sites[2]).exercise_status, "planifié");
    assert_eq!(of(&rows, &sites[3]).exercise_status, "jamais");
    assert_eq!(of(&rows, &sites[4]).exercise_status, "planifié");
    // E1 follows: met, not met, partial.
    assert_eq!(of(&rows, &sites[0]).e1_exercise, "atteint");
    assert_eq!(of(&rows, &sites[1]).e1_exercise, "non atteint");
    assert_eq!(of(&rows, &sites[2]).e1_exercise, "partiel");
}

#[test]
fn leap_years_count_their_29_february() {
    let sites: Vec<String> = (1..=4).map(|n| finess("94", n)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "94", "355", "1")).collect::<Vec<_>>());
    // 2024 has 366 days: 31/12/2024 is 365 days after 01/01/2024, and 366 after 31/12/2023.
    fixture.exercises(&[(&sites[0], "", "01/01/2024"), (&sites[1], "", "31/12/2023")]);
    // As of 01/03/2024: 02/03/2023 is 365 days before (the year between holds 29/02/2024),
    // 01/03/2023 is 366 days before.
    fixture
        .declaration(&sites[2], 2023, "02/03/2023", "Validé", &[])
        .declaration(&sites[3], 2023, "01/03/2023", "Validé", &[]);
    let rows = statuses(&fixture, "2024-12-31");
    assert_eq!(of(&rows, &sites[0]).exercise_status, "réalisé");
    assert_eq!(of(&rows, &sites[1]).exercise_status, "en retard");
    let rows = statuses(&fixture, "2024-03-01");
    assert_eq!(of(&rows, &sites[2]).freshness, "à rafraîchir");
    assert_eq!(of(&rows, &sites[3]).freshness, "obsolète");
}

#[test]
fn self_assessment_scores_74_75_150_151_choose_the_kit() {
    let sites: Vec<String> = (1..=4).map(|n| finess("77", n)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "77", "355", "1")).collect::<Vec<_>>());
    // With 1 / 5 / 10 points per level and 23 questions:
    //   14 × 1 + 6 × 5 + 3 × 10 = 74   → débutant (score < 75)
    //   10 × 1 + 13 × 5 + 0 × 10 = 75  → intermédiaire
    //   5 × 1 + 7 × 5 + 11 × 10 = 150  → intermédiaire (75 ≤ score ≤ 150)
    //   6 × 1 + 5 × 5 + 12 × 10 = 151  → confirmé
    let levels = |beginner: usize, intermediate: usize, confirmed: usize| -> Vec<u8> {
        std::iter::repeat_n(1, beginner)
            .chain(std::iter::repeat_n(2, intermediate))
            .chain(std::iter::repeat_n(3, confirmed))
            .collect()
    };
    fixture.grids(&[
        (&sites[0], "01/03/2026", levels(14, 6, 3)),
        (&sites[1], "01/03/2026", levels(10, 13, 0)),
        (&sites[2], "01/03/2026", levels(5, 7, 11)),
        (&sites[3], "01/03/2026", levels(6, 5, 12)),
    ]);
    let rows = statuses(&fixture, "2026-06-01");
    let kit = |index: usize| {
        let row = of(&rows, &sites[index]);
        (row.self_assessment_score.unwrap(), row.recommended_kit.clone().unwrap())
    };
    assert_eq!(kit(0), (74, "débutant".to_owned()));
    assert_eq!(kit(1), (75, "intermédiaire".to_owned()));
    assert_eq!(kit(2), (150, "intermédiaire".to_owned()));
    assert_eq!(kit(3), (151, "confirmé".to_owned()));
}

#[test]
fn aap_update_within_exactly_three_calendar_months_and_the_window_edges() {
    let sites: Vec<String> = (1..=6).map(|n| finess("78", n)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "78", "355", "1")).collect::<Vec<_>>());
    // Each site's observatory declaration is the date it declares, so check 5 passes.
    let declared = [
        "28/02/2023",
        "27/02/2023",
        "15/03/2023",
        "14/03/2023",
        "01/04/2023",
        "01/04/2023",
    ];
    for (site, on) in sites.iter().zip(declared) {
        fixture.declaration(site, 2023, on, "Validé", &[]);
    }
    // 31/05/2023 minus 3 calendar months is 28/02/2023 (no 31 February): 28/02 is in, 27/02 out.
    // 15/06/2023 minus 3 months is 15/03/2023: 15/03 is in, 14/03 out.
    // The window closes on 30/06/2023: a deposit at 23:59 that day is in, 01/07 00:00 out.
    fixture.applications(&[
        (1, &sites[0], "31/05/2023 10:00", "28/02/2023"),
        (2, &sites[1], "31/05/2023 10:05", "27/02/2023"),
        (3, &sites[2], "15/06/2023 09:00", "15/03/2023"),
        (4, &sites[3], "15/06/2023 09:05", "14/03/2023"),
        (5, &sites[4], "30/06/2023 23:59", "01/04/2023"),
        (6, &sites[5], "01/07/2023 00:00", "01/04/2023"),
    ]);
    let settings = Settings::default();
    let report = Analytics::new(fixture.store.connection(), &settings)
        .aap(day("2023-12-31"), &Scope::region())
        .unwrap();
    let check = |id: i64, number: usize| {
        report
            .applications
            .iter()
            .find(|a| a.application_id == id)
            .unwrap()
            .checks[number - 1]
    };
    assert_eq!(check(1, 4), "ok");
    assert_eq!(check(2, 4), "échec");
    assert_eq!(check(3, 4), "ok");
    assert_eq!(check(4, 4), "échec");
    assert_eq!(check(5, 1), "ok");
    assert_eq!(check(6, 1), "échec");
    // Application 6 was deposited 91 days after its declaration, still within 3 months
    // of 01/07 (01/04): only the window fails.
    assert_eq!(check(6, 4), "ok");
}

#[test]
fn peer_groups_of_four_are_hidden_and_of_five_shown() {
    let mut fixture = Fixture::new();
    // Four public CH and five private clinics, all with a computable maturity.
    let hospitals: Vec<String> = (1..=4).map(|n| finess("91", n)).collect();
    let clinics: Vec<String> = (11..=15).map(|n| finess("91", n)).collect();
    let mut sites: Vec<(&str, &str, &str, &str)> = hospitals.iter().map(|s| (s.as_str(), "91", "355", "1")).collect();
    sites.extend(clinics.iter().map(|s| (s.as_str(), "91", "365", "0")));
    fixture.sites(&sites);
    for (index, site) in hospitals.iter().chain(&clinics).enumerate() {
        let answer = if index % 2 == 0 { "Oui" } else { "Partiel" };
        fixture.declaration(site, 2026, "01/03/2026", "Validé", &uniform_answers(answer));
    }
    let settings = Settings::default();
    let analytics = Analytics::new(fixture.store.connection(), &settings);
    let groups = analytics
        .peer_groups(day("2026-06-01"), &Scope::region(), &Filter::default())
        .unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(names, vec!["Privé commercial — Clinique MCO"]);
    assert_eq!(groups[0].figures.establishments, 5);
    // Answers alternate Oui (100) and Partiel (yes/no questions become Non: the domains mix
    // 0 and 5 points) so the median of five clinics is the third one's: 100.
    assert!(
        (groups[0].figures.median - 100.0).abs() < 1e-9,
        "{:?}",
        groups[0].figures
    );
    // A fiche of a hospital shows no figure for its group of 4.
    let fiche = analytics
        .fiche(&hospitals[0], day("2026-06-01"), &Scope::region())
        .unwrap();
    let peers = fiche
        .benchmarks
        .iter()
        .find(|b| b.measure == "Maturité globale" && b.group == "groupe de pairs")
        .unwrap();
    assert_eq!(peers.figures, None);
    let fiche = analytics
        .fiche(&clinics[0], day("2026-06-01"), &Scope::region())
        .unwrap();
    let peers = fiche
        .benchmarks
        .iter()
        .find(|b| b.measure == "Maturité globale" && b.group == "groupe de pairs")
        .unwrap();
    assert_eq!(peers.figures.as_ref().map(|f| f.establishments), Some(5));
}

#[test]
fn a_time_at_23_30_in_paris_stays_on_its_paris_day() {
    let site = finess("95", 1);
    let mut fixture = Fixture::new();
    fixture.sites(&[(&site, "95", "355", "1")]);
    // OPSSIES dates are Paris wall-clock: 31/12/2024 23:30 in Paris is 22:30 UTC; it is an
    // exercise of 31 December, done as of 31/12/2024 and not as of 30/12/2024.
    fixture.event(&site, 43, 7, "20241231-233000", "amber");
    let rows = statuses(&fixture, "2024-12-31");
    assert_eq!(rows[0].exercise_status, "réalisé");
    assert_eq!(rows[0].last_exercise_on, Some(day("2024-12-31")));
    assert_eq!(statuses(&fixture, "2024-12-30")[0].exercise_status, "jamais");
    // Incidents written in UTC: 22:30Z on 31/12/2024 is 23:30 in Paris (2024); 23:30Z is
    // 00:30 on 01/01/2025 in Paris (2025). A leak notified to the CNIL 72 hours after its
    // declaration is on time; 72 hours and one minute is late.
    fixture.incidents(&[
        ("2024-12-31T22:30:00Z", &site, true, "03/01/2025 23:30"),
        ("2024-12-31T23:30:00Z", &site, true, "04/01/2025 00:31"),
    ]);
    let settings = Settings::default();
    let report = Analytics::new(fixture.store.connection(), &settings)
        .regional(day("2025-06-01"), &Scope::region(), &Filter::default())
        .unwrap();
    let years: Vec<(i64, i64, i64)> = report
        .incidents
        .iter()
        .map(|y| (y.year, y.incidents, y.cnil_late))
        .collect();
    assert_eq!(years, vec![(2024, 1, 0), (2025, 1, 1)]);
}
