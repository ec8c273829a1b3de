//! Storage. Every query of the server lives under this module; handlers call
//! [`Db::read`] or [`Db::write`] with a function of this module's submodules.
//!
//! Two backends run the same queries through one executor ([`exec::Tx`]):
//! - SQLite (the default): one file in WAL mode, one writer connection that
//!   commits waiting requests together, read connections beside it
//!   ([`sqlite`]).
//! - PostgreSQL (`--database postgres://…`): a pool of connections, shared by
//!   any number of server processes; work runs on tokio's blocking pool.
//!
//! Changes are ordered per feed (an owner account), not per deployment: a
//! transaction that takes sequence numbers of a feed holds that feed's row
//! lock until it commits, so that a feed's numbers commit in order (cursors
//! rely on it) while pushes to different accounts never wait on each other;
//! see `docs/adr/0007-sequence-per-feed.md`.

pub mod access_log;
pub mod accounts;
pub mod cursor;
pub mod documents;
pub mod erase;
pub mod exec;
pub mod grants;
pub mod keys;
pub mod links;
mod pool;
mod schema;
mod sqlite;
pub mod sync;
pub mod wraps;

use std::{path::Path, sync::Arc};

use rapport_protocol::AccountId;

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
    Sqlite(sqlite::Sqlite),
    Postgres(Box<pool::Pool>),
}

/// True when `--database` names a PostgreSQL database rather than a file.
pub fn is_postgres_url(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// The database for logs: a file path, or a URL without its password
/// (neither in the user part nor as a `password=` parameter).
pub fn describe(database: &Path) -> String {
    let text = database.to_string_lossy();
    if !is_postgres_url(&text) {
        return database.display().to_string();
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return String::new();
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let rest = match rest.rsplit_once('@') {
        Some((user, host)) => format!("{}@{host}", user.split(':').next().unwrap_or("")),
        None => rest.to_owned(),
    };
    let query = query.map(|q| {
        q.split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => "password=***",
                _ => pair,
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    match query {
        Some(query) => format!("{scheme}://{rest}?{query}"),
        None => format!("{scheme}://{rest}"),
    }
}

impl Db {
    /// Opens the database named by `--database` (a SQLite path or a
    /// `postgres://` URL) and migrates its schema. `connections` sizes the
    /// PostgreSQL pool.
    /// `create` (`--create-database`) creates a PostgreSQL database that
    /// does not exist yet, as a SQLite file is created.
    pub fn open(database: &Path, connections: usize, create: bool) -> ApiResult<Db> {
        match database.to_str().filter(|d| is_postgres_url(d)) {
            Some(url) => {
                if create {
                    create_postgres_database(url)?;
                }
                Self::open_postgres(url, connections)
            }
            None => Self::open_sqlite(database),
        }
    }

    /// Opens (creating if needed) the SQLite file and migrates its schema.
    pub fn open_sqlite(path: &Path) -> ApiResult<Db> {
        Ok(Db {
            backend: Arc::new(Backend::Sqlite(sqlite::Sqlite::open(path)?)),
        })
    }

    /// Connects to PostgreSQL (plain TCP, no TLS: see the ADR) and migrates.
    pub fn open_postgres(url: &str, connections: usize) -> ApiResult<Db> {
        let pool = pool::Pool::new(url, connections.max(1))?;
        {
            let mut conn = pool.get()?;
            schema::migrate_postgres(&mut conn.client)?;
        }
        Ok(Db {
            backend: Arc::new(Backend::Postgres(Box::new(pool))),
        })
    }

    async fn run_postgres<T, F>(&self, mode: PgMode, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> ApiResult<T> + Send + 'static,
    {
        let backend = Arc::clone(&self.backend);
        tokio::task::spawn_blocking(move || match &*backend {
            Backend::Postgres(pool) => run_postgres(pool, mode, &f),
            Backend::Sqlite(_) => Err(ApiError::Internal("not a PostgreSQL database".into())),
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
        match &*self.backend {
            Backend::Sqlite(db) => db.write(f).await,
            Backend::Postgres(_) => self.run_postgres(PgMode::Write, f).await,
        }
    }

    /// As [`Db::write`], for a write that deletes content: on SQLite the WAL
    /// is checkpointed and truncated before the answer, so that the deleted
    /// bytes are gone from the files (with `secure_delete`, overwritten).
    pub async fn write_deleting<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> ApiResult<T> + Send + 'static,
    {
        match &*self.backend {
            Backend::Sqlite(db) => db.write_deleting(f).await,
            Backend::Postgres(_) => self.run_postgres(PgMode::Write, f).await,
        }
    }

    /// Runs `f` in one read-only transaction (SQLite: on this thread).
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> ApiResult<T> + Send + 'static,
    {
        match &*self.backend {
            Backend::Sqlite(db) => db.read(f),
            Backend::Postgres(_) => self.run_postgres(PgMode::Read, f).await,
        }
    }

    /// As [`Db::read`], for `f` that runs a single statement: on PostgreSQL
    /// outside a transaction (the statement is its own snapshot), which
    /// saves two round trips. Every request's token check goes this way.
    pub async fn read_single<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> ApiResult<T> + Send + 'static,
    {
        match &*self.backend {
            Backend::Sqlite(db) => db.read(f),
            Backend::Postgres(_) => self.run_postgres(PgMode::Single, f).await,
        }
    }
}

/// How a PostgreSQL call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PgMode {
    /// READ COMMITTED, with explicit locks where order matters.
    Write,
    /// One consistent read-only snapshot.
    Read,
    /// One statement, outside a transaction.
    Single,
}

/// Creates the database a PostgreSQL URL names, if it does not exist, from
/// the server's `postgres` database (the role needs CREATEDB).
fn create_postgres_database(url: &str) -> ApiResult<()> {
    let mut config: postgres::Config = url
        .parse()
        .map_err(|e| ApiError::Internal(format!("malformed PostgreSQL URL: {e}")))?;
    let name = config
        .get_dbname()
        .filter(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .ok_or_else(|| {
            ApiError::Internal(
                "--create-database needs a database name of lower-case letters, digits and _"
                    .into(),
            )
        })?
        .to_owned();
    config.dbname("postgres");
    let mut client = config.connect(postgres::NoTls)?;
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])?
        .is_some();
    if !exists {
        match client.batch_execute(&format!("CREATE DATABASE {name}")) {
            // Created meanwhile by another process starting at the same time.
            Err(e) if e.code() == Some(&postgres::error::SqlState::DUPLICATE_DATABASE) => {}
            other => other?,
        }
    }
    Ok(())
}

/// How often a PostgreSQL transaction is retried after a deadlock or a
/// serialisation failure.
const PG_ATTEMPTS: u32 = 5;

fn run_postgres<T>(
    pool: &pool::Pool,
    mode: PgMode,
    f: &dyn Fn(&Tx<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut conn = pool.get()?;
        let result = (|| {
            let pool::Conn { client, statements } = &mut *conn;
            if mode == PgMode::Single {
                return f(&Tx::postgres_single(client, statements));
            }
            // Writes: READ COMMITTED, with explicit locks where order matters
            // (a feed's row, advisory locks) and unique constraints for
            // idempotence. Reads: one consistent read-only snapshot.
            let mut builder = client.build_transaction();
            builder = if mode == PgMode::Write {
                builder.isolation_level(postgres::IsolationLevel::ReadCommitted)
            } else {
                builder
                    .isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
            };
            let tx = Tx::postgres(builder.start()?, statements);
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

/// Takes the next sequence number of a feed (an owner account's bundles,
/// snapshots, grants, deletions and the view events of its documents).
///
/// The `UPDATE` locks the feed's row until the transaction ends, on both
/// backends: a second transaction that wants a number of the same feed waits
/// for the first to commit or roll back, so a feed's numbers become visible
/// in the order they were handed out (a rolled-back number leaves a harmless
/// gap). Transactions on other feeds do not wait.
pub fn next_seq(tx: &Tx<'_>, feed: i64) -> ApiResult<i64> {
    tx.query_row(
        "UPDATE feeds SET seq = seq + 1 WHERE num = ?1 RETURNING seq",
        params![feed],
        |row| row.get(0),
    )
}

/// As [`next_seq`], for a part of `bytes` bytes that the feed's account will
/// store: counts them against its storage. `None` if that takes it past
/// `quota` (the count then stands until the caller's transaction rolls back
/// or [`recount_storage`] runs).
pub fn next_seq_storing(tx: &Tx<'_>, feed: i64, bytes: u64, quota: u64) -> ApiResult<Option<i64>> {
    let (seq, stored): (i64, i64) = tx.query_row(
        "UPDATE feeds SET seq = seq + 1, stored_bytes = stored_bytes + ?2 WHERE num = ?1
         RETURNING seq, stored_bytes",
        params![feed, i64::try_from(bytes).unwrap_or(i64::MAX)],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok((u64::try_from(stored).unwrap_or(0) <= quota).then_some(seq))
}

/// The answer to a request that would take a record past its storage quota.
pub fn over_quota(quota: u64) -> ApiError {
    ApiError::too_large(format!(
        "the record has reached its storage quota on this server ({quota} bytes); \
         nothing of this request was stored"
    ))
}

/// Counts a feed's stored bytes again from what it holds, after parts were
/// dropped or added other than by a push; the count afterwards.
pub fn recount_storage(tx: &Tx<'_>, feed: i64) -> ApiResult<u64> {
    let stored: i64 = tx.query_row(
        "UPDATE feeds SET stored_bytes =
             COALESCE((SELECT sum(length(b.data)) FROM bundles b WHERE b.feed = ?1), 0)
           + COALESCE((SELECT sum(length(s.data)) FROM snapshots s WHERE s.feed = ?1), 0)
         WHERE num = ?1 RETURNING stored_bytes",
        params![feed],
        |row| row.get(0),
    )?;
    Ok(u64::try_from(stored).unwrap_or(0))
}

/// As [`recount_storage`], refusing a change that left the feed over `quota`
/// and larger than `before`.
pub fn recount_within(tx: &Tx<'_>, feed: i64, before: u64, quota: u64) -> ApiResult<()> {
    let after = recount_storage(tx, feed)?;
    if after > quota && after > before {
        return Err(over_quota(quota));
    }
    Ok(())
}

/// What a feed's account stores now, in bytes.
pub fn stored_bytes(tx: &Tx<'_>, feed: i64) -> ApiResult<u64> {
    let stored: i64 = tx.query_row(
        "SELECT stored_bytes FROM feeds WHERE num = ?1",
        params![feed],
        |row| row.get(0),
    )?;
    Ok(u64::try_from(stored).unwrap_or(0))
}

/// The feed of an account (the number cursors name it by).
pub fn feed_of(tx: &Tx<'_>, account: &AccountId) -> ApiResult<i64> {
    tx.query_opt(
        "SELECT num FROM feeds WHERE account_id = ?1",
        params![&account.0],
        |row| row.get(0),
    )?
    .ok_or_else(|| ApiError::Internal("an account has no feed".into()))
}

/// The global sequence of schema version 1, frozen since: every feed starts
/// after it, and a version-1 cursor is a position in it.
pub fn legacy_seq(tx: &Tx<'_>) -> ApiResult<i64> {
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

/// A value stored as an opaque CBOR blob (public keys, certificates, wraps);
/// `what` names it in the error.
pub fn to_blob<T: serde::Serialize>(value: &T, what: &str) -> ApiResult<Vec<u8>> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes)
        .map_err(|e| ApiError::Internal(format!("encoding {what}: {e}")))?;
    Ok(bytes)
}

/// A value back from [`to_blob`].
pub fn from_blob<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> ApiResult<T> {
    ciborium::from_reader(bytes).map_err(|e| ApiError::Internal(format!("stored {what}: {e}")))
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
        assert_eq!(
            describe(Path::new(
                "postgresql://u:p%40ss@h/db?sslmode=disable&password=s3cret"
            )),
            "postgresql://u@h/db?sslmode=disable&password=***"
        );
        assert_eq!(describe(Path::new("postgres://h/db")), "postgres://h/db");
    }
}
