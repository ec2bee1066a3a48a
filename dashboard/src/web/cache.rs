//! Rendered pages and exports kept per (data version, reference day, address with its
//! filters, viewer's sight) for the routes whose entry says `Caching::Shared`: the region's
//! figures only change with an import, so the second visitor gets the page at once. Nothing
//! of a session is kept: pages hold marks where the session's token and name go, filled in
//! after the cache (`auth::fill_session`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::journal::ROWS_HEADER;
use super::routes::{Caching, Route};

const MAX_ENTRIES: usize = 2048;
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Content type, content disposition and row count (exports) and body of a kept answer.
type Kept = (HeaderValue, Option<HeaderValue>, Option<HeaderValue>, bytes::Bytes);

#[derive(Default)]
pub struct PageCache {
    /// Incremented by every import through the application.
    version: AtomicU64,
    entries: Mutex<HashMap<String, Kept>>,
    /// Addresses being rendered: a page is rendered once however many ask for it at the
    /// same time (32 clients rendering the same costly page at once would each wait seconds).
    rendering: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl PageCache {
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    pub fn invalidate(&self) {
        self.version.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// Serves GET pages from the cache, or renders and keeps them (successful answers only).
pub async fn cached(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The route's entry, as the authorisation middleware found it.
    let route = request.extensions().get::<&'static Route>().copied();
    let sight = request
        .extensions()
        .get::<super::auth::Viewer>()
        .map(|viewer| viewer.sight.cache_key());
    let (Some(route), Some(rights)) = (route, sight) else {
        return next.run(request).await;
    };
    if route.caching != Caching::Shared || request.method() != Method::GET {
        return next.run(request).await;
    }
    // The reference day is part of the key ("today" changes at midnight), and the viewer's
    // sight: pages are shared only between viewers who may see the same.
    let key = format!(
        "{}|{}|{rights}|{}",
        state.cache.version.load(Ordering::SeqCst),
        ingest::dates::paris_today(),
        request.uri()
    );
    if let Some(kept) = state.cache.kept(&key) {
        return kept;
    }
    let turn = Turn::take(&state.cache, &key);
    let _my_turn = match &turn.lock {
        Some(lock) => Some(lock.lock().await),
        None => None,
    };
    // Rendered by the request this one waited for.
    if let Some(kept) = state.cache.kept(&key) {
        return kept;
    }
    render_and_keep(&state, key.clone(), request, next).await
}

/// A place in the queue of the requests rendering one address; leaving it (even when the
/// client goes away mid-render) lets the next one in.
struct Turn<'a> {
    cache: &'a PageCache,
    key: &'a str,
    lock: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl<'a> Turn<'a> {
    fn take(cache: &'a PageCache, key: &'a str) -> Self {
        let lock = cache
            .rendering
            .lock()
            .ok()
            .map(|mut rendering| Arc::clone(rendering.entry(key.to_owned()).or_default()));
        Turn { cache, key, lock }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.cache.rendering.lock() {
            rendering.remove(self.key);
        }
    }
}

impl PageCache {
    fn kept(&self, key: &str) -> Option<Response> {
        let (content_type, disposition, rows, body) = self.entries.lock().ok()?.get(key).cloned()?;
        let mut response = (StatusCode::OK, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, content_type);
        if let Some(disposition) = disposition {
            response.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
        }
        if let Some(rows) = rows {
            response.headers_mut().insert(ROWS_HEADER, rows);
        }
        Some(response)
    }
}

async fn render_and_keep(state: &AppState, key: String, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "réponse trop volumineuse").into_response();
    };
    if let (Some(content_type), Ok(mut entries)) = (
        parts.headers.get(header::CONTENT_TYPE).cloned(),
        state.cache.entries.lock(),
    ) {
        // Full: one arbitrary page goes (clearing all would make the regional view, the
        // costliest to render, pay again whenever many fiches are visited).
        if entries.len() >= MAX_ENTRIES
            && let Some(evicted) = entries.keys().next().cloned()
        {
            entries.remove(&evicted);
        }
        entries.insert(
            key,
            (
                content_type,
                parts.headers.get(header::CONTENT_DISPOSITION).cloned(),
                parts.headers.get(ROWS_HEADER).cloned(),
                bytes.clone(),
            ),
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}
