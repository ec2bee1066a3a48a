//! `opssies report | establishment | targeting | aap | methodology`: the indicators on the
//! terminal, as JSON or as CSV for French Excel.

use std::path::Path;

use analytics::{AAP_CHECKS, Analytics, EstablishmentStatus, Figures, Filter, Scope, Settings};
use anyhow::{Context, Result};
use ingest::Store;

use crate::cli::{AnalysisArgs, OutputFormat, ReportArgs};
use crate::exit;
use crate::format::{date, integer, number, optional, percent};

pub fn load_settings(path: Option<&Path>) -> Result<Settings> {
    Ok(match path {
        Some(path) => Settings::load(path)?,
        None => Settings::default(),
    })
}

fn open(common: &AnalysisArgs) -> Result<(Store, Settings, chrono::NaiveDate)> {
    let store = Store::open_existing(&common.store.store)?;
    let settings = load_settings(common.settings.as_deref())?;
    let as_of = common.as_of.unwrap_or_else(ingest::dates::paris_today);
    Ok((store, settings, as_of))
}

fn filter(args: &ReportArgs) -> Filter {
    Filter {
        kind: args.kind.clone(),
        departement: args.departement.clone(),
        family: args.family.clone(),
        sector_group: args.sector.clone(),
        ose: args.ose,
        search: None,
        reason: args.reason.clone(),
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn csv_writer() -> csv::Writer<std::io::Stdout> {
    csv::WriterBuilder::new().delimiter(b';').from_writer(std::io::stdout())
}

/// CSV numbers for French Excel: a decimal comma, no thousands separator.
fn csv_number(value: Option<f64>, decimals: usize) -> String {
    value
        .map(|value| format!("{value:.decimals$}").replace('.', ","))
        .unwrap_or_default()
}

pub fn regional(args: &ReportArgs) -> Result<u8> {
    let (store, settings, as_of) = open(&args.common)?;
    let analytics = Analytics::new(store.connection(), &settings);
    let report = analytics.regional(as_of, &Scope::region(), &filter(args))?;
    match args.common.format {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Csv => {
            let mut out = csv_writer();
            out.write_record([
                "departement",
                "libelle",
                "etablissements",
                "exercice_realise_12_mois",
                "taux_exercice",
                "ose",
                "ose_ads_et_silene",
                "declarations_a_jour",
                "taux_declarations_a_jour",
                "maturite_mediane",
                "e1_atteint",
                "e2_atteint",
                "e3_atteint",
                "e4_atteint",
                "e5_atteint",
            ])?;
            for row in &report.by_departement {
                let f = &row.figures;
                out.write_record([
                    row.departement.clone().unwrap_or_default(),
                    row.label.clone().unwrap_or_default(),
                    f.establishments.to_string(),
                    f.exercise_done.to_string(),
                    csv_number(Figures::rate(f.exercise_done, f.establishments), 4),
                    f.ose.to_string(),
                    f.ose_audited.to_string(),
                    f.declarations_up_to_date.to_string(),
                    csv_number(Figures::rate(f.declarations_up_to_date, f.establishments), 4),
                    csv_number(f.median_maturity, 1),
                    f.scorecard_met[0].to_string(),
                    f.scorecard_met[1].to_string(),
                    f.scorecard_met[2].to_string(),
                    f.scorecard_met[3].to_string(),
                    f.scorecard_met[4].to_string(),
                ])?;
            }
            out.flush()?;
        }
        OutputFormat::Text => {
            print_regional(&report, &settings, args.kind.as_deref());
            println!();
            println!("Fraîcheur des sources :");
            for source in analytics.sources(as_of, &Scope::region())? {
                println!(
                    "  {:<48} {:<14} dernier import {} ; donnée la plus récente {}",
                    source.source,
                    source.status,
                    source.last_import_at.map_or_else(
                        || "–".to_owned(),
                        |at| ingest::dates::utc_to_paris(at).format("%d/%m/%Y %H:%M").to_string()
                    ),
                    date(source.newest_date)
                );
            }
        }
    }
    Ok(exit::OK)
}

/// The regional summary as text: headline, table by département, distributions.
pub fn print_regional(report: &analytics::RegionalReport, settings: &Settings, kind: Option<&str>) {
    let h = &report.headline;
    println!(
        "Observatoire — {}, au {} ({})",
        report.region,
        date(Some(report.as_of)),
        kind.unwrap_or("ES et ESMS")
    );
    println!(
        "  Établissements                          {:>10}",
        integer(h.establishments)
    );
    println!(
        "  {:<40}{:>10}  {}",
        format!("Exercice de crise réalisé en {}", settings.exercise_period()),
        integer(h.exercise_done),
        percent(Figures::rate(h.exercise_done, h.establishments))
    );
    println!(
        "  {:<40}{:>10}  sur {} OSE, {}",
        format!("OSE audités (ADS et SILENE en {})", settings.audit_period()),
        integer(h.ose_audited),
        integer(h.ose),
        percent(Figures::rate(h.ose_audited, h.ose))
    );
    println!(
        "  Déclarations OPSSIES à jour (≤ {} j)    {:>10}  {}",
        settings.freshness.up_to_date_days,
        integer(h.declarations_up_to_date),
        percent(Figures::rate(h.declarations_up_to_date, h.establishments))
    );
    println!(
        "  Jamais déclaré                          {:>10}",
        integer(h.never_declared)
    );
    println!(
        "  Maturité médiane (sur 100)              {:>10}",
        optional(h.median_maturity, 1)
    );
    for (index, label) in [
        "E1 exercice",
        "E2 audits",
        "E3 observatoire",
        "E4 sensibilisation",
        "E5 cartographie",
    ]
    .iter()
    .enumerate()
    {
        println!(
            "  Attente {label:<32}{:>10}  {}",
            integer(h.scorecard_met[index]),
            percent(Figures::rate(h.scorecard_met[index], h.establishments))
        );
    }
    println!();
    println!(
        "  {:<26} {:>7} {:>10} {:>6} {:>9} {:>9} {:>9}",
        "Département", "étab.", "exercice", "", "OSE aud.", "à jour", "maturité"
    );
    for row in &report.by_departement {
        let f = &row.figures;
        println!(
            "  {:<26} {:>7} {:>10} {:>6} {:>9} {:>9} {:>9}",
            format!(
                "{} {}",
                row.departement.as_deref().unwrap_or(""),
                row.label.as_deref().unwrap_or("")
            ),
            integer(f.establishments),
            integer(f.exercise_done),
            percent(Figures::rate(f.exercise_done, f.establishments)),
            format!("{}/{}", f.ose_audited, f.ose),
            percent(Figures::rate(f.declarations_up_to_date, f.establishments)),
            optional(f.median_maturity, 1),
        );
    }
    println!();
    let levels: Vec<String> = report
        .maturity_levels
        .iter()
        .map(|(level, count)| format!("{level} : {}", integer(*count)))
        .collect();
    println!("  Niveaux de maturité (1 Initial … 5 Avancé) : {}", levels.join(", "));
    let statuses: Vec<String> = report
        .exercise_statuses
        .iter()
        .map(|(status, count)| format!("{status} : {}", integer(*count)))
        .collect();
    println!("  Exercices : {}", statuses.join(", "));
    let q = &report.exercise_quality;
    println!(
        "  Qualité des exercices ({}) : Direction présente {} ; kit différent du kit recommandé {} sur {}",
        settings.exercise_period(),
        percent(Figures::rate(q.direction_present, q.done)),
        integer(q.kit_mismatch),
        integer(q.kit_known)
    );
    println!(
        "  Plans d'actions : {} actions, {} avec responsable et échéance, {} en retard, {} faites",
        integer(q.actions),
        percent(Figures::rate(q.actions_tracked, q.actions)),
        integer(q.actions_overdue),
        percent(Figures::rate(q.actions_closed, q.actions))
    );
    let campaigns: Vec<String> = report
        .campaigns
        .iter()
        .map(|c| {
            format!(
                "{} : {} décl., maturité médiane {}",
                c.campaign,
                integer(c.declarations),
                optional(c.median_maturity, 1)
            )
        })
        .collect();
    println!("  Campagnes : {}", campaigns.join(" ; "));
    let incidents: Vec<String> = report
        .incidents
        .iter()
        .map(|y| {
            format!(
                "{} : {} ({} CNIL hors délai)",
                y.year,
                integer(y.incidents),
                y.cnil_late
            )
        })
        .collect();
    println!("  Incidents déclarés : {}", incidents.join(" ; "));
}

pub fn establishment(common: &AnalysisArgs, finess: &str) -> Result<u8> {
    let (store, settings, as_of) = open(common)?;
    let analytics = Analytics::new(store.connection(), &settings);
    let fiche = match analytics.fiche(finess.trim(), as_of, &Scope::region()) {
        Ok(fiche) => fiche,
        Err(analytics::AnalyticsError::NotFound(_)) => {
            eprintln!(
                "erreur : établissement {finess} absent de la base pour la région {} (vérifiez le FINESS géographique)",
                settings.region.name
            );
            return Ok(exit::FILE_REFUSED);
        }
        Err(error) => return Err(error.into()),
    };
    if common.format == OutputFormat::Json {
        print_json(&fiche)?;
        return Ok(exit::OK);
    }
    let s = &fiche.status;
    println!(
        "{} — FINESS ET {} (EJ {})",
        s.name.as_deref().unwrap_or("?"),
        s.finess_et,
        s.finess_ej.as_deref().unwrap_or("?")
    );
    println!(
        "  {} · {} · {}{}{}",
        s.category_label.as_deref().unwrap_or(""),
        s.sector_group,
        s.departement_label.as_deref().unwrap_or(""),
        if s.ose { " · OSE" } else { "" },
        s.ght.as_deref().map(|ght| format!(" · {ght}")).unwrap_or_default()
    );
    println!("  Au {}", date(Some(fiche.as_of)));
    println!();
    println!("Attentes nationales :");
    println!(
        "  E1 exercice          {:<12} dernier : {} ({}) ; prévu : {}",
        s.e1_exercise,
        date(s.last_exercise_on),
        s.last_exercise_source.as_deref().unwrap_or("aucune source"),
        date(s.next_planned_on)
    );
    println!(
        "  E2 audits            {:<12} ADS {} · SILENE {} · cybersurveillance {} · messagerie {}",
        s.e2_audits,
        date(s.ads_on),
        date(s.silene_on),
        date(s.cybersurveillance_on),
        date(s.mail_audit_on)
    );
    println!(
        "  E3 observatoire      {:<12} dernière mise à jour {} (campagne {}, {}) : {}",
        s.e3_observatory,
        date(s.last_declaration_on),
        s.last_declaration_campaign
            .map(|c| c.to_string())
            .unwrap_or_else(|| "–".into()),
        s.last_declaration_status.as_deref().unwrap_or("–"),
        s.freshness
    );
    println!(
        "  E4 sensibilisation   {:<12} personnel sensibilisé {} ; formation {}",
        s.e4_awareness,
        s.staff_trained_percent
            .map(|p| format!("{} %", number(p, 0)))
            .unwrap_or_else(|| "–".into()),
        date(s.training_on)
    );
    println!(
        "  E5 cartographie      {:<12} {}",
        s.e5_cartography,
        if s.cartography_answers.is_empty() {
            "–".to_owned()
        } else {
            s.cartography_answers.join(" ; ")
        }
    );
    println!();
    println!(
        "Maturité : {} (niveau {}), complétude {}{}",
        optional(s.maturity, 1),
        s.maturity_level.map(|l| l.to_string()).unwrap_or_else(|| "–".into()),
        percent(s.maturity_completion),
        if s.maturity_partial == Some(true) {
            " — partiel"
        } else {
            ""
        }
    );
    for domain in &fiche.domains {
        println!(
            "  {:<6} {:>6}  ({} / {} questions){}",
            domain.domain,
            optional(domain.score, 1),
            domain.answered,
            domain.scored,
            domain
                .previous
                .zip(domain.score)
                .map(|(previous, score)| format!("  évolution {}", number(score - previous, 1)))
                .unwrap_or_default()
        );
    }
    println!();
    println!("Comparaison aux pairs (médiane ; 20 % les moins bons – 20 % les meilleurs) :");
    for benchmark in fiche.benchmarks.iter().filter(|b| {
        b.measure == "Maturité globale" || !b.measure.starts_with("Maturité ") || b.group == "groupe de pairs"
    }) {
        let figures = match &benchmark.figures {
            Some(f) => format!(
                "{} ; {} – {} ; rang {} ({} étab.)",
                number(f.median, 1),
                number(f.worst_20, 1),
                number(f.best_20, 1),
                f.percentile
                    .map(|p| format!("{} %", number(p, 0)))
                    .unwrap_or_else(|| "–".into()),
                f.establishments
            ),
            None => "effectif insuffisant".to_owned(),
        };
        println!(
            "  {:<30} {:<18} valeur {:>6} : {figures}",
            benchmark.measure,
            benchmark.group,
            optional(benchmark.value, 1)
        );
    }
    if !fiche.actions.is_empty() {
        println!();
        println!(
            "Plan d'actions ({} en retard) :",
            fiche.actions.iter().filter(|a| a.overdue).count()
        );
        for action in &fiche.actions {
            println!(
                "  {} {} — {} — échéance {} — {}",
                if action.overdue { "⚠" } else { "·" },
                action.action,
                action.owner.as_deref().unwrap_or("sans responsable"),
                date(action.deadline),
                action.status.as_deref().unwrap_or("–")
            );
        }
    }
    if let (Some(score), Some(kit)) = (s.self_assessment_score, &s.recommended_kit) {
        println!();
        println!(
            "Auto-évaluation du {} : score {score}, kit recommandé {kit}",
            date(s.self_assessed_on)
        );
    }
    Ok(exit::OK)
}

pub fn targeting(args: &ReportArgs) -> Result<u8> {
    let (store, settings, as_of) = open(&args.common)?;
    let analytics = Analytics::new(store.connection(), &settings);
    let rows = analytics.targeting(as_of, &Scope::region(), &filter(args))?;
    match args.common.format {
        OutputFormat::Json => print_json(&rows)?,
        OutputFormat::Csv => {
            let mut out = csv_writer();
            out.write_record([
                "priorite",
                "finess_et",
                "nom",
                "departement",
                "famille",
                "secteur",
                "ose",
                "raisons",
                "offres_sesan",
            ])?;
            for row in &rows {
                out.write_record([
                    row.priority_score.to_string(),
                    row.finess_et.clone(),
                    row.name.clone().unwrap_or_default(),
                    row.departement.clone().unwrap_or_default(),
                    row.family.clone(),
                    row.sector_group.clone(),
                    if row.ose { "oui" } else { "non" }.to_owned(),
                    row.reasons_text(),
                    offers(row),
                ])?;
            }
            out.flush()?;
        }
        OutputFormat::Text => {
            println!(
                "Ciblage SESAN au {} : {} établissement(s) avec au moins une raison",
                date(Some(as_of)),
                rows.len()
            );
            for row in rows.iter().take(50) {
                println!(
                    "  {:>3}  {} {:<40} {:<4} {}",
                    row.priority_score,
                    row.finess_et,
                    row.name.as_deref().unwrap_or("").chars().take(40).collect::<String>(),
                    row.departement.as_deref().unwrap_or(""),
                    row.reasons_text()
                );
            }
            if rows.len() > 50 {
                println!("  … {} autres : --format csv pour la liste complète", rows.len() - 50);
            }
        }
    }
    Ok(exit::OK)
}

fn offers(row: &EstablishmentStatus) -> String {
    let mut offers: Vec<&str> = row.priority_reasons.iter().map(|reason| reason.offer()).collect();
    offers.dedup();
    offers.join(" ; ")
}

pub fn aap(args: &ReportArgs) -> Result<u8> {
    let (store, settings, as_of) = open(&args.common)?;
    let analytics = Analytics::new(store.connection(), &settings);
    let report = analytics.aap(as_of, &Scope::region())?;
    match args.common.format {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Csv => {
            let mut out = csv_writer();
            let mut header = vec!["dossier", "finess_et", "etablissement", "etat", "depose_le"];
            header.extend([
                "c1_fenetre",
                "c2_es_region",
                "c3_auto_evaluation",
                "c4_maj_3_mois",
                "c5_confirmee",
                "c6_commande",
                "c7_pas_deja_finance",
            ]);
            header.extend(["rang", "decision", "paiement"]);
            out.write_record(&header)?;
            for a in &report.applications {
                let mut record = vec![
                    a.application_id.to_string(),
                    a.finess_et.clone().unwrap_or_default(),
                    a.name.clone().unwrap_or_default(),
                    a.state.clone(),
                    a.deposited_at.clone().unwrap_or_default(),
                ];
                record.extend(a.checks.iter().map(|check| check.label().to_owned()));
                record.push(a.queue_rank.map(|rank| rank.to_string()).unwrap_or_default());
                record.push(a.decision.label().to_owned());
                record.push(a.payment.map(|payment| payment.label().to_owned()).unwrap_or_default());
                out.write_record(&record)?;
            }
            out.flush()?;
        }
        OutputFormat::Text => {
            println!("{} — au {}", report.call, date(Some(as_of)));
            println!(
                "  Enveloppe {} € · engagé {} € · à payer {} € · payé {} € · reste {} €",
                integer(report.envelope_euros),
                integer(report.committed_euros),
                integer(report.payable_euros),
                integer(report.paid_euros),
                integer(report.remaining_euros)
            );
            for a in &report.applications {
                let failed: Vec<String> = a
                    .checks
                    .iter()
                    .enumerate()
                    .filter(|(_, check)| **check != analytics::Check::Pass)
                    .map(|(index, check)| format!("{} ({check})", AAP_CHECKS[index]))
                    .collect();
                println!(
                    "  n° {:<6} {} {:<34} {:<16} {}{}",
                    a.application_id,
                    a.finess_et.as_deref().unwrap_or("?"),
                    a.name.as_deref().unwrap_or("").chars().take(34).collect::<String>(),
                    a.decision,
                    a.payment.map_or("", |payment| payment.label()),
                    if failed.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", failed.join(" ; "))
                    }
                );
            }
        }
    }
    Ok(exit::OK)
}

pub fn methodology(settings: Option<&Path>) -> Result<u8> {
    let settings = load_settings(settings).context("réglages")?;
    // Without a store at hand, the evidence questions of the shipped catalogue's newest campaign.
    let catalogues = ingest::catalogue::Catalogues::embedded();
    let evidence: Vec<analytics::methodology::EvidenceQuestion> = catalogues
        .newest()
        .map(|catalogue| {
            catalogue
                .questions
                .iter()
                .filter_map(|question| {
                    question
                        .expectation
                        .as_ref()
                        .map(|expectation| analytics::methodology::EvidenceQuestion {
                            expectation: expectation.clone(),
                            code: question.code.clone(),
                            label: question.label.clone(),
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    print!(
        "{}",
        analytics::methodology::text(&settings, analytics::methodology::Amounts::Shown, &evidence)
    );
    Ok(exit::OK)
}
