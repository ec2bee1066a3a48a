//! Results of a day kept per data version and shared by every viewer of the region: the
//! region's fiches (built at once by a few set-based queries), its regional view and the
//! funding call's queue. A page then reads them instead of querying a busy store.

use std::future::Future;
use std::sync::{Arc, Mutex};

use analytics::{AapReport, Analytics, Dimension, Fiche, FicheBook, Figures, Filter, RegionalReport, Scope};
use chrono::NaiveDate;

use super::{AppState, WebError};

/// The reference date and the data version (page cache's, bumped by every import).
pub type ShelfKey = (NaiveDate, u64);

/// Results kept at once per kind: today's, and one other date a viewer is looking at.
const KEPT: usize = 2;

pub struct DayShelf<T> {
    /// Most recent last.
    kept: Mutex<Vec<(ShelfKey, Arc<T>)>>,
    /// One result built at a time: the viewers arriving meanwhile wait for it.
    building: tokio::sync::Mutex<()>,
}

impl<T> Default for DayShelf<T> {
    fn default() -> Self {
        DayShelf {
            kept: Mutex::new(Vec::new()),
            building: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T> DayShelf<T> {
    fn get(&self, key: ShelfKey) -> Option<Arc<T>> {
        let kept = self.kept.lock().ok()?;
        kept.iter().find(|(k, _)| *k == key).map(|(_, value)| Arc::clone(value))
    }

    /// Keeps a result; results of older data versions go.
    fn put(&self, key: ShelfKey, value: Arc<T>) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.retain(|(k, _)| k.1 == key.1 && *k != key);
            if kept.len() >= KEPT {
                kept.remove(0);
            }
            kept.push((key, value));
        }
    }

    /// The kept result, or the one `build` makes (once, however many ask at the same time).
    pub async fn get_or_build<F, Fut>(&self, key: ShelfKey, build: F) -> Result<Arc<T>, WebError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, WebError>>,
    {
        if let Some(value) = self.get(key) {
            return Ok(value);
        }
        let _building = self.building.lock().await;
        if let Some(value) = self.get(key) {
            return Ok(value);
        }
        let value = Arc::new(build().await?);
        self.put(key, Arc::clone(&value));
        Ok(value)
    }
}

/// What the regional view shows without filter: the report, the headline a year earlier
/// (trends) and the breakdown by family.
pub struct RegionalDay {
    pub report: RegionalReport,
    /// The establishments on the map, one more than it draws when there are too many.
    pub points: Vec<analytics::SitePoint>,
    pub year_before: Figures,
    pub families: Vec<(String, Figures)>,
}

impl AppState {
    /// One establishment's fiche for a viewer: from the region's book for ARS and SESAN,
    /// computed alone for an establishment (its own red events count).
    pub(super) async fn fiche(&self, finess: String, as_of: NaiveDate, scope: Scope) -> Result<Arc<Fiche>, WebError> {
        if scope.is_region() {
            return Ok(self.fiche_book(as_of).await?.fiche(&finess)?);
        }
        let fiche = self
            .with_connection(move |connection, settings| {
                Ok(Analytics::new(connection, settings).fiche(&finess, as_of, &scope)?)
            })
            .await?;
        Ok(Arc::new(fiche))
    }

    /// Every fiche of the region at a date.
    async fn fiche_book(&self, as_of: NaiveDate) -> Result<Arc<FicheBook>, WebError> {
        self.shelves
            .fiches
            .get_or_build((as_of, self.cache.version()), || {
                self.with_connection(move |connection, settings| {
                    Ok(Analytics::new(connection, settings).fiche_book(as_of)?)
                })
            })
            .await
    }

    /// The regional view of a date for a viewer: kept for the region without filter.
    pub(super) async fn regional(
        &self,
        as_of: NaiveDate,
        scope: Scope,
        filter: Filter,
    ) -> Result<Arc<RegionalDay>, WebError> {
        let shared = scope.is_region() && filter == Filter::default();
        let compute = move || async move {
            let (report, families, points) = {
                let (scope, filter) = (scope.clone(), filter.clone());
                self.with_context(as_of, &scope.clone(), move |connection, settings| {
                    let analytics = Analytics::new(connection, settings);
                    Ok((
                        analytics.regional(as_of, &scope, &filter)?,
                        analytics.breakdown(as_of, &scope, &filter, Dimension::Family)?,
                        analytics.site_points(as_of, &scope, &filter, super::map::MAX_POINTS + 1)?,
                    ))
                })
                .await?
            };
            // On the connection kept at the year before (each change of date on one
            // connection rebuilds its context, twice per page).
            let year_before_on = as_of - chrono::Duration::days(365);
            let year_before = self
                .with_context(year_before_on, &scope.clone(), move |connection, settings| {
                    Ok(Analytics::new(connection, settings).headline(year_before_on, &scope, &filter)?)
                })
                .await?;
            Ok(RegionalDay {
                report,
                points,
                year_before,
                families,
            })
        };
        if shared {
            self.shelves
                .regional
                .get_or_build((as_of, self.cache.version()), compute)
                .await
        } else {
            Ok(Arc::new(compute().await?))
        }
    }

    /// The call's queue of a day, computed once per day and data version.
    pub(super) async fn aap_report(&self, as_of: NaiveDate) -> Result<Arc<AapReport>, WebError> {
        self.shelves
            .aap
            .get_or_build((as_of, self.cache.version()), || {
                self.with_connection(move |connection, settings| {
                    Ok(Analytics::new(connection, settings).aap(as_of, &Scope::region())?)
                })
            })
            .await
    }

    /// Today's fiches, regional view and call's queue, computed before anyone asks (after
    /// the start and each import).
    pub async fn warm_up(self) {
        // Like a request: wholly before or after an import, never across its commit.
        let _reading = self.gate.hold_open().await;
        let today = ingest::dates::paris_today();
        if let Err(error) = self.fiche_book(today).await {
            tracing::warn!("fiches non préparées : {error}");
        }
        if let Err(error) = self.regional(today, Scope::region(), Filter::default()).await {
            tracing::warn!("vue régionale non préparée : {error}");
        }
        if let Err(error) = self.aap_report(today).await {
            tracing::warn!("file de l'AAP non préparée : {error}");
        }
    }
}

/// Every kind of kept result.
#[derive(Default)]
pub struct Shelves {
    pub fiches: DayShelf<FicheBook>,
    pub regional: DayShelf<RegionalDay>,
    pub aap: DayShelf<AapReport>,
}
