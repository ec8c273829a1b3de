//! The termination review: gains, wins, warning signs and the plan for
//! after, compiled by the core from the whole course; printable.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Extension, Path, State};
use rapport_core::clinical::Whose;

use super::summary::{ClientHeader, gain, header};
use super::{Chrome, PageResult, html};
use crate::app::App;
use crate::guard::BrowserSession;
use crate::record;
use crate::text;

#[derive(Template)]
#[template(path = "termination.html")]
struct TerminationPage {
    chrome: Chrome,
    client: ClientHeader,
    compiled_on: String,
    gains: Vec<String>,
    wins: Vec<(String, String, String)>,
    warning_signs: Vec<String>,
    plan_for_after: String,
    sessions_left: i32,
}

pub async fn page(
    State(app): State<Arc<App>>,
    Extension(session): Extension<BrowserSession>,
    Path(account): Path<String>,
) -> PageResult {
    let rows = record::client_rows(&app.store, &account)?;
    let client = header(&app, &account, &rows)?;
    let today = app.today();
    let until = today.succ_opt().unwrap_or(today);
    let review = app.store.termination_review(
        &Whose::Client {
            account_id: account.clone().into(),
        },
        until,
    )?;
    html(&TerminationPage {
        chrome: Chrome::new(
            &app,
            &session,
            format!("{}: termination review", client.name),
            &format!("/clients/{account}/termination"),
        ),
        client,
        compiled_on: text::date(today),
        gains: review.gains.iter().map(gain).collect(),
        wins: review
            .wins
            .iter()
            .map(|w| {
                (
                    text::short_date(w.at),
                    w.title.clone(),
                    w.goal.clone().unwrap_or_default(),
                )
            })
            .collect(),
        warning_signs: review.warning_signs,
        plan_for_after: review.plan_for_after,
        sessions_left: review.sessions_left,
    })
}
