//! What the establishments do over the years: declarations, exercises and their actions,
//! audits, training, incidents and self-assessment grids. Everything here is what a correct
//! ingest stores; the writers add the messiness around it.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};
use ingest::catalogue::{AnswerType, Catalogues};

use crate::rng::Rng;
use crate::world::{Kind, World};

pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

pub fn add_days(day: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        day.checked_add_days(Days::new(days as u64)).unwrap_or(day)
    } else {
        day.checked_sub_days(Days::new(days.unsigned_abs())).unwrap_or(day)
    }
}

pub fn day_between(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    add_days(from, rng.between(0, span))
}

pub fn at(day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Validated,
    InProgress,
    NotStarted,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Validated => "Validé",
            Status::InProgress => "En cours",
            Status::NotStarted => "Non commencé",
        }
    }
}

/// One establishment's questionnaire in one campaign, as stored.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub establishment: usize,
    pub campaign: i32,
    pub status: Status,
    pub updated_on: NaiveDate,
    /// Per catalogue question, in catalogue order: the text written in the cell, if any.
    pub answers: Vec<Option<AnswerCell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AnswerCell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExerciseKit {
    Beginner,
    Intermediate,
    Confirmed,
    AnssiGuide,
}

impl ExerciseKit {
    pub fn label(self) -> &'static str {
        match self {
            ExerciseKit::Beginner => "débutant",
            ExerciseKit::Intermediate => "intermédiaire",
            ExerciseKit::Confirmed => "confirmé",
            ExerciseKit::AnssiGuide => "guide ANSSI",
        }
    }

    pub fn from_score(score: u32) -> ExerciseKit {
        match score {
            0..75 => ExerciseKit::Beginner,
            75..=150 => ExerciseKit::Intermediate,
            _ => ExerciseKit::Confirmed,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Exercise {
    pub establishment: usize,
    pub planned_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub kit: ExerciseKit,
    pub scenario: &'static str,
    pub provider: Option<&'static str>,
    pub aap_funded: bool,
    pub direction_present: bool,
    pub observers: u32,
    pub retex_on: Option<NaiveDate>,
    pub cancelled: bool,
    /// Reported by the ARS workbook (region only) and/or as an OPSSIES event 43 whose date
    /// is this many days from the workbook's.
    pub in_workbook: bool,
    pub event_offset_days: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Action {
    pub establishment: usize,
    pub exercise_on: NaiveDate,
    pub text: &'static str,
    pub owner: Option<&'static str>,
    pub deadline: Option<NaiveDate>,
    pub status: &'static str,
    pub closed_on: Option<NaiveDate>,
}

impl Action {
    pub fn overdue(&self, today: NaiveDate) -> bool {
        matches!(self.deadline, Some(deadline) if deadline < today) && !matches!(self.status, "fait" | "abandonné")
    }
}

/// An OPSSIES event other than an exercise: audits (27, 60, 28, 61, 29), training (21, 22)
/// and declared incidents (44).
#[derive(Debug, Clone)]
pub struct Activity {
    pub establishment: usize,
    pub event_type: u32,
    pub completed_at: NaiveDateTime,
    /// The event names only the legal entity (an Active Directory audit of a group).
    pub legal_entity_only: bool,
    pub score: Option<f64>,
    pub level: Option<u32>,
    pub tlp: &'static str,
    pub vendor: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Incident {
    pub establishment: usize,
    pub declared_at: NaiveDateTime,
    pub kind: &'static str,
    pub patient_impact: bool,
    pub anssi: bool,
    pub cnil_notified_at: Option<NaiveDateTime>,
    pub encryption: bool,
    pub leak: bool,
    pub in_csv: bool,
    pub as_event: Option<&'static str>,
}

impl Incident {
    /// A leak whose CNIL notification came more than 72 hours after the declaration.
    pub fn cnil_late(&self) -> bool {
        self.leak
            && self
                .cnil_notified_at
                .is_some_and(|notified| (notified - self.declared_at).num_minutes() > 72 * 60)
    }

    pub fn cnil_missing(&self) -> bool {
        self.leak && self.cnil_notified_at.is_none()
    }
}

/// A self-assessment grid: levels 1–3 per question, or `None` when unanswered.
#[derive(Debug, Clone)]
pub struct Grid {
    pub establishment: usize,
    pub assessed_on: NaiveDate,
    pub levels: [Option<u8>; 23],
    /// Question (0-based) where two levels are marked: incomplete.
    pub double_marked: Option<usize>,
    pub as_workbook: bool,
}

impl Grid {
    pub fn complete(&self) -> bool {
        self.double_marked.is_none() && self.levels.iter().all(Option::is_some)
    }

    /// Score with the default points (1 / 5 / 10).
    pub fn score(&self) -> Option<u32> {
        if !self.complete() {
            return None;
        }
        Some(
            self.levels
                .iter()
                .map(|level| match level {
                    Some(1) => 1,
                    Some(2) => 5,
                    _ => 10,
                })
                .sum(),
        )
    }
}

#[derive(Debug, Default)]
pub struct History {
    pub campaigns: Vec<i32>,
    pub declarations: Vec<Declaration>,
    pub exercises: Vec<Exercise>,
    pub actions: Vec<Action>,
    pub activities: Vec<Activity>,
    pub incidents: Vec<Incident>,
    pub grids: Vec<Grid>,
}

/// Maturity of an establishment in a campaign: it rises from one campaign to the next.
pub fn maturity_in(world: &World, establishment: usize, campaign_index: usize) -> f64 {
    (world.establishments[establishment].maturity + 0.045 * campaign_index as f64).min(0.97)
}

const SCENARIOS: &[&str] = &[
    "Rançongiciel sur le dossier patient informatisé",
    "Indisponibilité totale de la messagerie",
    "Compromission d'un prestataire de télémaintenance",
    "Panne du réseau et bascule en mode dégradé",
    "Fuite de données de santé revendiquée",
];
const PROVIDERS: &[&str] = &[
    "CYBERCRISE CONSEIL",
    "SIMULEX SANTE",
    "ALTITUDE SECURITE",
    "EXERCICES & RESILIENCE",
];
const ACTIONS: &[&str] = &[
    "Cartographier le SI et prioriser les périmètres critiques",
    "Vérifier l'isolement des sauvegardes",
    "Former les métiers au vocabulaire de crise",
    "Préparer les éléments de langage de communication de crise",
    "Tenir un annuaire des personnes, services et bâtiments à prévenir",
    "Définir les critères de bascule en mode dégradé",
    "Inventorier les objets connectés et dispositifs biomédicaux",
];
const OWNERS: &[&str] = &[
    "DSI",
    "RSSI",
    "Direction des soins",
    "Direction générale",
    "Communication",
    "Services techniques",
];

pub struct Timeline {
    pub today: NaiveDate,
    pub campaigns: Vec<i32>,
    /// First year of the exercise and event history.
    pub first_year: i32,
}

/// Regional share of ES with an exercise completed during each year (end-2023 and end-2024
/// figures from `domain.md`).
fn exercise_share(year: i32, today: NaiveDate) -> f64 {
    match year {
        ..=2021 => 0.18,
        2022 => 0.34,
        2023 => 0.58,
        2024 => 0.79,
        y if y == today.year() => 0.62,
        _ => 0.82,
    }
}

pub fn generate(world: &World, catalogues: &Catalogues, timeline: &Timeline, rng: &Rng) -> History {
    let mut history = History {
        campaigns: timeline.campaigns.clone(),
        ..History::default()
    };
    declarations(world, catalogues, timeline, &mut rng.fork("declarations"), &mut history);
    exercises(world, timeline, &mut rng.fork("exercises"), &mut history);
    activities(world, timeline, &mut rng.fork("activities"), &mut history);
    incidents(world, timeline, &mut rng.fork("incidents"), &mut history);
    grids(world, timeline, &mut rng.fork("grids"), &mut history);
    history
}

fn declarations(world: &World, catalogues: &Catalogues, timeline: &Timeline, rng: &mut Rng, history: &mut History) {
    let today = timeline.today;
    for (index, establishment) in world.establishments.iter().enumerate() {
        let es = world.kind(establishment) == Kind::Es;
        // Some never declare at all.
        if rng.chance(if es { 0.04 } else { 0.10 }) {
            continue;
        }
        for (campaign_index, &campaign) in timeline.campaigns.iter().enumerate() {
            let Some(catalogue) = catalogues.for_campaign(i64::from(campaign)) else {
                continue;
            };
            let current = campaign == today.year();
            let participation = match (es, current) {
                (true, false) => 0.88,
                (true, true) => 0.62,
                (false, false) => 0.72,
                (false, true) => 0.45,
            };
            if !rng.chance(participation) {
                continue;
            }
            let from = date(campaign, 2, 1);
            let to = if current {
                add_days(today, -1)
            } else {
                date(campaign, 12, 15)
            };
            let updated_on = day_between(rng, from, to);
            let maturity = maturity_in(world, index, campaign_index);
            let status = if rng.chance(0.55 + 0.35 * maturity) {
                Status::Validated
            } else if rng.chance(0.75) {
                Status::InProgress
            } else {
                Status::NotStarted
            };
            let missing = match status {
                Status::Validated => 0.03,
                Status::InProgress => 0.35,
                Status::NotStarted => 1.0,
            };
            let answers = catalogue
                .questions
                .iter()
                .map(|question| {
                    (!rng.chance(missing)).then(|| answer(question.answer_type, maturity, updated_on, rng))?
                })
                .collect();
            history.declarations.push(Declaration {
                establishment: index,
                campaign,
                status,
                updated_on,
                answers,
            });
        }
    }
}

/// An answer a person of this maturity would give, written the way oSIS exports it.
fn answer(answer_type: AnswerType, maturity: f64, declared_on: NaiveDate, rng: &mut Rng) -> Option<AnswerCell> {
    let draw = (maturity + rng.normal(0.2)).clamp(0.0, 1.0);
    Some(match answer_type {
        AnswerType::YesNo => AnswerCell::Text(if draw > 0.45 { "Oui" } else { "Non" }.to_owned()),
        AnswerType::YesPartialNo => AnswerCell::Text(
            if draw > 0.62 {
                "Oui"
            } else if draw > 0.32 {
                "Partiel"
            } else {
                "Non"
            }
            .to_owned(),
        ),
        AnswerType::ThreeLevel => AnswerCell::Text(
            if draw > 0.62 {
                "Complet"
            } else if draw > 0.32 {
                "Partiel"
            } else {
                "Informel"
            }
            .to_owned(),
        ),
        AnswerType::Percent => {
            let percent = (draw * 100.0).round();
            if rng.chance(0.8) {
                AnswerCell::Text(format!("{percent} %"))
            } else {
                AnswerCell::Number(percent)
            }
        }
        AnswerType::Days => AnswerCell::Number((1.0 + (1.0 - draw) * 60.0).round()),
        AnswerType::Date => {
            let age = ((1.0 - draw) * 1_400.0 * rng.unit()).round() as i64 + 1;
            AnswerCell::Date(add_days(declared_on, -age))
        }
        AnswerType::Count => AnswerCell::Number(f64::from(rng.weighted(&[0.6, 0.25, 0.1, 0.05]) as u32)),
        AnswerType::FreeText => {
            if draw < 0.3 {
                return None;
            }
            AnswerCell::Text(ExerciseKit::from_score((draw * 230.0) as u32).label().to_owned())
        }
    })
}

fn exercises(world: &World, timeline: &Timeline, rng: &mut Rng, history: &mut History) {
    let today = timeline.today;
    // A stable propensity per establishment, re-drawn a little each year, ranks who exercises.
    let propensity: Vec<f64> = world
        .establishments
        .iter()
        .map(|e| e.maturity + rng.normal(0.2))
        .collect();
    let groups: [(Kind, bool); 4] = [
        (Kind::Es, true),
        (Kind::Es, false),
        (Kind::Esms, true),
        (Kind::Esms, false),
    ];
    for year in timeline.first_year..=today.year() {
        for (kind, region) in groups {
            let mut members: Vec<(usize, f64)> = world
                .establishments
                .iter()
                .enumerate()
                .filter(|(_, e)| world.kind(e) == kind && world.in_region(e) == region)
                .map(|(index, _)| (index, propensity[index] + rng.normal(0.12)))
                .collect();
            members.sort_by(|a, b| b.1.total_cmp(&a.1));
            let share = exercise_share(year, today) * if kind == Kind::Es { 1.0 } else { 0.08 };
            let chosen = (members.len() as f64 * share).round() as usize;
            for &(index, _) in &members[..chosen] {
                let current = year == today.year();
                let latest = if current {
                    add_days(today, -10)
                } else {
                    date(year, 12, 10)
                };
                let completed = day_between(rng, date(year, 2, 1), latest.max(date(year, 2, 1)));
                push_exercise(world, index, Some(completed), today, region, rng, history);
            }
            if year == today.year() {
                // Some of the others have one planned (within the next 90 days or later).
                for &(index, _) in &members[chosen..] {
                    if rng.chance(if kind == Kind::Es { 0.35 } else { 0.1 }) {
                        push_exercise(world, index, None, today, region, rng, history);
                    }
                }
            }
        }
    }
}

fn push_exercise(
    world: &World,
    index: usize,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
    region: bool,
    rng: &mut Rng,
    history: &mut History,
) {
    let maturity = world.establishments[index].maturity;
    let kit = if rng.chance(0.1) {
        ExerciseKit::AnssiGuide
    } else {
        ExerciseKit::from_score(((maturity + rng.normal(0.15)).clamp(0.0, 1.0) * 230.0) as u32)
    };
    let planned_on = match completed_on {
        Some(done) => Some(add_days(done, -rng.between(0, 20))),
        None => Some(add_days(today, rng.between(5, 160))),
    };
    let in_workbook = region && rng.chance(0.75);
    let as_event = !in_workbook || rng.chance(0.45);
    let retex_on = completed_on
        .map(|done| add_days(done, rng.between(7, 40)))
        .filter(|retex| *retex < today);
    history.exercises.push(Exercise {
        establishment: index,
        planned_on,
        completed_on,
        kit,
        scenario: SCENARIOS[rng.below(SCENARIOS.len())],
        provider: rng.chance(0.7).then(|| *rng.pick(PROVIDERS)),
        aap_funded: false,
        direction_present: completed_on.is_some() && rng.chance(0.85),
        observers: rng.between(0, 4) as u32,
        retex_on,
        cancelled: false,
        in_workbook,
        event_offset_days: as_event.then(|| if in_workbook { rng.between(-3, 3) } else { 0 }),
    });
    // Action plans are followed for the ES's recent exercises.
    let recent = completed_on.is_some_and(|done| done.year() >= today.year() - 2);
    let es = world.kind(&world.establishments[index]) == Kind::Es;
    if let (Some(done), Some(_), true, true) = (completed_on, retex_on, in_workbook && es, recent) {
        for _ in 0..rng.between(1, 4) {
            let deadline = rng.chance(0.95).then(|| add_days(done, rng.between(60, 300)));
            let owner = rng.chance(0.94).then(|| *rng.pick(OWNERS));
            let status = match deadline {
                Some(deadline) if deadline < today && rng.chance(0.35 + 0.5 * maturity) => "fait",
                _ if rng.chance(0.05) => "abandonné",
                _ if rng.chance(0.5) => "en cours",
                _ => "à faire",
            };
            let closed_on = (status == "fait").then(|| day_between(rng, done, deadline.unwrap_or(today).min(today)));
            history.actions.push(Action {
                establishment: index,
                exercise_on: done,
                text: ACTIONS[rng.below(ACTIONS.len())],
                owner,
                deadline,
                status,
                closed_on,
            });
        }
    }
    // A few establishments also cancel an exercise in the workbook.
    if in_workbook && rng.chance(0.03) {
        history.exercises.push(Exercise {
            establishment: index,
            planned_on: Some(add_days(planned_on.unwrap_or(today), -120)),
            completed_on: None,
            kit,
            scenario: SCENARIOS[rng.below(SCENARIOS.len())],
            provider: None,
            aap_funded: false,
            direction_present: false,
            observers: 0,
            retex_on: None,
            cancelled: true,
            in_workbook: true,
            event_offset_days: None,
        });
    }
}

const CARE_VENDORS: &[&str] = &["AUDITCYB", "EXPOSITION-CONSEIL", "SURFACE NUMERIQUE"];

fn activities(world: &World, timeline: &Timeline, rng: &mut Rng, history: &mut History) {
    let today = timeline.today;
    let latest = add_days(today, -2);
    for (index, establishment) in world.establishments.iter().enumerate() {
        let es = world.kind(establishment) == Kind::Es;
        let maturity = establishment.maturity;
        let subscribed = es && rng.chance(0.3 + 0.6 * maturity);
        for year in timeline.first_year..=today.year() {
            let last_day = if year == today.year() {
                latest
            } else {
                date(year, 12, 20)
            };
            let when = |rng: &mut Rng| {
                at(
                    day_between(rng, date(year, 1, 10), last_day),
                    rng.between(8, 18) as u32,
                    0,
                )
            };
            let push =
                |history: &mut History, event_type, completed_at, legal_entity_only, score, level, tlp, vendor| {
                    history.activities.push(Activity {
                        establishment: index,
                        event_type,
                        completed_at,
                        legal_entity_only,
                        score,
                        level,
                        tlp,
                        vendor,
                    });
                };
            if establishment.ose && year >= 2022 {
                // The first site of a university hospital group carries the group's AD audit.
                let chu = world.category(establishment).family == "CHU";
                let group_head = chu
                    && world
                        .establishments
                        .iter()
                        .position(|e| e.finess_ej == establishment.finess_ej)
                        == Some(index);
                if (!chu || group_head) && rng.chance(0.62 + 0.25 * maturity) {
                    let score = (maturity * 5.0 + rng.normal(0.6)).clamp(0.0, 5.0);
                    push(
                        history,
                        27,
                        when(rng),
                        chu,
                        Some((score * 10.0).round() / 10.0),
                        Some(score.ceil().max(1.0) as u32),
                        "amber",
                        None,
                    );
                }
                if rng.chance(0.75 + 0.2 * maturity) {
                    push(
                        history,
                        60,
                        when(rng),
                        false,
                        None,
                        Some(rng.between(1, 4) as u32),
                        "amber",
                        None,
                    );
                }
            }
            if subscribed && year >= 2021 {
                push(
                    history,
                    28,
                    when(rng),
                    false,
                    None,
                    Some(rng.between(1, 4) as u32),
                    "green",
                    None,
                );
            }
            if es && rng.chance(0.15 + 0.35 * maturity) {
                push(
                    history,
                    61,
                    when(rng),
                    false,
                    None,
                    Some(rng.between(1, 4) as u32),
                    "green",
                    None,
                );
            }
            if es && year >= 2024 && rng.chance(0.3) {
                let vendor = *rng.pick(CARE_VENDORS);
                push(
                    history,
                    29,
                    when(rng),
                    false,
                    None,
                    Some(rng.between(1, 4) as u32),
                    "amber",
                    Some(vendor),
                );
            }
            if rng.chance(if es { 0.25 + 0.4 * maturity } else { 0.015 }) {
                let event_type = if rng.chance(0.6) { 21 } else { 22 };
                push(history, event_type, when(rng), false, None, None, "clear", None);
            }
        }
    }
    history
        .activities
        .sort_by_key(|activity| (activity.completed_at, activity.establishment, activity.event_type));
}

const INCIDENT_KINDS: &[&str] = &[
    "Rançongiciel",
    "Hameçonnage",
    "Compromission de messagerie",
    "Déni de service",
    "Fuite de données",
    "Panne d'un prestataire",
];

fn incidents(world: &World, timeline: &Timeline, rng: &mut Rng, history: &mut History) {
    let today = timeline.today;
    for (index, establishment) in world.establishments.iter().enumerate() {
        let es = world.kind(establishment) == Kind::Es;
        for year in timeline.first_year..=today.year() {
            if !rng.chance(if es { 0.045 } else { 0.006 }) {
                continue;
            }
            let last_day = if year == today.year() {
                add_days(today, -3)
            } else {
                date(year, 12, 28)
            };
            let declared_at = at(
                day_between(rng, date(year, 1, 5), last_day),
                rng.between(7, 22) as u32,
                rng.between(0, 59) as u32,
            );
            let kind = *rng.pick(INCIDENT_KINDS);
            let leak = kind == "Fuite de données" || rng.chance(0.2);
            let cnil_notified_at = if leak && rng.chance(0.8) {
                let hours = if rng.chance(0.25) {
                    rng.between(80, 300)
                } else {
                    rng.between(4, 70)
                };
                Some(declared_at + chrono::Duration::hours(hours))
            } else {
                None
            };
            let in_csv = world.in_region(establishment) && rng.chance(0.85);
            let as_event = (!in_csv || rng.chance(0.5)).then(|| if rng.chance(0.4) { "red" } else { "amber" });
            history.incidents.push(Incident {
                establishment: index,
                declared_at,
                kind,
                patient_impact: rng.chance(0.3),
                anssi: establishment.ose || rng.chance(0.1),
                cnil_notified_at,
                encryption: kind == "Rançongiciel" || rng.chance(0.1),
                leak,
                in_csv,
                as_event,
            });
        }
    }
}

fn grids(world: &World, timeline: &Timeline, rng: &mut Rng, history: &mut History) {
    // A grid is filled in before most exercises of the region's ES (it chooses the kit).
    let mut grids = Vec::new();
    for exercise in &history.exercises {
        let establishment = &world.establishments[exercise.establishment];
        if exercise.cancelled || !world.in_region(establishment) || !rng.chance(0.55) {
            continue;
        }
        let reference = exercise.completed_on.or(exercise.planned_on).unwrap_or(timeline.today);
        let assessed_on = add_days(reference, -rng.between(20, 90)).min(add_days(timeline.today, -1));
        let maturity = establishment.maturity;
        let mut levels = [None; 23];
        for level in &mut levels {
            let draw = (maturity + rng.normal(0.22)).clamp(0.0, 1.0);
            *level = Some(if draw > 0.6 {
                3
            } else if draw > 0.3 {
                2
            } else {
                1
            });
        }
        grids.push(Grid {
            establishment: exercise.establishment,
            assessed_on,
            levels,
            double_marked: None,
            as_workbook: false,
        });
    }
    grids.sort_by_key(|grid| (grid.assessed_on, grid.establishment));
    history.grids = grids;
}
