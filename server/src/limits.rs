//! Limits on what one request may carry, and a per-caller request rate limit:
//! a token bucket per signed-in device, or per client address for every
//! request without a valid token (a made-up or malformed token buys no
//! bucket of its own). An IPv6 client is counted by its /64, the block one
//! subscriber usually holds.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::Instant,
};

use axum::{
    Json,
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use rapport_protocol::Limits;

use crate::{
    AppState,
    auth::{self, Authenticated},
    config::Config,
    error::ApiError,
};

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
        wrap_format: rapport_protocol::WRAP_FORMAT,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Device(String),
    Client(IpAddr),
}

/// The address a client is counted by: IPv4 as is, IPv6 by its /64.
fn client_key(ip: IpAddr) -> Key {
    match ip {
        IpAddr::V4(_) => Key::Client(ip),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Key::Client(IpAddr::V4(v4)),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                Key::Client(IpAddr::V6(prefix.into()))
            }
        },
    }
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

/// Middleware: authenticates the token (once for the whole request, see
/// [`Authenticated`]) and answers 429 `rate_limited` when the bucket of the
/// device, or without a valid token of the client address, is empty.
pub async fn rate_limit(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match auth::authenticate(&state, request.headers()).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    let key = match &caller {
        Some(caller) => Key::Device(caller.device_id.0.clone()),
        None => client_key(
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip()),
        ),
    };
    match state.rate_limiter.take(key) {
        Ok(()) => {
            request.extensions_mut().insert(Authenticated(caller));
            next.run(request).await
        }
        Err(retry_after_secs) => ApiError::RateLimited { retry_after_secs }.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refuses_after_burst_and_names_a_wait() {
        let limiter = RateLimiter::new(1.0, 3.0);
        let key = Key::Client(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..3 {
            assert_eq!(limiter.take(key.clone()), Ok(()));
        }
        assert_eq!(limiter.take(key), Err(1));
        // Another caller has its own bucket.
        assert_eq!(
            limiter.take(Key::Client(IpAddr::from([127, 0, 0, 2]))),
            Ok(())
        );
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_block() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("ip");
        assert_eq!(
            client_key(mapped),
            Key::Client(IpAddr::from([192, 0, 2, 7]))
        );
    }
}
