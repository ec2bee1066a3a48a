//! The web application: server-rendered French pages, SVG charts, exports and a JSON API,
//! every query run off the async runtime on a connection of the store.

mod api;
pub mod auth;
mod cache;
pub(crate) mod charts;
mod error;
pub(crate) mod exports;
mod gate;
mod journal;
mod map;
mod pages;
mod params;
mod pool;
pub mod routes;
mod shelf;
pub mod sight;
mod sso;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use analytics::Settings;
use anyhow::{Context, Result};
use axum::Router;
use ingest::Store;

pub use error::WebError;
use pool::Pool;
pub use routes::ROUTES;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pool: Arc<Pool>,
    /// The one writer: imports go through it, one at a time.
    writer: Arc<Mutex<Store>>,
    settings: Arc<Settings>,
    cache: Arc<cache::PageCache>,
    sessions: Arc<auth::Sessions>,
    /// Served over TLS (cookies `Secure`, HSTS).
    tls: bool,
    /// Results of a day shared by the region's viewers: fiches, regional view, the call's queue.
    shelves: Arc<shelf::Shelves>,
    /// Requests and import commits never overlap.
    gate: Arc<gate::DataGate>,
    /// The route table the router and every rule are built from (`ROUTES`; a test may add one).
    routes: &'static [routes::Route],
    /// Consultations queued for the audit log.
    journal: Arc<journal::Writer>,
    /// The OpenID Connect providers of the settings.
    sso: Arc<sso::Providers>,
    /// Where the analysts' read copy is written (a store on disk only).
    snapshot: Option<std::path::PathBuf>,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> Result<Self> {
        let pool = Pool::new(store.connection()).context("connexions à la base")?;
        let last_import_id = ingest::store::records::data_version(store.connection()).context("lecture des imports")?;
        crate::accounts::seal(store.connection()).context("chaînage du journal d'audit")?;
        let journal = Arc::new(journal::Writer::start(
            store.connection().try_clone().context("connexion du journal d'audit")?,
        ));
        let cache = Arc::new(cache::PageCache::default());
        let pool = Arc::new(pool);
        let snapshot = (store.path() != std::path::Path::new(":memory:"))
            .then(|| ingest::store::snapshot::default_path(store.path()));
        let sso = Arc::new(sso::Providers::new(&settings.sso).map_err(|error| anyhow::anyhow!("{error}"))?);
        let routes = routes::with_callbacks(&sso::Providers::callback_paths(&settings.sso));
        let settings = Arc::new(settings);
        let shelves = Arc::new(shelf::Shelves::default());
        let gate = Arc::new(gate::DataGate::new(
            last_import_id,
            Arc::clone(&cache),
            Arc::clone(&pool),
            Arc::clone(&settings),
        ));
        // Before the first request, for the same reason as after each import.
        gate.bring_indicators_up_to_date();
        Ok(AppState {
            pool,
            writer: Arc::new(Mutex::new(store)),
            settings,
            gate,
            cache,
            shelves,
            sessions: Arc::new(auth::Sessions::default()),
            tls: false,
            routes,
            journal,
            sso,
            snapshot,
        })
    }

    /// The methodology text as the viewer may read it, naming the catalogue's evidence
    /// questions of the stored campaigns.
    async fn methodology(&self, sight: &sight::Sight) -> Result<String, WebError> {
        let evidence = self
            .with_connection(|connection, settings| {
                Ok(analytics::Analytics::new(connection, settings).evidence_questions()?)
            })
            .await?;
        Ok(sight.methodology(&self.settings, &evidence))
    }

    /// Runs blocking store work on the blocking thread pool with a connection of the pool.
    async fn with_connection<T, F>(&self, work: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: Fn(&duckdb::Connection, &Settings) -> Result<T, WebError> + Send + 'static,
    {
        self.with_connection_for(None, work).await
    }

    /// Like `with_connection`, for analytics of one date and viewer: on the connection last
    /// used for them when one is idle (its context is ready).
    async fn with_context<T, F>(
        &self,
        as_of: chrono::NaiveDate,
        scope: &analytics::Scope,
        work: F,
    ) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: Fn(&duckdb::Connection, &Settings) -> Result<T, WebError> + Send + 'static,
    {
        self.with_connection_for(Some(scope.context_key(as_of)), work).await
    }

    async fn with_connection_for<T, F>(&self, context: Option<String>, work: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: Fn(&duckdb::Connection, &Settings) -> Result<T, WebError> + Send + 'static,
    {
        let pool = Arc::clone(&self.pool);
        let settings = Arc::clone(&self.settings);
        tokio::task::spawn_blocking(move || {
            let mut attempts = 0;
            loop {
                let (last, connection) = pool.take(context.as_deref())?;
                match work(&connection, &settings) {
                    Ok(value) => {
                        // Work of no date leaves the context it found (lists of départements).
                        pool.give_back(connection, context.clone().or(last));
                        return Ok(value);
                    }
                    // Two requests materialising the same cache at once: DuckDB lets one
                    // commit; the other starts again on a fresh connection and finds it done.
                    Err(WebError::Internal(message)) if message.contains("conflict") && attempts < 3 => {
                        attempts += 1;
                    }
                    // A connection that failed is not reused (it may sit in an aborted transaction).
                    Err(error) => return Err(error),
                }
            }
        })
        .await
        .map_err(|error| WebError::Internal(format!("tâche interrompue : {error}")))?
    }
}

/// The router, built from the route table: one entry, one route, one handler.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in state.routes {
        router = router.route(route.path, (route.handler)());
    }
    let router = router
        .fallback(|| async { WebError::NotFound("page introuvable".to_owned()) })
        .layer(axum::extract::DefaultBodyLimit::max(pages::UPLOAD_LIMIT_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::cached))
        .layer(axum::middleware::from_fn_with_state(state.clone(), gate::hold_open))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate));
    let tls = state.tls;
    auth::security_headers(router.with_state(state), tls)
}

/// Writes the analysts' snapshot beside a store on disk (`…-lecture.duckdb`); a failure is
/// logged, never the import's.
pub(crate) fn write_snapshot(store: &Store) {
    if store.path().as_os_str().is_empty() || store.path() == std::path::Path::new(":memory:") {
        return;
    }
    let target = ingest::store::snapshot::default_path(store.path());
    match ingest::store::snapshot::write(store.connection(), &target) {
        Ok(snapshot) => tracing::info!(
            "copie de lecture {} : {} tables, {} vues",
            snapshot.path.display(),
            snapshot.tables,
            snapshot.views
        ),
        Err(error) => tracing::warn!("copie de lecture {} non écrite : {error}", target.display()),
    }
}

/// A certificate and its private key (PEM files) to serve over HTTPS.
#[derive(Debug, Clone)]
pub struct Tls {
    pub certificate: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// `opssies serve`: serves the store until interrupted, over HTTPS when a certificate is given.
pub fn serve(store_path: &Path, listen: SocketAddr, settings: Settings, tls: Option<Tls>) -> Result<()> {
    let store = Store::open(store_path)?;
    write_snapshot(&store);
    let mut state = AppState::new(store, settings)?;
    state.tls = tls.is_some();
    let gate = Arc::clone(&state.gate);
    let journal = Arc::clone(&state.journal);
    // Stopping: imports still running roll back; requests in flight finish.
    let stopping = move || {
        let gate = Arc::clone(&gate);
        async move {
            stop_signal().await;
            gate.stop();
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("démarrage du serveur")?;
    let served = runtime.block_on(async move {
        tokio::spawn(state.clone().warm_up());
        let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
        match tls {
            None => {
                let listener = tokio::net::TcpListener::bind(listen)
                    .await
                    .with_context(|| format!("écoute sur {listen} impossible (adresse déjà utilisée ?)"))?;
                let address = listener.local_addr()?;
                println!("Observatoire servi sur http://{address}/ (Ctrl+C pour arrêter)");
                axum::serve(listener, app)
                    .with_graceful_shutdown(stopping())
                    .await
                    .context("serveur")
            }
            Some(tls) => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.certificate, &tls.key)
                    .await
                    .with_context(|| {
                        format!(
                            "certificat {} ou clé {} illisible (fichiers PEM attendus)",
                            tls.certificate.display(),
                            tls.key.display()
                        )
                    })?;
                let handle = axum_server::Handle::new();
                let shutdown = handle.clone();
                tokio::spawn(async move {
                    stopping().await;
                    shutdown.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
                });
                let announce = handle.clone();
                tokio::spawn(async move {
                    if let Some(address) = announce.listening().await {
                        println!("Observatoire servi sur https://{address}/ (Ctrl+C pour arrêter)");
                    }
                });
                axum_server::bind_rustls(listen, config)
                    .handle(handle)
                    .serve(app)
                    .await
                    .context("serveur")
            }
        }
    });
    // The consultations answered before the stop are written before the process ends.
    journal.flush();
    served
}

/// Ctrl+C or SIGTERM (a service manager stopping the server): requests in flight finish.
async fn stop_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
    println!("Arrêt demandé : les requêtes en cours se terminent.");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::body::{Body, to_bytes};
    use axum::extract::ConnectInfo;
    use axum::http::{Request, StatusCode, header};
    use axum::routing::get;
    use tower::ServiceExt;

    use super::routes::{Access, Answers, Caching, Journal, Method, Route};
    use super::*;
    use crate::accounts::{self, Role};

    const PASSWORD: &str = "un mot de passe de test assez long";

    /// The application over an empty in-memory store with one account per role named after
    /// it, and the route table given.
    fn app(table: &'static [Route]) -> Router {
        let store = Store::open_in_memory().unwrap();
        for role in [Role::Ars, Role::Sesan, Role::Admin] {
            accounts::add(store.connection(), role.name(), role, None, PASSWORD).unwrap();
        }
        let mut state = AppState::new(store, Settings::default()).unwrap();
        state.routes = table;
        router(state)
    }

    async fn call(app: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
        let mut request = request;
        request
            .extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 4000))));
        let response = app.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = to_bytes(body, 1 << 20).await.unwrap();
        (parts.status, parts.headers, String::from_utf8_lossy(&body).into_owned())
    }

    fn cookie(headers: &axum::http::HeaderMap, name: &str) -> String {
        headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with(name))
            .and_then(|value| value.split(';').next())
            .unwrap()
            .to_owned()
    }

    async fn login(app: &Router, name: &str) -> String {
        let (_, headers, page) = call(app, Request::get("/connexion").body(Body::empty()).unwrap()).await;
        let form_cookie = cookie(&headers, "opssies_connexion=");
        let token = page
            .split("name=\"jeton\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let request = Request::post("/connexion")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, form_cookie)
            .body(Body::from(format!(
                "identifiant={name}&mot_de_passe={}&jeton={token}",
                PASSWORD.replace(' ', "+")
            )))
            .unwrap();
        let (status, headers, _) = call(app, request).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{name}");
        cookie(&headers, "opssies_session=")
    }

    #[tokio::test]
    async fn a_route_added_without_roles_is_refused_to_everyone() {
        let mut table: Vec<Route> = ROUTES.to_vec();
        table.push(Route {
            method: Method::Get,
            path: "/nouvelle",
            title: Some("Nouvelle"),
            access: Access::Roles(&[]),
            caching: Caching::Never,
            journal: Journal::Nothing,
            answers: Answers::Html,
            handler: || get(|| async { "secret" }),
        });
        let app = app(Box::leak(table.into_boxed_slice()));
        let (status, _, body) = call(&app, Request::get("/nouvelle").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(!body.contains("secret"));
        for role in [Role::Ars, Role::Sesan, Role::Admin] {
            let session = login(&app, role.name()).await;
            for path in ["/nouvelle", "/nouvell%65", "/%6Eouvelle"] {
                let request = Request::get(path)
                    .header(header::COOKIE, &session)
                    .body(Body::empty())
                    .unwrap();
                let (status, _, body) = call(&app, request).await;
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "{path} for {role:?}: {status}"
                );
                assert!(!body.contains("secret"), "{path} for {role:?}");
            }
            // Nor is it in anybody's navigation.
            let request = Request::get("/ressources")
                .header(header::COOKIE, &session)
                .body(Body::empty())
                .unwrap();
            let (_, _, page) = call(&app, request).await;
            assert!(!page.contains("Nouvelle"), "{role:?}");
        }
    }
}
