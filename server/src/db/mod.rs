//! Storage. Every query of the server lives under this module; handlers call
//! [`Db::read`] or [`Db::write`] with a function of this module's submodules.
//!
//! Two backends run the same queries through one executor ([`exec::Tx`]):
//! - SQLite (the default): one file in WAL mode behind one connection. SQLite
//!   serialises writers anyway, and one connection keeps the global sequence
//!   number trivially ordered.
//! - PostgreSQL (`--database postgres://…`): a small pool of connections,
//!   shared by any number of server processes. Every transaction that takes
//!   sequence numbers holds the row lock of `counters('seq')` until it
//!   commits, so that sequence numbers commit in order (cursors rely on it);
//!   see `docs/adr/0005-postgres-backend.md`.
//!
//! Work runs on tokio's blocking pool for both.

pub mod access_log;
pub mod accounts;
pub mod documents;
pub mod exec;
pub mod grants;
pub mod links;
mod pool;
mod schema;
pub mod sync;

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use rusqlite::{Connection, TransactionBehavior};

pub use self::exec::Tx;
use crate::{
    error::{ApiError, ApiResult},
    params,
};

/// A handle on the database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    backend: Arc<Backend>,
}

#[derive(Debug)]
enum Backend {
    Sqlite(Mutex<Connection>),
    Postgres(Box<pool::Pool>),
}

/// True when `--database` names a PostgreSQL database rather than a file.
pub fn is_postgres_url(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// The database for logs: a file path, or a URL without its password.
pub fn describe(database: &Path) -> String {
    let text = database.to_string_lossy();
    if !is_postgres_url(&text) {
        return database.display().to_string();
    }
    match text.split_once("://").zip(text.rfind('@')) {
        Some(((scheme, rest), at)) => {
            let host = &text[at + 1..];
            let user = rest[..at - scheme.len() - 3]
                .split(':')
                .next()
                .unwrap_or("");
            format!("{scheme}://{user}@{host}")
        }
        None => text.into_owned(),
    }
}

impl Db {
    /// Opens the database named by `--database` (a SQLite path or a
    /// `postgres://` URL) and migrates its schema. `connections` sizes the
    /// PostgreSQL pool.
    pub fn open(database: &Path, connections: usize) -> ApiResult<Db> {
        match database.to_str().filter(|d| is_postgres_url(d)) {
            Some(url) => Self::open_postgres(url, connections),
            None => Self::open_sqlite(database),
        }
    }

    /// Opens (creating if needed) the SQLite file and migrates its schema.
    pub fn open_sqlite(path: &Path) -> ApiResult<Db> {
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
        schema::migrate_sqlite(&mut conn)?;
        Ok(Db {
            backend: Arc::new(Backend::Sqlite(Mutex::new(conn))),
        })
    }

    /// Connects to PostgreSQL (plain TCP, no TLS: see the ADR) and migrates.
    pub fn open_postgres(url: &str, connections: usize) -> ApiResult<Db> {
        let pool = pool::Pool::new(url, connections.max(1))?;
        {
            let mut client = pool.get()?;
            schema::migrate_postgres(&mut client)?;
        }
        Ok(Db {
            backend: Arc::new(Backend::Postgres(Box::new(pool))),
        })
    }

    async fn run<T, F>(&self, write: bool, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> ApiResult<T> + Send + 'static,
    {
        let backend = Arc::clone(&self.backend);
        tokio::task::spawn_blocking(move || match &*backend {
            Backend::Sqlite(conn) => {
                let mut guard = conn
                    .lock()
                    .map_err(|_| ApiError::Internal("database lock poisoned".into()))?;
                let behavior = if write {
                    TransactionBehavior::Immediate
                } else {
                    TransactionBehavior::Deferred
                };
                let tx = Tx::sqlite(guard.transaction_with_behavior(behavior)?);
                let value = f(&tx)?;
                if write {
                    tx.commit()?;
                }
                Ok(value)
            }
            Backend::Postgres(pool) => run_postgres(pool, write, &f),
        })
        .await
        .map_err(|e| ApiError::Internal(format!("database task failed: {e}")))?
    }

    /// Runs `f` in one write transaction, committed only if `f` succeeds.
    /// On PostgreSQL, `f` runs again if the transaction lost a deadlock or
    /// a serialisation conflict.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.run(true, f).await
    }

    /// Runs `f` in one read transaction.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.run(false, f).await
    }
}

/// How often a PostgreSQL transaction is retried after a deadlock or a
/// serialisation failure.
const PG_ATTEMPTS: u32 = 5;

fn run_postgres<T>(
    pool: &pool::Pool,
    write: bool,
    f: &dyn Fn(&Tx<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut client = pool.get()?;
        let result = (|| {
            // Writes: READ COMMITTED, with explicit locks where order matters
            // (the sequence row, advisory locks) and unique constraints for
            // idempotence. Reads: one consistent snapshot.
            let mut builder = client.build_transaction();
            builder = if write {
                builder.isolation_level(postgres::IsolationLevel::ReadCommitted)
            } else {
                builder
                    .isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
            };
            let tx = Tx::postgres(builder.start()?);
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        match result {
            Err(ApiError::Postgres(e)) if attempt < PG_ATTEMPTS && is_retryable(&e) => {
                tracing::warn!(error = %e, attempt, "retrying a transaction");
                std::thread::sleep(std::time::Duration::from_millis(5 * u64::from(attempt)));
            }
            other => return other,
        }
    }
}

fn is_retryable(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

/// Takes the next value of the global sequence shared by bundles, snapshots,
/// grants, revocations and deletions: the pull cursor orders them all.
///
/// The `UPDATE` locks the counter's row until the transaction ends, on both
/// backends: a second transaction that wants a number waits for the first to
/// commit or roll back, so numbers become visible in the order they were
/// handed out (a rolled-back number leaves a harmless gap).
pub fn next_seq(tx: &Tx<'_>) -> ApiResult<i64> {
    tx.query_row(
        "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value",
        params![],
        |row| row.get(0),
    )
}

/// The last value [`next_seq`] handed out (and committed, unless this
/// transaction took it).
pub fn current_seq(tx: &Tx<'_>) -> ApiResult<i64> {
    tx.query_row(
        "SELECT value FROM counters WHERE name = 'seq'",
        params![],
        |row| row.get(0),
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::describe;

    #[test]
    fn urls_are_logged_without_their_password() {
        assert_eq!(
            describe(Path::new("postgres://rapport:secret@db:5432/rapport")),
            "postgres://rapport@db:5432/rapport"
        );
        assert_eq!(describe(Path::new("./data/r.sqlite3")), "./data/r.sqlite3");
    }
}
