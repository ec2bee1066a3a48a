//! Consultations in the audit log, as the route table says (`Journal` of each entry): a
//! fiche seen by someone outside the establishment, every export by someone outside the
//! establishments it holds. Queued after the answer is made, whether it was rendered or
//! served from the page cache, and written in batches by one thread.

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

/// One consultation to write.
#[derive(Debug)]
struct Consultation {
    user: String,
    role: Role,
    address: Option<String>,
    action: &'static str,
    target: String,
    detail: String,
    rows: Option<i64>,
}

enum Message {
    Write(Consultation),
    /// Answered once everything sent before it is written.
    Flush(std::sync::mpsc::SyncSender<()>),
}

/// The journal's writer: consultations are queued by the requests and written by one thread
/// in batches, one commit each (a commit per fiche view would cap the server at a few hundred
/// views a second, every request waiting on the chain's lock). Readers of the journal flush
/// the queue first, so they always see every consultation answered before.
pub struct Writer {
    queue: std::sync::Mutex<std::sync::mpsc::Sender<Message>>,
}

impl Writer {
    pub fn start(connection: duckdb::Connection) -> Writer {
        let (sender, receiver) = std::sync::mpsc::channel::<Message>();
        let spawned = std::thread::Builder::new()
            .name("journal".to_owned())
            .spawn(move || write_batches(&connection, &receiver));
        if let Err(error) = spawned {
            tracing::error!("journal d'audit : écriture impossible ({error})");
        }
        Writer {
            queue: std::sync::Mutex::new(sender),
        }
    }

    fn send(&self, message: Message) -> bool {
        self.queue
            .lock()
            .map(|queue| queue.send(message).is_ok())
            .unwrap_or(false)
    }

    /// Waits until every consultation queued so far is in the store (blocking: call it off
    /// the async runtime).
    pub fn flush(&self) {
        let (done, wait) = std::sync::mpsc::sync_channel(1);
        if self.send(Message::Flush(done)) {
            let _ = wait.recv();
        }
    }
}

fn write_batches(connection: &duckdb::Connection, receiver: &std::sync::mpsc::Receiver<Message>) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < 512
            && let Ok(next) = receiver.try_recv()
        {
            batch.push(next);
        }
        let entries: Vec<accounts::AuditEntry<'_>> = batch
            .iter()
            .filter_map(|message| match message {
                Message::Write(c) => Some(accounts::AuditEntry {
                    user: Some(&c.user),
                    role: Some(c.role),
                    address: c.address.as_deref(),
                    action: c.action,
                    target: Some(&c.target),
                    detail: Some(&c.detail),
                    rows: c.rows,
                }),
                Message::Flush(_) => None,
            })
            .collect();
        if !entries.is_empty()
            && let Err(error) = accounts::audit_all(connection, &entries)
        {
            tracing::error!(
                "journal d'audit : {} consultation(s) non écrites : {error}",
                entries.len()
            );
        }
        for message in &batch {
            if let Message::Flush(done) = message {
                let _ = done.send(());
            }
        }
    }
}

pub fn record(
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
    let sent = state.journal.send(Message::Write(Consultation {
        user: viewer.user.name.clone(),
        role: viewer.user.role,
        address,
        action,
        target,
        detail: uri.query().unwrap_or("").to_owned(),
        rows,
    }));
    if !sent {
        tracing::error!("journal d'audit : file d'écriture fermée");
    }
}

/// Every consultation answered so far is in the store (before the journal is read).
pub async fn flush(state: &AppState) {
    let journal = std::sync::Arc::clone(&state.journal);
    let _ = tokio::task::spawn_blocking(move || journal.flush()).await;
}
