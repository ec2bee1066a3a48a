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
        // Requests run side by side: one thread per query avoids oversubscribing the cores.
        connection
            .execute_batch("SET threads = 1")
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
