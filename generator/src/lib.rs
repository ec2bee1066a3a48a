//! A synthetic observatory: an Île-de-France (or all of France) whose establishments,
//! declarations, exercises, audits, incidents, grids and funding applications are written in
//! the real input formats, with the messiness of real exports, and a `manifest.json` that
//! says what a correct ingest must report for each file and which truths the data holds.
//!
//! Real OPSSIES data is confidential; this set is what the demo runs on, what indicator
//! tests check against, and what benchmarks load. The same seed and date give the same
//! bytes on every machine.

pub mod aap;
pub mod activity;
pub mod files;
pub mod geo;
pub mod manifest;
pub mod rng;
pub mod truths;
pub mod world;

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use ingest::catalogue::Catalogues;

pub use manifest::{Expected, FileEntry, Manifest, reason_of};
pub use world::Scale;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub scale: Scale,
    /// Campaigns (years) of oSIS exports, ending with `today`'s year. `None`: every year
    /// since the 2023 call for projects, at least three.
    pub campaigns: Option<u32>,
    pub seed: u64,
    /// The generated world's present: events happen up to it, statuses are as of it.
    pub today: NaiveDate,
}

impl Options {
    pub fn campaign_years(&self) -> Result<Vec<i32>, GenerateError> {
        let last = self.today.year();
        let count = match self.campaigns {
            Some(count) => count as i32,
            None => (last - 2023 + 1).max(3),
        };
        if !(1..=30).contains(&count) {
            return Err(GenerateError::Options(format!(
                "nombre de campagnes hors limites : {count} (de 1 à 30)"
            )));
        }
        let first = last - count + 1;
        if first > 2023 {
            return Err(GenerateError::Options(format!(
                "les campagnes doivent inclure 2023, l'année de l'appel à projets : avec une date du {} il faut au moins {} campagnes",
                self.today.format("%d/%m/%Y"),
                last - 2023 + 1
            )));
        }
        Ok((first..=last).collect())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{0}")]
    Options(String),
    #[error("écriture de {path} impossible : {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("écriture d'un classeur XLSX impossible : {0}")]
    Xlsx(String),
}

/// Generates a set into `dir` (created if needed) and returns its manifest, also written
/// there as `manifest.json`.
pub fn generate(options: &Options, dir: &Path) -> Result<Manifest, GenerateError> {
    if options.today < activity::date(2025, 1, 1) {
        return Err(GenerateError::Options(format!(
            "date de référence {} trop ancienne : le jeu couvre l'appel à projets 2023 et les taux de fin 2024, choisissez une date à partir du 01/01/2025",
            options.today.format("%d/%m/%Y")
        )));
    }
    let campaigns = options.campaign_years()?;
    let today = options.today;
    let rng = rng::Rng::new(options.seed);
    let world = world::build(options.scale, &rng);
    let catalogues = Catalogues::embedded();
    let timeline = activity::Timeline {
        today,
        campaigns: campaigns.clone(),
        first_year: 2021.min(campaigns[0]),
    };
    let mut history = activity::generate(&world, &catalogues, &timeline, &rng);
    plant_grids(&world, &mut history, today, &mut rng.fork("planted grids"));
    let rules = aap::CallRules::default();
    let applications = aap::plant(&world, &mut history, &rules, &rng);

    std::fs::create_dir_all(dir).map_err(|source| GenerateError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut output = files::Output::new(dir);
    files::etalab::write(&world, activity::add_days(today, -20), &mut output)?;
    files::ose::write(&world, today.year(), &mut output)?;
    for &campaign in &campaigns {
        if let Some(catalogue) = catalogues.for_campaign(i64::from(campaign)) {
            files::osis::write(&world, &mut history, campaign, catalogue, &rng, &mut output)?;
        }
    }
    files::events::write(&world, &history, today, &mut output)?;
    files::grids::write(&world, &history, &mut output)?;
    files::exercises::write(&world, &history, today, &mut output)?;
    files::aap::write(&applications, 2023, &mut output)?;
    files::incidents::write(&world, &history, &mut output)?;

    // Truths last: writing spoils a few answers, which the history then forgets.
    let truths = truths::compute(&world, &history, &applications, &rules, today);
    let manifest = Manifest {
        generator: concat!("opssies demo-data ", env!("CARGO_PKG_VERSION")),
        seed: options.seed,
        scale: options.scale,
        today,
        campaigns,
        region: world
            .departements
            .iter()
            .filter(|d| d.in_region())
            .map(|d| d.code)
            .collect(),
        files: output.entries,
        reasons: manifest::REASONS.iter().copied().collect(),
        truths,
    };
    let path = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    std::fs::write(&path, text).map_err(|source| GenerateError::Io { path, source })?;
    Ok(manifest)
}

/// Grids with scores on each kit boundary (74, 75, 150, 151), one unanswered question, one
/// question with two levels marked, and a few grids sent as filled-in workbooks.
fn plant_grids(world: &world::World, history: &mut activity::History, today: NaiveDate, rng: &mut rng::Rng) {
    // (débutant, intermédiaire, confirmé) counts giving each boundary score with 1/5/10 points.
    const BOUNDARIES: [(usize, usize, usize); 4] = [(14, 6, 3), (10, 13, 0), (5, 7, 11), (6, 5, 12)];
    let without_grid: Vec<usize> = world
        .region_es()
        .map(|(index, _)| index)
        .filter(|index| !history.grids.iter().any(|g| g.establishment == *index))
        .collect();
    let mut free = without_grid.into_iter();
    for (beginner, intermediate, confirmed) in BOUNDARIES {
        let Some(establishment) = free.next() else { return };
        let mut levels = [None; 23];
        let mut chosen: Vec<u8> = std::iter::repeat_n(1, beginner)
            .chain(std::iter::repeat_n(2, intermediate))
            .chain(std::iter::repeat_n(3, confirmed))
            .collect();
        rng.shuffle(&mut chosen);
        for (slot, level) in levels.iter_mut().zip(chosen) {
            *slot = Some(level);
        }
        history.grids.push(activity::Grid {
            establishment,
            assessed_on: activity::add_days(today, -30),
            levels,
            double_marked: None,
            as_workbook: false,
        });
    }
    for (double, as_workbook) in [(None, false), (Some(11), true)] {
        let Some(establishment) = free.next() else { return };
        let mut levels = [Some(2u8); 23];
        if double.is_none() {
            levels[6] = None;
        }
        history.grids.push(activity::Grid {
            establishment,
            assessed_on: activity::add_days(today, -45),
            levels,
            double_marked: double,
            as_workbook,
        });
    }
    let mut chosen = 0;
    for index in 0..history.grids.len() {
        let grid = &history.grids[index];
        if chosen < 8
            && grid.complete()
            && index % 23 == 5
            && world.in_region(&world.establishments[grid.establishment])
        {
            history.grids[index].as_workbook = true;
            chosen += 1;
        }
    }
    history.grids.sort_by_key(|grid| (grid.assessed_on, grid.establishment));
}
