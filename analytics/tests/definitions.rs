//! Each definition of indicators.md on a hand-made case (issue 17, finding 4): maturity by
//! domain and overall with weights, the 80 % / 50 % completion rules, the level bounds, E2,
//! E4, E5, the targeting weights and offers, the percentile and the 20 % thresholds, the
//! national peer group, each source's freshness. Every expected value is worked out in the
//! comments, each boundary on both sides.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use analytics::statuses::Reason;
use analytics::{Analytics, Filter, Scope, Settings, SourceStatus};
use common::{Fixture, day, finess, status_with as status, uniform_answers};
use ingest::ImportOptions;
use ingest::catalogue::Catalogues;

fn close(value: Option<f64>, expected: f64) -> bool {
    value.is_some_and(|v| (v - expected).abs() < 1e-6)
}

/// A small catalogue: domain A with weights 1 and 3, domain B with three questions of weight
/// 4, an unscored free-text question.
const WEIGHTED: &str = "code;domaine;libelle;type;points;poids;attente
A-01;A;Question A1;oui_partiel_non;oui=10|partiel=5|non=0;1;
A-02;A;Question A2;oui_partiel_non;oui=10|partiel=5|non=0;3;
B-01;B;Question B1;oui_non;oui=10|non=0;4;
B-02;B;Question B2;oui_non;oui=10|non=0;4;
B-03;B;Question B3;oui_non;oui=10|non=0;4;
C-01;C;Commentaire;texte;;1;
";

fn weighted() -> ImportOptions {
    ImportOptions {
        catalogues: Arc::new(Catalogues::from_text("t1", WEIGHTED, &[2024, 2025]).unwrap()),
        ..ImportOptions::default()
    }
}

#[test]
fn maturity_by_domain_and_overall_follows_the_weights() {
    let site = finess("75", 1);
    let mut fixture = Fixture::new();
    fixture.sites(&[(&site, "75", "355", "1")]);
    fixture.declaration_with(
        &weighted(),
        &site,
        2025,
        "10/03/2025",
        "Validé",
        &[
            ("A-01", "Oui"),
            ("A-02", "Partiel"),
            ("B-01", "Oui"),
            ("B-02", "Non"),
            ("B-03", "Non"),
            ("C-01", "rien"),
        ],
    );
    let settings = Settings::default();
    // A = 100 × (1×10 + 3×5) ÷ (1×10 + 3×10) = 100 × 25 ÷ 40 = 62.5.
    // B = 100 × (4×10 + 0 + 0) ÷ (3 × 4×10) = 100 × 40 ÷ 120 = 33.333…
    // Domain weights (mean of the questions'): A 2, B 4. Overall = (62.5×2 + 33.333…×4) ÷ 6
    // = (125 + 133.333…) ÷ 6 = 43.0555…; level 3 (40 ≤ 43.06 < 60). 5 of 5 scored questions
    // answered (the free text is not scored): completion 1.
    let s = status(&fixture, &settings, "2025-06-30", &site);
    assert!(close(s.maturity, 258.333_333_333 / 6.0), "{:?}", s.maturity);
    assert_eq!(s.maturity_level, Some(3));
    assert!(close(s.maturity_completion, 1.0));
    assert_eq!(s.maturity_partial, Some(false));
    let fiche = Analytics::new(fixture.store.connection(), &settings)
        .fiche(&site, day("2025-06-30"), &Scope::region())
        .unwrap();
    let domain = |name: &str| fiche.domains.iter().find(|d| d.domain == name).unwrap();
    assert!(close(domain("A").score, 62.5));
    assert!(close(domain("B").score, 100.0 / 3.0));
    assert_eq!((domain("B").answered, domain("B").scored), (3, 3));
    // Equal weights would give (62.5 + 33.33) ÷ 2 = 47.9: the weights are what make 43.06.
    assert!(!close(s.maturity, (62.5 + 100.0 / 3.0) / 2.0));
}

#[test]
fn completion_at_80_percent_is_full_under_it_partial_and_under_50_not_computed() {
    let sites: Vec<String> = (1..=4).map(|serial| finess("75", serial)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "75", "355", "1")).collect::<Vec<_>>());
    let all = [
        ("A-01", "Oui"),
        ("A-02", "Oui"),
        ("B-01", "Oui"),
        ("B-02", "Oui"),
        ("B-03", "Oui"),
    ];
    // 4 of 5 scored questions: 0.8, not under 0.8 → computed, not partial.
    fixture.declaration_with(&weighted(), &sites[0], 2025, "10/03/2025", "Validé", &all[..4]);
    // 3 of 5: 0.6 → computed, partial.
    fixture.declaration_with(&weighted(), &sites[1], 2025, "10/03/2025", "Validé", &all[..3]);
    // 2 of 5: 0.4, under 0.5 → not computed.
    fixture.declaration_with(&weighted(), &sites[2], 2025, "10/03/2025", "Validé", &all[..2]);
    // 2 of 5 in 2025 but complete in 2024: the last campaign complete enough counts (2024).
    fixture.declaration_with(&weighted(), &sites[3], 2024, "10/03/2024", "Validé", &all);
    fixture.declaration_with(&weighted(), &sites[3], 2025, "10/03/2025", "Validé", &all[..2]);
    let settings = Settings::default();
    let at = |site: &str| status(&fixture, &settings, "2025-06-30", site);
    let four = at(&sites[0]);
    assert!(close(four.maturity_completion, 0.8));
    assert_eq!(four.maturity_partial, Some(false));
    // Every answer « Oui »: each answered domain at 100, so the overall is 100.
    assert!(close(four.maturity, 100.0));
    let three = at(&sites[1]);
    assert!(close(three.maturity_completion, 0.6));
    assert_eq!(three.maturity_partial, Some(true));
    let two = at(&sites[2]);
    assert_eq!((two.maturity, two.maturity_level), (None, None));
    let fallback = at(&sites[3]);
    assert_eq!(fallback.maturity_campaign, Some(2024));
    assert!(close(fallback.maturity_completion, 1.0));
    // The freshness still reads the newest declaration (2025), whatever its completion.
    assert_eq!(fallback.last_declaration_campaign, Some(2025));
}

#[test]
fn the_level_bounds_put_a_bound_in_the_upper_level() {
    // A-01 « Oui » and A-02 « Non » with weights 1 and 3 → 100 × 10 ÷ 40 = 25; B all « Oui »
    // → 100. Domain weights 2 and 4: (25×2 + 100×4) ÷ 6 = 450 ÷ 6 = 75.
    let site = finess("75", 1);
    let mut fixture = Fixture::new();
    fixture.sites(&[(&site, "75", "355", "1")]);
    fixture.declaration_with(
        &weighted(),
        &site,
        2025,
        "10/03/2025",
        "Validé",
        &[
            ("A-01", "Oui"),
            ("A-02", "Non"),
            ("B-01", "Oui"),
            ("B-02", "Oui"),
            ("B-03", "Oui"),
        ],
    );
    let level = |bounds: &str| {
        let settings = Settings::from_layers(&[("x.toml", &format!("[maturity]\nlevel_bounds = {bounds}\n"))]).unwrap();
        let s = status(&fixture, &settings, "2025-06-30", &site);
        assert!(close(s.maturity, 75.0), "{:?}", s.maturity);
        s.maturity_level
    };
    // Defaults 20/40/60/80: 60 ≤ 75 < 80 → 4.
    assert_eq!(level("[20.0, 40.0, 60.0, 80.0]"), Some(4));
    // A bound at 75: 75 is in the upper level → 5; at 75.01: still 4.
    assert_eq!(level("[20.0, 40.0, 60.0, 75.0]"), Some(5));
    assert_eq!(level("[20.0, 40.0, 60.0, 75.01]"), Some(4));
    // Level 3's upper bound at 75 → 4; at 75.01 → 3.
    assert_eq!(level("[20.0, 40.0, 75.0, 90.0]"), Some(4));
    assert_eq!(level("[20.0, 40.0, 75.01, 90.0]"), Some(3));
    // And at the bottom: a first bound above 75 → 1.
    assert_eq!(level("[76.0, 80.0, 85.0, 90.0]"), Some(1));
}

#[test]
fn e2_asks_ads_and_silene_of_an_ose_and_cybersurveillance_of_the_others() {
    let sites: Vec<String> = (1..=6).map(|serial| finess("75", serial)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "75", "355", "1")).collect::<Vec<_>>());
    fixture.ose(&[&sites[0], &sites[1], &sites[2]]);
    // As of 30/06/2026, 365 days back is 30/06/2025 (no 29 February between).
    // OSE 1: ADS 30/06/2025 (day 365, recent) and SILENE 01/03/2026 → met.
    fixture.event(&sites[0], 27, 7, "20250630-100000", "amber");
    fixture.event(&sites[0], 60, 7, "20260301-100000", "amber");
    // OSE 2: ADS only → partial; SILENE of 29/06/2025 is day 366, too old.
    fixture.event(&sites[1], 27, 7, "20260101-100000", "amber");
    fixture.event(&sites[1], 60, 7, "20250629-100000", "amber");
    // OSE 3: cybersurveillance only (not what an OSE is asked) → not met.
    fixture.event(&sites[2], 28, 7, "20260101-100000", "amber");
    // Others: 4 cybersurveillance on day 365 → met; 5 on day 366 → not met; 6 nothing → not met
    // (an audit source exists, so « unknown » is not the answer).
    fixture.event(&sites[3], 28, 7, "20250630-100000", "amber");
    fixture.event(&sites[4], 28, 7, "20250629-100000", "amber");
    let settings = Settings::default();
    let e2: Vec<String> = sites
        .iter()
        .map(|site| {
            status(&fixture, &settings, "2026-06-30", site)
                .e2_audits
                .label()
                .to_owned()
        })
        .collect();
    assert_eq!(
        e2,
        [
            "atteint",
            "partiel",
            "non atteint",
            "atteint",
            "non atteint",
            "non atteint"
        ]
    );
    // No audit event in the store at all: unknown for everyone.
    let mut empty = Fixture::new();
    empty.sites(&[(&sites[0], "75", "355", "1")]);
    assert_eq!(status(&empty, &settings, "2026-06-30", &sites[0]).e2_audits, "inconnu");
}

#[test]
fn e4_is_met_at_50_percent_partial_from_1_to_49_and_met_by_a_recent_training() {
    let sites: Vec<String> = (1..=6).map(|serial| finess("75", serial)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "75", "355", "1")).collect::<Vec<_>>());
    for (site, percent) in sites.iter().zip(["50", "49", "1", "0", "0"]) {
        fixture.declaration(site, 2026, "01/03/2026", "Validé", &[("SENSI-01", percent)]);
    }
    // The fifth made no one aware but had a training (event 21) on 30/06/2025, day 365.
    fixture.event(&sites[4], 21, 7, "20250630-100000", "amber");
    // The sixth never answered: unknown.
    let settings = Settings::default();
    let e4: Vec<String> = sites
        .iter()
        .map(|site| {
            status(&fixture, &settings, "2026-06-30", site)
                .e4_awareness
                .label()
                .to_owned()
        })
        .collect();
    assert_eq!(
        e4,
        ["atteint", "partiel", "partiel", "non atteint", "atteint", "inconnu"]
    );
}

#[test]
fn e5_needs_every_map_up_to_date() {
    let cases = [
        (("Oui", "Oui"), "atteint"),
        (("Oui", "Non"), "partiel"),
        (("Partiel", "Non"), "partiel"),
        (("Non", "Non"), "non atteint"),
    ];
    let sites: Vec<String> = (1..=5).map(|serial| finess("75", serial)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "75", "355", "1")).collect::<Vec<_>>());
    for (site, ((applications, network), _)) in sites.iter().zip(&cases) {
        fixture.declaration(
            site,
            2026,
            "01/03/2026",
            "Validé",
            &[("CARTO-01", applications), ("CARTO-02", network)],
        );
    }
    // The fifth declared without answering either map: unknown.
    fixture.declaration(&sites[4], 2026, "01/03/2026", "Validé", &[("GOUV-01", "Oui")]);
    let settings = Settings::default();
    for (site, (_, expected)) in sites.iter().zip(&cases) {
        assert_eq!(
            status(&fixture, &settings, "2026-06-30", site).e5_cartography,
            *expected,
            "{site}"
        );
    }
    assert_eq!(
        status(&fixture, &settings, "2026-06-30", &sites[4]).e5_cartography,
        "inconnu"
    );
}

#[test]
fn the_priority_score_adds_the_weights_of_its_reasons_each_with_its_offer() {
    let (ose, other) = (finess("75", 1), finess("75", 2));
    let mut fixture = Fixture::new();
    fixture.sites(&[(&ose, "75", "355", "1"), (&other, "75", "355", "1")]);
    fixture.ose(&[&ose]);
    // The OSE: no exercise, no ADS/SILENE, never declared, no cybersurveillance, an incident
    // on 01/06/2026. Default weights: 25 + 20 + 15 + 10 + 5 = 75 (maturity not computed: no
    // « low maturity » points; no workbook: no overdue action).
    fixture.incidents(&[("01/06/2026 10:00", &ose, false, "")]);
    // The other: declared 01/03/2026 with every answer « Non » (maturity 0, level 1),
    // cybersurveillance on 01/01/2026, an exercise done on 01/02/2026: only « maturité », 15.
    fixture.declaration(&other, 2026, "01/03/2026", "Validé", &uniform_answers("Non"));
    fixture.event(&other, 28, 7, "20260101-100000", "amber");
    fixture.event(&other, 43, 7, "20260201-100000", "amber");
    let settings = Settings::default();
    let targets = Analytics::new(fixture.store.connection(), &settings)
        .targeting(day("2026-06-30"), &Scope::region(), &Filter::default())
        .unwrap();
    let scores: Vec<(String, i64)> = targets
        .iter()
        .map(|t| (t.finess_et.clone(), t.priority_score))
        .collect();
    assert_eq!(scores, [(ose.clone(), 75), (other.clone(), 15)]);
    assert_eq!(
        targets[0].priority_reasons,
        [
            Reason::Exercise,
            Reason::OseAudits,
            Reason::Declaration,
            Reason::Incident,
            Reason::Cybersurveillance
        ]
    );
    assert_eq!(targets[1].priority_reasons, [Reason::Maturity]);
    assert_eq!(targets[1].maturity_level, Some(1));
    assert_eq!(Reason::Maturity.offer(), "analyse de risques, cartographie, équipe SSI");
    assert_eq!(Reason::Exercise.offer(), "accompagnement à l'exercice de crise cyber");
    // Other weights, other scores: no_exercise 40 → 40 + 20 + 15 + 10 + 5 = 90.
    let heavier = Settings::from_layers(&[("x.toml", "[targeting]\nno_exercise = 40\n")]).unwrap();
    assert_eq!(status(&fixture, &heavier, "2026-06-30", &ose).priority_score, 90);
}

/// One domain of ten yes/no questions of weight 1: the maturity is 10 × the « Oui » count.
const TENTHS: &str = "code;domaine;libelle;type;points;poids;attente
D-01;D;Q1;oui_non;oui=10|non=0;1;
D-02;D;Q2;oui_non;oui=10|non=0;1;
D-03;D;Q3;oui_non;oui=10|non=0;1;
D-04;D;Q4;oui_non;oui=10|non=0;1;
D-05;D;Q5;oui_non;oui=10|non=0;1;
D-06;D;Q6;oui_non;oui=10|non=0;1;
D-07;D;Q7;oui_non;oui=10|non=0;1;
D-08;D;Q8;oui_non;oui=10|non=0;1;
D-09;D;Q9;oui_non;oui=10|non=0;1;
D-10;D;Q10;oui_non;oui=10|non=0;1;
";

fn with_maturity(fixture: &mut Fixture, site: &str, yes: usize) {
    let options = ImportOptions {
        catalogues: Arc::new(Catalogues::from_text("t2", TENTHS, &[2026]).unwrap()),
        ..ImportOptions::default()
    };
    let codes = [
        "D-01", "D-02", "D-03", "D-04", "D-05", "D-06", "D-07", "D-08", "D-09", "D-10",
    ];
    let answers: Vec<(&str, &str)> = codes
        .iter()
        .enumerate()
        .map(|(index, code)| (*code, if index < yes { "Oui" } else { "Non" }))
        .collect();
    fixture.declaration_with(&options, site, 2026, "01/03/2026", "Validé", &answers);
}

fn overall<'a>(fiche: &'a analytics::Fiche, group: &str) -> &'a analytics::Benchmark {
    fiche
        .benchmarks
        .iter()
        .find(|b| b.measure == "Maturité globale" && b.group == group)
        .unwrap()
}

#[test]
fn percentile_median_and_20_percent_thresholds() {
    // Five public CH of Paris at maturities 10, 20, 30, 40, 50.
    let sites: Vec<String> = (1..=5).map(|serial| finess("75", serial)).collect();
    let mut fixture = Fixture::new();
    fixture.sites(&sites.iter().map(|s| (s.as_str(), "75", "355", "1")).collect::<Vec<_>>());
    for (index, site) in sites.iter().enumerate() {
        with_maturity(&mut fixture, site, index + 1);
    }
    let settings = Settings::default();
    let analytics = Analytics::new(fixture.store.connection(), &settings);
    let fiche = analytics.fiche(&sites[2], day("2026-06-30"), &Scope::region()).unwrap();
    let peers = overall(&fiche, "groupe de pairs").figures.clone().unwrap();
    // Interpolated quantiles over 10…50 (positions 0…4): median at 2 → 30; worst 20 % at
    // 0.8 → 10 + 0.8 × 10 = 18; best 20 % at 3.2 → 40 + 0.2 × 10 = 42.
    assert_eq!(peers.establishments, 5);
    assert!((peers.median - 30.0).abs() < 1e-9 && (peers.worst_20 - 18.0).abs() < 1e-9);
    assert!((peers.best_20 - 42.0).abs() < 1e-9, "{peers:?}");
    // The percentile q(p) = 10 + 40 p; those at or below 30 are p = 0.00 … 0.50, 51 of the
    // 101, so the rank is 50. The lowest is 0, the highest 100.
    assert_eq!(peers.percentile, Some(50.0));
    let rank = |site: &str| {
        let fiche = analytics.fiche(site, day("2026-06-30"), &Scope::region()).unwrap();
        overall(&fiche, "groupe de pairs").figures.clone().unwrap().percentile
    };
    assert_eq!(rank(&sites[0]), Some(0.0));
    assert_eq!(rank(&sites[4]), Some(100.0));
    // The same figures for the département and the region (the same five sites).
    assert_eq!(overall(&fiche, "région").figures.clone().unwrap().establishments, 5);
}

#[test]
fn the_national_group_shows_when_a_national_set_is_loaded() {
    // The five of Paris at 10…50, and sites of the Bouches-du-Rhône (outside the region) at 100.
    let region: Vec<String> = (1..=5).map(|serial| finess("75", serial)).collect();
    let outside: Vec<String> = (1..=10).map(|serial| finess("13", serial)).collect();
    let build = |outside_count: usize| {
        let mut fixture = Fixture::new();
        let mut rows: Vec<(&str, &str, &str, &str)> = region.iter().map(|s| (s.as_str(), "75", "355", "1")).collect();
        rows.extend(outside[..outside_count].iter().map(|s| (s.as_str(), "13", "355", "1")));
        fixture.sites(&rows);
        for (index, site) in region.iter().enumerate() {
            with_maturity(&mut fixture, site, index + 1);
        }
        for site in &outside[..outside_count] {
            with_maturity(&mut fixture, site, 10);
        }
        fixture
    };
    let settings = Settings::default();
    let national = |fixture: &Fixture| {
        Analytics::new(fixture.store.connection(), &settings)
            .fiche(&region[2], day("2026-06-30"), &Scope::region())
            .unwrap()
            .benchmarks
            .into_iter()
            .find(|b| b.measure == "Maturité globale" && b.group == "national")
    };
    // 5 outside: 10 in France, twice the region's 5 → shown. Sorted 10, 20, 30, 40, 50, 100 ×5
    // (positions 0…9): median at 4.5 → (50 + 100) ÷ 2 = 75; worst 20 % at 1.8 → 20 + 0.8 × 10
    // = 28; best 20 % at 7.2 → 100. Ranks: q(p) ≤ 30 up to position 2, p ≤ 2/9 → p = 0.00 …
    // 0.22, 23 of the 101 → percentile 22.
    let ten = build(5);
    let figures = national(&ten).unwrap().figures.unwrap();
    assert_eq!(figures.establishments, 10);
    assert!((figures.median - 75.0).abs() < 1e-9, "{figures:?}");
    assert!((figures.worst_20 - 28.0).abs() < 1e-9 && (figures.best_20 - 100.0).abs() < 1e-9);
    assert_eq!(figures.percentile, Some(22.0));
    // 4 outside: 9 in France, under twice the region's → no national row at all.
    assert!(national(&build(4)).is_none());
    // The region's own figures do not count the sites outside it.
    let fiche = Analytics::new(ten.store.connection(), &settings)
        .fiche(&region[2], day("2026-06-30"), &Scope::region())
        .unwrap();
    assert_eq!(overall(&fiche, "région").figures.clone().unwrap().establishments, 5);
}

#[test]
fn each_source_is_late_after_its_cadence_plus_grace() {
    let site = finess("75", 1);
    let mut fixture = Fixture::new();
    fixture.sites(&[(&site, "75", "355", "1")]);
    fixture.declaration(&site, 2026, "01/03/2026", "Validé", &[]);
    fixture.incidents(&[("01/03/2026 10:00", &site, false, "")]);
    // The workbook: an exercise done on 01/02/2026 and one planned for 07/05/2027.
    fixture.exercises(&[(&site, "", "01/02/2026"), (&site, "07/05/2027", "")]);
    let settings = Settings::default();
    let analytics = Analytics::new(fixture.store.connection(), &settings);
    // The files were imported today (the store's clock, UTC).
    let imported = analytics.imports(1).unwrap()[0].finished_at.unwrap().date();
    let status_of = |as_of: chrono::NaiveDate, source: &str| {
        analytics
            .sources(as_of, &Scope::region())
            .unwrap()
            .into_iter()
            .find(|row| row.source == source)
            .unwrap()
            .status
    };
    let days = |n: i64| imported + chrono::Duration::days(n);
    // FINESS: 45 days (default cadence plus grace); day 45 up to date, day 46 late.
    assert_eq!(status_of(days(45), "Référentiel FINESS"), SourceStatus::UpToDate);
    assert_eq!(status_of(days(46), "Référentiel FINESS"), SourceStatus::Late);
    // oSIS 395, incidents 60: each its own.
    assert_eq!(status_of(days(395), "Export oSIS"), SourceStatus::UpToDate);
    assert_eq!(status_of(days(396), "Export oSIS"), SourceStatus::Late);
    assert_eq!(status_of(days(60), "Incidents CERT Santé"), SourceStatus::UpToDate);
    assert_eq!(status_of(days(61), "Incidents CERT Santé"), SourceStatus::Late);
    // A source never imported says so.
    assert_eq!(
        status_of(days(0), "Export AAP (Démarches Simplifiées)"),
        SourceStatus::NeverImported
    );
    // A source's newest date is the newest observed one: the exercise done, not the one planned.
    let workbook = analytics
        .sources(days(0), &Scope::region())
        .unwrap()
        .into_iter()
        .find(|row| row.source == "Classeur des exercices")
        .unwrap();
    assert_eq!(workbook.newest_date, Some(day("2026-02-01")));
    // The settings are the bounds: FINESS at 10 days → late on day 11.
    let tight = Settings::from_layers(&[("x.toml", "[sources]\nfiness_days = 10\n")]).unwrap();
    let late = Analytics::new(fixture.store.connection(), &tight)
        .sources(days(11), &Scope::region())
        .unwrap()
        .into_iter()
        .find(|row| row.source == "Référentiel FINESS")
        .unwrap()
        .status;
    assert_eq!(late, SourceStatus::Late);
}
