//! A few DuckDB connections to the one database, reused across requests (each keeps its
//! analytics context warm between requests of the same date and viewer).

use std::sync::Mutex;

use duckdb::Connection;

use super::WebError;

pub struct Pool {
    base: Mutex<Connection>,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    pub fn new(connection: &Connection) -> duckdb::Result<Self> {
        // Both settings are the database's, for every connection. DuckDB's workers are shared
        // by all queries (a query's own thread works too): as many as the cores, so one
        // request alone — a new reference date — uses the machine, and side-by-side requests
        // share the same workers instead of oversubscribing. The shared status a new date
        // writes (tens of MB with national data) would make a commit checkpoint the whole
        // store now and then (1.7 s against 0.14 s measured on the national set): the
        // write-ahead log may grow to 256 MB before a checkpoint, which imports and the
        // server's stop also do.
        connection.execute_batch(&format!(
            "SET threads = {}; SET checkpoint_threshold = '256MB'",
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
        ))?;
        Ok(Pool {
            base: Mutex::new(connection.try_clone()?),
            idle: Mutex::new(Vec::new()),
        })
    }

    pub fn take(&self) -> Result<Connection, WebError> {
        if let Some(connection) = self.idle.lock().map_err(poisoned)?.pop() {
            return Ok(connection);
        }
        let connection = self
            .base
            .lock()
            .map_err(poisoned)?
            .try_clone()
            .map_err(|error| WebError::Internal(format!("connexion à la base : {error}")))?;
        Ok(connection)
    }

    pub fn give_back(&self, connection: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < 16
        {
            idle.push(connection);
        }
    }
}

fn poisoned<T>(_: T) -> WebError {
    WebError::Internal("verrou de la base inutilisable".to_owned())
}
