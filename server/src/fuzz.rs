//! The body of the `server_request` fuzz target (`fuzz/`, see its README):
//! one HTTP request built from fuzzed bytes, sent through the real router
//! in process (`tower::ServiceExt::oneshot`: body extractors, the bearer
//! token, the rate limit, the handlers) on a SQLite database in a folder
//! the caller gives. A plain type, so that a stable test replays the
//! committed corpus and every crash found through exactly what the fuzzer
//! ran. Not part of the API.
//!
//! An input is: a route byte (an index into [`ROUTES`]), a flags byte
//! (bits 0-1: the content type, [`CONTENT_TYPES`]; bits 2-3: who asks: no
//! one, the client signed up at start, the therapist signed up at start, or
//! an `Authorization` header made of the tail), a length byte `n`, `n` bytes
//! of tail (the `{}` of the route, else appended to its path, e.g. a query),
//! and the body.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::{
    Router,
    body::Body,
    http::{HeaderValue, Method, Request, StatusCode, Uri, header},
};
use clap::Parser;
use rapport_protocol::{ErrorBody, ErrorCode, Role, Session, SignUpRequest};
use tower::ServiceExt;

use crate::{AppState, config::Config};

/// Every route of the server (and two it does not have), as method and path.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/v1/accounts"),
    ("POST", "/v1/sessions"),
    ("DELETE", "/v1/sessions/current"),
    ("DELETE", "/v1/account"),
    ("PUT", "/v1/account/password"),
    ("GET", "/v1/devices"),
    ("DELETE", "/v1/devices/{}"),
    ("POST", "/v1/invites"),
    ("POST", "/v1/invites/redeem"),
    ("DELETE", "/v1/invites/{}"),
    ("GET", "/v1/links"),
    ("DELETE", "/v1/links/{}"),
    ("POST", "/v1/grants"),
    ("GET", "/v1/grants"),
    ("DELETE", "/v1/grants/{}"),
    ("GET", "/v1/access-log"),
    ("PUT", "/v1/keys"),
    ("PUT", "/v1/keys/backup"),
    ("GET", "/v1/keys/backup"),
    ("DELETE", "/v1/keys/backup"),
    ("GET", "/v1/keys/{}"),
    ("POST", "/v1/sync"),
    ("DELETE", "/v1/documents/{}"),
    ("PUT", "/v1/documents/{}/snapshot"),
    ("GET", "/v1/limits"),
    ("GET", "/health"),
    ("PATCH", "/v1/sync"),
    ("GET", "/v2/{}"),
];

/// The `Content-Type` of flags bits 0-1 (`None`: no header).
pub const CONTENT_TYPES: [Option<&str>; 4] = [
    Some("application/json"),
    Some(rapport_protocol::CBOR),
    None,
    Some("text/plain; charset=utf-8"),
];

/// Who asks (flags bits 2-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asker {
    Nobody,
    Account(usize),
    Header,
}

/// The password of the accounts the harness signs up.
pub const PASSWORD: &str = "fuzzing harness passphrase 7";

/// A server on its own database, with a client and a therapist signed in.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    /// The tokens of the client and the therapist; renewed (a new account)
    /// when a request signs one out or deletes its account.
    tokens: Mutex<[String; 2]>,
    signed_up: AtomicU32,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness").finish_non_exhaustive()
    }
}

impl Harness {
    /// A server whose SQLite database lives in `dir`.
    pub fn new(dir: &Path) -> Harness {
        let database = dir.join("fuzz.sqlite3").to_string_lossy().into_owned();
        let config = Config::parse_from([
            "rapport-server",
            "--database",
            database.as_str(),
            "--argon2-memory-kib",
            "8",
            "--rate-per-sec",
            "1000000000",
            "--rate-burst",
            "1000000000",
        ]);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let state = {
            let _entered = runtime.enter();
            AppState::new(config).expect("the server opens its database")
        };
        let harness = Harness {
            runtime,
            router: crate::router(state),
            tokens: Mutex::new([String::new(), String::new()]),
            signed_up: AtomicU32::new(0),
        };
        harness.renew(0);
        harness.renew(1);
        harness
    }

    /// The email of the `n`th account the harness signed up.
    pub fn email(n: u32) -> String {
        format!("harness-{n}@fuzz.example")
    }

    /// Signs up a new client (0) or therapist (1) and keeps its token.
    fn renew(&self, who: usize) {
        let n = self.signed_up.fetch_add(1, Ordering::Relaxed);
        let body = serde_json::to_vec(&SignUpRequest {
            email: Self::email(n),
            password: PASSWORD.to_owned(),
            role: if who == 0 {
                Role::Client
            } else {
                Role::Therapist
            },
            display_name: format!("Harness {n}"),
            device_name: None,
        })
        .expect("a sign-up encodes");
        let request = Request::post("/v1/accounts")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("a sign-up request");
        let (status, _, body) = self.send(request);
        assert_eq!(status, StatusCode::CREATED, "the harness signs up");
        let session: Session = serde_json::from_slice(&body).expect("a session");
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens[who] = session.token;
    }

    fn send(&self, request: Request<Body>) -> (StatusCode, Option<HeaderValue>, Vec<u8>) {
        self.runtime.block_on(async {
            let response = match self.router.clone().oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let (parts, body) = response.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX)
                .await
                .expect("the answer's body reads");
            (
                parts.status,
                parts.headers.get(header::CONTENT_TYPE).cloned(),
                body.to_vec(),
            )
        })
    }

    /// The request `data` describes (see the module), or `None` when its
    /// bytes make no HTTP request (hyper would refuse them first).
    fn build(&self, data: &[u8]) -> Option<(Request<Body>, Asker)> {
        let &[route, flags, n, ref rest @ ..] = data else {
            return None;
        };
        let (tail, body) = rest.split_at(usize::from(n).min(rest.len()));
        let (method, path) = ROUTES[usize::from(route) % ROUTES.len()];
        let asker = match (flags >> 2) & 3 {
            0 => Asker::Nobody,
            1 => Asker::Account(0),
            2 => Asker::Account(1),
            _ => Asker::Header,
        };
        let tail_in_path: &[u8] = if asker == Asker::Header { b"" } else { tail };
        let uri = match path.split_once("{}") {
            Some((before, after)) => [before.as_bytes(), tail_in_path, after.as_bytes()].concat(),
            None => [path.as_bytes(), tail_in_path].concat(),
        };
        let mut request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).ok()?)
            .uri(Uri::try_from(uri.as_slice()).ok()?);
        if let Some(content_type) = CONTENT_TYPES[usize::from(flags & 3)] {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        match asker {
            Asker::Nobody => {}
            Asker::Account(who) => {
                let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
                request = request.header(header::AUTHORIZATION, format!("Bearer {}", tokens[who]));
            }
            Asker::Header => {
                request =
                    request.header(header::AUTHORIZATION, HeaderValue::from_bytes(tail).ok()?);
            }
        }
        Some((request.body(Body::from(body.to_vec())).ok()?, asker))
    }

    /// Sends the request `data` describes. Panics if the server fails on it
    /// (500) or answers an error without the JSON error body.
    pub fn request(&self, data: &[u8]) {
        let Some((request, asker)) = self.build(data) else {
            return;
        };
        let what = format!("{} {}", request.method(), request.uri());
        let (status, content_type, body) = self.send(request);
        assert_ne!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed on {what}"
        );
        if !(status.is_client_error() || status.is_server_error()) {
            return;
        }
        let json = content_type.is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let error: Option<ErrorBody> = serde_json::from_slice(&body).ok();
        let Some(error) = error.filter(|_| json) else {
            panic!(
                "{what} answered {status} without the JSON error body: {:?}",
                String::from_utf8_lossy(&body)
            );
        };
        if let (Asker::Account(who), ErrorCode::Unauthorized) = (asker, error.error) {
            // The request signed this account out (or deleted it): start another.
            self.renew(who);
        }
    }
}
