//! On a generated region, the indicators find every truth the generator planted (worked
//! out by the generator from its own history, not by this code).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use analytics::{Analytics, Filter, Scope, Settings};
use chrono::NaiveDate;
use common::generated_region;

fn loaded_region() -> (tempfile::TempDir, ingest::Store, generator::Manifest) {
    generated_region(5)
}

fn counts<'a>(values: impl Iterator<Item = &'a str>) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for value in values {
        *counts.entry(value.to_owned()).or_insert(0) += 1;
    }
    counts
}

/// The manifest writes statuses without accents (`a_jour`); the indicators in French.
fn manifest_counts(counts: &BTreeMap<&str, u64>) -> BTreeMap<String, u64> {
    counts
        .iter()
        .filter(|(_, count)| **count > 0)
        .map(|(status, count)| {
            let french = match *status {
                "a_jour" => "à jour",
                "a_rafraichir" => "à rafraîchir",
                "obsolete" => "obsolète",
                "realise" => "réalisé",
                "planifie" => "planifié",
                "en_retard" => "en retard",
                other => other,
            };
            (french.to_owned(), *count)
        })
        .collect()
}

#[test]
fn every_planted_truth_is_found() {
    let (_directory, store, manifest) = loaded_region();
    let settings = Settings::default();
    let analytics = Analytics::new(store.connection(), &settings);
    let truths = &manifest.truths;
    let today = manifest.today;
    let region = Scope::region();
    let es = Filter {
        kind: Some("ES".into()),
        ..Filter::default()
    };
    let esms = Filter {
        kind: Some("ESMS".into()),
        ..Filter::default()
    };

    let rows = analytics.establishments(today, &region, &es).unwrap();
    assert_eq!(rows.len() as u64, truths.region_es);
    assert_eq!(
        counts(rows.iter().map(|r| r.freshness.label())),
        manifest_counts(&truths.freshness.es)
    );
    assert_eq!(
        counts(rows.iter().map(|r| r.exercise_status.label())),
        manifest_counts(&truths.exercise_status.counts)
    );
    let esms_rows = analytics.establishments(today, &region, &esms).unwrap();
    assert_eq!(esms_rows.len() as u64, truths.region_esms);
    assert_eq!(
        counts(esms_rows.iter().map(|r| r.freshness.label())),
        manifest_counts(&truths.freshness.esms)
    );

    // Completion as of the ends of 2023 and 2024, and today.
    for rate in &truths.exercise_completion {
        let rows = analytics.establishments(rate.as_of, &region, &es).unwrap();
        let done = rows.iter().filter(|r| r.exercise_status == "réalisé").count() as u64;
        assert_eq!(
            (done, rows.len() as u64),
            (rate.numerator, rate.denominator),
            "as of {}",
            rate.as_of
        );
    }

    // OSE audits, overdue actions, incidents.
    let all = analytics.establishments(today, &region, &Filter::default()).unwrap();
    let missing = |audit: fn(&analytics::EstablishmentStatus) -> Option<NaiveDate>| {
        let mut finess: Vec<String> = all
            .iter()
            .filter(|r| r.ose && audit(r).is_none_or(|on| on < today - chrono::Duration::days(365)))
            .map(|r| r.finess_et.clone())
            .collect();
        finess.sort();
        finess
    };
    assert_eq!(missing(|r| r.ads_on), truths.ose_missing_ads.finess);
    assert_eq!(missing(|r| r.silene_on), truths.ose_missing_silene.finess);
    assert_eq!(
        all.iter().map(|r| r.overdue_actions as u64).sum::<u64>(),
        truths.overdue_actions.count
    );
    let report = analytics.regional(today, &region, &Filter::default()).unwrap();
    assert_eq!(
        report.headline.establishments as u64,
        truths.region_es + truths.region_esms
    );
    assert_eq!(
        report.headline.ose as u64 - report.headline.ose_audited as u64,
        missing(|r| r
            .ads_on
            .min(r.silene_on)
            .filter(|_| r.ads_on.is_some() && r.silene_on.is_some()))
        .len() as u64
    );
    let late: i64 = report.incidents.iter().map(|year| year.cnil_late).sum();
    let missing_cnil: i64 = report.incidents.iter().map(|year| year.cnil_missing).sum();
    assert_eq!(
        (late as u64, missing_cnil as u64),
        (truths.incidents.cnil_late, truths.incidents.cnil_missing)
    );

    // Kits of the latest grids, boundary scores included.
    let kits = counts(
        all.iter()
            .filter(|r| r.self_assessed_on.is_some())
            .map(|r| r.recommended_kit.as_deref().unwrap_or("incomplete")),
    );
    let expected: BTreeMap<String, u64> = truths
        .kits
        .latest
        .iter()
        .map(|(kit, count)| ((*kit).to_owned(), *count))
        .collect();
    assert_eq!(kits, expected);
    for boundary in &truths.kits.boundaries {
        let row = all.iter().find(|r| r.finess_et == boundary.finess).unwrap();
        assert_eq!(row.self_assessment_score, Some(i64::from(boundary.score)));
        assert_eq!(row.recommended_kit.as_deref(), Some(boundary.kit), "{}", boundary.score);
    }
}

#[test]
fn aap_checks_queue_and_envelope_are_as_planted() {
    let (_directory, store, manifest) = loaded_region();
    let settings = Settings::default();
    let truths = &manifest.truths.aap;
    // The generator planted against the project's default call.
    assert_eq!(truths.rules.opens_on, settings.aap.opens_on);
    assert_eq!(truths.rules.closes_on, settings.aap.closes_on);
    assert_eq!(i64::from(truths.rules.envelope_euros), settings.aap.envelope_euros);
    assert_eq!(
        i64::from(truths.rules.flat_amount_euros),
        settings.aap.flat_amount_euros
    );
    let analytics = Analytics::new(store.connection(), &settings);
    let report = analytics.aap(manifest.today, &Scope::region()).unwrap();
    assert_eq!(report.applications.len(), truths.applications.len());
    for planted in &truths.applications {
        let found = report
            .applications
            .iter()
            .find(|a| a.application_id == i64::from(planted.id))
            .unwrap();
        let failed: Vec<u8> = found
            .checks
            .iter()
            .enumerate()
            .filter(|(_, check)| **check != analytics::Check::Pass)
            .map(|(index, _)| index as u8 + 1)
            .collect();
        // Each application fails exactly the check it was built to fail, or none.
        assert_eq!(
            failed,
            planted.fails.into_iter().collect::<Vec<_>>(),
            "application {}",
            planted.id
        );
        let decision = match planted.outcome {
            "funded" => "retenu",
            "waiting_list" => "liste d'attente",
            _ => "inéligible",
        };
        assert_eq!(found.decision, decision, "application {}", planted.id);
        if let Some(payment) = planted.payment {
            let expected = if payment == "paye" { "payé" } else { "à payer" };
            assert_eq!(
                found.payment.map(|p| p.label()),
                Some(expected),
                "application {}",
                planted.id
            );
        }
    }
    // The waiting list starts exactly where the envelope runs out.
    let eligible: Vec<&analytics::ApplicationCheck> = report.applications.iter().filter(|a| a.eligible).collect();
    let places = (settings.aap.envelope_euros / settings.aap.flat_amount_euros) as usize;
    assert!(eligible.len() > places);
    assert!(eligible[..places].iter().all(|a| a.decision == "retenu"));
    assert!(eligible[places..].iter().all(|a| a.decision == "liste d'attente"));
    assert_eq!(report.committed_euros as u64, truths.committed_euros);
    assert_eq!(report.payable_euros as u64, truths.payable_euros);
    assert_eq!(report.paid_euros as u64, truths.paid_euros);
    assert_eq!(report.remaining_euros, truths.remaining_euros);
}

#[test]
fn a_red_event_counts_for_its_owner_only() {
    let (_directory, store, manifest) = loaded_region();
    let settings = Settings::default();
    let analytics = Analytics::new(store.connection(), &settings);
    let red = manifest.truths.red_events.first().unwrap();
    let as_of = red.date;
    let owner = Scope::establishment(vec![red.finess.clone()]);
    let own = analytics.fiche(&red.finess, as_of, &owner).unwrap();
    assert!(
        own.timeline
            .iter()
            .any(|event| event.tlp.as_deref() == Some("red") && event.event_type == Some(44))
    );
    let regional = analytics.fiche(&red.finess, as_of, &Scope::region()).unwrap();
    assert!(
        regional
            .timeline
            .iter()
            .all(|event| event.tlp.as_deref() != Some("red"))
    );
    // The region's book (every fiche at once) is what a region viewer sees, fiche by fiche.
    let book = analytics.fiche_book(as_of).unwrap();
    assert!(
        book.fiche(&red.finess)
            .unwrap()
            .timeline
            .iter()
            .all(|event| event.tlp.as_deref() != Some("red"))
    );
    let sites = analytics
        .establishments(as_of, &Scope::region(), &Filter::default())
        .unwrap();
    assert_eq!(book.len(), sites.len());
    let mut compared = 0;
    for site in sites
        .iter()
        .step_by(7)
        .chain(sites.iter().filter(|s| s.finess_et == red.finess))
    {
        let alone = analytics.fiche(&site.finess_et, as_of, &Scope::region()).unwrap();
        let from_book = book.fiche(&site.finess_et).unwrap();
        assert_eq!(
            serde_json::to_value(&alone).unwrap(),
            serde_json::to_value(&*from_book).unwrap(),
            "{}",
            site.finess_et
        );
        compared += 1;
    }
    assert!(compared > 50, "{compared} fiches compared");
    assert!(matches!(
        book.fiche("000000000"),
        Err(analytics::AnalyticsError::NotFound(_))
    ));
    // Another establishment's viewer cannot open it at all.
    let other = analytics
        .establishments(as_of, &Scope::region(), &Filter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.finess_et != red.finess)
        .unwrap();
    let stranger = Scope::establishment(vec![other.finess_et]);
    assert!(matches!(
        analytics.fiche(&red.finess, as_of, &stranger),
        Err(analytics::AnalyticsError::NotFound(_))
    ));
}
