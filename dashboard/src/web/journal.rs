//! Consultations in the audit log, as the route table says (`Journal` of each entry): a
//! fiche seen by someone outside the establishment, every export by someone outside the
//! establishments it holds. Written after the answer is made, whether it was rendered or
//! served from the page cache.

use axum::http::Uri;
use axum::response::Response;

use super::AppState;
use super::auth::Viewer;
use super::routes::{Journal, Route};
use crate::accounts::{self, Role};

/// The header an export answers with its number of data rows (kept with the cached answer).
pub const ROWS_HEADER: &str = "x-opssies-lignes";

/// The row count an export's answer carries.
pub fn rows_of(response: &Response) -> Option<i64> {
    response
        .headers()
        .get(ROWS_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<i64>().ok())
}

pub async fn record(
    state: &AppState,
    route: &'static Route,
    viewer: &Viewer,
    address: Option<String>,
    finess: Option<String>,
    uri: &Uri,
    rows: Option<i64>,
) {
    let (action, target) = match route.journal {
        Journal::Nothing => return,
        Journal::Fiche => match finess {
            Some(finess) if !viewer.sight.owns(&finess) => ("consultation de fiche", finess),
            _ => return,
        },
        // An establishment's exports hold its own rows only.
        Journal::Export if viewer.user.role == Role::Etablissement => return,
        Journal::Export => ("export", String::new()),
    };
    let target = if target.is_empty() {
        route.path.to_owned()
    } else {
        format!("{} {target}", route.path)
    };
    let detail = uri.query().unwrap_or("").to_owned();
    let user = viewer.user.name.clone();
    let role = viewer.user.role;
    let written = state
        .with_connection(move |connection, _| {
            accounts::audit(
                connection,
                &accounts::AuditEntry {
                    user: Some(&user),
                    role: Some(role),
                    address: address.as_deref(),
                    action,
                    target: Some(&target),
                    detail: Some(&detail),
                    rows,
                },
            );
            Ok(())
        })
        .await;
    if let Err(error) = written {
        tracing::error!("journal d'audit : {error}");
    }
}
