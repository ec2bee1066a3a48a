//! Single sign-on with OpenID Connect, as a relying party of each `[[sso]]` provider of the
//! settings (ProConnect, Pro Santé Connect, …): authorization code flow with PKCE (S256),
//! `state` and `nonce` of 43 random characters, single use and bound to the browser by a
//! short-lived cookie, client authentication in the request body, the ID token checked
//! (issuer, audience, expiry, nonce, pinned algorithms), the keys fetched again once when
//! an unknown `kid` signs it, then the same server-side session as a password login. The
//! identity only names an account (`user_identities`): the role and the establishment are
//! the account's.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use analytics::settings::SsoProvider;
use axum::extract::{ConnectInfo, MatchedPath, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::{Markup, html};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthType, AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError, ClientId,
    ClientSecret, CsrfToken, EndSessionUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SignatureVerificationError, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::accounts;

/// The cookie that binds a login in progress to the browser that started it.
const BINDING_COOKIE: &str = "opssies_sso";
/// How long a login may stay at the provider (its pages, the user's card reader).
const PENDING_FOR: Duration = Duration::from_secs(600);
/// Logins in progress kept at most (each costs a few hundred bytes; older ones go first).
const PENDING_MAX: usize = 10_000;
/// Discovery documents and keys are fetched again after this long (and on an unknown key).
const METADATA_FOR: Duration = Duration::from_secs(3600);

/// What userinfo may say beyond the standard claims: Pro Santé Connect's professional record,
/// whose structures carry FINESS numbers.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct ProfessionalClaims {
    #[serde(rename = "SubjectRefPro", default)]
    subject_ref_pro: Option<serde_json::Value>,
}

impl AdditionalClaims for ProfessionalClaims {}

impl ProfessionalClaims {
    /// The FINESS of every structure of every activity (site and legal entity).
    fn structures(&self) -> Vec<String> {
        let mut found = Vec::new();
        let activities = self
            .subject_ref_pro
            .as_ref()
            .and_then(|record| record.get("exercices"))
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|exercise| exercise.get("activities").and_then(serde_json::Value::as_array))
            .flatten();
        for activity in activities {
            for field in ["numeroFinessSite", "numeroFinessetablissementJuridique"] {
                if let Some(finess) = activity.get(field).and_then(serde_json::Value::as_str)
                    && finess.len() == 9
                    && finess.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    found.push(finess.to_owned());
                }
            }
        }
        found.sort();
        found.dedup();
        found
    }
}

/// A login on its way through a provider.
struct Pending {
    provider: String,
    binding: String,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    started: Instant,
}

/// What the session keeps of an SSO login, for the logout at the provider.
#[derive(Debug, Clone)]
pub struct SsoLogin {
    pub provider: String,
    pub id_token: String,
}

/// The providers of the settings with what was learnt of them.
pub struct Providers {
    providers: Vec<Provider>,
    pending: Mutex<HashMap<String, Pending>>,
    http: Http,
}

struct Provider {
    settings: SsoProvider,
    secret: Option<ClientSecret>,
    metadata: Mutex<Option<(ProviderMetadataWithLogout, Instant)>>,
}

/// Why a login through a provider did not open a session (said in French, journaled).
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("fournisseur d'identité inconnu")]
    UnknownProvider,
    #[error("la connexion a expiré ou a déjà servi : recommencez depuis la page de connexion")]
    UnknownState,
    #[error("la connexion a été commencée dans un autre navigateur : recommencez depuis la page de connexion")]
    WrongBrowser,
    #[error("le fournisseur d'identité a refusé la connexion ({0})")]
    Provider(String),
    #[error("le fournisseur d'identité ne répond pas comme attendu ({0})")]
    Protocol(String),
    #[error("le jeton d'identité n'est pas valide ({0})")]
    IdToken(String),
    #[error("le secret du client « {0} » est illisible ({1})")]
    Secret(String, String),
}

/// The HTTP client of the flow: no redirect followed (a provider's answer is what it says,
/// never another server's), TLS by rustls.
struct Http(ureq::Agent);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

impl openidconnect::SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: openidconnect::HttpRequest) -> Result<openidconnect::HttpResponse, Self::Error> {
        let response = self.0.run(request).map_err(|error| HttpError(error.to_string()))?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(4 * 1024 * 1024)
            .read_to_vec()
            .map_err(|error| HttpError(error.to_string()))?;
        Ok(openidconnect::HttpResponse::from_parts(parts, bytes))
    }
}

impl Providers {
    /// The providers of the settings; their client secrets are read now, so a missing one
    /// stops the server at start rather than at the first login.
    pub fn new(settings: &[SsoProvider]) -> Result<Providers, SsoError> {
        let providers = settings
            .iter()
            .map(|provider| {
                let secret = read_secret(provider)?;
                Ok(Provider {
                    settings: provider.clone(),
                    secret,
                    metadata: Mutex::new(None),
                })
            })
            .collect::<Result<Vec<_>, SsoError>>()?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(15)))
            .build()
            .new_agent();
        Ok(Providers {
            providers,
            pending: Mutex::new(HashMap::new()),
            http: Http(agent),
        })
    }

    /// (name, label) of each provider, for the login page.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.providers
            .iter()
            .map(|p| (p.settings.name.clone(), p.settings.label.clone()))
            .collect()
    }

    /// The callback paths the router answers (the paths of the registered redirect URLs).
    pub fn callback_paths(settings: &[SsoProvider]) -> Vec<String> {
        let mut paths: Vec<String> = settings
            .iter()
            .filter_map(|provider| {
                openidconnect::url::Url::parse(&provider.redirect_url)
                    .ok()
                    .map(|url| url.path().to_owned())
            })
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    fn provider(&self, name: &str) -> Result<&Provider, SsoError> {
        self.providers
            .iter()
            .find(|p| p.settings.name == name)
            .ok_or(SsoError::UnknownProvider)
    }

    /// The provider's discovery document and keys, from the cache or fetched (`fresh`: fetched
    /// again whatever the cache holds, after an unknown key).
    fn metadata(&self, provider: &Provider, fresh: bool) -> Result<ProviderMetadataWithLogout, SsoError> {
        if !fresh
            && let Ok(cached) = provider.metadata.lock()
            && let Some((metadata, at)) = cached.as_ref()
            && at.elapsed() < METADATA_FOR
        {
            return Ok(metadata.clone());
        }
        let request = openidconnect::http::Request::get(&provider.settings.discovery_url)
            .header(header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|error| SsoError::Protocol(error.to_string()))?;
        let response = openidconnect::SyncHttpClient::call(&self.http, request)
            .map_err(|error| SsoError::Protocol(format!("document de découverte : {error}")))?;
        if !response.status().is_success() {
            return Err(SsoError::Protocol(format!(
                "document de découverte : statut {}",
                response.status()
            )));
        }
        let metadata: ProviderMetadataWithLogout = serde_json::from_slice(response.body())
            .map_err(|error| SsoError::Protocol(format!("document de découverte illisible : {error}")))?;
        let keys = CoreJsonWebKeySet::fetch(metadata.jwks_uri(), &self.http)
            .map_err(|error| SsoError::Protocol(format!("clés du fournisseur : {error}")))?;
        let metadata = metadata.set_jwks(keys);
        if let Ok(mut cached) = provider.metadata.lock() {
            *cached = Some((metadata.clone(), Instant::now()));
        }
        Ok(metadata)
    }

    /// Where to send the browser to log in at `name`, and the binding cookie's value.
    pub fn start(&self, name: &str) -> Result<(String, String), SsoError> {
        let provider = self.provider(name)?;
        let metadata = self.metadata(provider, false)?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.settings.client_id.clone()),
            provider.secret.clone(),
        )
        .set_redirect_uri(redirect_url(&provider.settings)?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                || CsrfToken::new_random_len(32),
                || Nonce::new_random_len(32),
            )
            .set_pkce_challenge(challenge);
        for scope in provider.settings.scopes.iter().filter(|scope| *scope != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        if let Some(acr) = &provider.settings.acr_values {
            for value in acr.split_whitespace() {
                request = request.add_auth_context_value(AuthenticationContextClass::new(value.to_owned()));
            }
        }
        let (url, state, nonce) = request.url();
        let binding = accounts::random_token(32);
        let mut pending = self.pending.lock().map_err(|_| SsoError::UnknownState)?;
        pending.retain(|_, login| login.started.elapsed() < PENDING_FOR);
        if pending.len() >= PENDING_MAX
            && let Some(oldest) = pending
                .iter()
                .min_by_key(|(_, login)| login.started)
                .map(|(key, _)| key.clone())
        {
            pending.remove(&oldest);
        }
        pending.insert(
            state.secret().clone(),
            Pending {
                provider: name.to_owned(),
                binding: binding.clone(),
                nonce,
                verifier,
                started: Instant::now(),
            },
        );
        Ok((url.to_string(), binding))
    }

    /// The provider's answer at a callback path: the identity it vouches for.
    pub fn finish(&self, path: &str, answer: &CallbackQuery, binding: Option<&str>) -> Result<Identity, SsoError> {
        // Single use: the login in progress is taken out whatever happens next.
        let state = answer.state.as_deref().unwrap_or_default();
        let pending = self
            .pending
            .lock()
            .map_err(|_| SsoError::UnknownState)?
            .remove(state)
            .filter(|login| login.started.elapsed() < PENDING_FOR)
            .ok_or(SsoError::UnknownState)?;
        if binding != Some(pending.binding.as_str()) {
            return Err(SsoError::WrongBrowser);
        }
        let provider = self.provider(&pending.provider)?;
        if redirect_url(&provider.settings)?.url().path() != path {
            return Err(SsoError::UnknownState);
        }
        if let Some(error) = &answer.error {
            return Err(SsoError::Provider(
                answer
                    .error_description
                    .clone()
                    .map_or_else(|| error.clone(), |text| format!("{error} : {text}")),
            ));
        }
        let code = answer
            .code
            .clone()
            .ok_or_else(|| SsoError::Protocol("pas de code d'autorisation".to_owned()))?;
        let metadata = self.metadata(provider, false)?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.settings.client_id.clone()),
            provider.secret.clone(),
        )
        .set_redirect_uri(redirect_url(&provider.settings)?)
        // ProConnect refuses HTTP Basic; the body is what every provider accepts.
        .set_auth_type(AuthType::RequestBody);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|error| SsoError::Protocol(error.to_string()))?
            .set_pkce_verifier(pending.verifier)
            .request(&self.http)
            .map_err(|error| SsoError::Provider(format!("échange du code : {error}")))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| SsoError::Protocol("pas de jeton d'identité".to_owned()))?;
        let algorithms = pinned_algorithms(&provider.settings)?;
        let verified = {
            let verifier = client.id_token_verifier().set_allowed_algs(algorithms.clone());
            id_token.claims(&verifier, &pending.nonce).cloned()
        };
        let claims = match verified {
            Ok(claims) => claims,
            // The provider rotated its keys: fetch them once more, then check again.
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                let metadata = self.metadata(provider, true)?;
                let client = CoreClient::from_provider_metadata(
                    metadata,
                    ClientId::new(provider.settings.client_id.clone()),
                    provider.secret.clone(),
                );
                let verifier = client.id_token_verifier().set_allowed_algs(algorithms);
                id_token
                    .claims(&verifier, &pending.nonce)
                    .cloned()
                    .map_err(|error| SsoError::IdToken(described(&error)))?
            }
            Err(error) => return Err(SsoError::IdToken(described(&error))),
        };
        let subject = claims.subject().clone();
        let mut email = claims
            .email()
            .filter(|_| claims.email_verified() == Some(true))
            .map(|email| email.as_str().to_lowercase());
        // Userinfo (JSON or a signed JWT), for the same subject only: a verified e-mail the
        // ID token did not hold, and a professional's structures.
        let mut structures = Vec::new();
        if client.user_info_url().is_some() {
            let info: Result<UserInfoClaims<ProfessionalClaims, CoreGenderClaim>, _> = client
                .user_info(tokens.access_token().clone(), Some(subject.clone()))
                .map_err(|error| SsoError::Protocol(error.to_string()))?
                .request(&self.http);
            if let Ok(info) = info {
                if email.is_none() {
                    email = info
                        .email()
                        .filter(|_| info.email_verified() == Some(true))
                        .map(|email| email.as_str().to_lowercase());
                }
                structures = info.additional_claims().structures();
            }
        }
        Ok(Identity {
            provider: pending.provider,
            subject: subject.to_string(),
            email,
            structures,
            login: SsoLogin {
                provider: provider.settings.name.clone(),
                id_token: id_token.to_string(),
            },
        })
    }

    /// Where to send the browser after the local session ended: the provider's end-session
    /// endpoint with `id_token_hint`, `state` and the return address, when it has one.
    pub fn logout_url(&self, login: &SsoLogin, back_to: &str) -> Option<String> {
        let provider = self.provider(&login.provider).ok()?;
        let metadata = self.metadata(provider, false).ok()?;
        let end_session: EndSessionUrl = metadata.additional_metadata().end_session_endpoint.clone()?;
        let token: openidconnect::core::CoreIdToken = login.id_token.parse().ok()?;
        let url = LogoutRequest::from(end_session)
            .set_id_token_hint(&token)
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(back_to.to_owned()).ok()?)
            .set_state(CsrfToken::new_random_len(32))
            .http_get_url();
        Some(url.to_string())
    }

    /// Where the provider sends the browser back after its logout: the login page of the
    /// address the redirect URL names.
    pub fn after_logout(&self, login: &SsoLogin) -> Option<String> {
        let provider = self.provider(&login.provider).ok()?;
        let mut url = openidconnect::url::Url::parse(&provider.settings.redirect_url).ok()?;
        url.set_path("/connexion");
        url.set_query(None);
        Some(url.to_string())
    }
}

/// Who the provider says logged in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub provider: String,
    pub subject: String,
    /// Only an e-mail the provider says it verified.
    pub email: Option<String>,
    /// FINESS of the professional's structures (Pro Santé Connect's `SubjectRefPro`).
    pub structures: Vec<String>,
    pub login: SsoLogin,
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// A verification error with its cause (the signature's says which algorithm or key).
fn described(error: &ClaimsVerificationError) -> String {
    match error {
        ClaimsVerificationError::SignatureVerification(cause) => format!("signature : {cause}"),
        other => other.to_string(),
    }
}

fn read_secret(provider: &SsoProvider) -> Result<Option<ClientSecret>, SsoError> {
    let unreadable = |detail: String| SsoError::Secret(provider.name.clone(), detail);
    let secret = match (&provider.client_secret_file, &provider.client_secret_env) {
        (Some(file), _) => std::fs::read_to_string(file).map_err(|error| unreadable(format!("{file} : {error}")))?,
        (None, Some(variable)) => {
            std::env::var(variable).map_err(|_| unreadable(format!("variable {variable} absente")))?
        }
        (None, None) => return Ok(None),
    };
    let secret = secret.trim().to_owned();
    if secret.is_empty() {
        return Err(unreadable("vide".to_owned()));
    }
    Ok(Some(ClientSecret::new(secret)))
}

fn redirect_url(provider: &SsoProvider) -> Result<RedirectUrl, SsoError> {
    RedirectUrl::new(provider.redirect_url.clone()).map_err(|error| SsoError::Protocol(error.to_string()))
}

/// The algorithms of the settings; `none` never (refused when the settings are read).
fn pinned_algorithms(provider: &SsoProvider) -> Result<Vec<CoreJwsSigningAlgorithm>, SsoError> {
    provider
        .id_token_algs
        .iter()
        .map(|name| {
            serde_json::from_value::<CoreJwsSigningAlgorithm>(serde_json::Value::String(name.clone()))
                .map_err(|_| SsoError::Protocol(format!("algorithme « {name} » inconnu")))
        })
        .collect()
}

/// The binding cookie: `SameSite=Lax`, since the provider sends the browser back here by a
/// top-level navigation from its own site (a `Strict` cookie would not come with it).
fn binding_cookie(value: String, remove: bool, tls: bool) -> Option<header::HeaderValue> {
    let mut cookie = Cookie::build((BINDING_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(tls);
    if remove {
        cookie = cookie.removal();
    }
    header::HeaderValue::from_str(&cookie.build().to_string()).ok()
}

/// `GET /connexion/sso/{provider}`: off to the provider.
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<std::net::SocketAddr>,
    Path(provider): Path<String>,
) -> Response {
    if state.sso.provider(&provider).is_err() {
        return refusal(&SsoError::UnknownProvider.to_string(), StatusCode::NOT_FOUND);
    }
    // As many starts per address as password attempts, in the same window.
    let limits = &state.settings.sessions;
    let window = Duration::from_secs(u64::from(limits.login_window_minutes.max(1)) * 60);
    if let Err(wait) = state
        .sessions
        .admit_sso_start(address.ip(), limits.login_attempts_per_address, window)
    {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let mut response = refusal(
            &format!("Trop de connexions commencées depuis votre adresse : réessayez dans {minutes} minute(s)."),
            StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(value) = header::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let providers = std::sync::Arc::clone(&state.sso);
    let started = tokio::task::spawn_blocking(move || providers.start(&provider)).await;
    match started {
        Ok(Ok((url, binding))) => {
            let mut response = Redirect::to(&url).into_response();
            if let Some(value) = binding_cookie(binding, false, state.tls) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Ok(Err(error)) => {
            let status = match error {
                SsoError::UnknownProvider => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_GATEWAY,
            };
            refusal(&error.to_string(), status)
        }
        Err(_) => refusal("erreur interne", StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The provider's callback (at the path of each provider's `redirect_url`): the identity
/// checked, its account found, a session opened like a password login's.
pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<std::net::SocketAddr>,
    path: MatchedPath,
    headers: HeaderMap,
    Query(answer): Query<CallbackQuery>,
) -> Response {
    let binding = CookieJar::from_headers(&headers)
        .get(BINDING_COOKIE)
        .map(|cookie| cookie.value().to_owned());
    let providers = std::sync::Arc::clone(&state.sso);
    let path = path.as_str().to_owned();
    let finished = tokio::task::spawn_blocking(move || providers.finish(&path, &answer, binding.as_deref())).await;
    let address = address.ip().to_string();
    let identity = match finished {
        Ok(Ok(identity)) => identity,
        Ok(Err(error)) => {
            super::auth::journal_sso(
                &state,
                None,
                None,
                &address,
                "connexion SSO refusée",
                &error.to_string(),
            )
            .await;
            let status = match error {
                SsoError::UnknownState | SsoError::WrongBrowser | SsoError::IdToken(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::BAD_GATEWAY,
            };
            return clear_binding(refusal(&error.to_string(), status), state.tls);
        }
        Err(_) => return refusal("erreur interne", StatusCode::INTERNAL_SERVER_ERROR),
    };
    let response = super::auth::open_sso_session(&state, &headers, identity, &address).await;
    clear_binding(response, state.tls)
}

fn clear_binding(mut response: Response, tls: bool) -> Response {
    if let Some(value) = binding_cookie(String::new(), true, tls) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A French page saying why the login did not happen and what to do.
pub fn refusal(message: &str, status: StatusCode) -> Response {
    (status, refusal_page(message)).into_response()
}

pub fn refusal_page(message: &str) -> Markup {
    super::auth::bare_page(
        "Connexion refusée",
        html! {
            p class="alert" role="alert" { (message) }
            p { a href="/connexion" { "Revenir à la page de connexion" } }
        },
    )
}
