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
