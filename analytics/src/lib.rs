//! Indicators of the observatory, as SQL over the store (`analytics/sql/*.sql`), computed
//! as of any reference date, for a viewer's scope, with thresholds from one settings file.
//!
//! Every query first builds the context tables (reference date, settings, the viewer's
//! red-TLP sites) and the per-establishment status; aggregates are computed over the
//! establishments the viewer may see, after TLP filtering, never the other way round.

pub mod events;
pub mod methodology;
pub mod peers;
pub mod settings;
pub mod status;
pub mod statuses;

mod context;
mod fiche;
mod sql;

use chrono::NaiveDate;
use duckdb::{Connection, ToSql};
use serde::Serialize;

pub use fiche::FicheBook;
pub use settings::Settings;
pub use status::EstablishmentStatus;
use status::date;
pub use statuses::{Check, Decision, ExerciseStatus, Expectation, Freshness, Payment, SourceStatus};

/// Structures with at least one incident declared, France (domain.md, the seed's series).
pub const NATIONAL_INCIDENTS: [(i64, i64); 4] = [(2018, 247), (2019, 300), (2020, 369), (2021, 733)];

/// A dimension the regional rates can be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Dimension {
    Departement,
    Family,
    Sector,
    Ose,
    Kind,
}

impl Dimension {
    /// The grouping figures.sql applies.
    fn key(self) -> &'static str {
        match self {
            Dimension::Departement => "departement_named",
            Dimension::Family => "family",
            Dimension::Sector => "sector",
            Dimension::Ose => "ose",
            Dimension::Kind => "kind",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    #[error("erreur de la base : {0}")]
    Database(#[from] duckdb::Error),
    #[error("établissement {0} inconnu ou hors de votre périmètre")]
    NotFound(String),
}

pub type Result<T> = std::result::Result<T, AnalyticsError>;

/// Who is looking: the establishments they may see row by row, and the sites whose
/// TLP:RED events they may count (their own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// `None`: every establishment of the region (ARS, SESAN).
    pub sites: Option<Vec<String>>,
    pub red_sites: Vec<String>,
    /// Which date the peer figures of a fiche are read at (see `peers`).
    pub peers: peers::PeerBasis,
}

impl Scope {
    /// ARS and SESAN: the whole region, TLP amber, green and clear.
    pub fn region() -> Self {
        Scope::default()
    }

    /// Sees what ARS and SESAN see: the region's fiches are the same for every such viewer.
    /// What a connection's context depends on besides the data and the settings: the date
    /// and every site and red site of the viewer (the key `Analytics::prepare` keeps the
    /// context by; a connection pool can prefer the connection already prepared for it).
    pub fn context_key(&self, as_of: NaiveDate) -> String {
        format!("{as_of}|{:?}|{:?}", self.sites, self.red_sites)
    }

    pub fn is_region(&self) -> bool {
        self.sites.is_none() && self.red_sites.is_empty() && self.peers == peers::PeerBasis::AsOf
    }

    /// An establishment: its own sites, red events included.
    pub fn establishment(sites: Vec<String>) -> Self {
        Scope {
            red_sites: sites.clone(),
            sites: Some(sites),
            // An establishment sees its peers only through frozen, rounded snapshots.
            peers: peers::PeerBasis::Frozen,
        }
    }
}

/// Filters of the pages and the CLI; every value is bound as a query parameter.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Filter {
    /// `ES` or `ESMS`.
    pub kind: Option<String>,
    pub departement: Option<String>,
    pub family: Option<String>,
    pub sector_group: Option<String>,
    pub ose: Option<bool>,
    /// Part of a name or FINESS.
    pub search: Option<String>,
    /// A targeting reason (`exercice`, `déclaration`…).
    pub reason: Option<String>,
}

impl Filter {
    /// Binds the filter's values (filter.sql reads them): the lists, aggregates and charts
    /// that follow are computed over the filtered establishments.
    ///
    /// The filtered rows are made once per context and filter: the queries of a page that
    /// apply the same filter again read them as they are.
    fn apply(&self, connection: &Connection) -> Result<()> {
        let pattern = self.search.as_ref().map(|search| format!("%{}%", like_escape(search)));
        let values = duckdb::params![
            self.kind,
            self.departement,
            self.family,
            self.sector_group,
            self.ose,
            pattern,
            self.reason
        ];
        if connection.query_row(sql::FILTER_UNCHANGED, [], |row| row.get::<_, bool>(0))?
            && connection.query_row(sql::FILTER_SAME_VALUES, values, |row| row.get::<_, bool>(0))?
        {
            return Ok(());
        }
        connection.execute_batch(sql::FILTER)?;
        connection.execute(sql::FILTER_VALUES, values)?;
        connection.execute_batch(sql::FILTER_ROWS)?;
        Ok(())
    }
}

/// FNV-1a of the text, in hex: stable across processes and versions, unlike the standard
/// hasher (fingerprints of rules kept in the store).
fn fnv1a(text: &[u8]) -> String {
    let hash = text.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Today in Paris (the pages' default date), whatever the machine's time zone.
fn paris_today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

/// How many reference dates keep their shared status in the store: the most recently
/// computed ones (today's among them). A request for another date computes it and evicts the
/// oldest, so no sequence of requests can make the store grow without bound.
pub const STATUS_DATES_KEPT: i64 = 8;

/// The dates (with the settings' fingerprint) whose headline was computed without keeping
/// their status, most recent last (see `headline`).
static HEADLINE_DATES: std::sync::Mutex<Vec<(NaiveDate, String)>> = std::sync::Mutex::new(Vec::new());

/// Held while the shared status of a date is checked and materialised (see `prepare`).
static STATUS_BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How `Analytics::refresh_status` found the shared status of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusRefresh {
    /// Kept for the latest import and these settings: read as it is.
    Kept,
    /// Kept for an earlier import: the sites the imports since name were computed again.
    Updated { sites: usize },
    /// Computed for every site.
    Computed,
}

/// The indicators over one store connection.
pub struct Analytics<'c> {
    connection: &'c Connection,
    settings: &'c Settings,
}

/// One exercise the region sends to the national warehouse (`Analytics::opssies_exportable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportableExercise {
    pub finess_et: String,
    pub finess_ej: Option<String>,
    pub short_name: Option<String>,
    pub long_name: Option<String>,
    pub planned_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub provider: Option<String>,
    /// The follow-up workbook's row (Excel numbering), when the workbook has it.
    pub workbook_row: Option<i64>,
    /// The call's application that funds it, when it is AAP-funded.
    pub application_id: Option<i64>,
    /// Paris time, as Démarches Simplifiées writes them.
    pub deposited_at: Option<chrono::NaiveDateTime>,
    pub decided_at: Option<chrono::NaiveDateTime>,
}

impl<'c> Analytics<'c> {
    pub fn new(connection: &'c Connection, settings: &'c Settings) -> Self {
        Analytics { connection, settings }
    }

    pub fn settings(&self) -> &Settings {
        self.settings
    }

    /// Brings the materialised maturity tables up to the latest import: the declarations of
    /// the imports since the last refresh are added (imports are append-only, so the rows
    /// already there stay true); the tables are computed whole when missing.
    pub fn refresh_if_stale(&self) -> Result<bool> {
        let rules = fnv1a(
            [sql::MATURITY_RULES, sql::MATURITY, sql::MATURITY_SINCE]
                .concat()
                .as_bytes(),
        );
        let exists: bool = self.connection.query_row(sql::REFRESH_EXISTS, [], |row| row.get(0))?;
        let (refreshed, latest, same_rules): (i64, i64, bool) = if exists {
            let (refreshed, latest) = self
                .connection
                .query_row(sql::REFRESH_BEHIND, [], |row| Ok((row.get(0)?, row.get(1)?)))?;
            (
                refreshed,
                latest,
                self.maturity_rules()?.as_deref() == Some(rules.as_str()),
            )
        } else {
            (-1, 0, false)
        };
        match refreshed.cmp(&latest) {
            // Missing, computed by other rules (another version of the program), or for
            // imports this store does not have: whole.
            std::cmp::Ordering::Greater => self.compute_maturity_whole(&rules)?,
            _ if !same_rules => self.compute_maturity_whole(&rules)?,
            std::cmp::Ordering::Equal => return Ok(false),
            std::cmp::Ordering::Less => {
                // Only new declarations change these tables (an event file adds none).
                let declared: bool = self
                    .connection
                    .query_row(sql::DECLARED_SINCE, [refreshed], |row| row.get(0))?;
                if declared {
                    self.in_transaction(&[sql::MATURITY_RULES, sql::MATURITY_SINCE].concat())?;
                } else {
                    self.in_transaction(sql::MATURITY_NOTHING_NEW)?;
                }
            }
        }
        Ok(true)
    }

    /// The fingerprint of the rules the maturity tables were computed with (none: a store
    /// made before it was kept).
    fn maturity_rules(&self) -> Result<Option<String>> {
        let mut statement = self.connection.prepare(sql::REFRESH_RULES)?;
        let mut rows = statement.query([])?;
        let Some(row) = rows.next()? else { return Ok(None) };
        let index = row.as_ref().column_names().iter().position(|name| name == "rules");
        Ok(match index {
            Some(index) => row.get(index)?,
            None => None,
        })
    }

    /// The maturity tables computed whole, with the fingerprint of their rules, in one
    /// transaction.
    fn compute_maturity_whole(&self, rules: &str) -> Result<()> {
        self.in_transaction_with(|| {
            self.connection
                .execute_batch(&[sql::MATURITY_RULES, sql::MATURITY].concat())?;
            self.connection.execute(sql::REFRESH_RULES_SET, [rules]).map(|_| ())
        })?;
        self.connection.execute_batch(sql::CHECKPOINT)?;
        // Not enough could be evicted: nothing changed, the next step works as before.
        if let Err(error) = self.connection.execute_batch(sql::BUFFERS_RELEASE) {
            tracing::debug!("mémoire tampon non rendue : {error}");
        }
        Ok(self.connection.execute_batch(sql::BUFFERS_RESTORE)?)
    }

    /// Runs a batch in one transaction, rolled back whole when a statement fails.
    fn in_transaction(&self, batch: &str) -> Result<()> {
        self.in_transaction_with(|| self.connection.execute_batch(batch))
    }

    /// Runs statements in one transaction, rolled back whole when one fails.
    fn in_transaction_with(&self, work: impl FnOnce() -> duckdb::Result<()>) -> Result<()> {
        self.connection.execute_batch("BEGIN TRANSACTION")?;
        match work() {
            Ok(()) => Ok(self.connection.execute_batch("COMMIT")?),
            Err(error) => {
                // Leave the connection usable (a failed batch stays inside its transaction).
                let _ = self.connection.execute_batch("ROLLBACK");
                Err(error.into())
            }
        }
    }

    /// Builds the context and the per-establishment status for a date and a viewer.
    ///
    /// The status every region viewer shares (no red event counted) is materialised per
    /// reference date in `analytics_status` and reused until the next import; a viewer with
    /// red events of their own gets only their own rows recomputed on top of it.
    pub fn prepare(&self, as_of: NaiveDate, scope: &Scope) -> Result<()> {
        self.prepare_status(as_of, scope).map(|_| ())
    }

    /// The region's shared status of a date brought up to the latest import (see `prepare`),
    /// and how: kept as it was, updated for the sites the imports since name, or computed.
    pub fn refresh_status(&self, as_of: NaiveDate) -> Result<StatusRefresh> {
        self.prepare_status(as_of, &Scope::region())
    }

    fn prepare_status(&self, as_of: NaiveDate, scope: &Scope) -> Result<StatusRefresh> {
        let fingerprint = self.fingerprint();
        // The same date, viewer, settings and data as the previous request on this
        // connection: everything is in place already.
        self.connection.execute_batch(sql::CTX_KEY)?;
        let key = format!("{}|{fingerprint}", scope.context_key(as_of));
        let unchanged: bool = self
            .connection
            .query_row(sql::CTX_KEY_UNCHANGED, [&key], |row| row.get(0))?;
        if unchanged {
            return Ok(StatusRefresh::Kept);
        }
        self.connection.execute_batch(sql::CTX_KEY_CLEAR)?;
        // Where a new context's time goes (OPSSIES_LOG=analytics=debug).
        let started = std::time::Instant::now();
        let step = |name: &str| {
            tracing::debug!(
                step = name,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "contexte"
            )
        };
        self.refresh_if_stale()?;
        step("maturité à jour");
        context::prepare(self.connection, self.settings, as_of, scope)?;
        step("contexte");
        // One connection of the process at a time checks and builds the shared status: two
        // at once would both find a date missing and both insert it (inserts of new rows do
        // not conflict in DuckDB), doubling or mixing its rows.
        let _building = STATUS_BUILD.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let refresh = if self.status_kept(as_of, &fingerprint)? {
            StatusRefresh::Kept
        } else if let Some(sites) = self.update_status(as_of, &fingerprint)? {
            step("statuts des sites importés");
            StatusRefresh::Updated { sites }
        } else {
            self.connection.execute_batch(sql::REGION_STATUS_BEGIN)?;
            self.connection.execute_batch(sql::STATUS)?;
            self.connection.execute_batch(sql::REGION_STATUS_END)?;
            step("statuts de la région");
            self.store_status(&fingerprint)?;
            step("statuts et pairs gardés");
            StatusRefresh::Computed
        };
        drop(_building);
        if scope.red_sites.is_empty() {
            self.connection.execute_batch(sql::STATUS_VIEW_SHARED)?;
        } else {
            self.connection.execute_batch(sql::OWN_STATUS_BEGIN)?;
            self.connection.execute_batch(sql::STATUS)?;
            self.connection.execute_batch(sql::OWN_STATUS_END)?;
        }
        self.connection.execute_batch(sql::DOMAIN_MEASURES_VIEW)?;
        step("vue du lecteur");
        self.connection.execute(sql::CTX_KEY_SET, [&key])?;
        Ok(refresh)
    }

    /// Brings the kept status of a date up to the latest import when the imports since touch
    /// only the sites they name (`cache/status_behind.sql`): those sites' rows are computed
    /// again and the date's peer figures recomputed. The number of sites computed, or `None`
    /// when the date has to be computed whole.
    fn update_status(&self, as_of: NaiveDate, fingerprint: &str) -> Result<Option<usize>> {
        let Some(since) = self.status_behind(as_of, fingerprint)? else {
            return Ok(None);
        };
        let started = std::time::Instant::now();
        let step = |name: &str| {
            tracing::debug!(
                step = name,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "statut mis à jour"
            )
        };
        self.connection.execute_batch(sql::REGION_STATUS_BEGIN)?;
        let sites = self.connection.execute(sql::STATUS_UPDATE_BEGIN, [since])?;
        step("sites");
        let computed = self.connection.execute_batch(if sites > 0 {
            sql::STATUS
        } else {
            sql::STATUS_COMPUTED_EMPTY
        });
        self.connection.execute_batch(sql::REGION_STATUS_END)?;
        step("statuts des sites");
        let abandon = || self.connection.execute_batch(sql::STATUS_UPDATE_ABANDON);
        if let Err(error) = computed {
            abandon()?;
            return Err(error.into());
        }
        let same_sources: bool = self
            .connection
            .query_row(sql::STATUS_UPDATE_SOURCES, [], |row| row.get(0))?;
        if !same_sources {
            abandon()?;
            return Ok(None);
        }
        // The batch opens and commits its own transaction.
        let batch = [
            sql::COMPUTED_DOMAIN_MEASURES,
            sql::STATUS_UPDATE_END,
            sql::PEER_STATS,
            sql::STATUS_UPDATE_COMMIT,
        ]
        .concat();
        if let Err(error) = self.connection.execute_batch(&batch) {
            let _ = self.connection.execute_batch("ROLLBACK");
            let _ = abandon();
            return Err(error.into());
        }
        self.connection.execute_batch(sql::STATUS_COMPUTED_EMPTY)?;
        step("gardés, pairs recalculés");
        Ok(Some(sites))
    }

    /// Whether the shared status (and the peer figures) of a date are kept for the latest
    /// import and these settings.
    fn status_kept(&self, as_of: NaiveDate, fingerprint: &str) -> Result<bool> {
        Ok(self
            .connection
            .query_row(sql::STATUS_STATE_EXISTS, [], |row| row.get(0))?
            && self.connection.query_row(
                sql::STATUS_KEPT,
                duckdb::params![as_of.to_string(), fingerprint],
                |row| row.get(0),
            )?)
    }

    /// The import after which the kept status of a date was computed, when it can be brought
    /// up to the latest import site by site (`cache/status_behind.sql`).
    fn status_behind(&self, as_of: NaiveDate, fingerprint: &str) -> Result<Option<i64>> {
        use duckdb::OptionalExt;
        let exists: bool = self
            .connection
            .query_row(sql::STATUS_STATE_EXISTS, [], |row| row.get(0))?;
        if !exists {
            return Ok(None);
        }
        Ok(self
            .connection
            .query_row(
                sql::STATUS_BEHIND,
                duckdb::params![as_of.to_string(), fingerprint],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The peer figures of a date are in `analytics_peer_stats`: built with its shared status
    /// when missing (the snapshot an establishment's fiche reads, without rebuilding the
    /// context when the snapshot is kept already).
    pub(crate) fn ensure_peer_stats(&self, as_of: NaiveDate) -> Result<()> {
        if !self.status_kept(as_of, &self.fingerprint())? {
            self.prepare(as_of, &Scope::region())?;
        }
        Ok(())
    }

    /// Keeps the shared status of the context's date (older imports' caches are dropped).
    fn store_status(&self, fingerprint: &str) -> Result<()> {
        let exists: bool = self
            .connection
            .query_row(sql::STATUS_STATE_EXISTS, [], |row| row.get(0))?;
        if exists
            && self
                .connection
                .query_row(sql::STATUS_FOREIGN, [fingerprint], |row| row.get::<_, bool>(0))?
        {
            self.connection.execute_batch(sql::STATUS_DROP)?;
        }
        self.connection.execute_batch(sql::STATUS_REQUEST)?;
        self.connection.execute(
            sql::STATUS_REQUEST_VALUES,
            duckdb::params![fingerprint, STATUS_DATES_KEPT, paris_today().to_string()],
        )?;
        // One transaction, opened by the first batch and committed by the last.
        let started = std::time::Instant::now();
        let step = |name: &str| {
            tracing::debug!(
                step = name,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "statut gardé"
            )
        };
        let stored = (|| {
            self.connection
                .execute_batch(&[sql::COMPUTED_DOMAIN_MEASURES, sql::STORE_STATUS_BEGIN].concat())?;
            step("statuts et mesures insérés");
            self.connection.execute_batch(sql::PEER_STATS)?;
            step("pairs");
            self.connection.execute_batch(sql::STORE_STATUS_END)?;
            step("validé");
            Ok::<_, duckdb::Error>(())
        })();
        if let Err(error) = stored {
            let _ = self.connection.execute_batch("ROLLBACK");
            return Err(error.into());
        }
        Ok(self.connection.execute_batch(sql::STATUS_COMPUTED_EMPTY)?)
    }

    /// Identifies the settings a cache was computed with.
    fn fingerprint(&self) -> String {
        // The status reads the shared rules as well: a change to any of them (a new version
        // of the program) makes the kept statuses stale.
        let text = [sql::STATUS, sql::RULES, sql::EXERCISES, sql::INCIDENTS, sql::CLOSURES]
            .into_iter()
            .fold(
                serde_json::to_string(self.settings).unwrap_or_default(),
                |text, rules| text + rules,
            );
        fnv1a(text.as_bytes())
    }

    /// Prepares the context once for several queries at the same date and scope (a page
    /// with several parts); `&mut` so no other context replaces it meanwhile.
    pub fn at(&mut self, as_of: NaiveDate, scope: &Scope) -> Result<View<'_, 'c>> {
        self.prepare(as_of, scope)?;
        Ok(View { analytics: self, as_of })
    }

    /// Rows of a query over the filtered establishments (the filter bound first).
    fn filtered<T>(
        &self,
        filter: &Filter,
        query: &str,
        values: &[&dyn ToSql],
        read: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
    ) -> Result<Vec<T>> {
        filter.apply(self.connection)?;
        self.rows(query, values, read)
    }

    /// Rows of a query over the establishments of the filter applied last (a page of several
    /// parts applies its filter once).
    fn rows<T>(
        &self,
        query: &str,
        values: &[&dyn ToSql],
        read: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
    ) -> Result<Vec<T>> {
        let mut statement = self.connection.prepare_cached(query)?;
        let rows = statement.query_map(values, read)?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }

    /// The establishments the viewer may see, filtered, by FINESS.
    pub fn establishments(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<Vec<EstablishmentStatus>> {
        self.prepare(as_of, scope)?;
        self.filtered(filter, sql::ESTABLISHMENTS, &[], EstablishmentStatus::from_row)
    }

    /// SESAN's priority list: highest score first, reasons and offers with each.
    pub fn targeting(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<Vec<EstablishmentStatus>> {
        self.prepare(as_of, scope)?;
        self.filtered(filter, sql::TARGETING, &[], EstablishmentStatus::from_row)
    }

    /// The figures of the filtered establishments grouped by figures.sql's `dimension`:
    /// (label, département label, figures).
    fn figures_of(&self, dimension: &str) -> Result<Vec<(String, Option<String>, Figures)>> {
        self.rows(sql::FIGURES, &[&dimension], |row| {
            Ok((
                row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                row.get(1)?,
                figures(row, 2)?,
            ))
        })
    }

    fn figures_by(&self, filter: &Filter, dimension: &str) -> Result<Vec<(String, Option<String>, Figures)>> {
        filter.apply(self.connection)?;
        self.figures_of(dimension)
    }

    /// The headline figures of the establishments of the applied filter.
    fn headline_of(&self) -> Result<Figures> {
        Ok(self
            .figures_of("")?
            .pop()
            .map(|(_, _, figures)| figures)
            .unwrap_or_default())
    }

    /// The regional view: headline, table by département, distributions, monthly trend.
    pub fn regional(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<RegionalReport> {
        self.regional_parts(as_of, scope, filter, RegionalParts::ALL)
    }

    /// The regional view with only the parts a page shows (the headline and the table by
    /// département always; the others left empty when not asked).
    pub fn regional_parts(
        &self,
        as_of: NaiveDate,
        scope: &Scope,
        filter: &Filter,
        parts: RegionalParts,
    ) -> Result<RegionalReport> {
        self.prepare(as_of, scope)?;
        // One filter for every part of the view.
        let started = std::time::Instant::now();
        let step = |name: &str| {
            tracing::debug!(
                part = name,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "vue régionale"
            )
        };
        filter.apply(self.connection)?;
        step("filtre");
        let headline = self.headline_of()?;
        step("headline");
        let by_departement = self
            .figures_of("departement")?
            .into_iter()
            .map(|(departement, label, figures)| DepartementFigures {
                departement: Some(departement),
                label,
                figures,
            })
            .collect();
        step("by_departement");
        let distribution = |column: &str| -> Result<Vec<(String, i64)>> {
            self.rows(sql::DISTRIBUTION, &[&column], |row| Ok((row.get(0)?, row.get(1)?)))
        };
        let (maturity_levels, freshness, exercise_statuses) = if parts.distributions {
            let levels = distribution("maturity_level")?;
            step("maturity_levels");
            let freshness = distribution("freshness")?;
            step("freshness");
            let statuses = distribution("exercise_status")?;
            step("exercise_statuses");
            (levels, freshness, statuses)
        } else {
            Default::default()
        };
        let monthly = if !parts.monthly {
            Vec::new()
        } else {
            self.rows(sql::MONTHLY_EXERCISES, &[], |row| {
                Ok(MonthlyRate {
                    month_end: date(row, "month_end")?.unwrap_or(as_of),
                    done: row.get(1)?,
                    establishments: row.get(2)?,
                })
            })?
        };
        step("monthly");
        let incidents = if !parts.incidents {
            Vec::new()
        } else {
            self.rows(sql::INCIDENT_YEARS, &[], |row| {
                Ok(IncidentYear {
                    year: row.get(0)?,
                    establishments: row.get(1)?,
                    incidents: row.get(2)?,
                    cnil_late: row.get(3)?,
                    cnil_missing: row.get(4)?,
                })
            })?
        };
        step("incidents");
        let exercise_quality = if !parts.exercise_quality {
            ExerciseQuality::default()
        } else {
            self.rows(sql::EXERCISE_QUALITY, &[], |row| {
                Ok(ExerciseQuality {
                    done: row.get(0)?,
                    direction_present: row.get(1)?,
                    kit_known: row.get(2)?,
                    kit_mismatch: row.get(3)?,
                    actions: row.get(4)?,
                    actions_tracked: row.get(5)?,
                    actions_overdue: row.get(6)?,
                    actions_closed: row.get(7)?,
                })
            })?
            .pop()
            .unwrap_or_default()
        };
        step("exercise_quality");
        let campaigns = if !parts.campaigns {
            Vec::new()
        } else {
            self.rows(sql::CAMPAIGNS, &[], |row| {
                Ok(CampaignFigures {
                    campaign: row.get(0)?,
                    declarations: row.get(1)?,
                    validated: row.get(2)?,
                    median_maturity: row.get(3)?,
                })
            })?
        };
        step("campaigns");
        let audit_levels = if !parts.audit_levels {
            Vec::new()
        } else {
            self.rows(sql::AUDIT_LEVELS, &[], |row| {
                Ok(AuditLevels {
                    event_type: row.get(0)?,
                    label: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    level: row.get(2)?,
                    establishments: row.get(3)?,
                })
            })?
        };
        step("audit_levels");
        Ok(RegionalReport {
            national_incidents: NATIONAL_INCIDENTS.to_vec(),
            exercise_quality,
            campaigns,
            audit_levels,
            as_of,
            region: self.settings.region.name.clone(),
            filter: filter.clone(),
            headline,
            by_departement,
            maturity_levels,
            freshness,
            exercise_statuses,
            monthly_exercises: monthly,
            incidents,
        })
    }

    /// The filtered establishments with their coordinates and the regional view's three
    /// measures (the map), at most `limit` of them.
    pub fn site_points(
        &self,
        as_of: NaiveDate,
        scope: &Scope,
        filter: &Filter,
        limit: usize,
    ) -> Result<Vec<SitePoint>> {
        self.prepare(as_of, scope)?;
        self.filtered(filter, sql::SITE_POINTS, &[&(limit as i64)], |row| {
            Ok(SitePoint {
                finess_et: row.get(0)?,
                departement: row.get(1)?,
                lambert93: row.get::<_, Option<f64>>(2)?.zip(row.get::<_, Option<f64>>(3)?),
                exercise_done: row.get(4)?,
                ose: row.get(5)?,
                ose_audited: row.get(6)?,
                up_to_date: row.get(7)?,
            })
        })
    }

    /// The headline figures only (the regional view's trends compare two dates). The first
    /// time a date whose status is not kept is asked here, its status is computed for this
    /// answer alone: the year-before figures of a new date do not write a second status and
    /// its peer figures to the store. Asked again (the filters of that view), it is kept.
    pub fn headline(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<Figures> {
        let fingerprint = self.fingerprint();
        let asked_before = {
            let mut asked = HEADLINE_DATES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // Bounded like the kept statuses: the oldest entries go first.
            let seen = asked.contains(&(as_of, fingerprint.clone()));
            if !seen {
                if asked.len() >= 64 {
                    asked.remove(0);
                }
                asked.push((as_of, fingerprint.clone()));
            }
            seen
        };
        if asked_before || self.status_kept(as_of, &fingerprint)? || self.status_behind(as_of, &fingerprint)?.is_some()
        {
            self.prepare(as_of, scope)?;
        } else {
            // The next prepare() rebuilds its context: this one is not a kept date's.
            self.connection.execute_batch(sql::CTX_KEY)?;
            self.connection.execute_batch(sql::CTX_KEY_CLEAR)?;
            self.refresh_if_stale()?;
            context::prepare(self.connection, self.settings, as_of, scope)?;
            self.connection.execute_batch(sql::STATUS)?;
            self.connection.execute_batch(sql::STATUS_VIEW_TRANSIENT)?;
        }
        filter.apply(self.connection)?;
        self.headline_of()
    }

    /// Freshness of each source as of the date (data-quality page).
    pub fn sources(&self, as_of: NaiveDate, scope: &Scope) -> Result<Vec<SourceFreshness>> {
        self.prepare(as_of, scope)?;
        let mut statement = self.connection.prepare_cached(sql::SOURCES)?;
        let rows = statement.query_map([], |row| {
            Ok(SourceFreshness {
                source: row.get(0)?,
                last_import_at: timestamp(row, 1)?,
                newest_date: date(row, "newest_date")?,
                allowed_days: row.get(3)?,
                status: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }

    /// The regional rates broken down by one dimension (family, sector, OSE…).
    pub fn breakdown(
        &self,
        as_of: NaiveDate,
        scope: &Scope,
        filter: &Filter,
        dimension: Dimension,
    ) -> Result<Vec<(String, Figures)>> {
        self.prepare(as_of, scope)?;
        Ok(self
            .figures_by(filter, dimension.key())?
            .into_iter()
            .map(|(label, _, figures)| (label, figures))
            .collect())
    }

    /// Exercises completed per month for each group of the filtered establishments
    /// (départements, or category families): the months, oldest first, and each group's size
    /// and monthly counts.
    pub fn exercise_months(
        &self,
        as_of: NaiveDate,
        scope: &Scope,
        filter: &Filter,
        by: HeatGroups,
        months: usize,
    ) -> Result<(Vec<NaiveDate>, Vec<ExerciseMonths>)> {
        self.prepare(as_of, scope)?;
        let grouping = match by {
            HeatGroups::Departements => "departement",
            HeatGroups::Families => "family",
        };
        let cells = self.filtered(filter, sql::EXERCISE_MONTHS, &[&grouping, &(months as i64)], |row| {
            Ok((
                row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                row.get::<_, i64>(1)?,
                date(row, "month")?,
                row.get::<_, i64>(3)?,
            ))
        })?;
        let mut month_list: Vec<NaiveDate> = cells.iter().filter_map(|(_, _, month, _)| *month).collect();
        month_list.sort();
        month_list.dedup();
        let mut rows: Vec<ExerciseMonths> = Vec::new();
        for (group, establishments, month, done) in cells {
            if rows.last().is_none_or(|row| row.group != group) {
                rows.push(ExerciseMonths {
                    group,
                    establishments,
                    done: vec![0; month_list.len()],
                });
            }
            if let (Some(row), Some(index)) = (
                rows.last_mut(),
                month.and_then(|m| month_list.iter().position(|x| *x == m)),
            ) {
                row.done[index] = done;
            }
        }
        Ok((month_list, rows))
    }

    /// Imports, newest first, for the data-quality page.
    pub fn imports(&self, limit: usize) -> Result<Vec<ImportRow>> {
        let mut statement = self.connection.prepare_cached(sql::IMPORTS)?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok(ImportRow {
                import_id: row.get(0)?,
                file_name: row.get(1)?,
                kind: row.get(2)?,
                status: row.get(3)?,
                finished_at: timestamp(row, 4)?,
                user_name: row.get(5)?,
                rows_read: row.get(6)?,
                rows_stored: row.get(7)?,
                rows_rejected: row.get(8)?,
                warnings: row.get(9)?,
                message: row.get(10)?,
            })
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }

    /// The questions that evidence E1, E4 and E5 in the newest campaign's catalogue (the
    /// methodology names them).
    pub fn evidence_questions(&self) -> Result<Vec<methodology::EvidenceQuestion>> {
        let mut statement = self.connection.prepare_cached(sql::EVIDENCE_QUESTIONS)?;
        let rows = statement.query_map([], |row| {
            Ok(methodology::EvidenceQuestion {
                expectation: row.get(0)?,
                code: row.get(1)?,
                label: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }

    /// What newer versions replaced as of the date (data-quality page): the `limit` newest.
    pub fn superseded(&self, as_of: NaiveDate, scope: &Scope, limit: usize) -> Result<Vec<Superseded>> {
        self.prepare(as_of, scope)?;
        let mut statement = self.connection.prepare_cached(sql::SUPERSEDED)?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok(Superseded {
                source: row.get(0)?,
                item: row.get(1)?,
                version_on: date(row, "version_on")?,
                version_file: row.get(3)?,
                replaced_by_on: date(row, "replaced_by_on")?,
                replaced_by_file: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }

    /// The region's départements with their labels, by code.
    pub fn departements(&self) -> Result<Vec<(String, String)>> {
        let mut statement = self.connection.prepare_cached(sql::DEPARTEMENTS)?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                row.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })?;
        let region = &self.settings.region.departements;
        Ok(rows
            .collect::<duckdb::Result<Vec<_>>>()?
            .into_iter()
            .filter(|(code, _)| region.contains(code))
            .collect())
    }

    /// FINESS named by declarations, events or applications but absent from the referential.
    pub fn unknown_establishments(&self) -> Result<Vec<(String, String, i64)>> {
        let mut statement = self.connection.prepare_cached(sql::UNKNOWN_ESTABLISHMENTS)?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }

    /// The call for projects: every application with each check, the queue and the envelope.
    pub fn aap(&self, as_of: NaiveDate, scope: &Scope) -> Result<AapReport> {
        self.prepare(as_of, scope)?;
        self.connection.execute_batch(sql::AAP)?;
        let mut statement = self.connection.prepare_cached(sql::AAP_APPLICATIONS)?;
        let applications = statement
            .query_map([scope.sites.is_none()], |row| {
                Ok(ApplicationCheck {
                    application_id: row.get(0)?,
                    finess_et: row.get(1)?,
                    name: row.get(2)?,
                    state: row.get(3)?,
                    deposited_at: row.get(4)?,
                    declared_update_on: date(row, "declared_opssies_update_on")?,
                    observed_update_on: date(row, "observed_update_on")?,
                    checks: [
                        row.get(7)?,
                        row.get(8)?,
                        row.get(9)?,
                        row.get(10)?,
                        row.get(11)?,
                        row.get(12)?,
                        row.get(13)?,
                    ],
                    eligible: row.get(14)?,
                    queue_rank: row.get(15)?,
                    decision: row.get(16)?,
                    payment: row.get(17)?,
                    order_amount: row.get(18)?,
                    self_assessment_score: row.get(19)?,
                    exercise_done_on: date(row, "exercise_done_on")?,
                })
            })?
            .collect::<duckdb::Result<Vec<_>>>()?;
        let flat = self.settings.aap.flat_amount_euros;
        let count = |payment: Option<Payment>| {
            applications
                .iter()
                .filter(|a| a.decision == Decision::Selected && payment.is_none_or(|p| a.payment == Some(p)))
                .count() as i64
        };
        let committed = count(None) * flat;
        Ok(AapReport {
            call: self.settings.aap.name.clone(),
            envelope_euros: self.settings.aap.envelope_euros,
            committed_euros: committed,
            payable_euros: count(Some(Payment::Payable)) * flat,
            paid_euros: count(Some(Payment::Paid)) * flat,
            remaining_euros: self.settings.aap.envelope_euros - committed,
            applications,
        })
    }

    /// The region's own exercises the national warehouse does not have, as known at the
    /// date (`opssies_export.sql`): the workbook's that no OPSSIES event reported and the
    /// call's selected applications; with `since`, only those imported on or after it.
    pub fn opssies_exportable(&self, as_of: NaiveDate, since: Option<NaiveDate>) -> Result<Vec<ExportableExercise>> {
        self.prepare(as_of, &Scope::region())?;
        self.connection.execute_batch(sql::AAP)?;
        let since = since.map(|date| date.to_string());
        self.rows(sql::OPSSIES_EXPORT, &[&since], |row| {
            let moment = |index: usize| -> duckdb::Result<Option<chrono::NaiveDateTime>> {
                Ok(row
                    .get::<_, Option<String>>(index)?
                    .and_then(|text| chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f").ok()))
            };
            Ok(ExportableExercise {
                finess_et: row.get(0)?,
                finess_ej: row.get(1)?,
                short_name: row.get(2)?,
                long_name: row.get(3)?,
                planned_on: date(row, "planned_on")?,
                completed_on: date(row, "completed_on")?,
                provider: row.get(6)?,
                workbook_row: row.get(7)?,
                application_id: row.get(8)?,
                deposited_at: moment(9)?,
                decided_at: moment(10)?,
            })
        })
    }

    /// Peer groups (sector × family) of the filtered establishments on one measure: only
    /// groups of at least k establishments are returned.
    pub fn peer_groups(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<Vec<PeerGroup>> {
        self.prepare(as_of, scope)?;
        self.peer_groups_prepared(filter)
    }

    fn peer_groups_prepared(&self, filter: &Filter) -> Result<Vec<PeerGroup>> {
        self.filtered(filter, sql::PEER_GROUPS, &[], |row| {
            Ok(PeerGroup {
                group: row.get(0)?,
                figures: PeerFigures {
                    establishments: row.get(1)?,
                    median: row.get(2)?,
                    worst_20: row.get(3)?,
                    best_20: row.get(4)?,
                    percentile: None,
                },
            })
        })
    }
}

/// A timestamp column as a naive UTC date and time.
fn timestamp(row: &duckdb::Row<'_>, index: usize) -> duckdb::Result<Option<chrono::NaiveDateTime>> {
    Ok(match row.get::<_, duckdb::types::Value>(index)? {
        duckdb::types::Value::Timestamp(_, micros) => {
            chrono::DateTime::from_timestamp_micros(micros).map(|moment| moment.naive_utc())
        }
        _ => None,
    })
}

/// The figures of a group of establishments, in figures.sql's column order from `offset`.
fn figures(row: &duckdb::Row<'_>, offset: usize) -> duckdb::Result<Figures> {
    Ok(Figures {
        establishments: row.get(offset)?,
        exercise_done: row.get(offset + 1)?,
        ose: row.get(offset + 2)?,
        ose_audited: row.get(offset + 3)?,
        declarations_up_to_date: row.get(offset + 4)?,
        median_maturity: row.get(offset + 5)?,
        scorecard_met: [
            row.get(offset + 6)?,
            row.get(offset + 7)?,
            row.get(offset + 8)?,
            row.get(offset + 9)?,
            row.get(offset + 10)?,
        ],
        never_declared: row.get(offset + 11)?,
    })
}

/// The indicators at one date for one viewer, the context built once.
pub struct View<'a, 'c> {
    analytics: &'a mut Analytics<'c>,
    as_of: NaiveDate,
}

impl View<'_, '_> {
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    pub fn establishments(&self, filter: &Filter) -> Result<Vec<EstablishmentStatus>> {
        self.analytics
            .filtered(filter, sql::ESTABLISHMENTS, &[], EstablishmentStatus::from_row)
    }

    pub fn peer_groups(&self, filter: &Filter) -> Result<Vec<PeerGroup>> {
        self.analytics.peer_groups_prepared(filter)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub establishments: i64,
    pub exercise_done: i64,
    pub ose: i64,
    pub ose_audited: i64,
    pub declarations_up_to_date: i64,
    pub median_maturity: Option<f64>,
    /// E1 to E5: establishments meeting each expectation.
    pub scorecard_met: [i64; 5],
    pub never_declared: i64,
}

impl Figures {
    pub fn rate(part: i64, whole: i64) -> Option<f64> {
        (whole > 0).then(|| part as f64 / whole as f64)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ExerciseMonths {
    /// The département's code or the family's name.
    pub group: String,
    pub establishments: i64,
    /// Establishments of the group with an exercise completed that month, oldest month first.
    pub done: Vec<i64>,
}

/// How the heat map groups establishments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HeatGroups {
    Departements,
    Families,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportRow {
    pub import_id: i64,
    pub file_name: String,
    pub kind: Option<String>,
    pub status: String,
    /// UTC.
    pub finished_at: Option<chrono::NaiveDateTime>,
    pub user_name: Option<String>,
    pub rows_read: i64,
    pub rows_stored: i64,
    pub rows_rejected: i64,
    pub warnings: i64,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceFreshness {
    pub source: String,
    /// UTC, as the store keeps import times.
    pub last_import_at: Option<chrono::NaiveDateTime>,
    pub newest_date: Option<NaiveDate>,
    pub allowed_days: i64,
    pub status: SourceStatus,
}

/// Quality of the exercises done in the 12 months, and of the action plans.
/// A version a newer one replaced, with the one in force at the date.
#[derive(Debug, Clone, Serialize)]
pub struct Superseded {
    pub source: String,
    /// What has versions: a site's campaign, an application, the OSE list.
    pub item: String,
    pub version_on: Option<NaiveDate>,
    pub version_file: String,
    pub replaced_by_on: Option<NaiveDate>,
    pub replaced_by_file: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ExerciseQuality {
    pub done: i64,
    pub direction_present: i64,
    pub kit_known: i64,
    pub kit_mismatch: i64,
    pub actions: i64,
    pub actions_tracked: i64,
    pub actions_overdue: i64,
    pub actions_closed: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CampaignFigures {
    pub campaign: i64,
    pub declarations: i64,
    pub validated: i64,
    pub median_maturity: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditLevels {
    pub event_type: i32,
    pub label: String,
    pub level: Option<i32>,
    pub establishments: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartementFigures {
    pub departement: Option<String>,
    pub label: Option<String>,
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthlyRate {
    pub month_end: NaiveDate,
    pub done: i64,
    pub establishments: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentYear {
    pub year: i64,
    pub establishments: i64,
    pub incidents: i64,
    pub cnil_late: i64,
    pub cnil_missing: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionalReport {
    pub as_of: NaiveDate,
    pub region: String,
    pub filter: Filter,
    pub headline: Figures,
    pub by_departement: Vec<DepartementFigures>,
    pub maturity_levels: Vec<(String, i64)>,
    pub freshness: Vec<(String, i64)>,
    pub exercise_statuses: Vec<(String, i64)>,
    pub monthly_exercises: Vec<MonthlyRate>,
    pub incidents: Vec<IncidentYear>,
    /// Structures with an incident declared in France (reference series of the seed).
    pub national_incidents: Vec<(i64, i64)>,
    pub exercise_quality: ExerciseQuality,
    pub campaigns: Vec<CampaignFigures>,
    pub audit_levels: Vec<AuditLevels>,
}

/// The parts of the regional view to compute beyond the headline and the table by
/// département (a page that shows one part does not pay for the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionalParts {
    /// Maturity levels, freshness and exercise statuses.
    pub distributions: bool,
    pub monthly: bool,
    pub incidents: bool,
    pub exercise_quality: bool,
    pub campaigns: bool,
    pub audit_levels: bool,
}

impl RegionalParts {
    pub const ALL: RegionalParts = RegionalParts {
        distributions: true,
        monthly: true,
        incidents: true,
        exercise_quality: true,
        campaigns: true,
        audit_levels: true,
    };
    pub const NONE: RegionalParts = RegionalParts {
        distributions: false,
        monthly: false,
        incidents: false,
        exercise_quality: false,
        campaigns: false,
        audit_levels: false,
    };
}

/// One establishment on the regional map: where it is and its three measures.
#[derive(Debug, Clone, PartialEq)]
pub struct SitePoint {
    pub finess_et: String,
    pub departement: Option<String>,
    /// Lambert-93 (EPSG:2154) x and y in metres, from the FINESS extract.
    pub lambert93: Option<(f64, f64)>,
    pub exercise_done: bool,
    pub ose: bool,
    pub ose_audited: bool,
    pub up_to_date: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationCheck {
    pub application_id: i64,
    pub finess_et: Option<String>,
    pub name: Option<String>,
    pub state: String,
    pub deposited_at: Option<String>,
    pub declared_update_on: Option<NaiveDate>,
    pub observed_update_on: Option<NaiveDate>,
    /// Checks 1–7 of indicators.md §7.
    pub checks: [Check; 7],
    pub eligible: bool,
    pub queue_rank: Option<i64>,
    pub decision: Decision,
    /// For a selected application only.
    pub payment: Option<Payment>,
    pub order_amount: Option<f64>,
    pub self_assessment_score: Option<i64>,
    pub exercise_done_on: Option<NaiveDate>,
}

pub const AAP_CHECKS: [&str; 7] = [
    "dépôt dans la fenêtre de l'appel",
    "ES de la région (référentiel FINESS)",
    "auto-évaluation : score et grille jointe",
    "mise à jour OPSSIES dans les 3 mois avant le dépôt",
    "date déclarée confirmée par l'observatoire",
    "bon de commande joint et montant > 0",
    "pas déjà financé dans cet appel",
];

#[derive(Debug, Clone, Serialize)]
pub struct AapReport {
    pub call: String,
    pub envelope_euros: i64,
    pub committed_euros: i64,
    pub payable_euros: i64,
    pub paid_euros: i64,
    pub remaining_euros: i64,
    pub applications: Vec<ApplicationCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainScore {
    pub domain: String,
    pub score: Option<f64>,
    pub answered: i64,
    pub scored: i64,
    pub previous: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEvent {
    pub date: Option<NaiveDate>,
    /// `OPSSIES`, `oSIS`, `classeur`, `incident` or `AAP`.
    pub source: String,
    /// The OPSSIES event type (OPSSIES events only).
    pub event_type: Option<i32>,
    pub label: Option<String>,
    /// What else the source says: a declaration's status, an exercise's Direction and RETEX,
    /// an incident's CNIL notification, an application's state.
    pub detail: Option<String>,
    /// OPSSIES events and incidents carry a TLP; the other sources none.
    pub tlp: Option<String>,
    pub outcome_level: Option<i32>,
    pub outcome_score: Option<f64>,
    pub source_file: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionItem {
    pub exercise_on: Option<NaiveDate>,
    pub action: String,
    pub owner: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub status: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeerFigures {
    pub establishments: i64,
    pub median: f64,
    pub worst_20: f64,
    pub best_20: f64,
    pub percentile: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Benchmark {
    pub measure: String,
    pub group: String,
    pub group_label: String,
    pub value: Option<f64>,
    /// `None`: fewer than k establishments ("effectif insuffisant").
    pub figures: Option<PeerFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeerGroup {
    pub group: String,
    pub figures: PeerFigures,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fiche {
    pub as_of: NaiveDate,
    /// The date the peer figures are of: `as_of`, or the snapshot an establishment gets.
    pub peers_as_of: NaiveDate,
    pub status: EstablishmentStatus,
    pub domains: Vec<DomainScore>,
    pub timeline: Vec<TimelineEvent>,
    pub actions: Vec<ActionItem>,
    pub benchmarks: Vec<Benchmark>,
}
