//! The SQLite backend: one writer connection on a thread of its own, and read
//! connections beside it (WAL lets readers run while the writer writes).
//!
//! - The writer commits the transactions of every request waiting for it at
//!   once: each runs in a savepoint (one that fails rolls back alone), then
//!   one `COMMIT` (one fsync) makes them all durable, and only then does each
//!   request get its answer. Under load this is what lets pushes outrun the
//!   disk's fsync rate.
//! - Reads run on the calling thread, each in its own read transaction on a
//!   pooled connection: a read takes tens of microseconds, less than a hop
//!   to another thread and back.

use std::{
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
        mpsc,
    },
    time::Duration,
};

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::{exec::Tx, schema};
use crate::error::{ApiError, ApiResult};

/// Prepared statements each connection keeps: the server has a few dozen
/// distinct queries (the default of 16 made SQLite recompile them).
const STATEMENT_CACHE: usize = 128;
/// Most requests committed together.
const MAX_BATCH: usize = 256;
/// Most idle read connections kept open.
const MAX_IDLE_READERS: usize = 16;

pub struct Sqlite {
    path: PathBuf,
    jobs: mpsc::Sender<Box<dyn WriteJob>>,
    /// Set by a write that deleted content: the writer then checkpoints the
    /// WAL (and truncates it) after that write's batch commits, so that
    /// deleted bytes do not linger in old WAL frames.
    scrub: Arc<AtomicBool>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite").field("path", &self.path).finish()
    }
}

fn configure(conn: &Connection) -> ApiResult<()> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // One plan per statement whatever its parameters: without this, SQLite
    // (built with STAT4) marks a cached statement stale whenever a parameter
    // that could sway the plan is bound to a new value, and compiles it again
    // at its next step; a profile of push+pull showed 80 % of the writer
    // thread in that recompilation (docs/performance.md).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // Deleted content is overwritten with zeros, not left in free space.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

impl Sqlite {
    /// Opens (creating if needed) the file, migrates it, starts the writer.
    pub fn open(path: &Path) -> ApiResult<Sqlite> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| {
                ApiError::Internal(format!("creating directory {}: {e}", dir.display()))
            })?;
        }
        create_private_file(path).map_err(|e| {
            ApiError::Internal(format!("creating database {}: {e}", path.display()))
        })?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        configure(&conn)?;
        schema::migrate_sqlite(&mut conn)?;
        let (jobs, queue) = mpsc::channel();
        let scrub = Arc::new(AtomicBool::new(false));
        let wanted = Arc::clone(&scrub);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer(&conn, &queue, &wanted))
            .map_err(|e| ApiError::Internal(format!("starting the database writer: {e}")))?;
        Ok(Sqlite {
            path: path.to_owned(),
            jobs,
            scrub,
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` in the writer's next batch; answers once the batch committed.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Tx<'_>) -> ApiResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(Pending {
                f: Some(f),
                result: None,
                reply,
            }))
            .map_err(|_| ApiError::Internal("the database writer stopped".into()))?;
        answer
            .await
            .map_err(|_| ApiError::Internal("the database writer stopped".into()))?
    }

    /// As [`Sqlite::write`], for a write that deletes content: the WAL is
    /// checkpointed and truncated before the answer.
    pub async fn write_deleting<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Tx<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.scrub.store(true, Ordering::SeqCst);
        self.write(f).await
    }

    /// Runs `f` in a read transaction on this thread.
    pub fn read<T>(&self, f: impl FnOnce(&Tx<'_>) -> ApiResult<T>) -> ApiResult<T> {
        let pooled = self
            .readers
            .lock()
            .map_err(|_| ApiError::Internal("reader pool lock poisoned".into()))?
            .pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = Connection::open(&self.path)?;
                configure(&conn)?;
                conn.pragma_update(None, "query_only", "ON")?;
                conn
            }
        };
        statement(&conn, "BEGIN")?;
        let value = f(&Tx::sqlite(&conn));
        let end = statement(&conn, if value.is_ok() { "COMMIT" } else { "ROLLBACK" });
        if end.is_ok()
            && conn.is_autocommit()
            && let Ok(mut idle) = self.readers.lock()
            && idle.len() < MAX_IDLE_READERS
        {
            idle.push(conn);
        }
        let value = value?;
        end?;
        Ok(value)
    }
}

fn statement(conn: &Connection, sql: &str) -> ApiResult<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// A request's write transaction, queued for the writer.
trait WriteJob: Send {
    /// Runs the transaction's work; false if it failed (roll it back).
    fn run(&mut self, tx: &Tx<'_>) -> bool;
    /// Answers the request once its batch committed (or failed to).
    fn finish(self: Box<Self>, committed: Result<(), &str>);
}

struct Pending<T, F> {
    f: Option<F>,
    result: Option<ApiResult<T>>,
    reply: oneshot::Sender<ApiResult<T>>,
}

impl<T, F> WriteJob for Pending<T, F>
where
    T: Send,
    F: FnOnce(&Tx<'_>) -> ApiResult<T> + Send,
{
    fn run(&mut self, tx: &Tx<'_>) -> bool {
        let Some(f) = self.f.take() else {
            return false;
        };
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| f(tx)))
            .unwrap_or_else(|_| Err(ApiError::Internal("a database task panicked".into())));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, committed: Result<(), &str>) {
        let result = match (self.result, committed) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(_)), Err(why)) => Err(ApiError::Internal(format!("commit failed: {why}"))),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (None, _) => Err(ApiError::Internal("a database task never ran".into())),
        };
        // The request may have gone (client disconnected): nothing to tell.
        let _ = self.reply.send(result);
    }
}

/// Creates the data folder (and missing parents) readable by the owner only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates an empty database file readable by the owner only, unless one
/// exists (SQLite gives its `-wal` and `-shm` files the same mode).
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Copies the WAL into the database and truncates it. Waits briefly for
/// readers; if one holds on, the next deletion's checkpoint catches up.
fn checkpoint(conn: &Connection) {
    let _ = conn.busy_timeout(Duration::from_millis(250));
    let result = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
        row.get::<_, i64>(0)
    });
    let _ = conn.busy_timeout(Duration::from_secs(5));
    match result {
        Ok(0) => {}
        Ok(_) => tracing::warn!("WAL checkpoint after a deletion was blocked by a reader"),
        Err(e) => tracing::warn!(error = %e, "WAL checkpoint after a deletion failed"),
    }
}

fn writer(conn: &Connection, queue: &mpsc::Receiver<Box<dyn WriteJob>>, scrub: &AtomicBool) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcome = run_batch(conn, &mut batch).map_err(|e| e.to_string());
        if let Err(e) = &outcome {
            tracing::error!(error = %e, requests = batch.len(), "a write batch failed");
        }
        if scrub.swap(false, Ordering::SeqCst) {
            checkpoint(conn);
        }
        for job in batch {
            job.finish(outcome.as_ref().map(|_| ()).map_err(String::as_str));
        }
    }
}

/// One transaction for the whole batch, a savepoint per request.
fn run_batch(conn: &Connection, batch: &mut [Box<dyn WriteJob>]) -> ApiResult<()> {
    statement(conn, "BEGIN IMMEDIATE")?;
    let result = (|| {
        let tx = Tx::sqlite(conn);
        for job in batch.iter_mut() {
            statement(conn, "SAVEPOINT request")?;
            if !job.run(&tx) {
                statement(conn, "ROLLBACK TO request")?;
            }
            statement(conn, "RELEASE request")?;
        }
        statement(conn, "COMMIT")
    })();
    if result.is_err() && !conn.is_autocommit() {
        let _ = statement(conn, "ROLLBACK");
    }
    result
}
