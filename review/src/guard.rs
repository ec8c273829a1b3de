//! Every request passes here first. The pages hold a client's record, and
//! any web page the therapist visits can make the browser send requests to
//! loopback, so:
//! - the Host header must be `127.0.0.1:PORT` or `localhost:PORT` (a page
//!   on another name that resolves to 127.0.0.1, DNS rebinding, is refused);
//! - the browser must hold the session cookie, which only the one-time
//!   token printed at start-up gives (HttpOnly, SameSite=Strict);
//! - every POST carries the session's CSRF token in its form (compared in
//!   constant time), and cross-site POSTs are refused before that.
//!
//! Responses forbid scripts, framing, caching and referrers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::error::ReviewError;

/// The session cookie's name.
pub const COOKIE: &str = "rapport_review";

/// The form field every POST carries.
pub const CSRF_FIELD: &str = "csrf";

/// Largest form accepted (a note is at most a few KiB).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// The one-time token and the browser sessions it opened.
#[derive(Debug)]
pub struct Auth {
    one_time: Mutex<Option<String>>,
    /// Session id to its CSRF token.
    sessions: Mutex<HashMap<String, String>>,
}

/// The browser session of a request, for the forms of its page.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub csrf: String,
}

impl Auth {
    pub fn new() -> Result<Auth, ReviewError> {
        Ok(Auth {
            one_time: Mutex::new(Some(random_token()?)),
            sessions: Mutex::new(HashMap::new()),
        })
    }

    /// The token of the start-up link (empty once used).
    pub fn one_time_token(&self) -> String {
        self.one_time
            .lock()
            .ok()
            .and_then(|t| t.clone())
            .unwrap_or_default()
    }

    /// Exchanges the one-time token for a new session id, once.
    fn redeem(&self, token: &str) -> Result<Option<String>, ReviewError> {
        let Ok(mut one_time) = self.one_time.lock() else {
            return Ok(None);
        };
        let matches = one_time
            .as_deref()
            .is_some_and(|t| bool::from(t.as_bytes().ct_eq(token.as_bytes())));
        if !matches {
            return Ok(None);
        }
        *one_time = None;
        let id = random_token()?;
        let csrf = random_token()?;
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(id.clone(), csrf);
        }
        Ok(Some(id))
    }

    /// The session of a cookie value, compared in constant time.
    fn session(&self, cookie: &str) -> Option<BrowserSession> {
        let sessions = self.sessions.lock().ok()?;
        let mut found = None;
        for (id, csrf) in sessions.iter() {
            if bool::from(id.as_bytes().ct_eq(cookie.as_bytes())) {
                found = Some(BrowserSession { csrf: csrf.clone() });
            }
        }
        found
    }
}

fn random_token() -> Result<String, ReviewError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ReviewError::Start(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// The middleware: host, one-time token, cookie, CSRF, response headers.
pub async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut response = check(&app, request, next).await;
    secure_headers(response.headers_mut());
    response
}

async fn check(app: &App, request: Request, next: Next) -> Response {
    if !host_allowed(request.headers(), app.port()) {
        return refuse(
            StatusCode::FORBIDDEN,
            "This address is not Rapport Review's. Open the link rapport-review printed.",
        );
    }
    if let Some(token) = query_param(request.uri().query(), "token") {
        if request.method() != Method::GET {
            return refuse(
                StatusCode::FORBIDDEN,
                "The sign-in link is opened, not posted.",
            );
        }
        return match app.auth.redeem(&token) {
            Ok(Some(id)) => {
                let cookie = format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/");
                let mut response = (
                    StatusCode::SEE_OTHER,
                    [(header::LOCATION, request.uri().path().to_owned())],
                )
                    .into_response();
                if let Ok(value) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().insert(header::SET_COOKIE, value);
                }
                response
            }
            _ => refuse(
                StatusCode::FORBIDDEN,
                "This sign-in link was used already. Restart rapport-review for a new one.",
            ),
        };
    }
    let Some(session) = cookie_value(request.headers()).and_then(|c| app.auth.session(&c)) else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Not signed in to this browser. Open the link rapport-review printed when it started.",
        );
    };
    let mut request = request;
    if request.method() == Method::POST {
        if cross_site(request.headers(), app.port()) {
            return refuse(
                StatusCode::FORBIDDEN,
                "Forms are only accepted from these pages.",
            );
        }
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "That form is too large.");
        };
        let given = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(session.csrf.as_bytes())) {
            return refuse(
                StatusCode::FORBIDDEN,
                "This form is out of date or did not come from these pages; nothing was changed.",
            );
        }
        request = Request::from_parts(parts, Body::from(bytes));
    } else if request.method() != Method::GET && request.method() != Method::HEAD {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, "Not here.");
    }
    request.extensions_mut().insert(session);
    next.run(request).await
}

/// `127.0.0.1:PORT` or `localhost:PORT`, nothing else.
pub fn host_allowed(headers: &HeaderMap, port: u16) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
}

/// A POST whose browser says it came from another site.
fn cross_site(headers: &HeaderMap, port: u16) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|h| h.to_str().ok());
    if site.is_some_and(|s| s != "same-origin" && s != "none") {
        return true;
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok()) {
        // An opaque origin (sandboxed frames, some privacy settings) is
        // only taken when the browser vouches the request is same-origin.
        if origin == "null" {
            return site != Some("same-origin");
        }
        let ours = [
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
        ];
        return !ours.iter().any(|o| o == origin);
    }
    false
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Rapport Review</title></head><body><main><h1>Rapport Review</h1>\
         <p>{message}</p></main></body></html>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn secure_headers(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, "x-frame-options", "DENY");
    set(headers, "x-content-type-options", "nosniff");
    // Same-origin requests keep their Origin header (checked on POST);
    // nothing is sent to any other site.
    set(headers, "referrer-policy", "same-origin");
    set(headers, "cache-control", "no-store");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(headers, "cross-origin-resource-policy", "same-origin");
}
