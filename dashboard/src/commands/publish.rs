//! `opssies publish`: the monthly pack for the ARS (TLP amber: what an ARS analyst sees, no
//! red event counted) — the regional report as XLSX (one sheet per table of the pages), a
//! one-page A4 PDF fiche per establishment, a PDF regional summary with its charts, and
//! `manifest.json` with each file's SHA-256. The same date and data give the same bytes.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use analytics::{Analytics, EstablishmentStatus, Expectation, Figures, Filter, Scope};
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use ingest::Store;
use sha2::{Digest, Sha256};

use crate::accounts::Role;
use crate::cli::PublishArgs;
use crate::exit;
use crate::format::{date, integer, number, optional, percent};
use crate::pdf::{self, Cursor, Fonts, GREY, INK, MARGIN, Pdf, WIDTH};
use crate::web::charts;
use crate::web::exports::{self, Table};
use crate::web::sight::Sight;

/// The sharing level of everything in the pack.
const TLP: &str = "TLP:AMBER — diffusion limitée à l'ARS et aux destinataires qu'elle désigne";

/// Actions listed on a fiche before « … et N autres » (the page must stay one page).
const FICHE_ACTIONS: usize = 8;

pub fn run(args: &PublishArgs) -> Result<u8> {
    // While `opssies serve` holds the store (the monthly timer runs beside it), the pack is
    // computed on a private copy of the analysts' snapshot, which the server rewrites after
    // each import: the same data, without the accounts and the journal the pack never reads.
    let (store, _copy) = match Store::open_existing(&args.store.store) {
        Ok(store) => (store, None),
        Err(ingest::store::StoreError::Locked { .. }) => {
            let snapshot = ingest::store::snapshot::default_path(&args.store.store);
            if !snapshot.exists() {
                bail!(
                    "la base {} est ouverte par un autre programme et sa copie de lecture {} n'existe pas encore : réessayez quand le serveur l'aura écrite",
                    args.store.store.display(),
                    snapshot.display()
                );
            }
            let directory = tempfile::tempdir()?;
            let copy = directory.path().join("publication.duckdb");
            std::fs::copy(&snapshot, &copy).with_context(|| format!("copie de {}", snapshot.display()))?;
            eprintln!(
                "La base est ouverte par le serveur : le dossier est calculé sur sa copie de lecture {}.",
                snapshot.display()
            );
            (Store::open_existing(&copy)?, Some(directory))
        }
        Err(error) => return Err(error.into()),
    };
    let settings = super::report::load_settings(args.settings.as_deref())?;
    let as_of = args.as_of.unwrap_or_else(ingest::dates::paris_today);
    let written = publish(&store, &settings, as_of, &args.out, std::io::stderr().is_terminal())?;
    println!(
        "Dossier mensuel au {} écrit dans {} : {} fichier(s), dont {} fiche(s) d'établissement ; manifest.json donne l'empreinte SHA-256 de chacun.",
        date(Some(as_of)),
        args.out.display(),
        written.files,
        written.fiches
    );
    Ok(exit::OK)
}

pub struct Published {
    pub files: usize,
    pub fiches: usize,
}

pub fn publish(
    store: &Store,
    settings: &analytics::Settings,
    as_of: NaiveDate,
    out: &Path,
    progress: bool,
) -> Result<Published> {
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        bail!(
            "{} n'est pas vide : choisissez un dossier neuf (le dossier d'un mois ne se mélange pas avec un autre)",
            out.display()
        );
    }
    std::fs::create_dir_all(out.join("fiches")).with_context(|| format!("création de {}", out.display()))?;
    let analytics = Analytics::new(store.connection(), settings);
    let scope = Scope::region();
    let everyone = Filter::default();
    let report = analytics.regional(as_of, &scope, &everyone)?;
    let establishments = analytics.establishments(as_of, &scope, &everyone)?;
    let targeting = analytics.targeting(as_of, &scope, &everyone)?;
    let aap = Sight::of(Role::Ars, &[]).aap(&analytics.aap(as_of, &scope)?);
    let book = analytics.fiche_book(as_of)?;

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let workbook = exports::to_xlsx_book(&[
        ("Vue régionale", &exports::departements_table(&report)),
        ("Établissements", &exports::establishments_table(&establishments)),
        ("Ciblage", &exports::targeting_table(&targeting)),
        ("Exercices", &exports::exercises_table(&establishments)),
        ("Audits", &exports::audits_table(&establishments)),
        ("AAP", &exports::aap_table(&aap)),
    ] as &[(&str, &Table)])?;
    files.push(("rapport-regional.xlsx".to_owned(), workbook));

    let fonts = Fonts::new()?;
    files.push((
        "synthese-regionale.pdf".to_owned(),
        regional_summary(&fonts, settings, as_of, &report)?,
    ));
    let bar = progress.then(|| {
        let bar = indicatif::ProgressBar::new(establishments.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message("fiches");
        bar
    });
    let mut fiches = 0;
    for status in &establishments {
        let fiche = book.fiche(&status.finess_et)?;
        let bytes = fiche_pdf(&fonts, settings, &fiche)?;
        files.push((format!("fiches/{}.pdf", status.finess_et), bytes));
        fiches += 1;
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut manifest = Vec::new();
    for (name, bytes) in &files {
        write(&out.join(name), bytes)?;
        manifest.push(serde_json::json!({
            "fichier": name,
            "octets": bytes.len(),
            "sha256": hex::encode(Sha256::digest(bytes)),
        }));
    }
    let manifest = serde_json::json!({
        "date_de_reference": as_of.to_string(),
        "region": settings.region.name,
        "tlp": "amber",
        "fichiers": manifest,
    });
    write(&out.join("manifest.json"), &serde_json::to_vec_pretty(&manifest)?)?;
    Ok(Published {
        files: files.len() + 1,
        fiches,
    })
}

fn write(path: &PathBuf, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("écriture de {}", path.display()))
}

/// The band at the top of every page: the observatory, the date, the TLP.
fn header(cursor: &mut Cursor<'_, '_>, region: &str, as_of: NaiveDate) {
    cursor.text_at(
        MARGIN,
        7.5,
        false,
        GREY,
        &format!(
            "Observatoire cyber santé — {region} — situation au {}",
            date(Some(as_of))
        ),
    );
    let tlp = "TLP:AMBER";
    let width = cursor.fonts().width(tlp, 8.0, true);
    cursor.text_at(WIDTH - MARGIN - width, 8.0, true, pdf::AMBER, tlp);
    cursor.y += 12.0;
    cursor.rule();
}

fn footer(cursor: &mut Cursor<'_, '_>) {
    cursor.y = pdf::HEIGHT - MARGIN + 6.0;
    cursor.text_at(MARGIN, 7.0, false, GREY, TLP);
}

/// One establishment on one A4 page: identity, the five expectations with their evidence,
/// maturity against peers with its chart, the action plan.
fn fiche_pdf(fonts: &Fonts, settings: &analytics::Settings, fiche: &analytics::Fiche) -> Result<Vec<u8>> {
    let s: &EstablishmentStatus = &fiche.status;
    let name = s.name.clone().unwrap_or_else(|| s.finess_et.clone());
    let mut document = Pdf::new(
        fonts,
        &format!("{name} — fiche cybersécurité au {}", date(Some(fiche.as_of))),
    );
    let text_width = WIDTH - 2.0 * MARGIN;
    document.page(|cursor| {
        header(cursor, &settings.region.name, fiche.as_of);
        cursor.paragraph(MARGIN, text_width, 14.0, true, INK, &name);
        let mut identity = format!(
            "FINESS ET {} · EJ {} · {} · {} · {}",
            s.finess_et,
            s.finess_ej.as_deref().unwrap_or("–"),
            s.category_label.as_deref().unwrap_or(""),
            s.sector_group,
            s.departement_label.as_deref().unwrap_or("")
        );
        if s.ose {
            identity.push_str(" · OSE");
        }
        if let Some(ght) = &s.ght {
            identity.push_str(&format!(" · {ght}"));
        }
        cursor.paragraph(MARGIN, text_width, 8.5, false, INK, &identity);
        let mut priority = format!("Priorité SESAN : {}", s.priority_score);
        if !s.priority_reasons.is_empty() {
            priority.push_str(&format!(" ({})", s.reasons_text()));
        }
        cursor.paragraph(MARGIN, text_width, 8.5, false, INK, &priority);

        cursor.heading("Attentes nationales", 11.0);
        for (code, label, status, evidence) in crate::scorecard::items(s) {
            let top = cursor.y;
            cursor.text_at(MARGIN, 8.5, true, INK, &format!("{code} {label}"));
            cursor.text_at(MARGIN + 150.0, 8.5, true, tone(*status), status.label());
            cursor.paragraph(MARGIN + 235.0, text_width - 235.0, 8.0, false, INK, &evidence);
            cursor.y = cursor.y.max(top + 12.0) + 2.0;
        }

        cursor.heading("Maturité face aux pairs", 11.0);
        let mut overall = format!(
            "Maturité globale : {} (niveau {}), questionnaire rempli à {}",
            optional(s.maturity, 1),
            s.maturity_level
                .map_or_else(|| "–".to_owned(), |level| level.to_string()),
            percent(s.maturity_completion)
        );
        if s.maturity_partial == Some(true) {
            overall.push_str(" — maturité partielle");
        }
        cursor.paragraph(MARGIN, text_width, 8.5, false, INK, &format!("{overall}."));
        let rows: Vec<Vec<String>> = fiche
            .domains
            .iter()
            .map(|domain| {
                let peer = fiche
                    .benchmarks
                    .iter()
                    .find(|b| b.group == "groupe de pairs" && b.measure == format!("Maturité {}", domain.domain))
                    .and_then(|b| b.figures.as_ref());
                vec![
                    domain.domain.clone(),
                    optional(domain.score, 1),
                    format!("{} / {}", domain.answered, domain.scored),
                    peer.map_or_else(|| "effectif insuffisant".to_owned(), |f| number(f.median, 1)),
                    peer.map_or_else(|| "–".to_owned(), |f| number(f.best_20, 1)),
                ]
            })
            .collect();
        cursor.table(
            &[
                (0.0, "Domaine"),
                (190.0, "Score"),
                (240.0, "Questions"),
                (300.0, "Médiane des pairs"),
                (400.0, "20 % les meilleurs"),
            ],
            &rows,
            8.0,
        );
        let (_, svg) = charts::fiche_peers(fiche);
        cursor.y += 4.0;
        cursor.chart(&svg, text_width * 0.8, 150.0)?;

        cursor.heading("Plan d'actions", 11.0);
        if fiche.actions.is_empty() {
            cursor.paragraph(MARGIN, text_width, 8.5, false, INK, "Aucune action suivie.");
        } else {
            // As many as the page holds above the footer (a header line, one line each, and
            // the « … et N autres » line), at most FICHE_ACTIONS.
            let fits = ((cursor.room() - 36.0) / (8.0 * 1.35)).floor().max(0.0) as usize;
            let shown = fiche.actions.len().min(FICHE_ACTIONS).min(fits);
            let rows: Vec<Vec<String>> = fiche.actions[..shown]
                .iter()
                .map(|action| {
                    vec![
                        if action.overdue {
                            format!("{} (en retard)", action.action)
                        } else {
                            action.action.clone()
                        },
                        action.owner.clone().unwrap_or_else(|| "sans responsable".to_owned()),
                        date(action.deadline),
                        action.status.clone().unwrap_or_else(|| "–".to_owned()),
                    ]
                })
                .collect();
            cursor.table(
                &[
                    (0.0, "Action"),
                    (300.0, "Responsable"),
                    (400.0, "Échéance"),
                    (460.0, "Statut"),
                ],
                &rows,
                8.0,
            );
            if fiche.actions.len() > shown {
                cursor.paragraph(
                    MARGIN,
                    text_width,
                    8.0,
                    false,
                    GREY,
                    &format!(
                        "… et {} autre(s) action(s) : voir la fiche du tableau de bord.",
                        fiche.actions.len() - shown
                    ),
                );
            }
        }
        footer(cursor);
        Ok(())
    })?;
    Ok(document.finish()?)
}

fn tone(status: Expectation) -> pdf::Colour {
    match status {
        Expectation::Met => pdf::GREEN,
        Expectation::NotMet => pdf::RED,
        Expectation::Partial => pdf::AMBER,
        Expectation::Unknown => GREY,
    }
}

/// The region on one or two pages: headline figures, the table by département, the charts.
fn regional_summary(
    fonts: &Fonts,
    settings: &analytics::Settings,
    as_of: NaiveDate,
    report: &analytics::RegionalReport,
) -> Result<Vec<u8>> {
    let region = &settings.region.name;
    let mut document = Pdf::new(fonts, &format!("Synthèse régionale {region} au {}", date(Some(as_of))));
    let text_width = WIDTH - 2.0 * MARGIN;
    let h = &report.headline;
    let exercise_period = settings.exercise_period();
    let by_dep = |share: fn(&Figures) -> Option<f64>| -> Vec<(String, f64)> {
        report
            .by_departement
            .iter()
            .map(|row| {
                (
                    row.departement.clone().unwrap_or_default(),
                    share(&row.figures).unwrap_or(0.0),
                )
            })
            .collect()
    };
    document.page(|cursor| {
        header(cursor, region, as_of);
        cursor.paragraph(MARGIN, text_width, 15.0, true, INK, &format!("Synthèse régionale — {region}"));
        cursor.paragraph(
            MARGIN,
            text_width,
            9.0,
            false,
            INK,
            &format!(
                "{} établissements. Exercice de crise réalisé en {exercise_period} : {} ; OSE audités (ADS et SILENE) : {} ({} sur {}) ; déclarations OPSSIES à jour : {} ; maturité médiane : {}.",
                integer(h.establishments),
                percent(Figures::rate(h.exercise_done, h.establishments)),
                percent(Figures::rate(h.ose_audited, h.ose)),
                h.ose_audited,
                h.ose,
                percent(Figures::rate(h.declarations_up_to_date, h.establishments)),
                optional(h.median_maturity, 1)
            ),
        );
        cursor.heading("Par département", 11.0);
        let rows: Vec<Vec<String>> = report
            .by_departement
            .iter()
            .map(|row| {
                let f = &row.figures;
                vec![
                    format!("{} {}", row.departement.as_deref().unwrap_or(""), row.label.as_deref().unwrap_or("")),
                    integer(f.establishments),
                    percent(Figures::rate(f.exercise_done, f.establishments)),
                    format!("{} / {}", f.ose_audited, f.ose),
                    percent(Figures::rate(f.declarations_up_to_date, f.establishments)),
                    optional(f.median_maturity, 1),
                ]
            })
            .collect();
        cursor.table(
            &[
                (0.0, "Département"),
                (170.0, "Établissements"),
                (250.0, "Exercice"),
                (320.0, "OSE audités"),
                (390.0, "Déclarations à jour"),
                (470.0, "Maturité"),
            ],
            &rows,
            8.0,
        );
        cursor.y += 6.0;
        let exercise = by_dep(|f| Figures::rate(f.exercise_done, f.establishments));
        cursor.chart(
            &charts::bars(
                &format!("Exercice réalisé dans les {exercise_period}, par département"),
                "part des établissements",
                &exercise,
                1.0,
                true,
            ),
            text_width,
            230.0,
        )?;
        let levels: Vec<(String, f64)> = report
            .maturity_levels
            .iter()
            .map(|(level, count)| (level.clone(), *count as f64))
            .collect();
        let max_level = levels.iter().map(|(_, count)| *count).fold(1.0, f64::max);
        cursor.chart(
            &charts::bars("Établissements par niveau de maturité (1 à 5)", "établissements", &levels, max_level * 1.1, false),
            text_width,
            230.0,
        )?;
        footer(cursor);
        Ok(())
    })?;
    document.page(|cursor| {
        header(cursor, region, as_of);
        cursor.chart(
            &charts::monthly_exercises(&charts::monthly_rates(report), &exercise_period),
            text_width,
            260.0,
        )?;
        let declarations = by_dep(|f| Figures::rate(f.declarations_up_to_date, f.establishments));
        cursor.chart(
            &charts::bars(
                "Déclarations OPSSIES à jour, par département",
                "part des établissements",
                &declarations,
                1.0,
                true,
            ),
            text_width,
            260.0,
        )?;
        footer(cursor);
        Ok(())
    })?;
    Ok(document.finish()?)
}
