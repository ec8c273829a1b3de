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
/// Rules a new password must pass. Length alone let "        " through; these
/// refuse what a guesser tries first, without a breached-password list (the
/// server works offline).
pub fn check_new_password(password: &str, email: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if !(8..=1024).contains(&n) {
        return Err(ApiError::bad_request(
            "the password must have 8 to 1024 characters",
        ));
    }
    if password.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "the password must not contain control characters",
        ));
    }
    let mut distinct: Vec<char> = password
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err(ApiError::bad_request(
            "the password needs at least 4 different characters besides spaces",
        ));
    }
    let folded = password.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or(email);
    if folded == email || folded == local || COMMON.contains(&folded.as_str()) {
        return Err(ApiError::bad_request(
            "this password is among the first a guesser tries; choose another",
        ));
    }
    Ok(())
}

/// Common passwords of 8 characters or more (lower case), from the top of
/// the public breach lists.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "qwerty123",
    "1q2w3e4r",
    "1qaz2wsx",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "abc12345",
    "11111111",
    "87654321",
    "passw0rd",
    "trustno1",
    "superman",
    "letmein1",
    "zaq12wsx",
    "qwertyui",
    "asdfghjk",
    "00000000",
    "abcd1234",
    "rapport1",
    "therapy1",
];

#[cfg(test)]
mod tests {
    use super::check_new_password;

    #[test]
    fn weak_passwords_are_refused_and_a_passphrase_passes() {
        for weak in [
            "        ",
            "short",
            "aaaaaaaa",
            "abab abab",
            "Password",
            "12345678",
            "ada@example.org",
            "ada12345\u{0007}",
        ] {
            assert!(
                check_new_password(weak, "ada@example.org").is_err(),
                "{weak:?}"
            );
        }
        assert!(check_new_password("ada@example.org", "bob@example.org").is_ok());
        assert!(check_new_password("correct horse battery", "ada@example.org").is_ok());
    }
}
