//! The pages: server-rendered from askama templates (checked when the
//! crate compiles), no scripts, one embedded stylesheet.
//!
//! - [`account`]: sign up or in as a therapist, sign out.
//! - [`caseload`]: the linked clients, what needs attention first; redeem
//!   an invite; mark a safety flag reviewed; sync now.
//! - [`summary`]: a client's "since we last met".
//! - [`timeline`]: every shared entry in date order, filterable.
//! - [`termination`]: the termination review, printable.
//! - [`notes`]: write, edit and delete feedback notes.

pub mod account;
pub mod caseload;
pub mod notes;
pub mod summary;
pub mod termination;
pub mod timeline;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::app::App;
use crate::error::ReviewError;
use crate::guard::{self, BrowserSession};

/// The stylesheet, embedded in the binary.
pub const STYLE: &str = include_str!("../../assets/style.css");

/// Every route, behind the guard.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(caseload::page))
        .route("/account", get(account::page))
        .route("/account/sign-up", post(account::sign_up))
        .route("/account/sign-in", post(account::sign_in))
        .route("/account/sign-out", post(account::sign_out))
        .route("/invites", post(caseload::redeem))
        .route("/sync", post(caseload::sync_now))
        .route("/flags/{id}/reviewed", post(caseload::mark_reviewed))
        .route("/clients/{account}", get(summary::page))
        .route("/clients/{account}/timeline", get(timeline::page))
        .route("/clients/{account}/termination", get(termination::page))
        .route("/clients/{account}/notes", post(notes::write))
        .route("/notes/{id}/edit", post(notes::edit))
        .route("/notes/{id}/delete", post(notes::delete))
        .route("/assets/style.css", get(style))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            guard::guard,
        ))
        .with_state(app)
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

/// What every page's frame shows: title, sync status, the CSRF token.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub csrf: String,
    pub status: String,
    pub signed_in: bool,
    pub therapist: String,
    pub server: String,
    /// This page's path, for forms that come back here.
    pub back: String,
}

impl Chrome {
    pub fn new(
        app: &App,
        session: &BrowserSession,
        title: impl Into<String>,
        back: &str,
    ) -> Chrome {
        let signed_in = app.signed_in();
        Chrome {
            title: title.into(),
            csrf: session.csrf.clone(),
            status: app.status_line(),
            signed_in: signed_in.is_some(),
            therapist: signed_in.map(|s| s.account_id.0).unwrap_or_default(),
            server: app.server_url.clone(),
            back: back.to_owned(),
        }
    }
}

/// A page's error: a short page saying what to do, with no record content.
#[derive(Debug)]
pub struct PageError(pub ReviewError);

impl<E: Into<ReviewError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = match &self.0 {
            ReviewError::NotFound(_) => StatusCode::NOT_FOUND,
            ReviewError::BadRequest(_) | ReviewError::Clinical(_) => StatusCode::BAD_REQUEST,
            ReviewError::Sync(_) => StatusCode::BAD_GATEWAY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self.0, "page failed");
        }
        let message = self.0.to_string();
        let page = ErrorPage {
            status: status.as_u16(),
            message: &message,
        };
        let body = page
            .render()
            .unwrap_or_else(|_| "Rapport Review: something went wrong".to_owned());
        (status, Html(body)).into_response()
    }
}

pub type PageResult = Result<Response, PageError>;

/// Renders a template as the response.
pub fn html<T: Template>(page: &T) -> PageResult {
    Ok(Html(page.render()?).into_response())
}

/// Back to a page of this app after a form: only local paths are followed.
pub fn back_to(back: &str) -> Response {
    let local = back.starts_with('/') && !back.starts_with("//") && !back.contains('\\');
    Redirect::to(if local { back } else { "/" }).into_response()
}
