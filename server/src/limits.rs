//! Limits on what one request may carry, and a per-caller request rate limit
//! (a token bucket keyed by bearer token, or by IP address without one).

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::Instant,
};

use axum::{
    Json,
    extract::{ConnectInfo, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use rapport_protocol::Limits;
use sha2::{Digest, Sha256};

use crate::{AppState, config::Config, error::ApiError};

/// `GET /v1/limits`
pub async fn get_limits(State(state): State<AppState>) -> Json<Limits> {
    Json(state.limits.clone())
}

pub fn limits_from(config: &Config) -> Limits {
    Limits {
        max_body_bytes: config.max_body_bytes,
        max_bundle_bytes: config.max_bundle_bytes.min(config.max_body_bytes),
        max_batch: config.max_batch,
        max_page: config.max_page,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Token([u8; 32]),
    Ip(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// A token bucket per caller, kept in memory.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<Key, Bucket>>>,
}

/// Beyond this many callers, full buckets are forgotten.
const MAX_TRACKED: usize = 50_000;

impl RateLimiter {
    pub fn new(per_sec: f64, burst: f64) -> Self {
        Self {
            per_sec,
            burst,
            buckets: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Takes one token; on refusal, returns the seconds until one is available.
    fn take(&self, key: Key) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = match self.buckets.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() > MAX_TRACKED {
            let (per_sec, burst) = (self.per_sec, self.burst);
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * per_sec < burst
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_sec).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_sec;
            // Saturating float-to-int conversion; at least one second.
            Err((wait.ceil() as u64).max(1))
        }
    }
}

/// Middleware: answers 429 `rate_limited` when the caller's bucket is empty.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let key = match request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(value) => Key::Token(Sha256::digest(value.as_bytes()).into()),
        None => {
            let ip = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip())
                .unwrap_or(IpAddr::from([0, 0, 0, 0]));
            Key::Ip(ip)
        }
    };
    match state.rate_limiter.take(key) {
        Ok(()) => next.run(request).await,
        Err(retry_after_secs) => ApiError::RateLimited { retry_after_secs }.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refuses_after_burst_and_names_a_wait() {
        let limiter = RateLimiter::new(1.0, 3.0);
        let key = Key::Ip(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..3 {
            assert_eq!(limiter.take(key.clone()), Ok(()));
        }
        assert_eq!(limiter.take(key), Err(1));
        // Another caller has its own bucket.
        assert_eq!(limiter.take(Key::Ip(IpAddr::from([127, 0, 0, 2]))), Ok(()));
    }
}
