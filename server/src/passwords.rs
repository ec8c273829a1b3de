//! Password hashing behind a gate: at most `--hash-concurrency` Argon2
//! computations run at once, because each holds `--argon2-memory-kib` of
//! memory (19 MiB by default) for tens of milliseconds. They run on that
//! many threads of their own: the allocator keeps a freed block of that size
//! in the arena of the thread that used it, so hashing on tokio's blocking
//! pool (hundreds of threads) would let the memory grow with the number of
//! threads that ever hashed. A request that cannot get a turn within
//! `--hash-wait-ms` is answered `429` with `Retry-After` instead of queueing
//! more work behind the others.

use std::{
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};

use tokio::sync::{Semaphore, oneshot};

use crate::{
    auth,
    error::{ApiError, ApiResult},
};

/// How many password hashes run at once, and for how long a request waits
/// for its turn.
#[derive(Debug, Clone)]
pub struct PasswordGate {
    turns: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
    wait: Duration,
    memory_kib: u32,
}

/// Seconds a refused request is told to wait before trying again.
const RETRY_AFTER_SECS: u64 = 1;

type Job = Box<dyn FnOnce() + Send>;

impl PasswordGate {
    /// Starts `concurrency` hashing threads.
    pub fn new(concurrency: usize, wait: Duration, memory_kib: u32) -> ApiResult<Self> {
        let concurrency = concurrency.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..concurrency {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || {
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panic answers its request with an error (the
                            // reply is dropped) and keeps the thread.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|e| ApiError::Internal(format!("starting a hashing thread: {e}")))?;
        }
        Ok(Self {
            turns: Arc::new(Semaphore::new(concurrency)),
            jobs,
            wait,
            memory_kib,
        })
    }

    /// Runs `work` on the blocking pool once a turn is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> ApiResult<T> {
        let busy = || ApiError::RateLimited {
            retry_after_secs: RETRY_AFTER_SECS,
        };
        let turn = if self.wait.is_zero() {
            Arc::clone(&self.turns)
                .try_acquire_owned()
                .map_err(|_| busy())?
        } else {
            tokio::time::timeout(self.wait, Arc::clone(&self.turns).acquire_owned())
                .await
                .map_err(|_| busy())?
                .map_err(|_| ApiError::Internal("the password gate closed".into()))?
        };
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let value = work();
                drop(turn);
                let _ = reply.send(value);
            }))
            .map_err(|_| ApiError::Internal("the hashing threads stopped".into()))?;
        answer
            .await
            .map_err(|_| ApiError::Internal("a hashing task failed".into()))
    }

    /// An Argon2id hash of `password` (PHC string).
    pub async fn hash(&self, password: String) -> ApiResult<String> {
        let memory = self.memory_kib;
        self.run(move || auth::hash_password(&password, memory))
            .await?
    }

    /// Whether `password` matches the stored PHC string.
    pub async fn verify(&self, password: String, stored: String) -> ApiResult<bool> {
        self.run(move || auth::verify_password(&password, &stored))
            .await
    }
}
