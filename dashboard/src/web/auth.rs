//! Sessions, the login page, role rules and security headers. Every request but the login
//! page, the health check and the stylesheet needs a session; the viewer's scope is computed
//! once here and handed to every query.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use analytics::Scope;
use axum::Form;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::AppState;
use crate::accounts::{self, Role, User};

const COOKIE: &str = "opssies_session";

/// Who is looking, for the length of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    /// The sites an establishment account may see (its EJ's sites, or its ET).
    pub sites: Vec<String>,
}

impl Viewer {
    pub fn scope(&self) -> Scope {
        match self.user.role {
            Role::Etablissement => Scope::establishment(self.sites.clone()),
            _ => Scope::region(),
        }
    }

    /// Part of the page cache's key: viewers with the same rights share pages.
    pub fn cache_key(&self) -> String {
        match self.user.role {
            Role::Etablissement => format!("etablissement:{}", self.user.finess.as_deref().unwrap_or("")),
            role => role.name().to_owned(),
        }
    }

    pub fn sees_amounts(&self) -> bool {
        self.user.role == Role::Ars
    }
}

struct Session {
    viewer: Viewer,
    created: Instant,
    last_seen: Instant,
}

#[derive(Default)]
pub struct Sessions {
    live: Mutex<HashMap<String, Session>>,
    /// Failed logins per account and per address: count and time of the last one.
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Sessions {
    fn find(&self, id: &str, idle: Duration, absolute: Duration) -> Option<Viewer> {
        let mut live = self.live.lock().ok()?;
        let now = Instant::now();
        let expired = live
            .get(id)
            .is_some_and(|session| now - session.last_seen > idle || now - session.created > absolute);
        if expired {
            live.remove(id);
            return None;
        }
        let session = live.get_mut(id)?;
        session.last_seen = now;
        Some(session.viewer.clone())
    }

    fn open(&self, viewer: Viewer) -> String {
        let id = accounts::random_token(32);
        let now = Instant::now();
        if let Ok(mut live) = self.live.lock() {
            live.insert(
                id.clone(),
                Session {
                    viewer,
                    created: now,
                    last_seen: now,
                },
            );
        }
        id
    }

    fn close(&self, id: &str) {
        if let Ok(mut live) = self.live.lock() {
            live.remove(id);
        }
    }

    /// Seconds to wait before answering, growing with recent failures (per account and per address).
    fn delay(&self, keys: &[String]) -> u64 {
        let Ok(failures) = self.failures.lock() else { return 0 };
        let worst = keys
            .iter()
            .filter_map(|key| failures.get(key))
            .filter(|(_, at)| at.elapsed() < Duration::from_secs(15 * 60))
            .map(|(count, _)| *count)
            .max()
            .unwrap_or(0);
        match worst {
            0..=2 => 0,
            n => (1u64 << (n - 2).min(5)).min(30),
        }
    }

    fn failed(&self, keys: &[String]) {
        if let Ok(mut failures) = self.failures.lock() {
            for key in keys {
                let entry = failures.entry(key.clone()).or_insert((0, Instant::now()));
                entry.0 += 1;
                entry.1 = Instant::now();
            }
        }
    }

    fn succeeded(&self, keys: &[String]) {
        if let Ok(mut failures) = self.failures.lock() {
            for key in keys {
                failures.remove(key);
            }
        }
    }
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

fn public(path: &str) -> bool {
    matches!(
        path,
        "/connexion" | "/sante" | "/static/style.css" | "/static/import.js"
    )
}

/// What each role may open (the scope then limits the rows).
pub fn allowed(role: Role, method: &Method, path: &str) -> bool {
    let common = matches!(
        path,
        "/deconnexion" | "/methodologie" | "/ressources" | "/api/openapi.json"
    );
    if common {
        return true;
    }
    match role {
        Role::Ars => !matches!(path, "/journal" | "/export/journal"),
        Role::Sesan => !matches!(
            path,
            "/import" | "/qualite" | "/export/rejets" | "/api/qualite" | "/journal" | "/export/journal"
        ),
        Role::Etablissement => {
            method == Method::GET
                && (path.starts_with("/etablissements/")
                    || path.starts_with("/api/etablissements/")
                    || path == "/export/etablissements"
                    || path == "/")
        }
        Role::Admin => matches!(
            path,
            "/" | "/qualite" | "/import" | "/export/rejets" | "/api/qualite" | "/journal" | "/export/journal"
        ),
    }
}

pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if public(&path) {
        return next.run(request).await;
    }
    let idle = Duration::from_secs(state.settings.sessions.idle_minutes.max(1) as u64 * 60);
    let absolute = Duration::from_secs(state.settings.sessions.absolute_hours.max(1) as u64 * 3600);
    let viewer = session_id(request.headers()).and_then(|id| state.sessions.find(&id, idle, absolute));
    let Some(viewer) = viewer else {
        if path.starts_with("/api/") || path.starts_with("/export/") || request.method() != Method::GET {
            return (StatusCode::UNAUTHORIZED, "connexion requise").into_response();
        }
        return Redirect::to("/connexion").into_response();
    };
    if !allowed(viewer.user.role, request.method(), &path) {
        return super::WebError::Forbidden("cette page n'est pas ouverte à votre rôle".to_owned()).into_response();
    }
    // State-changing requests carry the session's token and come from this site.
    if request.method() != Method::GET {
        let origin_ok = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .is_none_or(|origin| {
                let host = request
                    .headers()
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("");
                origin.ends_with(&format!("//{host}"))
            });
        let token_ok = request
            .headers()
            .get("x-csrf-token")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|token| token == viewer.csrf)
            || request
                .uri()
                .query()
                .is_some_and(|query| query.contains(&format!("csrf={}", viewer.csrf)));
        if !origin_ok || !token_ok {
            return super::WebError::Forbidden(
                "demande refusée : jeton de sécurité absent ou invalide (rechargez la page)".to_owned(),
            )
            .into_response();
        }
    }
    if viewer.user.role == Role::Etablissement && path == "/" {
        let target = viewer.sites.first().cloned().unwrap_or_default();
        return Redirect::to(&format!("/etablissements/{target}")).into_response();
    }
    if viewer.user.role == Role::Admin && path == "/" {
        return Redirect::to("/qualite").into_response();
    }
    request.extensions_mut().insert(viewer);
    next.run(request).await
}

/// Headers on every response.
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'",
    );
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "no-referrer");
    set("x-frame-options", "DENY");
    set("cache-control", "no-store");
    if state.tls {
        set("strict-transport-security", "max-age=31536000");
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    identifiant: String,
    mot_de_passe: String,
}

fn login_page(message: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="fr" {
            head { meta charset="utf-8"; meta name="viewport" content="width=device-width, initial-scale=1"; title { "Connexion — Observatoire" } link rel="stylesheet" href="/static/style.css"; }
            body {
                main class="page login" {
                    h1 { "Connexion" }
                    p { "Observatoire de la cybersécurité des établissements de santé. Données confidentielles." }
                    @if let Some(message) = message { p class="alert" role="alert" { (message) } }
                    form method="post" action="/connexion" {
                        label { "Identifiant " input type="text" name="identifiant" autocomplete="username" required; }
                        label { "Mot de passe " input type="password" name="mot_de_passe" autocomplete="current-password" required; }
                        button type="submit" { "Se connecter" }
                    }
                }
            }
        }
    }
}

pub async fn login_form() -> Markup {
    login_page(None)
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let name = form.identifiant.trim().to_lowercase();
    let keys = vec![format!("compte:{name}"), format!("adresse:{}", address.ip())];
    let delay = state.sessions.delay(&keys);
    if delay > 0 {
        tokio::time::sleep(Duration::from_secs(delay)).await;
    }
    let password = form.mot_de_passe;
    let address_text = address.ip().to_string();
    let checked_name = name.clone();
    let result = state
        .with_connection(move |connection, _| {
            let user = accounts::verify(connection, &checked_name, &password).map_err(|error| super::WebError::Internal(error.to_string()))?;
            let sites: Vec<String> = match &user {
                Some(User { role: Role::Etablissement, finess: Some(finess), .. }) => connection
                    .prepare("SELECT finess_et FROM finess_referential WHERE finess_et = ? OR finess_ej = ? ORDER BY finess_et")?
                    .query_map([finess, finess], |row| row.get(0))?
                    .collect::<duckdb::Result<Vec<String>>>()?,
                _ => Vec::new(),
            };
            let action = if user.is_some() { "connexion" } else { "connexion refusée" };
            accounts::audit(connection, Some(&checked_name), Some(&address_text), action, None, None);
            Ok((user, sites))
        })
        .await;
    match result {
        Ok((Some(user), sites)) => {
            state.sessions.succeeded(&keys);
            // A new id at every login: an id planted before login is worthless after it.
            if let Some(old) = session_id(&headers) {
                state.sessions.close(&old);
            }
            let id = state.sessions.open(Viewer {
                user,
                csrf: accounts::random_token(16),
                sites,
            });
            let secure = if state.tls { "; Secure" } else { "" };
            let cookie = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}");
            let mut response = Redirect::to("/").into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Ok((None, _)) => {
            state.sessions.failed(&keys);
            // The same answer for an unknown account and a wrong password.
            (
                StatusCode::UNAUTHORIZED,
                login_page(Some("Identifiant ou mot de passe incorrect.")),
            )
                .into_response()
        }
        Err(error) => error.into_response(),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(id) = session_id(&headers) {
        state.sessions.close(&id);
    }
    let mut response = Redirect::to("/connexion").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("opssies_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}
