//! The planted truths: figures worked out from the generated history itself (not from the
//! pipeline), with the rule each follows, for the analytics to find.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::aap::{Application, CallRules};
use crate::activity::{History, add_days, date};
use crate::world::{Kind, TRICKY_NAMES, World};

#[derive(Debug, Clone, Serialize)]
pub struct Truths {
    /// Sites in the FINESS referential after the extract is loaded (every generated site plus
    /// one extra site whose Luhn key is wrong).
    pub referential_sites: u64,
    pub region_es: u64,
    pub region_esms: u64,
    pub region_ose: u64,
    /// Declarations stored per campaign (all establishments, one per establishment and campaign).
    pub declarations_per_campaign: BTreeMap<i32, u64>,
    pub freshness: Freshness,
    pub exercise_completion: Vec<Rate>,
    pub exercise_status: ExerciseStatus,
    pub ose_missing_ads: Missing,
    pub ose_missing_silene: Missing,
    pub overdue_actions: Count,
    pub untracked_actions: u64,
    pub incidents: Incidents,
    pub kits: Kits,
    pub aap: Aap,
    pub tricky_names: Vec<Named>,
    /// TLP:RED events about an establishment of the region: visible to it alone.
    pub red_events: Vec<RedEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Freshness {
    pub rule: &'static str,
    pub as_of: NaiveDate,
    pub es: BTreeMap<&'static str, u64>,
    pub esms: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rate {
    pub rule: &'static str,
    pub as_of: NaiveDate,
    pub numerator: u64,
    pub denominator: u64,
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExerciseStatus {
    pub rule: &'static str,
    pub as_of: NaiveDate,
    pub counts: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    pub rule: &'static str,
    pub as_of: NaiveDate,
    pub count: u64,
    pub finess: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub rule: &'static str,
    pub as_of: NaiveDate,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Incidents {
    pub stored_from_csv: u64,
    /// CNIL notifications late and missing among the incidents the region's viewers see: a
    /// CSV incident that is also a red event of its site (same day) is its owner's only.
    pub cnil_late: u64,
    pub cnil_missing: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kits {
    pub rule: &'static str,
    pub latest: BTreeMap<&'static str, u64>,
    pub boundaries: Vec<BoundaryGrid>,
    pub incomplete: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoundaryGrid {
    pub finess: String,
    pub score: u32,
    pub kit: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Aap {
    pub rules: CallRules,
    pub observed_rule: &'static str,
    pub applications: Vec<ApplicationTruth>,
    /// Check number (1–7) → the applications built to fail it, and only it.
    pub failing: BTreeMap<u8, Vec<u32>>,
    pub funded: Vec<u32>,
    pub waiting_list: Vec<u32>,
    pub committed_euros: u64,
    pub payable_euros: u64,
    pub paid_euros: u64,
    pub remaining_euros: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationTruth {
    pub id: u32,
    pub finess: String,
    pub fails: Option<u8>,
    pub outcome: &'static str,
    pub payment: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub finess: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RedEvent {
    pub finess: String,
    pub event_type: u32,
    pub date: NaiveDate,
}

/// Completion date of each exercise as the store merges it: the workbook's date when the
/// workbook has it, else the event's.
fn completion(exercise: &crate::activity::Exercise) -> Option<NaiveDate> {
    let done = exercise.completed_on?;
    if exercise.in_workbook {
        Some(done)
    } else {
        Some(add_days(done, exercise.event_offset_days.unwrap_or(0)))
    }
}

fn within_year(day: NaiveDate, as_of: NaiveDate) -> bool {
    day <= as_of && day >= add_days(as_of, -365)
}

pub fn compute(
    world: &World,
    history: &History,
    applications: &[Application],
    rules: &CallRules,
    today: NaiveDate,
) -> Truths {
    let region_es: Vec<usize> = world.region_es().map(|(index, _)| index).collect();
    let region_esms: Vec<usize> = world
        .establishments
        .iter()
        .enumerate()
        .filter(|(_, e)| world.in_region(e) && world.kind(e) == Kind::Esms)
        .map(|(index, _)| index)
        .collect();

    let mut declarations_per_campaign = BTreeMap::new();
    let mut last_declaration: BTreeMap<usize, NaiveDate> = BTreeMap::new();
    for declaration in &history.declarations {
        *declarations_per_campaign.entry(declaration.campaign).or_insert(0) += 1;
        let last = last_declaration
            .entry(declaration.establishment)
            .or_insert(declaration.updated_on);
        *last = (*last).max(declaration.updated_on);
    }
    let freshness_of = |members: &[usize]| {
        let mut counts: BTreeMap<&'static str, u64> = ["a_jour", "a_rafraichir", "obsolete", "jamais"]
            .into_iter()
            .map(|k| (k, 0))
            .collect();
        for index in members {
            let status = match last_declaration.get(index) {
                None => "jamais",
                Some(last) => match (today - *last).num_days() {
                    ..=90 => "a_jour",
                    91..=365 => "a_rafraichir",
                    _ => "obsolete",
                },
            };
            *counts.entry(status).or_default() += 1;
        }
        counts
    };

    let completions: Vec<(usize, NaiveDate)> = history
        .exercises
        .iter()
        .filter(|e| !e.cancelled)
        .filter_map(|e| Some((e.establishment, completion(e)?)))
        .collect();
    let rate = |as_of: NaiveDate| {
        let numerator = region_es
            .iter()
            .filter(|index| {
                completions
                    .iter()
                    .any(|(e, day)| e == *index && within_year(*day, as_of))
            })
            .count() as u64;
        let denominator = region_es.len() as u64;
        Rate {
            rule: "ES de la région avec un exercice réalisé dans les 365 jours jusqu'à la date (incluse)",
            as_of,
            numerator,
            denominator,
            rate: numerator as f64 / denominator.max(1) as f64,
        }
    };
    let mut status_counts: BTreeMap<&'static str, u64> = ["realise", "planifie", "en_retard", "jamais"]
        .into_iter()
        .map(|k| (k, 0))
        .collect();
    for index in &region_es {
        let done: Vec<NaiveDate> = completions
            .iter()
            .filter(|(e, _)| e == index)
            .map(|(_, d)| *d)
            .collect();
        let planned = history.exercises.iter().any(|e| {
            e.establishment == *index
                && !e.cancelled
                && e.completed_on.is_none()
                && e.planned_on.is_some_and(|p| p > today && p <= add_days(today, 90))
        });
        let status = if done.iter().any(|d| within_year(*d, today)) {
            "realise"
        } else if planned {
            "planifie"
        } else if done.iter().any(|d| *d < today) {
            "en_retard"
        } else {
            "jamais"
        };
        *status_counts.entry(status).or_default() += 1;
    }

    let missing = |event_type: u32, rule: &'static str| {
        let mut finess: Vec<String> = world
            .establishments
            .iter()
            .enumerate()
            .filter(|(_, e)| world.in_region(e) && e.ose)
            .filter(|(index, e)| {
                !history.activities.iter().any(|a| {
                    a.event_type == event_type
                        && within_year(a.completed_at.date(), today)
                        && (a.establishment == *index
                            || (a.legal_entity_only && world.establishments[a.establishment].finess_ej == e.finess_ej))
                })
            })
            .map(|(_, e)| e.finess_et.clone())
            .collect();
        finess.sort();
        Missing {
            rule,
            as_of: today,
            count: finess.len() as u64,
            finess,
        }
    };

    let csv_incidents: Vec<_> = history.incidents.iter().filter(|i| i.in_csv).collect();

    let mut latest_grid: BTreeMap<usize, &crate::activity::Grid> = BTreeMap::new();
    for grid in &history.grids {
        if world.in_region(&world.establishments[grid.establishment]) {
            let entry = latest_grid.entry(grid.establishment).or_insert(grid);
            if grid.assessed_on >= entry.assessed_on {
                *entry = grid;
            }
        }
    }
    let mut kit_counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    for grid in latest_grid.values() {
        let key = grid.score().map_or("incomplete", |score| {
            crate::activity::ExerciseKit::from_score(score).label()
        });
        *kit_counts.entry(key).or_default() += 1;
    }
    let boundaries = latest_grid
        .values()
        .filter_map(|grid| {
            let score = grid.score()?;
            matches!(score, 74 | 75 | 150 | 151).then(|| BoundaryGrid {
                finess: world.establishments[grid.establishment].finess_et.clone(),
                score,
                kit: crate::activity::ExerciseKit::from_score(score).label(),
            })
        })
        .collect();
    let incomplete = history
        .grids
        .iter()
        .filter(|g| !g.complete())
        .map(|g| world.establishments[g.establishment].finess_et.clone())
        .collect();

    Truths {
        referential_sites: world.establishments.len() as u64 + 1,
        region_es: region_es.len() as u64,
        region_esms: region_esms.len() as u64,
        region_ose: world
            .establishments
            .iter()
            .filter(|e| world.in_region(e) && e.ose)
            .count() as u64,
        declarations_per_campaign,
        freshness: Freshness {
            rule: "dernière date de mise à jour oSIS, toutes campagnes : à jour ≤ 90 jours, à rafraîchir 91–365, obsolète > 365, jamais sans déclaration",
            as_of: today,
            es: freshness_of(&region_es),
            esms: freshness_of(&region_esms),
        },
        exercise_completion: vec![rate(date(2023, 12, 31)), rate(date(2024, 12, 31)), rate(today)],
        exercise_status: ExerciseStatus {
            rule: "indicators.md §2, ES de la région",
            as_of: today,
            counts: status_counts,
        },
        ose_missing_ads: missing(
            27,
            "OSE de la région sans audit ADS (événement 27) réalisé dans les 365 jours, sur le site ou son entité juridique",
        ),
        ose_missing_silene: missing(
            60,
            "OSE de la région sans audit SILENE (événement 60) réalisé dans les 365 jours",
        ),
        overdue_actions: Count {
            rule: "actions dont l'échéance est passée et le statut n'est ni « fait » ni « abandonné »",
            as_of: today,
            count: history.actions.iter().filter(|a| a.overdue(today)).count() as u64,
        },
        untracked_actions: history
            .actions
            .iter()
            .filter(|a| a.owner.is_none() || a.deadline.is_none())
            .count() as u64,
        incidents: Incidents {
            stored_from_csv: csv_incidents.len() as u64,
            cnil_late: csv_incidents
                .iter()
                .filter(|i| i.as_event != Some("red") && i.cnil_late())
                .count() as u64,
            cnil_missing: csv_incidents
                .iter()
                .filter(|i| i.as_event != Some("red") && i.cnil_missing())
                .count() as u64,
        },
        kits: Kits {
            rule: "dernière grille de chaque ES de la région : < 75 débutant, 75–150 intermédiaire, > 150 confirmé ; incomplète : aucun kit",
            latest: kit_counts,
            boundaries,
            incomplete,
        },
        aap: aap_truths(applications, rules, history),
        tricky_names: world
            .establishments
            .iter()
            .filter(|e| TRICKY_NAMES.iter().any(|(short, _)| *short == e.short_name))
            .map(|e| Named {
                finess: e.finess_et.clone(),
                name: e.long_name.clone(),
            })
            .collect(),
        red_events: history
            .incidents
            .iter()
            .filter(|i| i.as_event == Some("red") && world.in_region(&world.establishments[i.establishment]))
            .map(|i| RedEvent {
                finess: world.establishments[i.establishment].finess_et.clone(),
                event_type: 44,
                date: i.declared_at.date(),
            })
            .collect(),
    }
}

fn aap_truths(applications: &[Application], rules: &CallRules, history: &History) -> Aap {
    let mut failing: BTreeMap<u8, Vec<u32>> = BTreeMap::new();
    let mut funded = Vec::new();
    let mut waiting_list = Vec::new();
    let mut truths = Vec::new();
    let (mut payable, mut paid) = (0u64, 0u64);
    for application in applications {
        let (outcome, payment) = if let Some(check) = application.planted_failure {
            failing.entry(check).or_default().push(application.id);
            ("ineligible", None)
        } else if funded.len() < rules.funded_places() {
            funded.push(application.id);
            let done = history.exercises.iter().any(|e| {
                Some(e.establishment) == application.establishment
                    && !e.cancelled
                    && completion(e).is_some_and(|d| d >= application.deposited_at.date())
            });
            let payment = if application.paid_on.is_some() {
                paid += u64::from(rules.flat_amount_euros);
                Some("paye")
            } else if done && application.invoice_attachment.is_some() {
                payable += u64::from(rules.flat_amount_euros);
                Some("a_payer")
            } else {
                None
            };
            ("funded", payment)
        } else {
            waiting_list.push(application.id);
            ("waiting_list", None)
        };
        truths.push(ApplicationTruth {
            id: application.id,
            finess: application.finess.clone(),
            fails: application.planted_failure,
            outcome,
            payment,
        });
    }
    let committed = funded.len() as u64 * u64::from(rules.flat_amount_euros);
    Aap {
        rules: rules.clone(),
        observed_rule: "contrôle 5 : dernière déclaration oSIS de l'établissement à la date de dépôt (incluse)",
        applications: truths,
        failing,
        funded,
        waiting_list,
        committed_euros: committed,
        payable_euros: payable,
        paid_euros: paid,
        remaining_euros: i64::from(rules.envelope_euros) - committed as i64,
    }
}
