//! Storage. Every query of the server lives under this module; handlers call
//! [`Db::read`] or [`Db::write`] with a function of this module's submodules.
//!
//! The default (and, for now, only) backend is one SQLite file in WAL mode
//! behind one connection: SQLite serialises writers anyway, and one connection
//! keeps the global sequence number trivially gap-free and ordered. Work runs
//! on tokio's blocking pool. A PostgreSQL backend would implement the same
//! functions of the submodules (see `docs/protocol.md`, "Storage").

pub mod access_log;
pub mod accounts;
pub mod documents;
pub mod grants;
pub mod links;
mod schema;
pub mod sync;

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{ApiError, ApiResult};

/// A handle on the database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating if needed) the database file and migrates its schema.
    pub fn open(path: &Path) -> ApiResult<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                ApiError::Internal(format!("creating directory {}: {e}", dir.display()))
            })?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut conn)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> ApiResult<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| ApiError::Internal("database lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("database task failed: {e}")))?
    }

    /// Runs `f` in one write transaction, committed only if `f` succeeds.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
    }

    /// Runs `f` in one read transaction.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            f(&tx)
        })
        .await
    }
}

/// Takes the next value of the global sequence shared by bundles, snapshots,
/// grants, revocations and deletions: the pull cursor orders them all.
pub fn next_seq(tx: &Transaction<'_>) -> ApiResult<i64> {
    Ok(tx.query_row(
        "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value",
        [],
        |row| row.get(0),
    )?)
}

/// The last value [`next_seq`] handed out.
pub fn current_seq(tx: &Transaction<'_>) -> ApiResult<i64> {
    Ok(
        tx.query_row("SELECT value FROM counters WHERE name = 'seq'", [], |row| {
            row.get(0)
        })?,
    )
}

/// Seconds-precision UTC timestamps are stored as RFC 3339 text.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// A fresh server-chosen id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
