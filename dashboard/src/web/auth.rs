//! Sessions, the login page and its rate limit, and the one authorisation middleware: it
//! finds the matched route's entry in the route table (after the router decoded and matched
//! the path) and applies what the entry says: who may open it, CSRF for state changes, JSON
//! errors for the API, the journal, and the session's own parts of a shared page.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Form;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

use super::routes::{self, Answers, Route};
use super::sight::Sight;
use super::{AppState, WebError};
use crate::accounts::{self, Role, User};

const COOKIE: &str = "opssies_session";
/// The login form's own token (login CSRF), bound to the browser by this cookie.
const LOGIN_COOKIE: &str = "opssies_connexion";

/// Where a shared page holds the session's CSRF token and the user's name: the cache keeps
/// the marks, every answer gets its own viewer's values. Page text cannot forge a mark: every
/// value is escaped, and a mark starts with `<`.
pub const TOKEN_MARK: &str = "<!--opssies:jeton-->";
pub const NAME_MARK: &str = "<!--opssies:compte-->";

/// Who is looking, for the length of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    /// What this viewer may see, computed once at login from the role and, for an
    /// establishment account, the sites of its EJ (or its ET).
    pub sight: Sight,
}

impl Viewer {
    pub fn new(user: User, sites: Vec<String>) -> Viewer {
        let sight = Sight::of(user.role, &sites);
        Viewer {
            user,
            csrf: accounts::random_token(16),
            sight,
        }
    }

    pub fn scope(&self) -> analytics::Scope {
        self.sight.scope.clone()
    }
}

struct Session {
    viewer: Viewer,
    /// A session opened through a provider: what its logout there needs.
    sso: Option<super::sso::SsoLogin>,
    created: Instant,
    last_seen: Instant,
}

#[derive(Default)]
pub struct Sessions {
    live: Mutex<HashMap<String, Session>>,
    /// Login attempts per account and per address still inside the window.
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
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

    fn open(&self, viewer: Viewer, sso: Option<super::sso::SsoLogin>) -> String {
        let id = accounts::random_token(32);
        let now = Instant::now();
        if let Ok(mut live) = self.live.lock() {
            live.insert(
                id.clone(),
                Session {
                    viewer,
                    sso,
                    created: now,
                    last_seen: now,
                },
            );
        }
        id
    }

    /// Ends a session; what it was (its viewer and its provider login) for the journal and
    /// the provider's logout.
    fn close(&self, id: &str) -> Option<(Viewer, Option<super::sso::SsoLogin>)> {
        self.live
            .lock()
            .ok()?
            .remove(id)
            .map(|session| (session.viewer, session.sso))
    }

    /// Takes a place for a login attempt, or says how long to wait. The place is taken
    /// before the password is checked, so parallel guesses count like sequential ones.
    fn admit(&self, keys: &[(String, u32)], window: Duration) -> Result<Instant, Duration> {
        let now = Instant::now();
        let Ok(mut attempts) = self.attempts.lock() else {
            return Err(window);
        };
        let mut wait = Duration::ZERO;
        for (key, limit) in keys {
            let times = attempts.entry(key.clone()).or_default();
            while times.front().is_some_and(|at| now.duration_since(*at) >= window) {
                times.pop_front();
            }
            if times.len() >= *limit as usize
                && let Some(oldest) = times.front()
            {
                wait = wait.max(window.saturating_sub(now.duration_since(*oldest)));
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        for (key, _) in keys {
            attempts.entry(key.clone()).or_default().push_back(now);
        }
        // Addresses and names that left the window are forgotten.
        attempts.retain(|_, times| !times.is_empty());
        Ok(now)
    }

    /// Takes a place for a single sign-on start from an address (each keeps a login in
    /// progress: one address must not fill the table and push other people's out).
    pub(super) fn admit_sso_start(
        &self,
        address: std::net::IpAddr,
        limit: u32,
        window: Duration,
    ) -> Result<(), Duration> {
        self.admit(&[(format!("sso:{address}"), limit.max(1))], window)
            .map(|_| ())
    }

    /// A successful login was not a guess: its own place is given back (nothing else is).
    fn succeeded(&self, keys: &[(String, u32)], at: Instant) {
        if let Ok(mut attempts) = self.attempts.lock() {
            for (key, _) in keys {
                if let Some(times) = attempts.get_mut(key)
                    && let Some(position) = times.iter().rposition(|time| *time == at)
                {
                    times.remove(position);
                }
            }
        }
    }
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|cookie| cookie.value().to_owned())
}

/// A `Set-Cookie` value for the browser's session: `HttpOnly`, `SameSite=Strict`, `Secure`
/// under TLS; `remove` makes it one that deletes the cookie.
fn cookie_header(
    name: &'static str,
    value: String,
    path: &'static str,
    remove: bool,
    tls: bool,
) -> Option<HeaderValue> {
    let mut cookie = Cookie::build((name, value))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(tls);
    if remove {
        cookie = cookie.removal();
    }
    HeaderValue::from_str(&cookie.build().to_string()).ok()
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE)
}

/// A refusal in the form the route answers in: JSON for the API, a French page otherwise.
fn refuse(answers: Answers, error: WebError) -> Response {
    as_json_if_api(answers, error.into_response())
}

/// API routes answer errors in JSON (`{"erreur": …, "statut": …}`), pages in HTML.
fn as_json_if_api(answers: Answers, response: Response) -> Response {
    if answers != Answers::Json || response.status().is_success() || response.status().is_redirection() {
        return response;
    }
    let status = response.status();
    let message = response.extensions().get::<super::error::Message>().map_or_else(
        || status.canonical_reason().unwrap_or("erreur").to_owned(),
        |m| m.0.clone(),
    );
    (
        status,
        axum::Json(serde_json::json!({ "erreur": message, "statut": status.as_u16() })),
    )
        .into_response()
}

/// The route's entry, or a guess of how to answer when no route matched.
fn matched(table: &'static [Route], request: &Request) -> (Option<&'static Route>, Answers) {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|pattern| routes::find(table, request.method(), pattern.as_str()));
    let answers = route.map_or_else(
        || {
            if request.uri().path().starts_with("/api/") {
                Answers::Json
            } else {
                Answers::Html
            }
        },
        |route| route.answers,
    );
    (route, answers)
}

/// The client's address, for the journal and the login limit.
pub fn address_of(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip().to_string())
}

/// A state-changing request comes from this site and carries the session's token.
fn same_origin(headers: &HeaderMap) -> bool {
    headers
        .get(header::ORIGIN)
        .and_then(|origin| origin.to_str().ok())
        .is_none_or(|origin| {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
            !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
        })
}

fn carries_token(request: &Request, csrf: &str) -> bool {
    let header = request
        .headers()
        .get("x-csrf-token")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|token| token == csrf);
    let query = request.uri().query().is_some_and(|query| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .is_ok_and(|pairs| pairs.iter().any(|(name, value)| name == "csrf" && value == csrf))
    });
    header || query
}

pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (route, answers) = matched(state.routes, &request);
    if route.is_some_and(Route::is_public) {
        return next.run(request).await;
    }
    let idle = Duration::from_secs(state.settings.sessions.idle_minutes.max(1) as u64 * 60);
    let absolute = Duration::from_secs(state.settings.sessions.absolute_hours.max(1) as u64 * 3600);
    let viewer = session_id(request.headers()).and_then(|id| state.sessions.find(&id, idle, absolute));
    let Some(viewer) = viewer else {
        if answers == Answers::Html && request.method() == Method::GET {
            return Redirect::to("/connexion").into_response();
        }
        return refuse(answers, WebError::Unauthorized("connexion requise".to_owned()));
    };
    // No entry: no route, or a method the table does not list for it.
    let Some(route) = route else {
        return refuse(answers, WebError::NotFound("page introuvable".to_owned()));
    };
    if !route.opens_to(Some(viewer.user.role)) {
        return refuse(
            answers,
            WebError::Forbidden("cette page n'est pas ouverte à votre rôle".to_owned()),
        );
    }
    if route.method != routes::Method::Get && !(same_origin(request.headers()) && carries_token(&request, &viewer.csrf))
    {
        return refuse(
            answers,
            WebError::Forbidden(
                "demande refusée : jeton de sécurité absent ou invalide (rechargez la page)".to_owned(),
            ),
        );
    }
    let address = address_of(&request);
    let uri = request.uri().clone();
    // The FINESS of a fiche, as the router decoded it.
    let (mut parts, body) = request.into_parts();
    let finess = RawPathParams::from_request_parts(&mut parts, &state)
        .await
        .ok()
        .and_then(|params| {
            params
                .iter()
                .find(|(name, _)| *name == "finess")
                .map(|(_, value)| value.to_owned())
        });
    let mut request = Request::from_parts(parts, body);
    request.extensions_mut().insert(viewer.clone());
    // The entry, for the cache (looked up once, here).
    request.extensions_mut().insert(route);
    let response = next.run(request).await;
    if response.status() == StatusCode::OK {
        let rows = super::journal::rows_of(&response);
        super::journal::record(&state, route, &viewer, address, finess, &uri, rows);
    }
    let response = as_json_if_api(answers, response);
    fill_session(response, &viewer).await
}

/// Puts the viewer's token and name where a (possibly shared) page holds their marks.
async fn fill_session(response: Response, viewer: &Viewer) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024 * 1024).await else {
        return WebError::Internal("page trop volumineuse".to_owned()).into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    if !text.contains(TOKEN_MARK) && !text.contains(NAME_MARK) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let name = html! { (viewer.user.name) " (" (viewer.user.role.name()) ")" }.into_string();
    let filled = text.replace(TOKEN_MARK, &viewer.csrf).replace(NAME_MARK, &name);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(filled))
}

/// The account part of the layout: marks only, filled per session after the cache.
pub fn account_form() -> Markup {
    html! {
        form class="account" method="post" action=(PreEscaped(format!("/deconnexion?csrf={TOKEN_MARK}"))) {
            span { (PreEscaped(NAME_MARK)) } " "
            button type="submit" { "Se déconnecter" }
        }
    }
}

/// The headers on every response, refusals and errors included (tower-http layers, outermost).
pub fn security_headers(router: axum::Router, tls: bool) -> axum::Router {
    use tower_http::set_header::SetResponseHeaderLayer;
    let headers: [(&'static str, &'static str); 5] = [
        (
            "content-security-policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'",
        ),
        ("x-content-type-options", "nosniff"),
        // Not `no-referrer`: with it a browser sends `Origin: null` on this site's own form
        // posts, and the origin check refuses them. `same-origin` sends nothing elsewhere.
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
    ];
    let mut router = router;
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    if tls {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    identifiant: String,
    mot_de_passe: String,
    #[serde(default)]
    jeton: String,
}

/// A page outside the session's layout (login, refusals of a login): its title and content.
pub fn bare_page(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="fr" {
            head { meta charset="utf-8"; meta name="viewport" content="width=device-width, initial-scale=1"; title { (title) " — Observatoire" } link rel="stylesheet" href="/static/style.css"; }
            body { main class="page login" { h1 { (title) } (content) } }
        }
    }
}

fn login_page(message: Option<&str>, token: &str, providers: &[(String, String)], local: bool) -> Markup {
    bare_page(
        "Connexion",
        html! {
                        p { "Observatoire de la cybersécurité des établissements de santé. Données confidentielles." }
                        @if let Some(message) = message { p class="alert" role="alert" { (message) } }
                        @if !providers.is_empty() {
                            ul class="sso" { @for (name, label) in providers {
                                li { a class="button" href={ "/connexion/sso/" (name) } { (label) } }
                            } }
                        }
                        @if local {
                            form method="post" action="/connexion" {
                                input type="hidden" name="jeton" value=(token);
                                label { "Identifiant " input type="text" name="identifiant" autocomplete="username" required; }
                                label { "Mot de passe " input type="password" name="mot_de_passe" autocomplete="current-password" required; }
                                button type="submit" { "Se connecter" }
                            }
                        }
        },
    )
}

/// The login page with a fresh form token, also set as a cookie of this browser: a form
/// posted from another site carries neither.
fn login_answer(state: &AppState, headers: &HeaderMap, status: StatusCode, message: Option<&str>) -> Response {
    // The browser's token is kept while it has one: another load of this page (a second tab,
    // a favicon sent here) must not replace the token of the form already on screen.
    let token = cookie_value(headers, LOGIN_COOKIE)
        .filter(|token| token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| accounts::random_token(16));
    let page = login_page(
        message,
        &token,
        &state.sso.buttons(),
        state.settings.sessions.local_login,
    );
    let mut response = (status, page).into_response();
    if let Some(value) = cookie_header(LOGIN_COOKIE, token, "/connexion", false, state.tls) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

pub async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    login_answer(&state, &headers, StatusCode::OK, None)
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !state.settings.sessions.local_login {
        return login_answer(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            Some("La connexion par mot de passe est fermée : utilisez le fournisseur d'identité ci-dessus."),
        );
    }
    let cookie = cookie_value(&headers, LOGIN_COOKIE);
    let form_token_ok =
        !form.jeton.is_empty() && cookie.as_deref() == Some(form.jeton.as_str()) && same_origin(&headers);
    if !form_token_ok {
        tracing::warn!(
            cookie = cookie.is_some(),
            token = !form.jeton.is_empty(),
            origin = ?headers.get(header::ORIGIN),
            "formulaire de connexion refusé"
        );
        return login_answer(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            Some("Le formulaire a expiré ou ne vient pas de ce site : reconnectez-vous depuis cette page."),
        );
    }
    let name = form.identifiant.trim().to_lowercase();
    let limits = &state.settings.sessions;
    let keys = vec![
        (format!("compte:{name}"), limits.login_attempts_per_account.max(1)),
        (
            format!("adresse:{}", address.ip()),
            limits.login_attempts_per_address.max(1),
        ),
    ];
    let window = Duration::from_secs(u64::from(limits.login_window_minutes.max(1)) * 60);
    let address_text = address.ip().to_string();
    let attempt = match state.sessions.admit(&keys, window) {
        Ok(at) => at,
        Err(wait) => {
            let minutes = wait.as_secs().div_ceil(60).max(1);
            let checked_name = name.clone();
            let refused_address = address_text.clone();
            let _ = state
                .with_connection(move |connection, _| {
                    accounts::audit(
                        connection,
                        &accounts::AuditEntry {
                            user: Some(&checked_name),
                            address: Some(&refused_address),
                            action: "connexion limitée",
                            ..Default::default()
                        },
                    );
                    Ok(())
                })
                .await;
            let mut response = login_answer(
                &state,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                Some(&format!(
                    "Trop de tentatives de connexion : réessayez dans {minutes} minute(s). Mot de passe oublié : demandez à l'administrateur de l'observatoire."
                )),
            );
            if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
    };
    let password = form.mot_de_passe;
    let checked_name = name.clone();
    let result = state
        .with_connection(move |connection, _| {
            let user = accounts::verify(connection, &checked_name, &password)
                .map_err(|error| WebError::Internal(error.to_string()))?;
            let sites: Vec<String> = match &user {
                Some(User {
                    role: Role::Etablissement,
                    finess: Some(finess),
                    ..
                }) => ingest::store::records::sites_of(connection, finess)?,
                _ => Vec::new(),
            };
            accounts::audit(
                connection,
                &accounts::AuditEntry {
                    user: Some(&checked_name),
                    role: user.as_ref().map(|user| user.role),
                    address: Some(&address_text),
                    action: if user.is_some() {
                        "connexion"
                    } else {
                        "connexion refusée"
                    },
                    ..Default::default()
                },
            );
            Ok((user, sites))
        })
        .await;
    match result {
        Ok((Some(user), sites)) => {
            state.sessions.succeeded(&keys, attempt);
            // A new id at every login: an id planted before login is worthless after it.
            if let Some(old) = session_id(&headers) {
                state.sessions.close(&old);
            }
            let id = state.sessions.open(Viewer::new(user, sites), None);
            let mut response = Redirect::to("/").into_response();
            if let Some(value) = cookie_header(COOKIE, id, "/", false, state.tls) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        // The same answer for an unknown account and a wrong password.
        Ok((None, _)) => login_answer(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some("Identifiant ou mot de passe incorrect."),
        ),
        Err(error) => error.into_response(),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let closed = session_id(&headers).and_then(|id| state.sessions.close(&id));
    // A session opened through a provider ends there too.
    let target = match &closed {
        Some((viewer, Some(login))) => {
            journal_sso(
                &state,
                Some(&viewer.user.name),
                Some(viewer.user.role),
                &address.ip().to_string(),
                "déconnexion SSO",
                &login.provider,
            )
            .await;
            let providers = std::sync::Arc::clone(&state.sso);
            let login = login.clone();
            tokio::task::spawn_blocking(move || {
                let back = providers.after_logout(&login)?;
                providers.logout_url(&login, &back)
            })
            .await
            .ok()
            .flatten()
        }
        _ => None,
    };
    let mut response = Redirect::to(target.as_deref().unwrap_or("/connexion")).into_response();
    if let Some(value) = cookie_header(COOKIE, String::new(), "/", true, state.tls) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Writes a single sign-on event to the audit log: who (when known), the provider and subject.
pub async fn journal_sso(
    state: &AppState,
    user: Option<&str>,
    role: Option<Role>,
    address: &str,
    action: &'static str,
    detail: &str,
) {
    let (user, address, detail) = (user.map(str::to_owned), address.to_owned(), detail.to_owned());
    let _ = state
        .with_connection(move |connection, _| {
            accounts::audit(
                connection,
                &accounts::AuditEntry {
                    user: user.as_deref(),
                    role,
                    address: Some(&address),
                    action,
                    detail: Some(&detail),
                    ..Default::default()
                },
            );
            Ok(())
        })
        .await;
}

/// The session of an identity a provider vouched for: its bound account's, opened like a
/// password login's (a new id); refused with a page saying whom to ask when no active
/// account is bound to it.
pub async fn open_sso_session(
    state: &AppState,
    headers: &HeaderMap,
    identity: super::sso::Identity,
    address: &str,
) -> Response {
    let who = format!(
        "{} : sujet {}{}",
        identity.provider,
        identity.subject,
        identity
            .email
            .as_deref()
            .map(|email| format!(", {email}"))
            .unwrap_or_default()
    );
    let (provider, subject, email, structures) = (
        identity.provider.clone(),
        identity.subject.clone(),
        identity.email.clone(),
        identity.structures.clone(),
    );
    let found = state
        .with_connection(move |connection, _| {
            let Some(name) = ingest::store::records::account_of_identity(
                connection,
                &provider,
                &subject,
                email.as_deref(),
                &structures,
            )?
            else {
                return Ok(None);
            };
            let Some((role, finess, _, disabled)) = ingest::store::records::credentials(connection, &name)? else {
                return Ok(None);
            };
            let sites = match (Role::parse(&role), &finess) {
                (Some(Role::Etablissement), Some(finess)) => ingest::store::records::sites_of(connection, finess)?,
                _ => Vec::new(),
            };
            Ok(Some((name, Role::parse(&role), finess, disabled, sites)))
        })
        .await;
    let refused = |message: &str| super::sso::refusal(message, StatusCode::FORBIDDEN);
    match found {
        Ok(Some((name, Some(role), finess, false, sites))) => {
            journal_sso(state, Some(&name), Some(role), address, "connexion SSO", &who).await;
            if let Some(old) = session_id(headers) {
                state.sessions.close(&old);
            }
            let user = User { name, role, finess };
            let id = state.sessions.open(Viewer::new(user, sites), Some(identity.login));
            let mut response = Redirect::to("/").into_response();
            if let Some(value) = cookie_header(COOKIE, id, "/", false, state.tls) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Ok(Some((name, _, _, _, _))) => {
            journal_sso(
                state,
                Some(&name),
                None,
                address,
                "connexion SSO refusée",
                &format!("{who} (compte désactivé)"),
            )
            .await;
            refused(
                "Votre compte de l'observatoire est désactivé : demandez à l'administrateur de l'observatoire de le réactiver.",
            )
        }
        Ok(None) => {
            journal_sso(
                state,
                None,
                None,
                address,
                "connexion SSO refusée",
                &format!("{who} (aucun compte lié)"),
            )
            .await;
            refused(&format!(
                "Votre identité ({who}) n'est liée à aucun compte de l'observatoire : demandez à l'administrateur de l'observatoire de vous en ouvrir un, en lui donnant cette ligne."
            ))
        }
        Err(error) => error.into_response(),
    }
}
