//! The Rapport sync server: accounts and devices, care links, grants, and a
//! push/pull endpoint for opaque Automerge bundles. See `docs/protocol.md`.
//!
//! A map of the crate, one concept per module:
//! - [`config`]: flags and environment; [`limits`]: sizes and the rate limit;
//! - [`auth`]: tokens, passwords, the authenticated [`auth::Caller`];
//! - [`passwords`]: the gate on concurrent hashing; [`lockout`]: repeated failures;
//! - [`accounts`], [`links`], [`grants`], [`sync`], [`access_log`], [`keys`]: the endpoints;
//! - [`db`]: every query; [`error`]: errors and their wire form.

pub mod access_log;
pub mod accounts;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
#[doc(hidden)]
pub mod fuzz;
pub mod grants;
pub mod keys;
pub mod limits;
pub mod links;
pub mod lockout;
pub mod passwords;
pub mod sync;

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{delete, get, post, put},
};
use rapport_protocol::{ErrorBody, ErrorCode, Limits};

use crate::{
    config::Config, db::Db, error::ApiError, limits::RateLimiter, lockout::Lockout,
    passwords::PasswordGate,
};

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub limits: Limits,
    pub rate_limiter: RateLimiter,
    pub passwords: PasswordGate,
    pub lockout: Lockout,
    /// An Argon2 hash of a random password, checked when an email is unknown.
    pub dummy_hash: Arc<str>,
}

impl AppState {
    pub fn new(config: Config) -> Result<AppState, ApiError> {
        let db = Db::open(
            &config.database,
            config.db_connections,
            config.create_database,
        )?;
        let dummy_hash = auth::hash_password(&auth::new_token()?, config.argon2_memory_kib)?;
        Ok(AppState {
            db,
            limits: limits::limits_from(&config),
            rate_limiter: RateLimiter::new(config.rate_per_sec, config.rate_burst),
            passwords: PasswordGate::new(
                config.hash_concurrency(),
                Duration::from_millis(config.hash_wait_ms),
                config.argon2_memory_kib,
            )?,
            lockout: Lockout::new(
                config.sign_in_max_failures,
                Duration::from_secs(config.sign_in_failure_window_secs),
            ),
            config: Arc::new(config),
            dummy_hash: dummy_hash.into(),
        })
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; see docs/protocol.md")
}

async fn method_not_allowed() -> Response {
    let body = ErrorBody {
        error: ErrorCode::BadRequest,
        message: "this endpoint does not take this method; see docs/protocol.md".into(),
    };
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

/// Logs one line per request: method, route template, status, duration.
/// Never the URI's ids, headers (tokens) or bodies.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_millis();
    if status >= 500 {
        tracing::error!(%method, %route, status, ms, "request");
    } else {
        tracing::info!(%method, %route, status, ms, "request");
    }
    response
}

/// Bounds how long one request may take, its body's upload included: a
/// stalled or deliberately slow client gets 408 and its connection slot back.
/// Work already handed to the database finishes (or rolls back) on its own;
/// pushes are idempotent, so the client's retry is safe.
async fn deadline(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let limit = std::time::Duration::from_secs(state.config.request_timeout_secs);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout(format!(
            "the request took longer than {} s; send it again",
            limit.as_secs()
        ))
        .into_response(),
    }
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    let max_body = usize::try_from(state.limits.max_body_bytes).unwrap_or(usize::MAX);
    let v1 = Router::new()
        .route("/accounts", post(accounts::sign_up))
        .route("/sessions", post(accounts::sign_in))
        .route("/sessions/current", delete(accounts::sign_out))
        .route("/account", delete(accounts::delete_account))
        .route("/account/password", put(accounts::change_password))
        .route("/devices", get(accounts::list_devices))
        .route("/devices/{id}", delete(accounts::revoke_device))
        .route("/invites", post(links::create_invite))
        .route("/invites/redeem", post(links::redeem_invite))
        .route("/invites/{code}", delete(links::cancel_invite))
        .route("/links", get(links::list_links))
        .route("/links/{id}", delete(links::end_link))
        .route("/grants", post(grants::create).get(grants::list))
        .route("/grants/{id}", delete(grants::revoke))
        .route("/access-log", get(access_log::list))
        .route("/keys", put(keys::publish))
        .route("/keys/rotate", post(keys::rotate))
        .route(
            "/keys/backup",
            put(keys::put_backup)
                .get(keys::get_backup)
                .delete(keys::delete_backup),
        )
        .route("/keys/{account}", get(keys::get))
        .route("/sync", post(sync::sync))
        .route("/documents/{id}", delete(sync::delete_document))
        .route("/documents/{id}/snapshot", put(sync::put_snapshot))
        .route("/limits", get(limits::get_limits))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limits::rate_limit,
        ));
    Router::new()
        .route("/health", get(health))
        .nest(rapport_protocol::API_PREFIX, v1)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), deadline))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Runs the server until SIGINT or SIGTERM. Prints the bound address on
/// stdout (`rapport-server listening on <scheme>://<addr>`).
pub async fn serve(config: Config) -> Result<(), String> {
    config.check_transport()?;
    let tls_files = config.tls_cert.clone().zip(config.tls_key.clone());
    let listen = config.listen;
    let database = config.database.clone();
    // Opening may block (the PostgreSQL client runs its own small runtime).
    let state = tokio::task::spawn_blocking(move || AppState::new(config))
        .await
        .map_err(|e| format!("opening the database: {e}"))?
        .map_err(|e| format!("opening the database: {e}"))?;
    let header_timeout = std::time::Duration::from_secs(state.config.header_timeout_secs);
    // Closed off the async threads at the end, like it was opened: a
    // PostgreSQL client blocks while it closes.
    let db = state.db.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = serve_app(app, listen, tls_files, header_timeout, &database).await;
    let _ = tokio::task::spawn_blocking(move || drop(db)).await;
    served
}

async fn serve_app(
    app: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr>,
    listen: SocketAddr,
    tls_files: Option<(std::path::PathBuf, std::path::PathBuf)>,
    header_timeout: std::time::Duration,
    database: &std::path::Path,
) -> Result<(), String> {
    let listener =
        std::net::TcpListener::bind(listen).map_err(|e| format!("listening on {listen}: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("listening on {listen}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("listening on {listen}: {e}"))?;
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        shutdown.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    // Both transports are served by axum-server, whose HTTP/1 builder can
    // bound how long a client takes to send its headers (slowloris).
    match tls_files {
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .map_err(|e| format!("loading TLS certificate and key: {e}"))?;
            let mut server = axum_server::from_tcp_rustls(listener, tls)
                .map_err(|e| format!("listening on {listen}: {e}"))?;
            server
                .http_builder()
                .http1()
                .header_read_timeout(Some(header_timeout));
            announce("https", local, database);
            server
                .handle(handle)
                .serve(app)
                .await
                .map_err(|e| format!("serving: {e}"))
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .map_err(|e| format!("listening on {listen}: {e}"))?;
            server
                .http_builder()
                .http1()
                .header_read_timeout(Some(header_timeout));
            announce("http", local, database);
            server
                .handle(handle)
                .serve(app)
                .await
                .map_err(|e| format!("serving: {e}"))
        }
    }
}

fn announce(scheme: &str, local: SocketAddr, database: &std::path::Path) {
    use std::io::Write;
    tracing::info!(%local, database = %db::describe(database), "listening");
    let mut out = std::io::stdout();
    let _ = writeln!(out, "rapport-server listening on {scheme}://{local}");
    let _ = out.flush();
}
