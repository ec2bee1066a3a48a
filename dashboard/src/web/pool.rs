//! A few DuckDB connections to the one database, reused across requests (each keeps its
//! analytics context warm between requests of the same date and viewer).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use duckdb::Connection;

use super::WebError;

/// Connections opened before a context with no warm connection takes one another context
/// is ready on (each holds its context's tables: a few MB with national data).
const WARM_CONNECTIONS: usize = 6;

pub struct Pool {
    base: Mutex<Connection>,
    /// Connections opened so far (the bound of `WARM_CONNECTIONS`).
    opened: AtomicUsize,
    /// Each idle connection with the context it was last used for (`Scope::context_key`).
    idle: Mutex<Vec<(Option<String>, Connection)>>,
}

impl Pool {
    pub fn new(connection: &Connection) -> duckdb::Result<Self> {
        // Both settings are the database's, for every connection. One DuckDB thread: requests
        // run side by side, and under 8 clients on 2 cores one thread per query serves more
        // (new regional views of the national set: 12.5 answers/s, p50 0.59 s) than as many
        // as the cores (7.0/s, p50 1.07 s). The shared status a new date writes (tens of MB
        // with national data) would make a commit checkpoint the whole store now and then
        // (1.7 s against 0.14 s measured on the national set): the write-ahead log may grow
        // to 256 MB before a checkpoint, which imports and the server's stop also do.
        connection.execute_batch("SET threads = 1; SET checkpoint_threshold = '256MB'")?;
        Ok(Pool {
            base: Mutex::new(connection.try_clone()?),
            opened: AtomicUsize::new(0),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// An idle connection, the one last used for `context` when there is one: its analytics
    /// context is ready (a page that reads two dates, the regional view and its year-before
    /// figures, keeps one connection at each instead of rebuilding both contexts each time).
    /// Only a preference: the analytics check the context they find whatever it is. Also
    /// gives the context the connection was last used for (none: new).
    pub fn take(&self, context: Option<&str>) -> Result<(Option<String>, Connection), WebError> {
        {
            let mut idle = self.idle.lock().map_err(poisoned)?;
            let labels: Vec<Option<&str>> = idle.iter().map(|(last, _)| last.as_deref()).collect();
            if let Some(index) = choose(&labels, context, self.opened.load(Ordering::Relaxed)) {
                return Ok(idle.remove(index));
            }
        }
        self.opened.fetch_add(1, Ordering::Relaxed);
        let connection = self
            .base
            .lock()
            .map_err(poisoned)?
            .try_clone()
            .map_err(|error| WebError::Internal(format!("connexion à la base : {error}")))?;
        Ok((None, connection))
    }

    /// Back to the idle connections, with the context it was last used for.
    pub fn give_back(&self, connection: Connection, context: Option<String>) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < 16
        {
            idle.push((context, connection));
        }
    }
}

/// Which idle connection (each named by the context it was last used for) a piece of work
/// for `context` takes, `opened` connections being open; `None`: open a new one. The one
/// warm for the context; else one used for none; else a new one while fewer than
/// `WARM_CONNECTIONS` are open (rather than one another context is ready on); else the
/// latest. Work of no date takes the latest, or a new one when none is idle.
fn choose(idle: &[Option<&str>], context: Option<&str>, opened: usize) -> Option<usize> {
    let warm = context.and_then(|context| idle.iter().rposition(|last| *last == Some(context)));
    let unused = || idle.iter().rposition(Option::is_none);
    let latest = idle.len().checked_sub(1);
    match context {
        None => latest,
        Some(_) => warm.or_else(unused).or(latest.filter(|_| opened >= WARM_CONNECTIONS)),
    }
}

fn poisoned<T>(_: T) -> WebError {
    WebError::Internal("verrou de la base inutilisable".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_takes_the_connection_it_is_ready_on() {
        let idle = [Some("2026-12-02"), Some("2025-12-02"), Some("2024-06-30")];
        assert_eq!(choose(&idle, Some("2026-12-02"), 3), Some(0));
        assert_eq!(choose(&idle, Some("2025-12-02"), 3), Some(1));
        // The latest of several warm for the same context.
        assert_eq!(choose(&[Some("a"), None, Some("a")], Some("a"), 3), Some(2));
    }

    #[test]
    fn another_context_opens_a_connection_while_few_are_open() {
        // The regional view's year-before figures: the one idle connection is the date's.
        assert_eq!(choose(&[Some("2026-12-02")], Some("2025-12-02"), 1), None);
        assert_eq!(choose(&[], Some("2025-12-02"), 1), None);
        // One used for no context first.
        assert_eq!(choose(&[Some("2026-12-02"), None], Some("2025-12-02"), 2), Some(1));
        // Enough open: the latest, whatever it is ready on.
        let idle = [Some("a"), Some("b")];
        assert_eq!(choose(&idle, Some("c"), WARM_CONNECTIONS), Some(1));
    }

    #[test]
    fn work_of_no_date_takes_the_latest() {
        assert_eq!(choose(&[Some("a"), Some("b")], None, 2), Some(1));
        assert_eq!(choose(&[], None, 2), None);
    }
}
