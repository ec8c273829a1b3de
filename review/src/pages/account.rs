//! Signing up or in as a therapist; the session is kept in the keystore.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Extension, Form, State};
use axum::response::IntoResponse;
use axum::response::Redirect;
use rapport_protocol::Role;
use serde::Deserialize;

use super::{Chrome, PageResult, html};
use crate::app::App;
use crate::guard::BrowserSession;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    message: Option<String>,
    account_id: Option<String>,
    /// The account key as a recovery kit, to write down or print.
    recovery_kit: Option<String>,
}

pub async fn page(
    State(app): State<Arc<App>>,
    Extension(session): Extension<BrowserSession>,
) -> PageResult {
    show(&app, &session, None)
}

fn show(app: &App, session: &BrowserSession, message: Option<String>) -> PageResult {
    html(&AccountPage {
        chrome: Chrome::new(app, session, "Account", "/account"),
        message,
        account_id: app.signed_in().map(|s| s.account_id.0),
        recovery_kit: app
            .signed_in()
            .and_then(|_| app.sync.recovery_kit().ok())
            .map(|kit| kit.as_str().to_owned()),
    })
}

#[derive(Debug, Deserialize)]
pub struct SignUp {
    email: String,
    password: String,
    display_name: String,
}

pub async fn sign_up(
    State(app): State<Arc<App>>,
    Extension(session): Extension<BrowserSession>,
    Form(form): Form<SignUp>,
) -> PageResult {
    let name = if form.display_name.trim().is_empty() {
        form.email.trim()
    } else {
        form.display_name.trim()
    };
    match app
        .sync
        .sign_up(form.email.trim(), &form.password, Role::Therapist, name)
        .await
    {
        Ok(s) => signed_in(&app, &session, &s).await,
        Err(e) => show(&app, &session, Some(format!("Could not sign up: {e}"))),
    }
}

#[derive(Debug, Deserialize)]
pub struct SignIn {
    email: String,
    password: String,
    /// The account key as a recovery kit, for an account made elsewhere.
    #[serde(default)]
    recovery_kit: String,
}

pub async fn sign_in(
    State(app): State<Arc<App>>,
    Extension(session): Extension<BrowserSession>,
    Form(form): Form<SignIn>,
) -> PageResult {
    let kit = form.recovery_kit.trim();
    if !kit.is_empty()
        && let Err(e) = app.sync.use_recovery_kit(kit).await
    {
        return show(
            &app,
            &session,
            Some(format!("Could not use the recovery kit: {e}")),
        );
    }
    match app.sync.sign_in(form.email.trim(), &form.password).await {
        Ok(s) => signed_in(&app, &session, &s).await,
        Err(e) => show(&app, &session, Some(format!("Could not sign in: {e}"))),
    }
}

async fn signed_in(
    app: &Arc<App>,
    session: &BrowserSession,
    s: &rapport_protocol::Session,
) -> PageResult {
    if let Err(e) = app.keep_session(s) {
        let _ = app.sync.sign_out().await;
        return show(app, session, Some(e.to_string()));
    }
    // The first sync brings the links and what was shared; the caseload
    // shows the status if it fails.
    let _ = app.sync_once().await;
    Ok(Redirect::to("/").into_response())
}

pub async fn sign_out(State(app): State<Arc<App>>) -> PageResult {
    let _ = app.sign_out().await;
    Ok(Redirect::to("/account").into_response())
}
