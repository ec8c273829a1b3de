//! Failed password checks per account: after `--sign-in-max-failures` wrong
//! passwords within `--sign-in-failure-window-secs`, every password check
//! for that email is refused with the same `429` until the window ends,
//! whatever the password, so that guessing stops and the answer tells
//! nothing. Kept by email (unknown emails lock alike, so a lock says
//! nothing about whether an account exists), in memory, per process.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::error::ApiError;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// The failure counts of recent password checks, by normalised email.
#[derive(Debug, Clone)]
pub struct Lockout {
    max_failures: u32,
    window: Duration,
    failures: Arc<Mutex<HashMap<String, Failures>>>,
}

/// Beyond this many emails tracked, expired entries are forgotten.
const MAX_TRACKED: usize = 100_000;

impl Lockout {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: max_failures.max(1),
            window,
            failures: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        match self.failures.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// `Err(429)` while the email is locked; checked before any hashing.
    pub fn check(&self, email: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut map = self.map();
        let Some(entry) = map.get(email).copied() else {
            return Ok(());
        };
        let elapsed = now.duration_since(entry.since);
        if elapsed >= self.window {
            map.remove(email);
            return Ok(());
        }
        if entry.count >= self.max_failures {
            let left = self.window - elapsed;
            return Err(ApiError::LockedOut {
                retry_after_secs: left.as_secs().max(1),
            });
        }
        Ok(())
    }

    /// Counts a wrong password for the email.
    pub fn failed(&self, email: &str) {
        let now = Instant::now();
        let window = self.window;
        let mut map = self.map();
        if map.len() >= MAX_TRACKED {
            map.retain(|_, f| now.duration_since(f.since) < window);
        }
        let entry = map.entry(email.to_owned()).or_insert(Failures {
            count: 0,
            since: now,
        });
        if now.duration_since(entry.since) >= window {
            *entry = Failures {
                count: 0,
                since: now,
            };
        }
        entry.count = entry.count.saturating_add(1);
    }

    /// A right password clears the count.
    pub fn succeeded(&self, email: &str) {
        self.map().remove(email);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_last_allowed_failure_and_not_before() {
        let lockout = Lockout::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            lockout.failed("ada@example.org");
        }
        assert!(lockout.check("ada@example.org").is_ok());
        lockout.failed("ada@example.org");
        assert!(matches!(
            lockout.check("ada@example.org"),
            Err(ApiError::LockedOut { retry_after_secs }) if (1..=60).contains(&retry_after_secs)
        ));
        assert!(lockout.check("bob@example.org").is_ok());
        let short = Lockout::new(1, Duration::ZERO);
        short.failed("ada@example.org");
        assert!(short.check("ada@example.org").is_ok(), "the window ended");
    }
}
