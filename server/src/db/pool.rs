//! A small pool of synchronous PostgreSQL connections (`--db-connections`).
//! Connections open on demand up to the limit; a caller beyond it waits for
//! one to come back. A connection that broke is dropped, not returned.
//! Each connection keeps the statements it has prepared.

use std::{
    ops::{Deref, DerefMut},
    sync::{Condvar, Mutex},
    time::Duration,
};

use postgres::{Client, NoTls};

use super::exec::Statements;
use crate::error::{ApiError, ApiResult};

/// How long a request waits for a free connection before failing.
const WAIT: Duration = Duration::from_secs(30);

pub struct Pool {
    config: postgres::Config,
    max: usize,
    state: Mutex<State>,
    freed: Condvar,
}

/// One connection and its prepared statements.
pub struct Conn {
    pub client: Client,
    pub statements: Statements,
}

struct State {
    idle: Vec<Conn>,
    /// Connections open, idle or lent out.
    open: usize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("max", &self.max).finish()
    }
}

impl Pool {
    pub fn new(url: &str, max: usize) -> ApiResult<Pool> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| ApiError::Internal(format!("malformed PostgreSQL URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        Ok(Pool {
            config,
            max,
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        })
    }

    fn lock(&self) -> ApiResult<std::sync::MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| ApiError::Internal("connection pool lock poisoned".into()))
    }

    /// A connection, opened if none is idle and the pool is below its size.
    pub fn get(&self) -> ApiResult<Pooled<'_>> {
        let mut state = self.lock()?;
        loop {
            if let Some(client) = state.idle.pop() {
                if client.client.is_closed() {
                    state.open -= 1;
                    continue;
                }
                return Ok(Pooled {
                    pool: self,
                    client: Some(client),
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Pooled {
                        pool: self,
                        client: Some(Conn {
                            client,
                            statements: Statements::new(),
                        }),
                    }),
                    Err(e) => {
                        self.lock()?.open -= 1;
                        self.freed.notify_one();
                        Err(e.into())
                    }
                };
            }
            let (next, timeout) = self
                .freed
                .wait_timeout(state, WAIT)
                .map_err(|_| ApiError::Internal("connection pool lock poisoned".into()))?;
            if timeout.timed_out() && next.idle.is_empty() && next.open >= self.max {
                return Err(ApiError::Internal(
                    "no database connection became free in time".into(),
                ));
            }
            state = next;
        }
    }
}

/// A connection lent out by the pool; returned on drop.
pub struct Pooled<'a> {
    pool: &'a Pool,
    client: Option<Conn>,
}

impl Deref for Pooled<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        // Always `Some` until drop.
        self.client.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.client.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        if let Ok(mut state) = self.pool.state.lock() {
            if client.client.is_closed() {
                state.open -= 1;
            } else {
                state.idle.push(client);
            }
        }
        self.pool.freed.notify_one();
    }
}
