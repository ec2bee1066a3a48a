//! One error type for every handler, mapped to a French page or JSON and a status code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Internal(String),
    /// Nothing wrong with the request; the server cannot do it now (stopping, disk full).
    #[error("{0}")]
    Unavailable(String),
}

impl From<analytics::AnalyticsError> for WebError {
    fn from(error: analytics::AnalyticsError) -> Self {
        match error {
            analytics::AnalyticsError::NotFound(finess) => {
                WebError::NotFound(format!("établissement {finess} inconnu ou hors de votre périmètre"))
            }
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<duckdb::Error> for WebError {
    fn from(error: duckdb::Error) -> Self {
        WebError::Internal(format!("erreur de la base : {error}"))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title) = match &self {
            WebError::NotFound(_) => (StatusCode::NOT_FOUND, "Introuvable"),
            WebError::BadRequest(_) => (StatusCode::BAD_REQUEST, "Demande incorrecte"),
            WebError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "Fichier trop volumineux"),
            WebError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Connexion requise"),
            WebError::Forbidden(_) => (StatusCode::FORBIDDEN, "Accès refusé"),
            WebError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Erreur du serveur"),
            WebError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "Service indisponible"),
        };
        if let WebError::Internal(detail) = &self {
            tracing::error!("{detail}");
        }
        // Internal details stay in the log; users get a plain sentence.
        let message = match &self {
            WebError::Internal(_) => {
                "Une erreur est survenue. Réessayez ; si elle persiste, prévenez l'administrateur.".to_owned()
            }
            other => other.to_string(),
        };
        let page = html! {
            (maud::DOCTYPE)
            html lang="fr" {
                head { meta charset="utf-8"; title { (title) " — Observatoire" } link rel="stylesheet" href="/static/style.css"; }
                body { main class="page" { h1 { (title) } p { (message) } p { a href="/" { "Retour à la vue régionale" } } } }
            }
        };
        let mut response = (status, page).into_response();
        // For the API, which answers the same sentence in JSON (see `auth::as_json_if_api`).
        response.extensions_mut().insert(Message(message));
        response
    }
}

/// The sentence an error response says, kept beside its HTML page.
#[derive(Debug, Clone)]
pub struct Message(pub String);
