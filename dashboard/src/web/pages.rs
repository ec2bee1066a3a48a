//! The French pages, one function per route, rendered on the server (maud escapes every
//! value, so a name such as `<script>` is shown as text).

use analytics::{
    AAP_CHECKS, Analytics, Check, Decision, EstablishmentStatus, ExerciseStatus, Expectation, Figures, Freshness,
    NATIONAL_INCIDENTS, RegionalReport, Scope, SourceStatus,
};
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::auth::Viewer;
use super::params::{Params, Path, Query};
use super::{AppState, ROUTES, WebError, charts, map, routes};
use crate::accounts::Role;
use crate::format::{date, integer, number, optional, percent};

/// Largest upload accepted by the import page (the CLI's default limit).
pub const UPLOAD_LIMIT_BYTES: usize = 200 * 1024 * 1024;
const PAGE_SIZE: usize = 50;

const STYLESHEET: &str = include_str!("../../static/style.css");
const IMPORT_SCRIPT: &str = include_str!("../../static/import.js");

pub async fn import_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        IMPORT_SCRIPT,
    )
}

pub async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET)
}

/// The frame of every page: header, navigation, content.
pub fn layout(viewer: &Viewer, title: &str, active: &str, region: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="fr" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Observatoire cyber santé " (region) }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                a class="skip" href="#contenu" { "Aller au contenu" }
                header class="site" {
                    p class="brand" { "Observatoire de la cybersécurité des établissements de santé — " (region) }
                    // Marks, not the session's values: the page may be shared (see `auth`).
                    (super::auth::account_form())
                    nav aria-label="Navigation principale" {
                        ul {
                            @for route in ROUTES.iter().filter(|r| r.title.is_some() && r.method == routes::Method::Get && r.opens_to(Some(viewer.user.role))) {
                                li {
                                    a href=(route.path) aria-current=[(route.path == active).then_some("page")] {
                                        (route.title.unwrap_or_default())
                                    }
                                }
                            }
                        }
                    }
                }
                main id="contenu" class="page" {
                    h1 { (title) }
                    (body)
                }
                footer class="site" {
                    p { "Données confidentielles : ne pas diffuser. " a href="/methodologie" { "Méthodologie" } " · " a href="/ressources" { "Ressources et contacts" } }
                }
            }
        }
    }
}

/// The filters every analysis page offers; the form is a plain GET, no script needed.
fn filter_form(action: &str, params: &Params, departements: &[(String, String)], with_reason: bool) -> Markup {
    let selected = |value: &Option<String>, option: &str| value.as_deref() == Some(option);
    html! {
        form class="filters" method="get" action=(action) {
            label { "Date de référence " input type="date" name="date" value=[params.date.as_deref()]; }
            label { "Type "
                select name="type" {
                    option value="" { "ES et ESMS" }
                    option value="ES" selected[selected(&params.kind, "ES")] { "ES" }
                    option value="ESMS" selected[selected(&params.kind, "ESMS")] { "ESMS" }
                }
            }
            label { "Département "
                select name="departement" {
                    option value="" { "Tous" }
                    @for (code, name) in departements {
                        option value=(code) selected[selected(&params.departement, code)] { (code) " " (name) }
                    }
                }
            }
            label { "Famille " input type="text" name="famille" value=[params.famille.as_deref()] placeholder="CH, EHPAD…"; }
            label { "Secteur "
                select name="secteur" {
                    option value="" { "Tous" }
                    @for sector in ["Public", "Privé d'intérêt collectif", "Privé non lucratif", "Privé commercial", "Médico-social"] {
                        option value=(sector) selected[selected(&params.secteur, sector)] { (sector) }
                    }
                }
            }
            label { "OSE "
                select name="ose" {
                    option value="" { "Tous" }
                    option value="oui" selected[selected(&params.ose, "oui")] { "OSE" }
                    option value="non" selected[selected(&params.ose, "non")] { "Non OSE" }
                }
            }
            @if with_reason {
                label { "Raison "
                    select name="raison" {
                        option value="" { "Toutes" }
                        @for reason in ["exercice", "audits OSE", "déclaration", "maturité", "actions en retard", "incident", "cybersurveillance"] {
                            option value=(reason) selected[selected(&params.raison, reason)] { (reason) }
                        }
                    }
                }
            }
            label { "Recherche " input type="search" name="q" value=[params.q.as_deref()] placeholder="Nom ou FINESS"; }
            button type="submit" { "Filtrer" }
        }
    }
}

fn export_links(page: &str, params: &Params, parquet: bool) -> Markup {
    let query = params.query_string(None);
    let link = |format: &str| {
        if query.is_empty() {
            format!("/export/{page}?format={format}")
        } else {
            format!("/export/{page}?{query}&format={format}")
        }
    };
    html! {
        p class="exports" {
            "Exporter : "
            a href=(link("csv")) { "CSV (Excel)" } " · "
            a href=(link("csv-rfc4180")) { "CSV (RFC 4180)" } " · "
            a href=(link("xlsx")) { "XLSX" }
            @if parquet { " · " a href=(link("parquet")) { "Parquet" } }
        }
    }
}

/// A chart with its title, a sentence that says what it shows, and its data a click away.
fn figure(svg: String, summary: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Markup {
    html! {
        figure class="chart" {
            (PreEscaped(svg))
            figcaption { (summary) }
            details {
                summary { "Données du graphique" }
                table {
                    thead { tr { @for header in headers { th scope="col" { (header) } } } }
                    tbody { @for row in rows { tr { @for (index, cell) in row.iter().enumerate() {
                        @if index == 0 { th scope="row" { (cell) } } @else { td class="num" { (cell) } }
                    } } } }
                }
            }
        }
    }
}

fn departements(report: &RegionalReport) -> Vec<(String, String)> {
    report
        .by_departement
        .iter()
        .map(|row| {
            (
                row.departement.clone().unwrap_or_default(),
                row.label.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn card(label: &str, value: String, detail: String) -> Markup {
    html! { div class="card" { p class="label" { (label) } p class="value" { (value) } p class="detail" { (detail) } } }
}

pub async fn regional(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    // Establishments start on their fiche, admins on data quality.
    match viewer.user.role {
        Role::Etablissement => {
            let sites = viewer.sight.scope.sites.clone().unwrap_or_default();
            // A legal entity with several sites starts on the list of its sites.
            let target = match sites.as_slice() {
                [only] => format!("/etablissements/{only}"),
                _ => "/mes-etablissements".to_owned(),
            };
            return Ok(Redirect::to(&target).into_response());
        }
        Role::Admin => return Ok(Redirect::to("/qualite").into_response()),
        Role::Ars | Role::Sesan => {}
    }
    let scope = viewer.scope();
    let as_of = params.as_of()?;
    let filter = params.filter()?;
    let region = state.settings.region.name.clone();
    let indicator = params.indicateur.clone().unwrap_or_else(|| "exercice".to_owned());
    let day = state.regional(as_of, scope, filter).await?;
    let (report, families) = (&day.report, &day.families);
    let aap = viewer.sight.aap(&*state.aap_report(as_of).await?);
    let h = &report.headline;
    let p = &day.year_before;
    let trend = |now: Option<f64>, before: Option<f64>| match (now, before) {
        (Some(now), Some(before)) => format!(
            "il y a un an : {} ({} pts)",
            percent(Some(before)),
            signed((now - before) * 100.0)
        ),
        _ => "il y a un an : –".to_owned(),
    };
    let exercise_rate = Figures::rate(h.exercise_done, h.establishments);
    let audit_rate = Figures::rate(h.ose_audited, h.ose);
    let fresh_rate = Figures::rate(h.declarations_up_to_date, h.establishments);
    let retained = aap.applications.iter().filter(|a| a.decision == "retenu").count() as i64;
    // The envelope's use in euros for the ARS; the number of applications retained otherwise.
    let aap_card = match &aap.amounts {
        Some(amounts) => card(
            "Enveloppe AAP engagée",
            percent(Figures::rate(amounts.committed_euros, amounts.envelope_euros)),
            format!(
                "{}\u{a0}€ sur {}\u{a0}€",
                integer(amounts.committed_euros),
                integer(amounts.envelope_euros)
            ),
        ),
        None => card(
            "Dossiers AAP retenus",
            integer(retained),
            format!("sur {} dossier(s) déposé(s)", integer(aap.applications.len() as i64)),
        ),
    };
    let by_dep: Vec<(String, f64)> = report
        .by_departement
        .iter()
        .map(|row| {
            let code = row.departement.clone().unwrap_or_default();
            let f = &row.figures;
            let share = match indicator.as_str() {
                "declaration" => Figures::rate(f.declarations_up_to_date, f.establishments),
                "audits" => Figures::rate(f.ose_audited, f.ose),
                _ => Figures::rate(f.exercise_done, f.establishments),
            };
            (code, share.unwrap_or(0.0))
        })
        .collect();
    let exercise_period = state.settings.exercise_period();
    let audit_period = state.settings.audit_period();
    let indicator_label = match indicator.as_str() {
        "declaration" => "déclarations à jour".to_owned(),
        "audits" => format!("OSE audités (ADS et SILENE en {audit_period})"),
        _ => format!("exercice réalisé en {exercise_period}"),
    };
    let best = by_dep.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let worst = by_dep.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    let bars_svg = charts::bars(
        &format!("Part des établissements : {indicator_label}"),
        "part des établissements",
        &by_dep,
        1.0,
        true,
    );
    // The map: every département of the settings' region, each establishment a point.
    let shares: Vec<(String, Option<f64>)> = state
        .settings
        .region
        .departements
        .iter()
        .map(|code| {
            let share = by_dep.iter().find(|(shown, _)| shown == code).map(|(_, share)| *share);
            (code.clone(), share)
        })
        .collect();
    type Measure = fn(&analytics::SitePoint) -> Option<bool>;
    let (yes, no, measure): (&str, &str, Measure) = match indicator.as_str() {
        "declaration" => ("déclaration à jour", "pas à jour", |site| Some(site.up_to_date)),
        "audits" => ("OSE audité", "OSE non audité", |site| {
            site.ose.then_some(site.ose_audited)
        }),
        _ => ("exercice réalisé", "pas d'exercice", |site| Some(site.exercise_done)),
    };
    let points: Vec<map::Point> = day
        .points
        .iter()
        .filter_map(|site| Some((site.lambert93?, measure(site)?)))
        .collect();
    let drawn = map::draw(&format!("Carte : {indicator_label}"), &shares, &points, (yes, no));
    let map_summary = {
        let mut text = format!(
            "Les {} départements de la région, du plus clair (la part la plus basse) au plus foncé (la plus haute)",
            shares.len()
        );
        if drawn.points > 0 {
            text.push_str(&format!(
                " ; {} établissement(s) placé(s) d'après leurs coordonnées FINESS (Lambert-93) : point vert « {yes} », cercle rouge « {no} »",
                integer(drawn.points as i64)
            ));
        } else if points.len() > map::MAX_POINTS {
            text.push_str(" ; trop d'établissements pour les placer un à un : seuls les départements sont colorés");
        }
        text.push('.');
        if !drawn.off_map.is_empty() {
            let named: Vec<String> = drawn
                .off_map
                .iter()
                .map(|code| {
                    let row = report
                        .by_departement
                        .iter()
                        .find(|row| row.departement.as_deref() == Some(code));
                    row.and_then(|row| row.label.clone())
                        .map_or_else(|| code.clone(), |label| format!("{code} {label}"))
                })
                .collect();
            text.push_str(&format!(
                " Hors carte (outre-mer) : {} — voir le tableau.",
                named.join(", ")
            ));
        }
        text
    };
    let levels: Vec<(String, f64)> = report
        .maturity_levels
        .iter()
        .map(|(level, count)| (level_name(level), *count as f64))
        .collect();
    let max_level = levels.iter().map(|(_, count)| *count).fold(1.0, f64::max);
    let levels_svg = charts::bars(
        "Établissements par niveau de maturité",
        "établissements",
        &levels,
        max_level * 1.1,
        false,
    );
    let monthly = charts::monthly_rates(report);
    let monthly_svg = charts::monthly_exercises(&monthly, &exercise_period);
    let incidents: Vec<(String, f64)> = report
        .incidents
        .iter()
        .map(|y| (y.year.to_string(), y.establishments as f64))
        .collect();
    let max_incidents = incidents.iter().map(|(_, n)| *n).fold(1.0, f64::max);
    let incidents_svg = charts::bars(
        "Structures ayant déclaré au moins un incident, par année",
        "structures",
        &incidents,
        max_incidents * 1.1,
        false,
    );
    let body = html! {
        (filter_form("/", &params, &departements(report), false))
        p class="asof" { "Situation au " strong { (date(Some(as_of))) } " — " (integer(h.establishments)) " établissements." }
        div class="cards" {
            (card(&format!("Exercice de crise réalisé en {exercise_period}"), percent(exercise_rate), trend(exercise_rate, Figures::rate(p.exercise_done, p.establishments))))
            (card("OSE audités (ADS et SILENE)", percent(audit_rate), format!("{} sur {} OSE — {}", h.ose_audited, h.ose, trend(audit_rate, Figures::rate(p.ose_audited, p.ose)))))
            (card("Déclarations OPSSIES à jour", percent(fresh_rate), trend(fresh_rate, Figures::rate(p.declarations_up_to_date, p.establishments))))
            (card("Maturité médiane", optional(h.median_maturity, 1), format!("il y a un an : {}", optional(p.median_maturity, 1))))
            (aap_card)
        }
        h2 { "Par département" }
        form class="inline" method="get" action="/" {
            @for (name, value) in [("date", &params.date), ("type", &params.kind), ("ose", &params.ose), ("secteur", &params.secteur), ("famille", &params.famille)] {
                @if let Some(value) = value { input type="hidden" name=(name) value=(value); }
            }
            label { "Indicateur de la carte "
                select name="indicateur" {
                    option value="exercice" selected[indicator == "exercice"] { "Exercice réalisé" }
                    option value="declaration" selected[indicator == "declaration"] { "Déclarations à jour" }
                    option value="audits" selected[indicator == "audits"] { "OSE audités" }
                }
            }
            button type="submit" { "Afficher" }
        }
        div class="charts" {
            (figure(bars_svg, &match (best, worst) {
                (Some(best), Some(worst)) => format!("{indicator_label} : de {} ({}) à {} ({}).", percent(Some(worst.1)), worst.0, percent(Some(best.1)), best.0),
                _ => "Aucune donnée.".to_owned(),
            }, &["Département", "Part"], by_dep.iter().map(|(code, share)| vec![code.clone(), percent(Some(*share))]).collect()))
            (figure(drawn.svg, &map_summary, &["Département", "Part"], shares.iter().map(|(code, share)| vec![code.clone(), percent(*share)]).collect()))
        }
        table class="data" {
            caption { "Indicateurs par département au " (date(Some(as_of))) }
            thead { tr {
                th scope="col" { "Département" } th scope="col" { "Établissements" } th scope="col" { "Exercice " (exercise_period) }
                th scope="col" { "OSE audités" } th scope="col" { "Déclarations à jour" } th scope="col" { "Maturité médiane" }
                th scope="col" { "E1" } th scope="col" { "E2" } th scope="col" { "E3" } th scope="col" { "E4" } th scope="col" { "E5" }
            } }
            tbody {
                @for row in &report.by_departement {
                    @let f = &row.figures;
                    tr {
                        th scope="row" { (row.departement.as_deref().unwrap_or("")) " " (row.label.as_deref().unwrap_or("")) }
                        td class="num" { (integer(f.establishments)) }
                        td class="num" { (percent(Figures::rate(f.exercise_done, f.establishments))) }
                        td class="num" { (f.ose_audited) " / " (f.ose) }
                        td class="num" { (percent(Figures::rate(f.declarations_up_to_date, f.establishments))) }
                        td class="num" { (optional(f.median_maturity, 1)) }
                        @for met in f.scorecard_met { td class="num" { (percent(Figures::rate(met, f.establishments))) } }
                    }
                }
            }
        }
        (export_links("departements", &params, viewer.sight.parquet))
        h2 { "Maturité, exercices et incidents" }
        div class="charts" {
            (figure(levels_svg, &format!("Nombre d'établissements à chaque niveau de maturité (1 Initial à 5 Avancé) ; « non calculé » sous {} % de questionnaire rempli.", number(state.settings.maturity.not_computed_below * 100.0, 0)), &["Niveau", "Établissements"], levels.iter().map(|(level, count)| vec![level.clone(), integer(*count as i64)]).collect()))
            (figure(monthly_svg, &format!("Part des établissements ayant réalisé un exercice dans les {exercise_period}, à la fin de chaque mois ; dernier mois : {}.", percent(monthly.last().map(|m| m.1))), &["Mois", "Part"], monthly.iter().map(|(month, share)| vec![month.clone(), percent(Some(*share))]).collect()))
            (figure(incidents_svg, "Structures de la sélection ayant déclaré au moins un incident, par année ; la série nationale de référence est dans le tableau.", &["Année", "Structures (sélection)", "Structures (France, référence)"], report.incidents.iter().map(|y| vec![y.year.to_string(), integer(y.establishments), NATIONAL_INCIDENTS.iter().find(|(year, _)| *year == y.year).map_or_else(|| "–".to_owned(), |(_, n)| integer(*n))]).chain(NATIONAL_INCIDENTS.iter().filter(|(year, _)| !report.incidents.iter().any(|y| y.year == *year)).map(|(year, n)| vec![year.to_string(), "–".to_owned(), integer(*n)])).collect()))
        }
        p { "Notifications CNIL hors délai (plus de " (state.settings.incidents.cnil_within_hours) " h) : " strong { (report.incidents.iter().map(|y| y.cnil_late).sum::<i64>()) } " ; fuites jamais notifiées : " strong { (report.incidents.iter().map(|y| y.cnil_missing).sum::<i64>()) } "." }
        h2 { "Par famille d'établissements" }
        table class="data" {
            thead { tr { th scope="col" { "Famille" } th scope="col" { "Établissements" } th scope="col" { "Exercice " (exercise_period) } th scope="col" { "Déclarations à jour" } th scope="col" { "Maturité médiane" } } }
            tbody { @for (family, f) in families { tr {
                th scope="row" { (family) } td class="num" { (integer(f.establishments)) }
                td class="num" { (percent(Figures::rate(f.exercise_done, f.establishments))) }
                td class="num" { (percent(Figures::rate(f.declarations_up_to_date, f.establishments))) }
                td class="num" { (optional(f.median_maturity, 1)) }
            } } }
        }
    };
    Ok(layout(&viewer, "Vue régionale", "/", &region, body).into_response())
}

fn signed(points: f64) -> String {
    if points >= 0.0 {
        format!("+{}", number(points, 0))
    } else {
        number(points, 0)
    }
}

fn level_name(level: &str) -> String {
    match level {
        "1" => "1 Initial".to_owned(),
        "2" => "2 Fragile".to_owned(),
        "3" => "3 En progrès".to_owned(),
        "4" => "4 Maîtrisé".to_owned(),
        "5" => "5 Avancé".to_owned(),
        other => other.to_owned(),
    }
}

/// How a status is shown: its label and its colour class, by an exhaustive match.
pub trait Tone {
    fn label(&self) -> &'static str;
    fn tone(&self) -> &'static str;
}

impl<T: Tone> Tone for &T {
    fn label(&self) -> &'static str {
        (**self).label()
    }
    fn tone(&self) -> &'static str {
        (**self).tone()
    }
}

impl Tone for Expectation {
    fn label(&self) -> &'static str {
        Expectation::label(*self)
    }
    fn tone(&self) -> &'static str {
        match self {
            Expectation::Met => "ok",
            Expectation::Partial => "partial",
            Expectation::NotMet => "ko",
            Expectation::Unknown => "unknown",
        }
    }
}

impl Tone for Freshness {
    fn label(&self) -> &'static str {
        Freshness::label(*self)
    }
    fn tone(&self) -> &'static str {
        match self {
            Freshness::UpToDate => "ok",
            Freshness::ToRefresh => "partial",
            Freshness::Obsolete | Freshness::Never => "ko",
        }
    }
}

impl Tone for ExerciseStatus {
    fn label(&self) -> &'static str {
        ExerciseStatus::label(*self)
    }
    fn tone(&self) -> &'static str {
        match self {
            ExerciseStatus::Done => "ok",
            ExerciseStatus::Planned => "partial",
            ExerciseStatus::Late | ExerciseStatus::Never => "ko",
        }
    }
}

impl Tone for Check {
    fn label(&self) -> &'static str {
        match self {
            Check::Pass => "atteint",
            Check::Fail => "échec",
            Check::Unknown => "inconnu",
        }
    }
    fn tone(&self) -> &'static str {
        match self {
            Check::Pass => "ok",
            Check::Fail => "ko",
            Check::Unknown => "unknown",
        }
    }
}

impl Tone for SourceStatus {
    fn label(&self) -> &'static str {
        SourceStatus::label(*self)
    }
    fn tone(&self) -> &'static str {
        match self {
            SourceStatus::UpToDate => "ok",
            SourceStatus::Late => "ko",
            SourceStatus::NeverImported => "unknown",
        }
    }
}

fn badge(status: impl Tone) -> Markup {
    html! { span class={ "badge " (status.tone()) } { (status.label()) } }
}

fn sort_rows(rows: &mut [EstablishmentStatus], sort: Option<&str>) {
    match sort {
        Some("maturite") => rows.sort_by(|a, b| b.maturity.unwrap_or(-1.0).total_cmp(&a.maturity.unwrap_or(-1.0))),
        Some("priorite") => rows.sort_by_key(|row| std::cmp::Reverse(row.priority_score)),
        Some("finess") => rows.sort_by(|a, b| a.finess_et.cmp(&b.finess_et)),
        Some("fraicheur") => rows.sort_by_key(|row| std::cmp::Reverse(row.last_declaration_on)),
        _ => rows.sort_by(|a, b| a.name.cmp(&b.name)),
    }
}

/// The rows of the establishments page and export: filtered, sorted, all pages.
/// An expectation's code, name and how a status row holds it.
type ExpectationColumn = (&'static str, &'static str, fn(&EstablishmentStatus) -> Expectation);

/// An establishment account's own sites (every site of its legal entity): each with its
/// statuses, and the entity's consolidated view — each expectation met by how many sites.
pub async fn own_sites(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<Params>,
) -> Result<Markup, WebError> {
    let as_of = params.as_of()?;
    let rows = establishment_rows(&state, viewer.scope(), &params).await?;
    let legal_entities: Vec<&str> = {
        let mut entities: Vec<&str> = rows.iter().filter_map(|row| row.finess_ej.as_deref()).collect();
        entities.sort_unstable();
        entities.dedup();
        entities
    };
    let expectations: [ExpectationColumn; 5] = [
        ("E1", "Exercice de crise", |s| s.e1_exercise),
        ("E2", "Audits", |s| s.e2_audits),
        ("E3", "Observatoire", |s| s.e3_observatory),
        ("E4", "Sensibilisation", |s| s.e4_awareness),
        ("E5", "Cartographie", |s| s.e5_cartography),
    ];
    let body = html! {
        p class="asof" {
            "Situation au " strong { (date(Some(as_of))) } " — "
            @if legal_entities.len() == 1 { "entité juridique " strong { (legal_entities[0]) } ", " }
            (integer(rows.len() as i64)) " site(s) ouvert(s)."
        }
        table class="data" {
            caption { "Attentes nationales : nombre de sites par état" }
            thead { tr {
                th scope="col" { "Attente" }
                @for state in Expectation::ALL { th scope="col" { (state.label()) } }
            } }
            tbody { @for (code, label, of) in &expectations { tr {
                th scope="row" { (code) " " (label) }
                @for state in Expectation::ALL {
                    td class="num" { (integer(rows.iter().filter(|row| of(row) == *state).count() as i64)) }
                }
            } } }
        }
        table class="data" {
            caption { "Vos sites" }
            thead { tr {
                th scope="col" { "Site" } th scope="col" { "Fraîcheur" } th scope="col" { "Exercice" }
                @for (code, _, _) in &expectations { th scope="col" { (code) } }
                th scope="col" { "Maturité" }
            } }
            tbody { @for row in &rows { tr {
                th scope="row" { a href={ "/etablissements/" (row.finess_et) } { (row.name.as_deref().unwrap_or(&row.finess_et)) } " (" (row.finess_et) ")" }
                td { (badge(row.freshness)) } td { (badge(row.exercise_status)) }
                @for (_, _, of) in &expectations { td { (badge(of(row))) } }
                td class="num" { (optional(row.maturity, 1)) }
            } } }
        }
    };
    Ok(layout(
        &viewer,
        "Mes établissements",
        "/mes-etablissements",
        &state.settings.region.name,
        body,
    ))
}

pub async fn establishment_rows(
    state: &AppState,
    scope: Scope,
    params: &Params,
) -> Result<Vec<EstablishmentStatus>, WebError> {
    let as_of = params.as_of()?;
    let filter = params.filter()?;
    let sort = params.tri.clone();
    state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            let mut rows = Analytics::new(connection, settings).establishments(as_of, &scope, &filter)?;
            sort_rows(&mut rows, sort.as_deref());
            Ok(rows)
        })
        .await
}

async fn departement_options(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    state
        .with_connection(|connection, settings| Ok(Analytics::new(connection, settings).departements()?))
        .await
}

pub async fn establishments(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<Params>,
) -> Result<Markup, WebError> {
    let scope = viewer.scope();
    let rows = establishment_rows(&state, scope, &params).await?;
    let deps = departement_options(&state).await?;
    let pages = rows.len().div_ceil(PAGE_SIZE).max(1);
    // A page past the last shows the last (no arithmetic on a number the address chose).
    let page = params.page.unwrap_or(1).clamp(1, pages);
    let shown = rows.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE);
    let sort_link = |key: &str| {
        let mut sorted = params.clone();
        sorted.tri = Some(key.to_owned());
        format!("/etablissements?{}", sorted.query_string(None))
    };
    let body = html! {
        (filter_form("/etablissements", &params, &deps, false))
        p { (integer(rows.len() as i64)) " établissement(s) ; page " (page) " sur " (pages) "." }
        table class="data" {
            caption { "Établissements, attentes E1 à E5, maturité, fraîcheur et priorité" }
            thead { tr {
                th scope="col" { a href=(sort_link("nom")) { "Établissement" } }
                th scope="col" { a href=(sort_link("finess")) { "FINESS" } }
                th scope="col" { "Dép." } th scope="col" { "Famille" }
                th scope="col" { "E1" } th scope="col" { "E2" } th scope="col" { "E3" } th scope="col" { "E4" } th scope="col" { "E5" }
                th scope="col" { a href=(sort_link("maturite")) { "Maturité" } }
                th scope="col" { a href=(sort_link("fraicheur")) { "Déclaration" } }
                th scope="col" { a href=(sort_link("priorite")) { "Priorité" } }
            } }
            tbody { @for row in shown { tr {
                th scope="row" { a href={ "/etablissements/" (row.finess_et) "?" (params.query_string(None)) } { (row.name.as_deref().unwrap_or("?")) } @if row.ose { " " abbr title="Opérateur de services essentiels" { "OSE" } } }
                td { (row.finess_et) } td { (row.departement.as_deref().unwrap_or("")) } td { (row.family) }
                td { (badge(row.e1_exercise)) } td { (badge(row.e2_audits)) } td { (badge(row.e3_observatory)) } td { (badge(row.e4_awareness)) } td { (badge(row.e5_cartography)) }
                td class="num" { (optional(row.maturity, 1)) }
                td { (badge(row.freshness)) }
                td class="num" { (row.priority_score) }
            } } }
        }
        nav class="pager" aria-label="Pages" {
            @if page > 1 { a href={ "/etablissements?" (params.query_string(Some(page - 1))) } { "← Précédente" } }
            " "
            @if page < pages { a href={ "/etablissements?" (params.query_string(Some(page + 1))) } { "Suivante →" } }
        }
        (export_links("etablissements", &params, viewer.sight.parquet))
    };
    Ok(layout(
        &viewer,
        "Établissements",
        "/etablissements",
        &state.settings.region.name,
        body,
    ))
}

/// The resource or SESAN offer that answers an unmet expectation.
fn resource_for(item: &str) -> (&'static str, &'static str) {
    match item {
        "E1" => (
            "Kits d'exercice de l'ANS et guide ANSSI ; accompagnement SESAN",
            "/ressources#exercices",
        ),
        "E2" => (
            "Audits ADS et SILENE (OSE), cybersurveillance et audit de messagerie du CERT Santé",
            "/ressources#audits",
        ),
        "E3" => (
            "Mettre à jour OPSSIES (oSIS) ; aide de SESAN",
            "/ressources#observatoire",
        ),
        "E4" => (
            "Kit « Tous Cybervigilants », quiz vidéo, tests d'hameçonnage",
            "/ressources#sensibilisation",
        ),
        _ => ("Cartographie : accompagnement SESAN", "/ressources#sesan"),
    }
}

pub async fn fiche(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(finess): Path<String>,
    Query(params): Query<Params>,
) -> Result<Markup, WebError> {
    let scope = viewer.scope();
    let as_of = params.as_of()?;
    let fiche = state.fiche(finess.clone(), as_of, scope).await?;
    let applications: Vec<analytics::ApplicationCheck> = state
        .aap_report(as_of)
        .await?
        .applications
        .iter()
        .filter(|a| a.finess_et.as_deref() == Some(finess.as_str()))
        .cloned()
        .collect();
    let s = &fiche.status;
    let items = crate::scorecard::items(s);
    let (overall, peers_svg) = charts::fiche_peers(&fiche);
    let body = html! {
        p class="identity" {
            "FINESS ET " strong { (s.finess_et) } " · EJ " (s.finess_ej.as_deref().unwrap_or("–")) " · "
            (s.category_label.as_deref().unwrap_or("")) " · " (s.sector_group) " · " (s.departement_label.as_deref().unwrap_or(""))
            @if s.ose { " · OSE" } @if let Some(ght) = &s.ght { " · " (ght) }
        }
        @if let Some(closed) = s.closed_on {
            p class="alert" role="status" { "Établissement fermé le " (date(Some(closed))) " (absent de l'extrait FINESS de cette date) : il ne compte plus dans les indicateurs de la région." }
        }
        p class="asof" { "Situation au " (date(Some(fiche.as_of))) ". Priorité SESAN : " strong { (s.priority_score) } @if !s.priority_reasons.is_empty() { " (" (s.reasons_text()) ")" } }
        h2 { "Attentes nationales" }
        table class="data scorecard" {
            thead { tr { th scope="col" { "Attente" } th scope="col" { "État" } th scope="col" { "Preuves" } th scope="col" { "Que faire" } } }
            tbody { @for (code, label, status, evidence) in &items { tr {
                th scope="row" { (code) " " (label) }
                td { (badge(status)) }
                td { (evidence) }
                td { @if **status != Expectation::Met { @let (text, link) = resource_for(code); a href=(link) { (text) } } }
            } } }
        }
        h2 { "Maturité par domaine" }
        @if fiche.peers_as_of != fiche.as_of {
            p class="hint" { "Chiffres des pairs arrêtés au " (date(Some(fiche.peers_as_of))) " (dernier arrêté trimestriel) et arrondis au point." }
        }
        p { "Maturité globale : " strong { (optional(s.maturity, 1)) } " (niveau " (s.maturity_level.map_or_else(|| "–".to_owned(), |l| l.to_string())) "), questionnaire rempli à " (percent(s.maturity_completion)) @if s.maturity_partial == Some(true) { " — maturité partielle" } "." }
        table class="data" {
            thead { tr { th scope="col" { "Domaine" } th scope="col" { "Score" } th scope="col" { "Évolution" } th scope="col" { "Questions" } th scope="col" { "Médiane des pairs" } th scope="col" { "20 % les meilleurs" } } }
            tbody { @for domain in &fiche.domains {
                @let peer = fiche.benchmarks.iter().find(|b| b.group == "groupe de pairs" && b.measure == format!("Maturité {}", domain.domain));
                tr {
                    th scope="row" { (domain.domain) }
                    td class="num" { (optional(domain.score, 1)) }
                    td class="num" { (domain.previous.zip(domain.score).map_or_else(|| "–".to_owned(), |(before, now)| signed(now - before))) }
                    td class="num" { (domain.answered) " / " (domain.scored) }
                    td class="num" { (peer.and_then(|b| b.figures.as_ref()).map_or_else(|| "effectif insuffisant".to_owned(), |f| number(f.median, 1))) }
                    td class="num" { (peer.and_then(|b| b.figures.as_ref()).map_or_else(|| "–".to_owned(), |f| number(f.best_20, 1))) }
                }
            } }
        }
        (figure(peers_svg, &format!("Position de l'établissement dans chaque groupe ; un groupe de moins de {} établissements n'est pas montré.", state.settings.benchmarks.minimum_group_size), &["Groupe", "20 % les moins bons", "Médiane", "20 % les meilleurs", "Établissement"], overall.iter().map(|(group, figures, value)| {
            let (worst, median, best) = figures.map_or_else(|| ("effectif insuffisant".to_owned(), "–".to_owned(), "–".to_owned()), |(w, m, b)| (number(w, 1), number(m, 1), number(b, 1)));
            vec![group.clone(), worst, median, best, optional(*value, 1)]
        }).collect()))
        h2 { "Auto-évaluation et kit" }
        p { @if let Some(score) = s.self_assessment_score { "Grille du " (date(s.self_assessed_on)) " : score " (score) ", kit recommandé " strong { (s.recommended_kit.as_deref().unwrap_or("aucun (grille incomplète)")) } "." } @else { "Aucune grille d'auto-évaluation." } @if let Some(kit) = &s.last_kit { " Kit du dernier exercice : " (kit) "." } }
        h2 { "Plan d'actions" }
        @if fiche.actions.is_empty() { p { "Aucune action suivie." } } @else {
            table class="data" {
                thead { tr { th scope="col" { "Action" } th scope="col" { "Responsable" } th scope="col" { "Échéance" } th scope="col" { "Statut" } } }
                tbody { @for action in &fiche.actions { tr class=[action.overdue.then_some("overdue")] {
                    th scope="row" { (action.action) @if action.overdue { " " span class="badge ko" { "en retard" } } }
                    td { (action.owner.as_deref().unwrap_or("sans responsable")) }
                    td { (date(action.deadline)) }
                    td { (action.status.as_deref().unwrap_or("–")) }
                } } }
            }
        }
        h2 { "Appel à projets" }
        @if applications.is_empty() { p { "Aucun dossier." } } @else {
            ul { @for a in &applications { li { "Dossier n° " (a.application_id) " déposé le " (a.deposited_at.as_deref().unwrap_or("–")) " : " strong { (a.decision) } @if let Some(payment) = &a.payment { " — " (payment) } } } }
        }
        h2 { "Chronologie" }
        table class="data" {
            thead { tr { th scope="col" { "Date" } th scope="col" { "Source" } th scope="col" { "Événement" } th scope="col" { "Détail" } th scope="col" { "TLP" } } }
            tbody { @for event in fiche.timeline.iter().take(60) { tr {
                th scope="row" { (date(event.date)) } td { (event.source) } td { (event.label.as_deref().unwrap_or("")) }
                td {
                    (event.detail.as_deref().unwrap_or(""))
                    @if let Some(level) = event.outcome_level { "niveau " (level) }
                    @if let Some(score) = event.outcome_score { " score " (number(score, 1)) }
                }
                td { (event.tlp.as_deref().unwrap_or("–")) }
            } } }
        }
        p class="noprint" { a href={ "/api/etablissements/" (s.finess_et) } { "Données de cette fiche (JSON)" } }
    };
    let title = s.name.clone().unwrap_or_else(|| s.finess_et.clone());
    Ok(layout(
        &viewer,
        &title,
        "/etablissements",
        &state.settings.region.name,
        body,
    ))
}

pub async fn targeting(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<Params>,
) -> Result<Markup, WebError> {
    let scope = viewer.scope();
    let rows = targeting_rows(&state, scope, &params).await?;
    let deps = departement_options(&state).await?;
    let body = html! {
        (filter_form("/ciblage", &params, &deps, true))
        p { (integer(rows.len() as i64)) " établissement(s) avec au moins une raison, du plus prioritaire au moins prioritaire." }
        table class="data" {
            thead { tr { th scope="col" { "Priorité" } th scope="col" { "Établissement" } th scope="col" { "Dép." } th scope="col" { "Raisons" } th scope="col" { "Offre SESAN" } } }
            tbody { @for row in rows.iter().take(200) { tr {
                td class="num" { (row.priority_score) }
                th scope="row" { a href={ "/etablissements/" (row.finess_et) } { (row.name.as_deref().unwrap_or("?")) } " " span class="finess" { (row.finess_et) } }
                td { (row.departement.as_deref().unwrap_or("")) }
                td { (row.reasons_text()) }
                td { ul class="offers" { @for reason in &row.priority_reasons { li { (reason.offer()) } } } }
            } } }
        }
        @if rows.len() > 200 { p { "Les 200 premiers sont affichés ; l'export contient toute la liste." } }
        (export_links("ciblage", &params, false))
    };
    Ok(layout(
        &viewer,
        "Ciblage SESAN",
        "/ciblage",
        &state.settings.region.name,
        body,
    ))
}

pub async fn targeting_rows(
    state: &AppState,
    scope: Scope,
    params: &Params,
) -> Result<Vec<EstablishmentStatus>, WebError> {
    let as_of = params.as_of()?;
    let filter = params.filter()?;
    state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            Ok(Analytics::new(connection, settings).targeting(as_of, &scope, &filter)?)
        })
        .await
}

pub async fn exercises(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<Params>,
) -> Result<Markup, WebError> {
    let scope = viewer.scope();
    let as_of = params.as_of()?;
    let filter = params.filter()?;
    let heat_filter = params.heat_filter()?;
    let groups = params.heat_groups(&filter)?;
    let (report, (months, heat), mut overdue) = state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            let analytics = Analytics::new(connection, settings);
            // The page shows the table by département and the exercises' quality only.
            let parts = analytics::RegionalParts {
                exercise_quality: true,
                ..analytics::RegionalParts::NONE
            };
            let report = analytics.regional_parts(as_of, &scope, &filter, parts)?;
            let heat = analytics.exercise_months(as_of, &scope, &heat_filter, groups, 24)?;
            let overdue: Vec<EstablishmentStatus> = analytics
                .establishments(as_of, &scope, &filter)?
                .into_iter()
                .filter(|row| row.overdue_actions > 0)
                .collect();
            Ok((report, heat, overdue))
        })
        .await?;
    let by_dep: Vec<(String, f64)> = report
        .by_departement
        .iter()
        .map(|row| {
            (
                row.departement.clone().unwrap_or_default(),
                Figures::rate(row.figures.exercise_done, row.figures.establishments).unwrap_or(0.0),
            )
        })
        .collect();
    let month_labels: Vec<String> = months.iter().map(|m| m.format("%m/%y").to_string()).collect();
    let group_word = match groups {
        analytics::HeatGroups::Departements => "département",
        analytics::HeatGroups::Families => "famille",
    };
    let heat_rows: Vec<charts::HeatRow> = heat
        .iter()
        .map(|row| {
            let cells = row
                .done
                .iter()
                .map(|done| (*done, Figures::rate(*done, row.establishments).unwrap_or(0.0)))
                .collect();
            (format!("{} ({})", row.group, integer(row.establishments)), cells)
        })
        .collect();
    let heat_svg = charts::heat_map(
        &format!("Établissements ayant réalisé un exercice, par {group_word} et par mois"),
        &heat_rows,
        &month_labels,
    );
    // Down to the establishments of a group: the list, filtered by it.
    let group_link = |group: &str| {
        let mut down = params.clone();
        down.page = None;
        down.tri = None;
        match groups {
            analytics::HeatGroups::Departements => down.departement = Some(group.to_owned()),
            analytics::HeatGroups::Families => down.famille = Some(group.to_owned()),
        }
        format!("/etablissements?{}", down.query_string(None))
    };
    let regroup = |to: &str| {
        let mut other = params.clone();
        other.groupes = Some(to.to_owned());
        format!("/exercices?{}", other.query_string(None))
    };
    // The overdue actions: sortable, 50 a page, like Établissements.
    match params.tri.as_deref() {
        Some("nom") => overdue.sort_by(|a, b| a.name.cmp(&b.name).then(a.finess_et.cmp(&b.finess_et))),
        Some("departement") => overdue.sort_by(|a, b| {
            a.departement
                .cmp(&b.departement)
                .then(b.overdue_actions.cmp(&a.overdue_actions))
        }),
        Some("suivies") => {
            overdue.sort_by(|a, b| b.action_count.cmp(&a.action_count).then(a.finess_et.cmp(&b.finess_et)))
        }
        _ => overdue.sort_by(|a, b| {
            b.overdue_actions
                .cmp(&a.overdue_actions)
                .then(a.finess_et.cmp(&b.finess_et))
        }),
    }
    let pages = overdue.len().div_ceil(PAGE_SIZE).max(1);
    let page = params.page.unwrap_or(1).clamp(1, pages);
    let sort_link = |key: &str| {
        let mut sorted = params.clone();
        sorted.tri = Some(key.to_owned());
        format!("/exercices?{}#retards", sorted.query_string(None))
    };
    let q = &report.exercise_quality;
    let body = html! {
        (filter_form("/exercices", &params, &departements(&report), false))
        (figure(charts::bars(&format!("Exercice réalisé dans les {}, par département", state.settings.exercise_period()), "part des établissements", &by_dep, 1.0, true), &format!("Part des établissements de chaque département ayant réalisé un exercice de crise dans les {}.", state.settings.exercise_period()), &["Département", "Part"], by_dep.iter().map(|(code, share)| vec![code.clone(), percent(Some(*share))]).collect()))
        h2 { "Qualité des exercices" }
        ul {
            li { "Direction présente : " (percent(Figures::rate(q.direction_present, q.done))) " des exercices des " (state.settings.exercise_period()) "." }
            li { "Kit utilisé différent du kit recommandé : " (integer(q.kit_mismatch)) " sur " (integer(q.kit_known)) "." }
            li { "Actions avec responsable et échéance : " (percent(Figures::rate(q.actions_tracked, q.actions))) " ; en retard : " (integer(q.actions_overdue)) " ; faites : " (percent(Figures::rate(q.actions_closed, q.actions))) "." }
        }
        h2 { "Carte de chaleur" }
        p { "Regrouper par : "
            @if groups == analytics::HeatGroups::Departements { strong { "département" } } @else { a href=(regroup("departements")) { "département" } }
            " · "
            @if groups == analytics::HeatGroups::Families { strong { "famille" } } @else { a href=(regroup("familles")) { "famille" } }
        }
        (figure(heat_svg, &format!("Chaque ligne est un {group_word} (entre parenthèses, ses établissements de santé de la sélection), chaque colonne un mois : le nombre d'établissements ayant réalisé un exercice ce mois-là, la case plus foncée quand leur part est plus élevée."), &["Groupe", "Établissements", "Exercices sur 24 mois", "Mois le plus actif"], heat.iter().map(|row| {
            let total: i64 = row.done.iter().sum();
            let busiest = row.done.iter().enumerate().max_by_key(|(index, done)| (**done, std::cmp::Reverse(*index))).filter(|(_, done)| **done > 0).and_then(|(index, _)| months.get(index)).map_or_else(|| "–".to_owned(), |m| m.format("%m/%Y").to_string());
            vec![row.group.clone(), integer(row.establishments), integer(total), busiest]
        }).collect()))
        p { "Établissements de chaque " (group_word) " : "
            @for (index, row) in heat.iter().enumerate() {
                @if index > 0 { " · " }
                a href=(group_link(&row.group)) { (row.group) }
            }
        }
        h2 id="retards" { "Actions post-exercice en retard" }
        p { (integer(overdue.len() as i64)) " établissement(s) avec au moins une action en retard ; page " (page) " sur " (pages) "." }
        table class="data" {
            thead { tr {
                th scope="col" { a href=(sort_link("nom")) { "Établissement" } }
                th scope="col" { a href=(sort_link("departement")) { "Dép." } }
                th scope="col" { a href=(sort_link("retard")) { "Actions en retard" } }
                th scope="col" { a href=(sort_link("suivies")) { "Actions suivies" } }
            } }
            tbody { @for row in overdue.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE) { tr {
                th scope="row" { a href={ "/etablissements/" (row.finess_et) } { (row.name.as_deref().unwrap_or("?")) } }
                td { (row.departement.as_deref().unwrap_or("")) }
                td class="num" { (row.overdue_actions) } td class="num" { (row.action_count) }
            } } }
        }
        nav class="pager" aria-label="Pages des actions en retard" {
            @if page > 1 { a href={ "/exercices?" (params.query_string(Some(page - 1))) "#retards" } { "← Précédente" } }
            " "
            @if page < pages { a href={ "/exercices?" (params.query_string(Some(page + 1))) "#retards" } { "Suivante →" } }
        }
    };
    Ok(layout(
        &viewer,
        "Exercices",
        "/exercices",
        &state.settings.region.name,
        body,
    ))
}

pub async fn audits(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<Params>,
) -> Result<Markup, WebError> {
    let scope = viewer.scope();
    let as_of = params.as_of()?;
    let filter = params.filter()?;
    let (report, rows) = state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            let analytics = Analytics::new(connection, settings);
            // The page shows the table by département and the audits' levels only.
            let parts = analytics::RegionalParts {
                audit_levels: true,
                ..analytics::RegionalParts::NONE
            };
            Ok((
                analytics.regional_parts(as_of, &scope, &filter, parts)?,
                analytics.establishments(as_of, &scope, &filter)?,
            ))
        })
        .await?;
    let recent = |day: Option<NaiveDate>| day.is_some_and(|day| day >= as_of - chrono::Duration::days(365));
    let ose: Vec<&EstablishmentStatus> = rows.iter().filter(|r| r.ose).collect();
    let es: Vec<&EstablishmentStatus> = rows.iter().filter(|r| r.kind == "ES").collect();
    let coverage = [
        ("ADS (OSE)", ose.iter().filter(|r| recent(r.ads_on)).count(), ose.len()),
        (
            "SILENE (OSE)",
            ose.iter().filter(|r| recent(r.silene_on)).count(),
            ose.len(),
        ),
        (
            "Cybersurveillance (ES)",
            es.iter().filter(|r| recent(r.cybersurveillance_on)).count(),
            es.len(),
        ),
        (
            "Messagerie (ES)",
            es.iter().filter(|r| recent(r.mail_audit_on)).count(),
            es.len(),
        ),
        (
            "CaRE D1 (ES, déjà réalisé)",
            es.iter().filter(|r| r.care_audit_on.is_some()).count(),
            es.len(),
        ),
    ];
    let bars: Vec<(String, f64)> = coverage
        .iter()
        .map(|(label, done, total)| {
            (
                (*label).to_owned(),
                Figures::rate(*done as i64, *total as i64).unwrap_or(0.0),
            )
        })
        .collect();
    let body = html! {
        (filter_form("/audits", &params, &departements(&report), false))
        (figure(charts::bars(&format!("Couverture des audits dans les {}", state.settings.audit_period()), "part des établissements concernés", &bars, 1.0, true), &format!("Part des établissements concernés ayant eu chaque audit dans les {} (CaRE D1 : au moins une fois).", state.settings.audit_period()), &["Audit", "Réalisés", "Concernés", "Part"], coverage.iter().map(|(label, done, total)| vec![(*label).to_owned(), integer(*done as i64), integer(*total as i64), percent(Figures::rate(*done as i64, *total as i64))]).collect()))
        h2 { "Derniers niveaux de résultat" }
        table class="data" {
            thead { tr { th scope="col" { "Audit" } th scope="col" { "Niveau" } th scope="col" { "Établissements" } } }
            tbody { @for level in &report.audit_levels { tr {
                th scope="row" { (level.event_type) " — " (level.label) }
                td class="num" { (level.level.map_or_else(|| "–".to_owned(), |l| l.to_string())) }
                td class="num" { (integer(level.establishments)) }
            } } }
        }
        h2 { "OSE sans ADS ou SILENE dans les " (state.settings.audit_period()) }
        ul { @for row in ose.iter().filter(|r| !(recent(r.ads_on) && recent(r.silene_on))) {
            li { a href={ "/etablissements/" (row.finess_et) } { (row.name.as_deref().unwrap_or("?")) } " — ADS " (date(row.ads_on)) ", SILENE " (date(row.silene_on)) }
        } }
    };
    Ok(layout(&viewer, "Audits", "/audits", &state.settings.region.name, body))
}

pub async fn aap(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<Params>,
) -> Result<Markup, WebError> {
    let as_of = params.as_of()?;
    let report = viewer.sight.aap(&*state.aap_report(as_of).await?);
    // The queue, sorted as asked (deposit order by default) and shown page by page.
    let mut applications: Vec<_> = report.applications.iter().collect();
    match params.tri.as_deref() {
        Some("rang") => applications.sort_by_key(|a| (a.queue_rank.is_none(), a.queue_rank, a.application_id)),
        Some("decision") => applications.sort_by_key(|a| (a.decision, a.queue_rank, a.application_id)),
        Some("etablissement") => {
            applications.sort_by(|a, b| a.name.cmp(&b.name).then(a.application_id.cmp(&b.application_id)))
        }
        _ => {}
    }
    let pages = applications.len().div_ceil(PAGE_SIZE).max(1);
    let page = params.page.unwrap_or(1).clamp(1, pages);
    let shown = applications.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE);
    let sort_link = |key: &str| {
        let mut sorted = params.clone();
        sorted.tri = Some(key.to_owned());
        format!("/aap?{}", sorted.query_string(None))
    };
    let selected = |decision: Decision| report.applications.iter().filter(|a| a.decision == decision).count();
    let body = html! {
        p { strong { (report.call) } " — au " (date(Some(as_of))) "." }
        @match &report.amounts {
            None => { p { "Statut des dossiers seulement : les montants sont réservés à l'ARS." } }
            Some(amounts) => { div class="cards" {
                (card("Enveloppe", format!("{}\u{a0}€", integer(amounts.envelope_euros)), String::new()))
                (card("Engagé", format!("{}\u{a0}€", integer(amounts.committed_euros)), format!("{} dossiers retenus", selected(Decision::Selected))))
                (card("À payer", format!("{}\u{a0}€", integer(amounts.payable_euros)), "exercice réalisé, facture jointe".to_owned()))
                (card("Payé", format!("{}\u{a0}€", integer(amounts.paid_euros)), String::new()))
                (card("Reste", format!("{}\u{a0}€", integer(amounts.remaining_euros)), format!("{} en liste d'attente", selected(Decision::WaitingList))))
            } }
        }
        table class="data" {
            caption { (integer(applications.len() as i64)) " dossiers et leurs contrôles 1 à 7 ; page " (page) " sur " (pages) }
            thead { tr {
                th scope="col" { a href=(sort_link("depot")) { "Dossier" } } th scope="col" { a href=(sort_link("etablissement")) { "Établissement" } } th scope="col" { a href=(sort_link("depot")) { "Déposé le" } }
                @for (index, check) in AAP_CHECKS.iter().enumerate() { th scope="col" { abbr title=(check) { "C" (index + 1) } } }
                th scope="col" { a href=(sort_link("rang")) { "Rang" } } th scope="col" { a href=(sort_link("decision")) { "Décision" } } th scope="col" { "Paiement" }
            } }
            tbody { @for a in shown { tr {
                th scope="row" { (a.application_id) }
                td { @if let Some(finess) = &a.finess_et { a href={ "/etablissements/" (finess) } { (a.name.as_deref().unwrap_or(finess)) } } }
                td { (a.deposited_at.as_deref().unwrap_or("–")) }
                @for check in &a.checks { td { (badge(check)) } }
                td class="num" { (a.queue_rank.map_or_else(String::new, |r| r.to_string())) }
                td { (a.decision) } td { (a.payment.map_or("", |payment| payment.label())) }
            } } }
        }
        @if pages > 1 {
            nav class="pager" aria-label="Pages" {
                @if page > 1 { a href={ "/aap?" (params.query_string(Some(page - 1))) } { "← Précédente" } }
                " Page " (page) " sur " (pages) " "
                @if page < pages { a href={ "/aap?" (params.query_string(Some(page + 1))) } { "Suivante →" } }
            }
        }
        p { "Contrôles : " @for (index, check) in AAP_CHECKS.iter().enumerate() { "C" (index + 1) " " (check) ". " } }
        (export_links("aap", &params, viewer.sight.parquet))
    };
    Ok(layout(&viewer, "AAP", "/aap", &state.settings.region.name, body))
}

/// How many replaced versions the data-quality page lists (bounded work per request).
const SUPERSEDED_SHOWN: usize = 200;

pub async fn data_quality(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<Params>,
) -> Result<Markup, WebError> {
    let scope = viewer.scope();
    let as_of = params.as_of()?;
    let (sources, imports, unknown, superseded) = state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            let analytics = Analytics::new(connection, settings);
            Ok((
                analytics.sources(as_of, &scope)?,
                analytics.imports(100)?,
                analytics.unknown_establishments()?,
                analytics.superseded(as_of, &scope, SUPERSEDED_SHOWN)?,
            ))
        })
        .await?;
    let paris = |at: Option<chrono::NaiveDateTime>| {
        at.map_or_else(
            || "–".to_owned(),
            |at| ingest::dates::utc_to_paris(at).format("%d/%m/%Y %H:%M").to_string(),
        )
    };
    let body = html! {
        h2 { "Fraîcheur des sources" }
        table class="data" {
            thead { tr { th scope="col" { "Source" } th scope="col" { "État" } th scope="col" { "Dernier import" } th scope="col" { "Donnée la plus récente" } th scope="col" { "Délai toléré (jours)" } } }
            tbody { @for source in &sources { tr {
                th scope="row" { (source.source) } td { (badge(source.status)) }
                td { (paris(source.last_import_at)) } td { (date(source.newest_date)) } td class="num" { (source.allowed_days) }
            } } }
        }
        h2 { "Imports" }
        table class="data" {
            thead { tr { th scope="col" { "N°" } th scope="col" { "Fichier" } th scope="col" { "Type" } th scope="col" { "Quand" } th scope="col" { "Qui" } th scope="col" { "Lues" } th scope="col" { "Enregistrées" } th scope="col" { "Rejets" } th scope="col" { "Avert." } } }
            tbody { @for import in &imports { tr {
                th scope="row" { (import.import_id) } td { (import.file_name) } td { (import.kind.as_deref().unwrap_or("–")) }
                td { (paris(import.finished_at)) } td { (import.user_name.as_deref().unwrap_or("–")) }
                td class="num" { (integer(import.rows_read)) } td class="num" { (integer(import.rows_stored)) }
                td class="num" { @if import.rows_rejected > 0 { a href={ "/export/rejets?import=" (import.import_id) "&format=csv" } { (integer(import.rows_rejected)) } } @else { "0" } }
                td class="num" { (integer(import.warnings)) }
            } } }
        }
        p { a href="/export/rejets?format=csv" { "Télécharger tous les rejets (CSV)" } }
        @if let Some(copy) = &state.snapshot {
            h2 { "Copie de lecture pour les analystes" }
            p { "Mise à jour après chaque import : " code { (copy.display()) } " (tables et vues, sans comptes ni journal) — à ouvrir avec DuckDB, Python ou DBeaver en lecture seule pendant que le serveur tourne." }
        }
        h2 { "Versions remplacées" }
        p { "Ce que les indicateurs du " (date(Some(as_of))) " ne lisent pas, parce qu'une version plus récente, datée au plus tard ce jour, la remplace." }
        @if superseded.is_empty() { p { "Aucune." } } @else {
            table class="data" {
                thead { tr { th scope="col" { "Source" } th scope="col" { "Objet" } th scope="col" { "Version remplacée" } th scope="col" { "Remplacée par" } } }
                tbody { @for row in &superseded { tr {
                    th scope="row" { (row.source) } td { (row.item) }
                    td { (date(row.version_on)) " (" (row.version_file) ")" }
                    td { (date(row.replaced_by_on)) " (" (row.replaced_by_file) ")" }
                } } }
            }
            @if superseded.len() == SUPERSEDED_SHOWN { p { "Les " (SUPERSEDED_SHOWN) " plus récentes sont affichées." } }
        }
        h2 { "Établissements inconnus du référentiel FINESS" }
        @if unknown.is_empty() { p { "Aucun." } } @else {
            table class="data" {
                thead { tr { th scope="col" { "FINESS" } th scope="col" { "Cité dans" } th scope="col" { "Lignes" } } }
                tbody { @for (finess, source, count) in &unknown { tr { th scope="row" { (finess) } td { (source) } td class="num" { (count) } } } }
            }
        }
    };
    Ok(layout(
        &viewer,
        "Qualité des données",
        "/qualite",
        &state.settings.region.name,
        body,
    ))
}

pub async fn import_form(State(state): State<AppState>, Extension(viewer): Extension<Viewer>) -> Markup {
    let body = html! {
        p { "Déposez un ou plusieurs fichiers : extrait FINESS, liste OSE/GHT, exports oSIS, événements OPSSIES (JSON), grilles d'auto-évaluation, classeur des exercices, export AAP, incidents. Le type est reconnu automatiquement ; chaque fichier est enregistré en entier ou pas du tout." }
        form id="import-form" method="post" action={ "/import?csrf=" (viewer.csrf) } enctype="multipart/form-data" {
            label { "Fichiers " input type="file" name="fichiers" multiple required; }
            button type="submit" { "Importer" }
        }
        progress id="import-progress" max="100" value="0" hidden aria-label="Progression de l'envoi" {}
        p id="import-status" role="status" {}
        p class="hint" { "Taille maximale : 200 Mio par envoi. Un gros fichier peut prendre quelques dizaines de secondes : la page affiche le rapport quand l'import est terminé." }
        script src="/static/import.js" {}
    };
    layout(&viewer, "Import", "/import", &state.settings.region.name, body)
}

pub async fn import_upload(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    axum::extract::ConnectInfo(address): axum::extract::ConnectInfo<std::net::SocketAddr>,
    mut multipart: Multipart,
) -> Result<Markup, WebError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| WebError::BadRequest(format!("envoi illisible : {error}")))?
    {
        // The name is only displayed, never used as a path.
        let name = field
            .file_name()
            .map(str::to_owned)
            .unwrap_or_else(|| "fichier".to_owned());
        let name: String = name
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("fichier")
            .to_owned();
        let bytes = field.bytes().await.map_err(|error| {
            if error.to_string().contains("limit") {
                WebError::PayloadTooLarge("fichier trop volumineux (200 Mio au plus)".to_owned())
            } else {
                WebError::BadRequest(format!("envoi interrompu : {error}"))
            }
        })?;
        if !bytes.is_empty() {
            files.push((name, bytes.to_vec()));
        }
    }
    if files.is_empty() {
        return Err(WebError::BadRequest("aucun fichier reçu".to_owned()));
    }
    let writer = std::sync::Arc::clone(&state.writer);
    let gate = std::sync::Arc::clone(&state.gate);
    let importer = viewer.user.name.clone();
    let importer_role = viewer.user.role;
    let address = address.ip().to_string();
    let outcomes = tokio::task::spawn_blocking(move || {
        let mut store = writer
            .lock()
            .map_err(|_| WebError::Internal("base verrouillée".to_owned()))?;
        let options = ingest::ImportOptions {
            user: Some(importer.clone()),
            commit_gate: Some(gate.clone()),
            ..ingest::ImportOptions::default()
        };
        let outcomes = files
            .iter()
            .map(|(name, bytes)| {
                store.import_bytes(name, bytes, &options).map_err(|error| match error {
                    ingest::StoreError::Interrupted(_) | ingest::StoreError::DiskFull { .. } => {
                        WebError::Unavailable(error.to_string())
                    }
                    other => WebError::Internal(other.to_string()),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        for outcome in &outcomes {
            crate::accounts::audit(
                store.connection(),
                &crate::accounts::AuditEntry {
                    user: Some(&importer),
                    role: Some(importer_role),
                    address: Some(&address),
                    action: "import",
                    target: Some(&outcome.file),
                    detail: Some(&outcome.message),
                    rows: None,
                },
            );
        }
        // The analysts' copy follows every stored file.
        if outcomes.iter().any(|o| o.status == ingest::ImportStatus::Stored) {
            super::write_snapshot(&store);
        }
        Ok::<_, WebError>(outcomes)
    })
    .await
    .map_err(|error| WebError::Internal(error.to_string()))??;
    if outcomes.iter().any(|o| o.status == ingest::ImportStatus::Stored) {
        // Today's regional view of the new data, before its first visitor asks.
        tokio::spawn(state.clone().warm_up());
    }
    let body = html! {
        @for outcome in &outcomes {
            section class="report" {
                h2 { (outcome.file) }
                @let (class, label) = match outcome.status {
                    ingest::ImportStatus::Stored => ("ok", "enregistré"),
                    ingest::ImportStatus::Duplicate => ("partial", "déjà importé"),
                    ingest::ImportStatus::Refused => ("ko", "refusé"),
                };
                p { span class={ "badge " (class) } { (label) } " " (outcome.message) }
                @if !outcome.diagnostics.rejects.is_empty() {
                    table class="data" {
                        caption { "Rejets (les 20 premiers)" }
                        thead { tr { th scope="col" { "Où" } th scope="col" { "Valeur" } th scope="col" { "Raison" } } }
                        tbody { @for reject in outcome.diagnostics.rejects.iter().take(20) { tr { td { (reject.location.describe()) } td { (reject.value.as_deref().unwrap_or("")) } td { (reject.reason) } } } }
                    }
                }
            }
        }
        p { a href="/qualite" { "Voir la qualité des données" } " · " a href="/import" { "Importer d'autres fichiers" } }
    };
    Ok(layout(
        &viewer,
        "Rapport d'import",
        "/import",
        &state.settings.region.name,
        body,
    ))
}

pub async fn methodology(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Markup, WebError> {
    let text = state.methodology(&viewer.sight).await?;
    let body = html! {
        @for block in text.split("\n\n").skip(1) {
            @let mut lines = block.lines();
            @if let Some(first) = lines.next() {
                h2 { (first.trim()) }
                @for line in lines { p { (line.trim()) } }
            }
        }
    };
    Ok(layout(
        &viewer,
        "Méthodologie",
        "/methodologie",
        &state.settings.region.name,
        body,
    ))
}

pub async fn resources(State(state): State<AppState>, Extension(viewer): Extension<Viewer>) -> Markup {
    let body = html! {
        section id="incidents" {
            h2 { "Signaler un incident" }
            ul {
                li { "CERT Santé, 24 h/24 : " a href="tel:+33972439125" { "09 72 43 91 25" } " — " a href="https://signalement.social-sante.gouv.fr" { "signalement.social-sante.gouv.fr" } }
                li { "Les OSE signalent aussi à l'ANSSI, 24 h/24 : " a href="tel:+33171758468" { "+33 (0)1 71 75 84 68" } }
                li { "Fuite de données personnelles possible : notifier la CNIL sous " (state.settings.incidents.cnil_within_hours) " heures — " a href="https://www.cnil.fr/fr/notifier-une-violation-de-donnees-personnelles" { "notifier une violation" } }
            }
        }
        section id="observatoire" { h2 { "Veille et observatoire" } ul {
            li { "Portail de veille et d'alerte : " a href="https://www.cyberveille-sante.gouv.fr" { "cyberveille-sante.gouv.fr" } " ; CERT Santé : " a href="mailto:cyberveille@esante.gouv.fr" { "cyberveille@esante.gouv.fr" } }
            li { "Mettre à jour OPSSIES : questionnaire oSIS (ATIH). L'AAP exige une mise à jour dans les 3 mois avant la candidature." }
        } }
        section id="audits" { h2 { "Audits" } ul {
            li { "ADS et SILENE (réservés aux OSE) : inscription sur " a href="https://club.ssi.rie.gouv.fr" { "club.ssi.rie.gouv.fr" } " (" a href="mailto:club@ssi.gouv.fr" { "club@ssi.gouv.fr" } ")" }
            li { "Cybersurveillance et audit de messagerie du CERT Santé, ouverts à tous les ES : " a href="https://www.cyberveille-sante.gouv.fr/cybersurveillance" { "cyberveille-sante.gouv.fr/cybersurveillance" } }
        } }
        section id="exercices" { h2 { "Exercices de crise" } ul {
            li { "Kits débutant, intermédiaire et confirmé de l'ANS, avec la grille d'auto-évaluation (score < " (state.settings.self_assessment.intermediate_from) " : débutant ; " (state.settings.self_assessment.intermediate_from) " à " (state.settings.self_assessment.confirmed_above) " : intermédiaire ; > " (state.settings.self_assessment.confirmed_above) " : confirmé), sur cyberveille-sante.gouv.fr." }
            li { "Guide de l'ANSSI : " a href="https://www.ssi.gouv.fr/guide/organiser-un-exercice-de-gestion-de-crise-cyber/" { "organiser un exercice de gestion de crise cyber" } }
        } }
        section id="sensibilisation" { h2 { "Sensibilisation" } ul {
            li { "Kit de l'ANS « Tous Cybervigilants » (affiches « Faisons de l'hygiène numérique un réflexe à l'hôpital », dépliants, signature de courriel)." }
            li { "Kit de cybermalveillance.gouv.fr ; les dix règles de base et les cinq réflexes de l'ANSSI à la réception d'un courriel ; guide de l'ANS pour les ESMS (octobre 2022) ; « cyber guide famille »." }
        } }
        section id="sesan" { h2 { "SESAN — service sécurité" } p {
            a href="mailto:ssi@sesan.fr" { "ssi@sesan.fr" } " : analyse de risques, cartographie, cybersurveillance, scanner de vulnérabilités, alertes, transferts sécurisés, tests d'intrusion, réponse à incident, exercices de crise, sensibilisation (affiches, quiz vidéo, tests d'hameçonnage, escape game)."
        } }
    };
    layout(
        &viewer,
        "Ressources et contacts",
        "/ressources",
        &state.settings.region.name,
        body,
    )
}

/// The audit log, newest first (admin only), with the state of its chain; never cached.
pub async fn audit_log(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Markup, WebError> {
    super::journal::flush(&state).await;
    let (rows, chain) = state
        .with_connection(|connection, _| {
            Ok((
                journal_rows(connection, Some(500))?,
                crate::accounts::verify_chain(connection)?,
            ))
        })
        .await?;
    let body = html! {
        p { "Connexions et refus, imports, consultations de fiches et exports par une personne extérieure à l'établissement, changements de comptes. Le journal n'est jamais modifié : chaque ligne porte l'empreinte SHA-256 de la précédente." }
        @match &chain {
            crate::accounts::ChainState::Intact { rows } => {
                p class="chain" { span class="badge ok" { "chaîne intacte" } " " (integer(*rows)) " ligne(s) vérifiées : chacune suit la précédente." }
            }
            crate::accounts::ChainState::Broken { seq, logged_at, reason } => {
                p class="alert" role="alert" { span class="badge ko" { "chaîne rompue" } " La ligne n° " (seq) " (" (logged_at) " UTC) ne correspond pas : " (reason) ". Prévenez le responsable de la sécurité." }
            }
        }
        p class="exports" { a href="/export/journal?format=csv" { "Exporter tout le journal (CSV)" } " · " a href="/export/journal?format=xlsx" { "XLSX" } }
        table class="data" {
            thead { tr {
                th scope="col" { "N°" } th scope="col" { "Quand (UTC)" } th scope="col" { "Qui" } th scope="col" { "Rôle" } th scope="col" { "Adresse" }
                th scope="col" { "Action" } th scope="col" { "Objet" } th scope="col" { "Détail" } th scope="col" { "Lignes" }
            } }
            tbody { @for row in &rows { tr { @for (index, cell) in row.iter().take(9).enumerate() { @if index == 0 { th scope="row" { (cell) } } @else { td { (cell) } } } } } }
        }
    };
    Ok(layout(
        &viewer,
        "Journal d'audit",
        "/journal",
        &state.settings.region.name,
        body,
    ))
}

/// The journal's rows, newest first: number, time, who, role, address, action, target,
/// detail, rows returned, previous and own hash.
pub fn journal_rows(connection: &duckdb::Connection, limit: Option<i64>) -> Result<Vec<Vec<String>>, WebError> {
    Ok(ingest::store::records::journal_rows(connection, limit)?)
}
