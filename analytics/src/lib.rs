//! Indicators of the observatory, as SQL over the store (`analytics/sql/*.sql`), computed
//! as of any reference date, for a viewer's scope, with thresholds from one settings file.
//!
//! Every query first builds the context tables (reference date, settings, the viewer's
//! red-TLP sites) and the per-establishment status; aggregates are computed over the
//! establishments the viewer may see, after TLP filtering, never the other way round.

pub mod methodology;
pub mod peers;
pub mod settings;
pub mod status;

mod context;
mod fiche;

use chrono::NaiveDate;
use duckdb::{Connection, ToSql, params_from_iter};
use serde::Serialize;

pub use fiche::FicheBook;
pub use settings::Settings;
pub use status::EstablishmentStatus;
use status::date;

const MATURITY_SQL: &str = include_str!("../sql/maturity.sql");
const STATUS_SQL: &str = include_str!("../sql/establishment_status.sql");
const AAP_SQL: &str = include_str!("../sql/aap.sql");
const SOURCES_SQL: &str = include_str!("../sql/sources.sql");
const PEER_STATS_SQL: &str = include_str!("../sql/peer_stats.sql");

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
    fn column(self) -> &'static str {
        match self {
            Dimension::Departement => "s.departement || ' ' || coalesce(s.departement_label, '')",
            Dimension::Family => "s.family",
            Dimension::Sector => "s.sector_group",
            Dimension::Ose => "CASE WHEN s.ose THEN 'OSE' ELSE 'non OSE' END",
            Dimension::Kind => "s.kind",
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
    fn clauses(&self) -> (String, Vec<Box<dyn ToSql>>) {
        // A closed site leaves every list and aggregate (its fiche stays, « fermé le … »).
        let mut sql = String::from(" AND s.closed_on IS NULL");
        let mut values: Vec<Box<dyn ToSql>> = Vec::new();
        let mut add = |clause: &str, value: Box<dyn ToSql>| {
            sql.push_str(" AND ");
            sql.push_str(clause);
            values.push(value);
        };
        let pattern = self.search.as_ref().map(|search| format!("%{}%", like_escape(search)));
        if let Some(kind) = &self.kind {
            add("s.kind = ?", Box::new(kind.clone()));
        }
        if let Some(departement) = &self.departement {
            add("s.departement = ?", Box::new(departement.clone()));
        }
        if let Some(family) = &self.family {
            add("s.family = ?", Box::new(family.clone()));
        }
        if let Some(sector) = &self.sector_group {
            add("s.sector_group = ?", Box::new(sector.clone()));
        }
        if let Some(ose) = self.ose {
            add("s.ose = ?", Box::new(ose));
        }
        if let Some(pattern) = pattern {
            // One placeholder: the pattern is matched against FINESS and name together.
            add(
                "(s.finess_et || ' ' || lower(coalesce(s.name, ''))) LIKE lower(?) ESCAPE '\\'",
                Box::new(pattern),
            );
        }
        if let Some(reason) = &self.reason {
            add("list_contains(s.priority_reasons, ?)", Box::new(reason.clone()));
        }
        (sql, values)
    }
}

fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// How many reference dates keep their shared status in the store: the most recently
/// computed ones (today's among them). A request for another date computes it and evicts the
/// oldest, so no sequence of requests can make the store grow without bound.
pub const STATUS_DATES_KEPT: i64 = 8;

/// Held while the shared status of a date is checked and materialised (see `prepare`).
static STATUS_BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The indicators over one store connection.
pub struct Analytics<'c> {
    connection: &'c Connection,
    settings: &'c Settings,
}

impl<'c> Analytics<'c> {
    pub fn new(connection: &'c Connection, settings: &'c Settings) -> Self {
        Analytics { connection, settings }
    }

    pub fn settings(&self) -> &Settings {
        self.settings
    }

    /// Recomputes the materialised maturity tables when an import happened since.
    pub fn refresh_if_stale(&self) -> Result<bool> {
        let stale: bool = self.connection.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name = 'analytics_refresh')",
            [],
            |row| row.get(0),
        )?;
        let stale = stale
            || {
                let (refreshed, latest): (i64, i64) = self.connection.query_row(
                "SELECT (SELECT last_import_id FROM analytics_refresh), (SELECT coalesce(max(import_id), 0) FROM imports)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
                refreshed != latest
            };
        if stale
            && let Err(error) = self
                .connection
                .execute_batch(&format!("BEGIN TRANSACTION; {MATURITY_SQL} COMMIT;"))
        {
            // Leave the connection usable (a failed batch stays inside its transaction).
            let _ = self.connection.execute_batch("ROLLBACK");
            return Err(error.into());
        }
        Ok(stale)
    }

    /// Builds the context and the per-establishment status for a date and a viewer.
    ///
    /// The status every region viewer shares (no red event counted) is materialised per
    /// reference date in `analytics_status` and reused until the next import; a viewer with
    /// red events of their own gets only their own rows recomputed on top of it.
    pub fn prepare(&self, as_of: NaiveDate, scope: &Scope) -> Result<()> {
        let fingerprint = self.fingerprint();
        // The same date, viewer, settings and data as the previous request on this
        // connection: everything is in place already.
        self.connection
            .execute_batch("CREATE TEMP TABLE IF NOT EXISTS ctx_key (key VARCHAR, last_import_id BIGINT)")?;
        let key = format!("{as_of}|{:?}|{:?}|{fingerprint}", scope.sites, scope.red_sites);
        let unchanged: bool = self.connection.query_row(
            "SELECT count(*) > 0 FROM ctx_key
             WHERE key = ? AND last_import_id = (SELECT coalesce(max(import_id), 0) FROM imports)",
            [&key],
            |row| row.get(0),
        )?;
        if unchanged {
            return Ok(());
        }
        self.connection.execute_batch("DELETE FROM ctx_key")?;
        self.refresh_if_stale()?;
        context::prepare(self.connection, self.settings, as_of, scope)?;
        // One connection of the process at a time checks and builds the shared status: two
        // at once would both find a date missing and both insert it (inserts of new rows do
        // not conflict in DuckDB), doubling or mixing its rows.
        let _building = STATUS_BUILD.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !self.status_kept(as_of, &fingerprint)? {
            self.connection.execute_batch(&format!(
                "CREATE TEMP TABLE IF NOT EXISTS viewer_red_sites AS SELECT * FROM scope_red_sites;
                 DELETE FROM viewer_red_sites; INSERT INTO viewer_red_sites SELECT * FROM scope_red_sites;
                 DELETE FROM scope_red_sites;
                 {STATUS_SQL}
                 INSERT INTO scope_red_sites SELECT * FROM viewer_red_sites;"
            ))?;
            self.store_status(as_of, &fingerprint)?;
        }
        drop(_building);
        let date = format!("DATE '{as_of}'");
        if scope.red_sites.is_empty() {
            self.connection.execute_batch(&format!(
                "CREATE OR REPLACE TEMP VIEW establishment_status AS
                 SELECT * EXCLUDE (cache_as_of) FROM analytics_status WHERE cache_as_of = {date};"
            ))?;
        } else {
            self.connection.execute_batch(&format!(
                "INSERT INTO status_sites SELECT finess_et FROM scope_red_sites;
                 {STATUS_SQL}
                 CREATE OR REPLACE TEMP VIEW establishment_status AS
                 SELECT * EXCLUDE (cache_as_of) FROM analytics_status
                 WHERE cache_as_of = {date} AND finess_et NOT IN (SELECT finess_et FROM status_computed)
                 UNION ALL BY NAME
                 SELECT * FROM status_computed;"
            ))?;
        }
        self.connection.execute_batch(&format!(
            "CREATE OR REPLACE TEMP VIEW domain_measures AS
             SELECT finess_et, domain, score FROM analytics_domain_measures WHERE cache_as_of = {date};"
        ))?;
        self.connection.execute(
            "INSERT INTO ctx_key SELECT ?, (SELECT coalesce(max(import_id), 0) FROM imports)",
            [&key],
        )?;
        Ok(())
    }

    /// Whether the shared status (and the peer figures) of a date are kept for the latest
    /// import and these settings.
    fn status_kept(&self, as_of: NaiveDate, fingerprint: &str) -> Result<bool> {
        Ok(self.connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name = 'analytics_status_state')",
            [],
            |row| row.get(0),
        )? && self.connection.query_row(
            "SELECT count(*) > 0 FROM analytics_status_state
             WHERE cache_as_of = CAST(? AS DATE) AND settings = ?
               AND last_import_id = (SELECT coalesce(max(import_id), 0) FROM imports)",
            duckdb::params![as_of.to_string(), fingerprint],
            |row| row.get(0),
        )?)
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

    /// Keeps the shared status of a date (older imports' caches are dropped).
    fn store_status(&self, as_of: NaiveDate, fingerprint: &str) -> Result<()> {
        let date = format!("DATE '{as_of}'");
        let fingerprint = fingerprint.replace('\'', "''");
        // Caches of other settings or another version of the status query are dropped whole
        // (their columns may differ).
        let exists: bool = self.connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name = 'analytics_status_state')",
            [],
            |row| row.get(0),
        )?;
        // A cache table of an older layout (without `built_at`) is dropped like a foreign one.
        let foreign = exists
            && (self.connection.query_row(
                "SELECT count(*) > 0 FROM analytics_status_state WHERE settings <> ?",
                [&fingerprint],
                |row| row.get(0),
            )? || !self.connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM duckdb_columns()
                                WHERE table_name = 'analytics_status_state' AND column_name = 'built_at')",
                [],
                |row| row.get::<_, bool>(0),
            )?);
        if foreign {
            self.connection.execute_batch(
                "DROP TABLE IF EXISTS analytics_status; DROP TABLE IF EXISTS analytics_domain_measures;
                 DROP TABLE IF EXISTS analytics_peer_stats; DROP TABLE IF EXISTS analytics_status_state;",
            )?;
        }
        self.connection.execute_batch(&format!(
            "BEGIN TRANSACTION;
             CREATE TABLE IF NOT EXISTS analytics_status_state (
                 cache_as_of DATE, last_import_id BIGINT, settings VARCHAR, built_at TIMESTAMP);
             CREATE TABLE IF NOT EXISTS analytics_status AS SELECT {date} AS cache_as_of, * FROM status_computed LIMIT 0;
             CREATE TABLE IF NOT EXISTS analytics_domain_measures (cache_as_of DATE, finess_et VARCHAR, domain VARCHAR, score DOUBLE);
             CREATE TABLE IF NOT EXISTS analytics_peer_stats (
                 cache_as_of DATE, group_kind VARCHAR, group_key VARCHAR, measure VARCHAR, n BIGINT,
                 median DOUBLE, worst_20 DOUBLE, best_20 DOUBLE, percentiles DOUBLE[]);
             -- A cache made before the latest import, or with other settings, is stale.
             DELETE FROM analytics_status WHERE cache_as_of IN (
                 SELECT cache_as_of FROM analytics_status_state
                 WHERE cache_as_of = {date} OR settings <> '{fingerprint}'
                    OR last_import_id <> (SELECT coalesce(max(import_id), 0) FROM imports));
             DELETE FROM analytics_domain_measures WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status);
             DELETE FROM analytics_peer_stats WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status);
             DELETE FROM analytics_status_state WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status);
             DELETE FROM analytics_status_state WHERE cache_as_of = {date};
             INSERT INTO analytics_status SELECT {date} AS cache_as_of, * FROM status_computed ORDER BY finess_et;
             INSERT INTO analytics_domain_measures
                 SELECT {date}, d.finess_et, d.domain, d.score
                 FROM analytics_domain_scores d
                 JOIN status_computed s ON s.finess_et = d.finess_et AND s.maturity_campaign = d.campaign
                                        AND s.maturity_import_id = d.import_id
                 WHERE d.score IS NOT NULL
                 ORDER BY d.finess_et;
             {PEER_STATS_SQL}
             INSERT INTO analytics_status_state
                 SELECT {date}, (SELECT coalesce(max(import_id), 0) FROM imports), '{fingerprint}',
                        current_timestamp::TIMESTAMP;
             -- Bounded: the {STATUS_DATES_KEPT} most recently computed dates stay (this one among them).
             DELETE FROM analytics_status_state WHERE cache_as_of NOT IN (
                 SELECT cache_as_of FROM analytics_status_state
                 ORDER BY cache_as_of = {date} DESC, built_at DESC LIMIT {STATUS_DATES_KEPT});
             DELETE FROM analytics_status WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status_state);
             DELETE FROM analytics_domain_measures WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status_state);
             DELETE FROM analytics_peer_stats WHERE cache_as_of NOT IN (SELECT cache_as_of FROM analytics_status_state);
             COMMIT;"
        ))?;
        Ok(())
    }

    /// Identifies the settings a cache was computed with.
    fn fingerprint(&self) -> String {
        let text = serde_json::to_string(self.settings).unwrap_or_default() + STATUS_SQL;
        // FNV-1a: stable across processes and versions, unlike the standard hasher.
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{hash:016x}")
    }

    /// Prepares the context once for several queries at the same date and scope (a page
    /// with several parts); `&mut` so no other context replaces it meanwhile.
    pub fn at(&mut self, as_of: NaiveDate, scope: &Scope) -> Result<View<'_, 'c>> {
        self.prepare(as_of, scope)?;
        Ok(View { analytics: self, as_of })
    }

    /// The establishments the viewer may see, filtered, by FINESS.
    pub fn establishments(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<Vec<EstablishmentStatus>> {
        self.prepare(as_of, scope)?;
        self.visible_rows(filter, "s.finess_et")
    }

    fn visible_rows(&self, filter: &Filter, order: &str) -> Result<Vec<EstablishmentStatus>> {
        let (clauses, values) = filter.clauses();
        let sql = format!(
            "SELECT {} FROM establishment_status s JOIN scope_sites USING (finess_et) WHERE true{clauses} ORDER BY {order}",
            status::COLUMNS
        );
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map(params_from_iter(values.iter()), EstablishmentStatus::from_row)?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }

    /// SESAN's priority list: highest score first, reasons and offers with each.
    pub fn targeting(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<Vec<EstablishmentStatus>> {
        self.prepare(as_of, scope)?;
        let rows = self.visible_rows(filter, "s.priority_score DESC, s.finess_et")?;
        Ok(rows.into_iter().filter(|row| row.priority_score > 0).collect())
    }

    /// The regional view: headline, table by département, distributions, monthly trend.
    pub fn regional(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<RegionalReport> {
        self.prepare(as_of, scope)?;
        let (clauses, values) = filter.clauses();
        let from = format!("FROM establishment_status s JOIN scope_sites USING (finess_et) WHERE true{clauses}");
        let params = || params_from_iter(values.iter());
        let headline = self
            .connection
            .query_row(&format!("SELECT {AGGREGATE} {from}"), params(), |row| figures(row, 0))?;
        let mut statement = self.connection.prepare(&format!(
            "SELECT s.departement, any_value(s.departement_label), {AGGREGATE} {from}
             GROUP BY s.departement ORDER BY s.departement"
        ))?;
        let by_departement = statement
            .query_map(params(), |row| {
                Ok(DepartementFigures {
                    departement: row.get(0)?,
                    label: row.get(1)?,
                    figures: figures(row, 2)?,
                })
            })?
            .collect::<duckdb::Result<Vec<_>>>()?;
        let distribution = |column: &str| -> Result<Vec<(String, i64)>> {
            let mut statement = self.connection.prepare(&format!(
                "SELECT coalesce(CAST({column} AS VARCHAR), 'non calculé'), count(*) {from} GROUP BY 1 ORDER BY 1"
            ))?;
            let rows = statement.query_map(params(), |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
        };
        let maturity_levels = distribution("maturity_level")?;
        let freshness = distribution("freshness")?;
        let exercise_statuses = distribution("exercise_status")?;
        let mut statement = self.connection.prepare(&format!(
            "WITH months AS (
                 SELECT CAST(last_day(month) AS DATE) AS month_end
                 FROM generate_series(CAST(date_trunc('month', (SELECT as_of FROM ctx)) AS DATE) - INTERVAL 23 MONTH,
                                      CAST(date_trunc('month', (SELECT as_of FROM ctx)) AS DATE), INTERVAL 1 MONTH) t(month)
             ),
             chosen AS (SELECT s.finess_et {from}),
             done AS (
                 SELECT DISTINCT r.finess_et, r.completed_on FROM merged_exercises r JOIN chosen USING (finess_et)
                 LEFT JOIN events e USING (event_id)
                 WHERE r.completed_on IS NOT NULL
                   AND (r.event_id IS NULL OR e.tlp <> 'red' OR r.finess_et IN (SELECT finess_et FROM scope_red_sites))
             ),
             -- A range join (one pass), not a subquery per month.
             bounds AS (
                 SELECT month_end, least(month_end, (SELECT as_of FROM ctx)) AS upto,
                        least(month_end, (SELECT as_of FROM ctx)) - (SELECT exercise_done_days FROM ctx) AS since
                 FROM months
             ),
             counted AS (
                 SELECT b.month_end, count(DISTINCT d.finess_et) AS done
                 FROM bounds b JOIN done d ON d.completed_on <= b.upto AND d.completed_on >= b.since
                 GROUP BY b.month_end
             )
             SELECT b.month_end, coalesce(c.done, 0), (SELECT count(*) FROM chosen)
             FROM bounds b LEFT JOIN counted c USING (month_end)
             ORDER BY b.month_end"
        ))?;
        let monthly = statement
            .query_map(params(), |row| {
                Ok(MonthlyRate {
                    month_end: date(row, "month_end")?.unwrap_or(as_of),
                    done: row.get(1)?,
                    establishments: row.get(2)?,
                })
            })?
            .collect::<duckdb::Result<Vec<_>>>()?;
        let mut statement = self.connection.prepare(&format!(
            "WITH chosen AS (SELECT s.finess_et {from}),
             declared AS (
                 SELECT DISTINCT i.finess_et, i.declared_at, i.data_leak, i.cnil_notified, i.cnil_notified_at
                 FROM visible_incidents i JOIN chosen USING (finess_et)
                 WHERE CAST(i.declared_at AS DATE) <= (SELECT as_of FROM ctx)
             )
             SELECT year(declared_at) AS year, count(DISTINCT finess_et), count(*),
                    count(*) FILTER (WHERE data_leak AND cnil_notified
                                     AND cnil_notified_at > declared_at + to_hours((SELECT cnil_within_hours FROM ctx)::INTEGER)),
                    count(*) FILTER (WHERE data_leak AND NOT coalesce(cnil_notified, false))
             FROM declared GROUP BY 1 ORDER BY 1"
        ))?;
        let incidents = statement
            .query_map(params(), |row| {
                Ok(IncidentYear {
                    year: row.get(0)?,
                    establishments: row.get(1)?,
                    incidents: row.get(2)?,
                    cnil_late: row.get(3)?,
                    cnil_missing: row.get(4)?,
                })
            })?
            .collect::<duckdb::Result<Vec<_>>>()?;
        let exercise_quality = self.connection.query_row(
            &format!(
                "WITH chosen AS (SELECT s.* {from}),
                 plans AS (
                     SELECT a.* FROM action_checks a JOIN chosen USING (finess_et)
                     WHERE a.import_id = (SELECT max(import_id) FROM imports WHERE kind = 'exercices' AND status = 'stored')
                 )
                 SELECT
                     (SELECT count(*) FROM chosen WHERE exercise_status = 'réalisé'),
                     (SELECT count(*) FROM chosen WHERE exercise_status = 'réalisé' AND last_direction_present),
                     (SELECT count(*) FROM chosen WHERE exercise_status = 'réalisé' AND last_kit IS NOT NULL AND recommended_kit IS NOT NULL),
                     (SELECT count(*) FROM chosen WHERE exercise_status = 'réalisé' AND last_kit IS NOT NULL
                        AND recommended_kit IS NOT NULL AND last_kit <> recommended_kit),
                     (SELECT count(*) FROM plans),
                     (SELECT count(*) FROM plans WHERE NOT missing_owner AND NOT missing_deadline),
                     (SELECT count(*) FROM plans WHERE deadline < (SELECT as_of FROM ctx) AND coalesce(status, '') NOT IN ('fait', 'abandonné')),
                     (SELECT count(*) FROM plans WHERE status = 'fait')"
            ),
            params(),
            |row| {
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
            },
        )?;
        let mut statement = self.connection.prepare(&format!(
            "WITH chosen AS (SELECT s.finess_et {from})
             SELECT m.campaign, count(*), count(*) FILTER (WHERE m.status = 'Validé'),
                    median(m.overall) FILTER (WHERE m.completion >= (SELECT maturity_not_computed_below FROM ctx))
             FROM (
                 -- Each campaign's newest submission known at the date.
                 SELECT m.* FROM analytics_declaration_maturity m JOIN chosen USING (finess_et)
                 WHERE m.updated_on <= (SELECT as_of FROM ctx)
                 QUALIFY row_number() OVER (PARTITION BY m.finess_et, m.campaign ORDER BY m.updated_on DESC, m.import_id DESC) = 1
             ) m
             GROUP BY m.campaign ORDER BY m.campaign"
        ))?;
        let campaigns = statement
            .query_map(params(), |row| {
                Ok(CampaignFigures {
                    campaign: row.get(0)?,
                    declarations: row.get(1)?,
                    validated: row.get(2)?,
                    median_maturity: row.get(3)?,
                })
            })?
            .collect::<duckdb::Result<Vec<_>>>()?;
        let mut statement = self.connection.prepare(&format!(
            "WITH chosen AS (SELECT s.finess_et {from}),
             latest AS (
                 SELECT ee.finess_et, e.event_type, any_value(e.event_type_label) AS label,
                        arg_max(e.outcome_level, e.completed_at) AS level
                 FROM events e JOIN event_establishments ee USING (event_id) JOIN chosen USING (finess_et)
                 WHERE e.event_type IN (27, 28, 29, 60, 61)
                   AND (e.tlp <> 'red' OR ee.finess_et IN (SELECT finess_et FROM scope_red_sites))
                   AND CAST(e.completed_at AS DATE) <= (SELECT as_of FROM ctx)
                 GROUP BY ee.finess_et, e.event_type
             )
             SELECT event_type, any_value(label), level, count(*) FROM latest
             GROUP BY event_type, level ORDER BY event_type, level NULLS LAST"
        ))?;
        let audit_levels = statement
            .query_map(params(), |row| {
                Ok(AuditLevels {
                    event_type: row.get(0)?,
                    label: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    level: row.get(2)?,
                    establishments: row.get(3)?,
                })
            })?
            .collect::<duckdb::Result<Vec<_>>>()?;
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

    /// The headline figures only (the regional view's trends compare two dates).
    pub fn headline(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<Figures> {
        self.prepare(as_of, scope)?;
        let (clauses, values) = filter.clauses();
        let sql = format!(
            "SELECT {AGGREGATE} FROM establishment_status s JOIN scope_sites USING (finess_et) WHERE true{clauses}"
        );
        Ok(self
            .connection
            .query_row(&sql, params_from_iter(values.iter()), |row| figures(row, 0))?)
    }

    /// Freshness of each source as of the date (data-quality page).
    pub fn sources(&self, as_of: NaiveDate, scope: &Scope) -> Result<Vec<SourceFreshness>> {
        self.prepare(as_of, scope)?;
        self.connection.execute_batch(SOURCES_SQL)?;
        let mut statement = self
            .connection
            .prepare("SELECT source, last_import_at, newest_date, allowed_days, status FROM source_freshness")?;
        let rows = statement.query_map([], |row| {
            Ok(SourceFreshness {
                source: row.get(0)?,
                last_import_at: match row.get::<_, duckdb::types::Value>(1)? {
                    duckdb::types::Value::Timestamp(_, micros) => {
                        chrono::DateTime::from_timestamp_micros(micros).map(|moment| moment.naive_utc())
                    }
                    _ => None,
                },
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
        let (clauses, values) = filter.clauses();
        let sql = format!(
            "SELECT {column} AS label, {AGGREGATE}
             FROM establishment_status s JOIN scope_sites USING (finess_et) WHERE true{clauses}
             GROUP BY 1 ORDER BY 1",
            column = dimension.column()
        );
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map(params_from_iter(values.iter()), |row| {
            Ok((row.get::<_, Option<String>>(0)?.unwrap_or_default(), figures(row, 1)?))
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }

    /// The heat map: for the filtered establishments (first `limit` by name), whether an
    /// exercise was completed in each of the `months` months up to the date.
    pub fn exercise_months(
        &self,
        as_of: NaiveDate,
        scope: &Scope,
        filter: &Filter,
        months: usize,
        limit: usize,
    ) -> Result<(Vec<NaiveDate>, Vec<ExerciseMonths>)> {
        self.prepare(as_of, scope)?;
        let (clauses, mut values) = filter.clauses();
        values.push(Box::new(limit as i64));
        values.push(Box::new(months as i64));
        let sql = format!(
            "WITH chosen AS (
                 SELECT s.finess_et, s.name FROM establishment_status s JOIN scope_sites USING (finess_et)
                 WHERE true{clauses} ORDER BY s.name, s.finess_et LIMIT ?
             ),
             months AS (
                 SELECT CAST(date_trunc('month', (SELECT as_of FROM ctx)) - to_months(CAST(n AS INTEGER)) AS DATE) AS month
                 FROM range(0, ?) t(n)
             ),
             done AS (
                 SELECT DISTINCT r.finess_et, CAST(date_trunc('month', r.completed_on) AS DATE) AS month
                 FROM merged_exercises r JOIN chosen USING (finess_et) LEFT JOIN events e USING (event_id)
                 WHERE r.completed_on <= (SELECT as_of FROM ctx)
                   AND (r.event_id IS NULL OR e.tlp <> 'red' OR r.finess_et IN (SELECT finess_et FROM scope_red_sites))
             )
             SELECT c.finess_et, c.name, m.month, d.finess_et IS NOT NULL AS done
             FROM chosen c CROSS JOIN months m
             LEFT JOIN done d ON d.finess_et = c.finess_et AND d.month = m.month
             ORDER BY c.name, c.finess_et, m.month"
        );
        let mut statement = self.connection.prepare(&sql)?;
        let cells = statement
            .query_map(params_from_iter(values.iter()), |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    date(row, "month")?,
                    row.get::<_, bool>(3)?,
                ))
            })?
            .collect::<duckdb::Result<Vec<_>>>()?;
        let mut month_list: Vec<NaiveDate> = cells.iter().filter_map(|(_, _, month, _)| *month).collect();
        month_list.sort();
        month_list.dedup();
        let mut rows: Vec<ExerciseMonths> = Vec::new();
        for (finess, name, month, done) in cells {
            if rows.last().is_none_or(|row| row.finess_et != finess) {
                rows.push(ExerciseMonths {
                    finess_et: finess,
                    name,
                    done: Vec::new(),
                });
            }
            if let (Some(row), Some(month)) = (rows.last_mut(), month) {
                let index = month_list.iter().position(|m| *m == month).unwrap_or(0);
                row.done.resize(month_list.len(), false);
                row.done[index] = done;
            }
        }
        Ok((month_list, rows))
    }

    /// Imports, newest first, for the data-quality page.
    pub fn imports(&self, limit: usize) -> Result<Vec<ImportRow>> {
        let mut statement = self.connection.prepare(
            "SELECT import_id, file_name, kind, status, finished_at, user_name, rows_read, rows_stored,
                    rows_rejected, warning_count, message
             FROM imports ORDER BY import_id DESC LIMIT ?",
        )?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok(ImportRow {
                import_id: row.get(0)?,
                file_name: row.get(1)?,
                kind: row.get(2)?,
                status: row.get(3)?,
                finished_at: match row.get::<_, duckdb::types::Value>(4)? {
                    duckdb::types::Value::Timestamp(_, micros) => {
                        chrono::DateTime::from_timestamp_micros(micros).map(|moment| moment.naive_utc())
                    }
                    _ => None,
                },
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

    /// FINESS named by declarations, events or applications but absent from the referential.
    pub fn unknown_establishments(&self) -> Result<Vec<(String, String, i64)>> {
        let mut statement = self.connection.prepare(
            "WITH named AS (
                 SELECT finess_et, 'déclarations oSIS' AS source FROM declarations
                 UNION ALL SELECT recipient_finess_et, 'événements OPSSIES' FROM events WHERE recipient_finess_et IS NOT NULL
                 UNION ALL SELECT finess_et, 'dossiers AAP' FROM applications WHERE finess_et IS NOT NULL
                 UNION ALL SELECT finess_et, 'incidents' FROM incidents
                 UNION ALL SELECT finess_et, 'classeur des exercices' FROM exercises
             )
             SELECT finess_et, source, count(*) FROM named
             WHERE finess_et NOT IN (SELECT finess_et FROM finess_referential)
             GROUP BY ALL ORDER BY finess_et, source",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }

    /// The call for projects: every application with each check, the queue and the envelope.
    pub fn aap(&self, as_of: NaiveDate, scope: &Scope) -> Result<AapReport> {
        self.prepare(as_of, scope)?;
        self.connection.execute_batch(AAP_SQL)?;
        let restriction = if scope.sites.is_some() {
            " WHERE finess_et IN (SELECT finess_et FROM scope_sites)"
        } else {
            ""
        };
        let mut statement = self.connection.prepare(&format!(
            "SELECT application_id, finess_et, name, state, CAST(deposited_at AS VARCHAR), declared_opssies_update_on,
                    observed_update_on, check_window, check_establishment, check_self_assessment, check_recent_update,
                    check_cross_check, check_order, check_not_funded_twice, eligible, queue_rank, decision, payment,
                    order_amount, self_assessment_score, exercise_done_on
             FROM aap_checks{restriction} ORDER BY deposited_at, application_id"
        ))?;
        let applications = statement
            .query_map([], |row| {
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
        let count = |decision: &str, payment: Option<&str>| {
            applications
                .iter()
                .filter(|a| a.decision == decision && payment.is_none_or(|p| a.payment.as_deref() == Some(p)))
                .count() as i64
        };
        let committed = count("retenu", None) * flat;
        Ok(AapReport {
            call: self.settings.aap.name.clone(),
            envelope_euros: self.settings.aap.envelope_euros,
            committed_euros: committed,
            payable_euros: count("retenu", Some("à payer")) * flat,
            paid_euros: count("retenu", Some("payé")) * flat,
            remaining_euros: self.settings.aap.envelope_euros - committed,
            applications,
        })
    }

    /// Peer groups (sector × family) of the filtered establishments on one measure: only
    /// groups of at least k establishments are returned.
    pub fn peer_groups(&self, as_of: NaiveDate, scope: &Scope, filter: &Filter) -> Result<Vec<PeerGroup>> {
        self.prepare(as_of, scope)?;
        self.peer_groups_prepared(filter)
    }

    fn peer_groups_prepared(&self, filter: &Filter) -> Result<Vec<PeerGroup>> {
        let (clauses, values) = filter.clauses();
        let sql = format!(
            "SELECT s.peer_group, count(*), median(s.maturity), quantile_cont(s.maturity, 0.2), quantile_cont(s.maturity, 0.8)
             FROM establishment_status s JOIN scope_sites USING (finess_et)
             WHERE s.maturity IS NOT NULL{clauses}
             GROUP BY s.peer_group
             HAVING count(*) >= (SELECT minimum_group_size FROM ctx)
             ORDER BY s.peer_group"
        );
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map(params_from_iter(values.iter()), |row| {
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
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    }
}

/// The figures of a group of establishments, in the column order `figures` reads.
const AGGREGATE: &str = "count(*) AS establishments,
    count(*) FILTER (WHERE exercise_status = 'réalisé') AS exercise_done,
    count(*) FILTER (WHERE ose) AS ose,
    count(*) FILTER (WHERE ose AND ads_on >= (SELECT as_of - audit_days FROM ctx)
                     AND silene_on >= (SELECT as_of - audit_days FROM ctx)) AS ose_audited,
    count(*) FILTER (WHERE freshness = 'à jour') AS declarations_up_to_date,
    median(maturity) AS median_maturity,
    count(*) FILTER (WHERE e1_exercise = 'atteint') AS e1_met,
    count(*) FILTER (WHERE e2_audits = 'atteint') AS e2_met,
    count(*) FILTER (WHERE e3_observatory = 'atteint') AS e3_met,
    count(*) FILTER (WHERE e4_awareness = 'atteint') AS e4_met,
    count(*) FILTER (WHERE e5_cartography = 'atteint') AS e5_met,
    count(*) FILTER (WHERE freshness = 'jamais') AS never_declared";

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
        self.analytics.visible_rows(filter, "s.finess_et")
    }

    pub fn peer_groups(&self, filter: &Filter) -> Result<Vec<PeerGroup>> {
        self.analytics.peer_groups_prepared(filter)
    }
}

#[derive(Debug, Clone, Serialize)]
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
    pub finess_et: String,
    pub name: Option<String>,
    /// One entry per month, oldest first.
    pub done: Vec<bool>,
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
    /// `à jour`, `en retard` or `jamais importé`.
    pub status: String,
}

/// Quality of the exercises done in the 12 months, and of the action plans.
#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationCheck {
    pub application_id: i64,
    pub finess_et: Option<String>,
    pub name: Option<String>,
    pub state: String,
    pub deposited_at: Option<String>,
    pub declared_update_on: Option<NaiveDate>,
    pub observed_update_on: Option<NaiveDate>,
    /// Checks 1–7 of indicators.md §7: `ok`, `échec` or `inconnu`.
    pub checks: [String; 7],
    pub eligible: bool,
    pub queue_rank: Option<i64>,
    /// `retenu`, `liste d'attente` or `inéligible`.
    pub decision: String,
    /// `engagé`, `à payer` or `payé` for a funded application.
    pub payment: Option<String>,
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
    pub event_type: i32,
    pub label: Option<String>,
    pub tlp: String,
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
