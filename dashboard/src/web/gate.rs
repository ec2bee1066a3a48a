//! Requests and imports share the store. Every request keeps the gate open for reading while
//! it works; an import closes it only around its commit (parsing and loading run alongside
//! the requests). A response is thus computed wholly before or wholly after an import, and
//! says which in its data version: the number of the last import it saw.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use ingest::store::{CommitGate, GateHold};
use tokio::sync::RwLock;

use analytics::{Analytics, Scope, Settings};

use super::AppState;
use super::cache::PageCache;
use super::pool::Pool;

/// The last import (its number) a response's figures include.
pub const DATA_VERSION_HEADER: &str = "x-opssies-data-version";

pub struct DataGate {
    lock: Arc<RwLock<()>>,
    version: AtomicI64,
    stopping: AtomicBool,
    cache: Arc<PageCache>,
    /// To bring the indicators up to date right after a commit, before readers come back.
    pool: Arc<Pool>,
    settings: Arc<Settings>,
}

impl std::fmt::Debug for DataGate {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("DataGate")
            .field("version", &self.version())
            .field("stopping", &self.stopping.load(Ordering::SeqCst))
            .finish()
    }
}

impl DataGate {
    pub fn new(last_import_id: i64, cache: Arc<PageCache>, pool: Arc<Pool>, settings: Arc<Settings>) -> Self {
        DataGate {
            lock: Arc::new(RwLock::new(())),
            version: AtomicI64::new(last_import_id),
            stopping: AtomicBool::new(false),
            cache,
            pool,
            settings,
        }
    }

    /// Materialises the indicators of the data as it now is, and today's status for the
    /// region, once: readers finding them stale would all attempt it at once and conflict.
    pub fn bring_indicators_up_to_date(&self) {
        let today = ingest::dates::paris_today();
        let Ok((_, connection)) = self.pool.take(None) else {
            return;
        };
        let analytics = Analytics::new(&connection, &self.settings);
        match analytics
            .refresh_if_stale()
            .and_then(|_| analytics.prepare(today, &Scope::region()))
        {
            Ok(()) => self
                .pool
                .give_back(connection, Some(Scope::region().context_key(today))),
            // Readers will try again; the connection is not reused after an error.
            Err(error) => tracing::warn!("indicateurs non préparés après l'import : {error}"),
        }
    }

    /// Holds the gate open for reading: no import commits until the guard is dropped.
    pub async fn hold_open(&self) -> tokio::sync::OwnedRwLockReadGuard<()> {
        Arc::clone(&self.lock).read_owned().await
    }

    pub fn version(&self) -> i64 {
        self.version.load(Ordering::SeqCst)
    }

    /// From now on, imports still running are rolled back instead of committed.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }
}

struct Closed<'a> {
    _writing: tokio::sync::RwLockWriteGuard<'a, ()>,
    gate: &'a DataGate,
}

impl GateHold for Closed<'_> {
    fn committed(&mut self, import_id: i64) {
        self.gate.version.store(import_id, Ordering::SeqCst);
        self.gate.cache.invalidate();
        self.gate.bring_indicators_up_to_date();
    }
}

impl CommitGate for DataGate {
    fn close(&self) -> Result<Box<dyn GateHold + '_>, String> {
        if self.stopping.load(Ordering::SeqCst) {
            return Err("le serveur s'arrête".to_owned());
        }
        // Called from the import's blocking thread, never from the async runtime itself.
        Ok(Box::new(Closed {
            _writing: self.lock.blocking_write(),
            gate: self,
        }))
    }
}

/// Holds the gate open for reading around everything below it (the page cache included).
pub async fn hold_open(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The import itself closes the gate: it must not hold it open.
    if request.method() == Method::POST && request.uri().path() == "/import" {
        return next.run(request).await;
    }
    let reading = state.gate.hold_open().await;
    let version = state.gate.version();
    let mut response = next.run(request).await;
    drop(reading);
    response
        .headers_mut()
        .insert(DATA_VERSION_HEADER, HeaderValue::from(version));
    response
}
