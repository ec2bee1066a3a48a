//! Establishment fiches, computed set-based: the same few queries build one fiche (a viewer's
//! own, red events included) or every fiche of the region at once (`FicheBook`), so a page
//! of the book is a lookup instead of a dozen queries.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::peers::PeerBasis;
use crate::sql;
use crate::status::date;
use crate::{
    ActionItem, Analytics, AnalyticsError, Benchmark, DomainScore, EstablishmentStatus, Fiche, PeerFigures, Result,
    Scope, Settings, TimelineEvent,
};

/// Every fiche of the region at one date, as a region viewer (ARS, SESAN) sees it: no
/// TLP:RED event counted or listed.
#[derive(Debug)]
pub struct FicheBook {
    as_of: NaiveDate,
    fiches: HashMap<String, Arc<Fiche>>,
}

impl FicheBook {
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    pub fn len(&self) -> usize {
        self.fiches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fiches.is_empty()
    }

    /// The fiche of a site of the region; an error naming it otherwise.
    pub fn fiche(&self, finess: &str) -> Result<Arc<Fiche>> {
        self.fiches
            .get(finess)
            .cloned()
            .ok_or_else(|| AnalyticsError::NotFound(finess.to_owned()))
    }
}

/// One row of the date's peer figures (`analytics_peer_stats`).
struct PeerStat {
    measure: String,
    group_kind: String,
    group_key: String,
    n: i64,
    median: f64,
    worst_20: f64,
    best_20: f64,
    percentiles: Vec<f64>,
}

impl Analytics<'_> {
    /// One establishment's fiche: its indicators, maturity by domain, evidence and peers.
    pub fn fiche(&self, finess: &str, as_of: NaiveDate, scope: &Scope) -> Result<Fiche> {
        let peers_on = scope.peers.date(as_of);
        // The snapshot's peer figures are materialised with the shared status of its date;
        // they are read before the reference date's context is built (which may evict the
        // snapshot's rows from the bounded cache).
        let snapshot = if peers_on == as_of {
            None
        } else {
            self.ensure_peer_stats(peers_on)?;
            Some(self.peer_stats(peers_on)?)
        };
        self.prepare(as_of, scope)?;
        let peer_stats = match snapshot {
            Some(stats) => stats,
            None => self.peer_stats(as_of)?,
        };
        self.fiches_of_sites(as_of, Some(finess), scope.peers, &peer_stats)?
            .pop()
            .ok_or_else(|| AnalyticsError::NotFound(finess.to_owned()))
    }

    /// Every fiche of the region at a date, as a region viewer sees them.
    pub fn fiche_book(&self, as_of: NaiveDate) -> Result<FicheBook> {
        self.prepare(as_of, &Scope::region())?;
        let peer_stats = self.peer_stats(as_of)?;
        let fiches = self
            .fiches_of_sites(as_of, None, PeerBasis::AsOf, &peer_stats)?
            .into_iter()
            .map(|fiche| (fiche.status.finess_et.clone(), Arc::new(fiche)))
            .collect();
        Ok(FicheBook { as_of, fiches })
    }

    /// The fiches of one site of the viewer's scope, or of all of them (`None`).
    fn fiches_of_sites(
        &self,
        as_of: NaiveDate,
        only: Option<&str>,
        basis: PeerBasis,
        peer_stats: &[PeerStat],
    ) -> Result<Vec<Fiche>> {
        let peers_on = basis.date(as_of);
        self.connection.execute_batch(sql::FICHE_SITES)?;
        self.connection.execute(sql::FICHE_SITES_FILL, [only])?;
        let statuses = self
            .connection
            .prepare_cached(sql::FICHE_STATUSES)?
            .query_map([], EstablishmentStatus::from_row)?
            .collect::<duckdb::Result<Vec<_>>>()?;
        let mut domains = self.domains_of_sites()?;
        let mut timelines = self.timelines_of_sites()?;
        let mut actions = self.actions_of_sites()?;
        let mut groups: HashMap<(&str, &str), Vec<&PeerStat>> = HashMap::new();
        for stat in peer_stats {
            groups
                .entry((stat.group_kind.as_str(), stat.group_key.as_str()))
                .or_default()
                .push(stat);
        }
        let national_loaded = national_loaded(&groups);
        Ok(statuses
            .into_iter()
            .map(|status| {
                let domains = domains.remove(&status.finess_et).unwrap_or_default();
                let departement = status.departement.as_deref().unwrap_or_default();
                let mut rows: Vec<&PeerStat> = Vec::new();
                for key in [
                    ("département", departement),
                    ("région", ""),
                    ("groupe de pairs", status.peer_group.as_str()),
                    ("national", ""),
                ] {
                    rows.extend(groups.get(&key).into_iter().flatten());
                }
                let benchmarks = benchmarks(self.settings, &status, &domains, &rows, national_loaded, basis);
                Fiche {
                    as_of,
                    peers_as_of: peers_on,
                    timeline: timelines.remove(&status.finess_et).unwrap_or_default(),
                    actions: actions.remove(&status.finess_et).unwrap_or_default(),
                    domains,
                    benchmarks,
                    status,
                }
            })
            .collect())
    }

    /// Domain scores of each site's maturity campaign, with the score of the latest earlier
    /// campaign that has one.
    fn domains_of_sites(&self) -> Result<HashMap<String, Vec<DomainScore>>> {
        let mut statement = self.connection.prepare_cached(sql::FICHE_DOMAINS)?;
        by_site(&mut statement, |row| {
            Ok(DomainScore {
                domain: row.get(1)?,
                score: row.get(2)?,
                answered: row.get(3)?,
                scored: row.get(4)?,
                previous: row.get(5)?,
            })
        })
    }

    /// Each site's timeline from every source up to the date (fiche_timeline.sql); red
    /// events and incidents only for the viewer's own sites.
    fn timelines_of_sites(&self) -> Result<HashMap<String, Vec<TimelineEvent>>> {
        let mut statement = self.connection.prepare_cached(sql::FICHE_TIMELINE)?;
        by_site(&mut statement, |row| {
            Ok(TimelineEvent {
                date: date(row, "day")?,
                source: row.get(2)?,
                event_type: row.get(3)?,
                label: row.get(4)?,
                detail: row.get(5)?,
                tlp: row.get(6)?,
                outcome_level: row.get(7)?,
                outcome_score: row.get(8)?,
                source_file: row.get(9)?,
            })
        })
    }

    /// Each site's actions from the latest exercise follow-up workbook.
    fn actions_of_sites(&self) -> Result<HashMap<String, Vec<ActionItem>>> {
        let mut statement = self.connection.prepare_cached(sql::FICHE_ACTIONS)?;
        by_site(&mut statement, |row| {
            Ok(ActionItem {
                exercise_on: date(row, "exercise_on")?,
                action: row.get(2)?,
                owner: row.get(3)?,
                deadline: date(row, "deadline")?,
                status: row.get(5)?,
                closed_on: date(row, "closed_on")?,
                overdue: row.get::<_, Option<bool>>(7)?.unwrap_or(false),
            })
        })
    }

    /// The date's peer figures, every group.
    fn peer_stats(&self, as_of: NaiveDate) -> Result<Vec<PeerStat>> {
        let mut statement = self.connection.prepare_cached(sql::FICHE_PEER_STATS)?;
        let rows = statement.query_map([as_of.to_string()], |row| {
            let percentiles: Vec<f64> = match row.get::<_, duckdb::types::Value>(7)? {
                duckdb::types::Value::List(items) => items
                    .into_iter()
                    .filter_map(|item| match item {
                        duckdb::types::Value::Double(value) => Some(value),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Ok(PeerStat {
                measure: row.get(0)?,
                group_kind: row.get(1)?,
                group_key: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                n: row.get(3)?,
                median: row.get(4)?,
                worst_20: row.get(5)?,
                best_20: row.get(6)?,
                percentiles,
            })
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }
}

/// Runs a query whose first column is the FINESS and groups the other columns' items by
/// site, in the query's order.
fn by_site<T>(
    statement: &mut duckdb::CachedStatement<'_>,
    mut item: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
) -> Result<HashMap<String, Vec<T>>> {
    let mut rows = statement.query([])?;
    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
    while let Some(row) = rows.next()? {
        let finess: String = row.get(0)?;
        grouped.entry(finess).or_default().push(item(row)?);
    }
    Ok(grouped)
}

/// National figures only when a national set is loaded (at least as many sites with a
/// maturity outside the region as inside), not for a few neighbours' sites.
fn national_loaded(groups: &HashMap<(&str, &str), Vec<&PeerStat>>) -> bool {
    let size_of = |kind: &str| {
        groups
            .get(&(kind, ""))
            .into_iter()
            .flatten()
            .find(|stat| stat.measure == "Maturité globale")
            .map_or(0, |stat| stat.n)
    };
    size_of("région") > 0 && size_of("national") >= 2 * size_of("région")
}

/// Peer comparison of one establishment on each measure, in its four groups (`rows`: the
/// peer figures of those groups); a group under the minimum size gets no figure at all.
fn benchmarks(
    settings: &Settings,
    status: &EstablishmentStatus,
    domains: &[DomainScore],
    rows: &[&PeerStat],
    national_loaded: bool,
    basis: PeerBasis,
) -> Vec<Benchmark> {
    let k = settings.benchmarks.minimum_group_size;
    let mut own: Vec<(String, Option<f64>)> = vec![
        ("Maturité globale".to_owned(), status.maturity),
        (
            "Complétude du questionnaire".to_owned(),
            status.maturity_completion.map(|c| 100.0 * c),
        ),
        (
            "Attentes atteintes (sur 5)".to_owned(),
            Some(f64::from(status.items_met)),
        ),
    ];
    let mut domain_measures: Vec<&String> = rows
        .iter()
        .map(|stat| &stat.measure)
        .filter(|measure| measure.starts_with("Maturité ") && *measure != "Maturité globale")
        .collect();
    domain_measures.sort();
    domain_measures.dedup();
    for measure in domain_measures {
        let score = domains
            .iter()
            .find(|d| measure.strip_prefix("Maturité ") == Some(d.domain.as_str()))
            .and_then(|d| d.score);
        own.push((measure.clone(), score));
    }
    let mut groups = vec![
        ("département", status.departement_label.clone().unwrap_or_default()),
        ("région", settings.region.name.clone()),
        ("groupe de pairs", status.peer_group.clone()),
    ];
    if national_loaded {
        groups.push(("national", "France".to_owned()));
    }
    let mut benchmarks = Vec::with_capacity(own.len() * groups.len());
    for (measure, value) in &own {
        for (group, label) in &groups {
            let figures = rows
                .iter()
                .find(|stat| stat.measure == *measure && stat.group_kind == *group)
                .filter(|stat| stat.n >= k)
                .map(|stat| PeerFigures {
                    establishments: stat.n,
                    median: basis.publish(stat.median),
                    worst_20: basis.publish(stat.worst_20),
                    best_20: basis.publish(stat.best_20),
                    // The rank to the nearest point: how many of the 101 percentiles are at
                    // or below the value.
                    percentile: value
                        .map(|v| (stat.percentiles.partition_point(|x| *x <= v) as f64 - 1.0).clamp(0.0, 100.0)),
                });
            benchmarks.push(Benchmark {
                measure: measure.clone(),
                group: (*group).to_owned(),
                group_label: label.clone(),
                value: *value,
                figures,
            });
        }
    }
    benchmarks
}
