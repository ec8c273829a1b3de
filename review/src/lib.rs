//! rapport-review: the therapist's desktop app. It runs the core on the
//! therapist's own computer (an encrypted record, synced like any device)
//! and serves its pages on loopback to the therapist's browser only.
//!
//! Map of the crate:
//! - [`config`]: the command line, and the refusal to listen beyond loopback.
//! - [`keys`]: the store key and the sync session in the OS keystore, or a
//!   clearly named file beside the record where there is none.
//! - [`app`]: the running app: store, sync client, background sync, links.
//! - [`guard`]: every request's checks: Host header, session cookie (from a
//!   one-time token), CSRF token on every form.
//! - [`record`]: what the pages read of one client's record.
//! - [`charts`]: the SVG charts (mood, PHQ-9, the closeness circle).
//! - [`pages`]: the handlers and their templates.

pub mod app;
pub mod charts;
pub mod config;
pub mod error;
pub mod guard;
pub mod keys;
pub mod pages;
pub mod record;
pub mod text;

pub use app::App;
pub use config::Config;
pub use error::ReviewError;

/// Starts the app: opens the record, binds loopback, prints the sign-in
/// link, and serves until Ctrl-C.
pub async fn run(config: Config) -> Result<(), ReviewError> {
    let listen = config.listen_addr()?;
    let app = App::open(&config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| ReviewError::Start(format!("cannot listen on {listen}: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| ReviewError::Start(e.to_string()))?
        .port();
    let app = app.started(port);
    let url = app.sign_in_url();
    println!("rapport-review listening on {url}");
    println!(
        "Open that link in your browser; it works once. Keys kept in: {}",
        app.keystore_name()
    );
    if config.open_browser {
        open_browser(&url);
    }
    app::spawn_background_sync(std::sync::Arc::clone(&app));
    let router = pages::router(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| ReviewError::Start(e.to_string()))
}

/// Opens the link in the desktop's browser, where there is one; failing
/// quietly is fine, the link is printed.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        Some("open")
    } else if cfg!(target_os = "windows") {
        Some("explorer")
    } else if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
    {
        Some("xdg-open")
    } else {
        None
    };
    if let Some(opener) = opener {
        let _ = std::process::Command::new(opener)
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}
