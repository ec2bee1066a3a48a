//! The web application: server-rendered French pages, SVG charts, exports and a JSON API,
//! every query run off the async runtime on a connection of the store.

mod api;
pub mod auth;
mod cache;
mod charts;
mod error;
mod exports;
mod gate;
mod pages;
mod params;
mod pool;
mod shelf;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use analytics::Settings;
use anyhow::{Context, Result};
use axum::Router;
use axum::routing::{get, post};
use ingest::Store;

pub use error::WebError;
use pool::Pool;

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
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> Result<Self> {
        let pool = Pool::new(store.connection()).context("connexions à la base")?;
        let last_import_id: i64 = store
            .connection()
            .query_row("SELECT coalesce(max(import_id), 0) FROM imports", [], |row| row.get(0))
            .context("lecture des imports")?;
        let cache = Arc::new(cache::PageCache::default());
        let pool = Arc::new(pool);
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
        })
    }

    /// Runs blocking store work on the blocking thread pool with a connection of the pool.
    async fn with_connection<T, F>(&self, work: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: Fn(&duckdb::Connection, &Settings) -> Result<T, WebError> + Send + 'static,
    {
        let pool = Arc::clone(&self.pool);
        let settings = Arc::clone(&self.settings);
        tokio::task::spawn_blocking(move || {
            let mut attempts = 0;
            loop {
                let connection = pool.take()?;
                match work(&connection, &settings) {
                    Ok(value) => {
                        pool.give_back(connection);
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

/// One row per route: the router is built from this table, so a test can visit them all.
pub struct RouteInfo {
    pub path: &'static str,
    pub method: &'static str,
    /// What a user reads in the navigation (pages only).
    pub title: Option<&'static str>,
}

pub const ROUTES: &[RouteInfo] = &[
    RouteInfo {
        path: "/connexion",
        method: "GET",
        title: None,
    },
    RouteInfo {
        path: "/connexion",
        method: "POST",
        title: None,
    },
    RouteInfo {
        path: "/deconnexion",
        method: "POST",
        title: None,
    },
    RouteInfo {
        path: "/",
        method: "GET",
        title: Some("Vue régionale"),
    },
    RouteInfo {
        path: "/etablissements",
        method: "GET",
        title: Some("Établissements"),
    },
    RouteInfo {
        path: "/etablissements/{finess}",
        method: "GET",
        title: None,
    },
    RouteInfo {
        path: "/ciblage",
        method: "GET",
        title: Some("Ciblage SESAN"),
    },
    RouteInfo {
        path: "/exercices",
        method: "GET",
        title: Some("Exercices"),
    },
    RouteInfo {
        path: "/audits",
        method: "GET",
        title: Some("Audits"),
    },
    RouteInfo {
        path: "/aap",
        method: "GET",
        title: Some("AAP"),
    },
    RouteInfo {
        path: "/qualite",
        method: "GET",
        title: Some("Qualité des données"),
    },
    RouteInfo {
        path: "/import",
        method: "GET",
        title: Some("Import"),
    },
    RouteInfo {
        path: "/journal",
        method: "GET",
        title: Some("Journal d'audit"),
    },
    RouteInfo {
        path: "/import",
        method: "POST",
        title: None,
    },
    RouteInfo {
        path: "/methodologie",
        method: "GET",
        title: Some("Méthodologie"),
    },
    RouteInfo {
        path: "/ressources",
        method: "GET",
        title: Some("Ressources et contacts"),
    },
    RouteInfo {
        path: "/export/{page}",
        method: "GET",
        title: None,
    },
    RouteInfo {
        path: "/api/{page}",
        method: "GET",
        title: None,
    },
    RouteInfo {
        path: "/api/etablissements/{finess}",
        method: "GET",
        title: None,
    },
    RouteInfo {
        path: "/api/openapi.json",
        method: "GET",
        title: None,
    },
    RouteInfo {
        path: "/static/style.css",
        method: "GET",
        title: None,
    },
    RouteInfo {
        path: "/static/import.js",
        method: "GET",
        title: None,
    },
    RouteInfo {
        path: "/sante",
        method: "GET",
        title: None,
    },
];

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in ROUTES {
        let handler = match (route.method, route.path) {
            ("GET", "/connexion") => get(auth::login_form),
            ("POST", "/connexion") => post(auth::login),
            ("POST", "/deconnexion") => post(auth::logout),
            ("GET", "/") => get(pages::regional),
            ("GET", "/etablissements") => get(pages::establishments),
            ("GET", "/etablissements/{finess}") => get(pages::fiche),
            ("GET", "/ciblage") => get(pages::targeting),
            ("GET", "/exercices") => get(pages::exercises),
            ("GET", "/audits") => get(pages::audits),
            ("GET", "/aap") => get(pages::aap),
            ("GET", "/qualite") => get(pages::data_quality),
            ("GET", "/import") => get(pages::import_form),
            ("GET", "/journal") => get(pages::audit_log),
            ("POST", "/import") => post(pages::import_upload),
            ("GET", "/methodologie") => get(pages::methodology),
            ("GET", "/ressources") => get(pages::resources),
            ("GET", "/export/{page}") => get(exports::export),
            ("GET", "/api/{page}") => get(api::page),
            ("GET", "/api/etablissements/{finess}") => get(api::fiche),
            ("GET", "/api/openapi.json") => get(api::openapi),
            ("GET", "/static/style.css") => get(pages::stylesheet),
            ("GET", "/static/import.js") => get(pages::import_script),
            ("GET", "/sante") => get(|| async { "ok" }),
            _ => continue,
        };
        router = router.route(route.path, handler);
    }
    router
        .fallback(|| async { WebError::NotFound("page introuvable".to_owned()) })
        .layer(axum::extract::DefaultBodyLimit::max(pages::UPLOAD_LIMIT_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::cached))
        .layer(axum::middleware::from_fn_with_state(state.clone(), gate::hold_open))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::security_headers,
        ))
        .with_state(state)
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
    let mut state = AppState::new(store, settings)?;
    state.tls = tls.is_some();
    let gate = Arc::clone(&state.gate);
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
    runtime.block_on(async move {
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
    })
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
