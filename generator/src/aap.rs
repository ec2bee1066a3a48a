//! The 2023 call for projects: applications planted so that each check of `indicators.md`
//! §7 fails for a known few, and more are eligible than the envelope funds.

use chrono::{Months, NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::activity::{History, add_days, at, date};
use crate::rng::Rng;
use crate::world::{Kind, World};

/// The call's rules as the generator assumed them (the defaults of `data/settings.toml`).
#[derive(Debug, Clone, Serialize)]
pub struct CallRules {
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub envelope_euros: u32,
    pub flat_amount_euros: u32,
}

impl Default for CallRules {
    fn default() -> Self {
        CallRules {
            opens_on: date(2023, 1, 1),
            closes_on: date(2023, 6, 30),
            envelope_euros: 200_000,
            flat_amount_euros: 4_000,
        }
    }
}

impl CallRules {
    pub fn funded_places(&self) -> usize {
        (self.envelope_euros / self.flat_amount_euros) as usize
    }
}

#[derive(Debug, Clone)]
pub struct Application {
    pub id: u32,
    pub finess: String,
    pub establishment: Option<usize>,
    pub deposited_at: NaiveDateTime,
    pub declared_update: NaiveDate,
    pub score: Option<u32>,
    pub grid_attachment: Option<String>,
    pub amount: f64,
    pub planned_exercise: NaiveDate,
    pub order_attachment: Option<String>,
    pub invoice_attachment: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub state: &'static str,
    /// The one check (1–7) this application was built to fail.
    pub planted_failure: Option<u8>,
}

/// Plants the applications, and adjusts the applicants' declarations and exercises so that
/// the observatory's own data confirms (or contradicts) what each application says.
pub fn plant(world: &World, history: &mut History, rules: &CallRules, rng: &Rng) -> Vec<Application> {
    let mut rng = rng.fork("aap");
    let campaign_2023: Vec<usize> = history
        .declarations
        .iter()
        .enumerate()
        .filter(|(_, d)| d.campaign == 2023)
        .map(|(index, _)| index)
        .collect();
    // Candidates: region ES that did an exercise between May and December 2023 and declared
    // in the 2023 campaign.
    let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
    for (exercise_index, exercise) in history.exercises.iter().enumerate() {
        let establishment = &world.establishments[exercise.establishment];
        let Some(done) = exercise.completed_on else { continue };
        if !(world.in_region(establishment) && world.kind(establishment) == Kind::Es)
            || done < date(2023, 5, 1)
            || done > date(2023, 12, 10)
            || candidates.iter().any(|c| c.0 == exercise.establishment)
        {
            continue;
        }
        if let Some(&declaration) = campaign_2023
            .iter()
            .find(|&&d| history.declarations[d].establishment == exercise.establishment)
        {
            candidates.push((exercise.establishment, exercise_index, declaration));
        }
    }
    rng.shuffle(&mut candidates);

    let places = rules.funded_places();
    let eligible_count = places + places.div_ceil(6);
    // Failures planted per check, two each; checks 2 and 7 are planted below.
    let plan: Vec<Option<u8>> = std::iter::repeat_n(None, eligible_count)
        .chain([1, 1, 3, 3, 4, 4, 5, 5, 6, 6].into_iter().map(Some))
        .collect();
    let mut applications = Vec::new();
    let mut next_id = 12_400u32;
    let mut used_minutes = std::collections::BTreeSet::new();
    let mut candidates = candidates.into_iter();
    for planted in plan {
        let Some((establishment, exercise_index, declaration_index)) = candidates.next() else {
            break;
        };
        let done = history.exercises[exercise_index].completed_on.unwrap_or_default();
        // Deposited some weeks before the exercise, inside the window (or just after it).
        let mut deposit_day = add_days(done, -rng.between(20, 60)).clamp(date(2023, 3, 1), rules.closes_on);
        if planted == Some(1) {
            deposit_day = add_days(rules.closes_on, rng.between(3, 12));
        }
        let deposited_at = unique_time(deposit_day, &mut used_minutes, &mut rng);
        let mut declared = add_days(deposit_day, -rng.between(3, 25)).max(date(2023, 2, 1));
        let observed = match planted {
            // Declared more than 3 months before the deposit: the data agrees.
            Some(4) => {
                declared = add_days(
                    deposit_day.checked_sub_months(Months::new(3)).unwrap_or(deposit_day),
                    -rng.between(5, 20),
                )
                .max(date(2023, 2, 1));
                if deposit_day
                    .checked_sub_months(Months::new(3))
                    .is_some_and(|limit| declared >= limit)
                {
                    // Deposits too early in the window cannot be late: push the deposit.
                    deposit_day = rules.closes_on;
                }
                declared
            }
            // The observatory's latest declaration is much older than the declared date.
            Some(5) => add_days(declared, -rng.between(40, 60)).max(date(2023, 2, 1)),
            _ => declared,
        };
        let deposited_at = if planted == Some(4) {
            unique_time(deposit_day, &mut used_minutes, &mut rng)
        } else {
            deposited_at
        };
        move_declaration(history, declaration_index, observed);
        if planted == Some(5) && (declared - observed).num_days() < 40 {
            declared = add_days(observed, 45).min(deposit_day);
        }
        let finess = world.establishments[establishment].finess_et.clone();
        let score = history
            .grids
            .iter()
            .filter(|g| g.establishment == establishment && g.assessed_on <= deposit_day)
            .filter_map(|g| g.score())
            .next_back()
            .unwrap_or(rng.between(40, 200) as u32);
        applications.push(Application {
            id: next_id,
            finess,
            establishment: Some(establishment),
            deposited_at,
            declared_update: declared,
            score: (planted != Some(3) || applications.iter().any(|a: &Application| a.planted_failure == Some(3)))
                .then_some(score),
            grid_attachment: Some(format!("grille-autoevaluation-{next_id}.pdf")),
            amount: [4_800.0, 6_000.0, 7_500.0, 9_600.0][rng.below(4)],
            planned_exercise: done,
            order_attachment: Some(format!("bon-de-commande-{next_id}.pdf")),
            invoice_attachment: None,
            paid_on: None,
            state: "en_instruction",
            planted_failure: planted,
        });
        next_id += rng.between(3, 40) as u32;
    }
    // Second failure of check 3: score present, grid missing; of check 6: no order, then 0 €.
    if let Some(application) = applications
        .iter_mut()
        .rev()
        .find(|a| a.planted_failure == Some(3) && a.score.is_some())
    {
        application.grid_attachment = None;
    }
    let mut sixes = applications.iter_mut().filter(|a| a.planted_failure == Some(6));
    if let Some(application) = sixes.next() {
        application.order_attachment = None;
    }
    if let Some(application) = sixes.next() {
        application.amount = 0.0;
    }
    // Check 2: an EHPAD of the region and a hospital of a neighbouring région.
    for (index, establishment) in world.establishments.iter().enumerate() {
        let wanted = applications.iter().filter(|a| a.planted_failure == Some(2)).count();
        if wanted >= 2 {
            break;
        }
        let esms_in_region = world.in_region(establishment) && world.kind(establishment) == Kind::Esms && wanted == 0;
        let es_outside = !world.in_region(establishment) && world.kind(establishment) == Kind::Es && wanted == 1;
        if !(esms_in_region || es_outside) {
            continue;
        }
        let Some(declaration) = history
            .declarations
            .iter()
            .position(|d| d.establishment == index && d.campaign == 2023)
        else {
            continue;
        };
        let deposit_day = date(2023, 4, 3 + 10 * wanted as u32);
        let declared = add_days(deposit_day, -12);
        move_declaration(history, declaration, declared);
        applications.push(Application {
            id: next_id,
            finess: establishment.finess_et.clone(),
            establishment: Some(index),
            deposited_at: unique_time(deposit_day, &mut used_minutes, &mut rng),
            declared_update: declared,
            score: Some(rng.between(40, 200) as u32),
            grid_attachment: Some(format!("grille-autoevaluation-{next_id}.pdf")),
            amount: 6_000.0,
            planned_exercise: add_days(deposit_day, 60),
            order_attachment: Some(format!("bon-de-commande-{next_id}.pdf")),
            invoice_attachment: None,
            paid_on: None,
            state: "refuse",
            planted_failure: Some(2),
        });
        next_id += 7;
    }
    // Check 7: the two earliest eligible applicants apply a second time, six days later.
    applications.sort_by_key(|a| a.deposited_at);
    let firsts: Vec<Application> = applications
        .iter()
        .filter(|a| a.planted_failure.is_none())
        .take(2)
        .cloned()
        .collect();
    for first in firsts {
        let mut again = first.clone();
        again.id = next_id;
        next_id += 5;
        again.deposited_at = first.deposited_at + chrono::Duration::days(6);
        again.planted_failure = Some(7);
        again.state = "sans_suite";
        applications.push(again);
    }
    applications.sort_by_key(|a| a.deposited_at);

    // First come, first served among the eligible; decisions and payments follow.
    let mut funded = 0usize;
    for application in &mut applications {
        if application.planted_failure.is_some() {
            if application.state == "en_instruction" {
                application.state = if rng.chance(0.5) { "refuse" } else { "sans_suite" };
            }
            continue;
        }
        if funded < places {
            funded += 1;
            application.state = "accepte";
            if let Some(exercise) = history.exercises.iter_mut().find(|e| {
                Some(e.establishment) == application.establishment
                    && e.completed_on == Some(application.planned_exercise)
            }) {
                exercise.aap_funded = true;
                exercise.direction_present = true;
            }
            if rng.chance(0.8) {
                application.invoice_attachment = Some(format!("facture-{}.pdf", application.id));
                if rng.chance(0.6) {
                    application.paid_on = Some(add_days(application.planned_exercise, rng.between(30, 90)));
                }
            }
        }
    }
    applications
}

fn unique_time(day: NaiveDate, used: &mut std::collections::BTreeSet<NaiveDateTime>, rng: &mut Rng) -> NaiveDateTime {
    loop {
        let candidate = at(day, rng.between(8, 19) as u32, rng.between(0, 59) as u32);
        if used.insert(candidate) {
            return candidate;
        }
    }
}

/// Moves a declaration's update date (and its date answers with it, so none ends up after
/// the update).
fn move_declaration(history: &mut History, index: usize, updated_on: NaiveDate) {
    let declaration = &mut history.declarations[index];
    let shift = (updated_on - declaration.updated_on).num_days();
    declaration.updated_on = updated_on;
    for answer in declaration.answers.iter_mut().flatten() {
        if let crate::activity::AnswerCell::Date(day) = answer {
            *day = add_days(*day, shift);
        }
    }
}
