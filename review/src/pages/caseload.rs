//! The caseload: every linked client, what needs attention first (safety
//! flags not yet reviewed), then what is new since the last session.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Extension, Form, Path, State};
use axum::response::{IntoResponse, Redirect};
use rapport_core::store::Summary;
use rapport_core::{DocKind, ItemId};
use serde::Deserialize;

use super::{Chrome, PageResult, back_to, html};
use crate::app::App;
use crate::error::ReviewError;
use crate::guard::BrowserSession;
use crate::record;
use crate::text;

#[derive(Template, Debug)]
#[template(path = "caseload.html")]
pub struct CaseloadPage {
    chrome: Chrome,
    clients: Vec<ClientRow>,
    message: Option<String>,
}

#[derive(Debug)]
pub struct ClientRow {
    pub account_id: String,
    pub name: String,
    /// Problem area, phase and session of the contract, in words.
    pub contract: text::Contract,
    pub last_session: String,
    pub latest_entry: String,
    pub flags: Vec<FlagView>,
    pub reviewed_flags: usize,
    pub new_since: String,
}

#[derive(Debug)]
pub struct FlagView {
    pub id: String,
    pub when: String,
    pub what: String,
}

/// Kinds listed under "new since the last session", in this order.
const NEW_KINDS: [DocKind; 7] = [
    DocKind::Interaction,
    DocKind::MoodCheckIn,
    DocKind::Phq9CheckIn,
    DocKind::Win,
    DocKind::Rehearsal,
    DocKind::Reflection,
    DocKind::Goal,
];

pub async fn page(
    State(app): State<Arc<App>>,
    Extension(session): Extension<BrowserSession>,
) -> PageResult {
    if app.signed_in().is_none() {
        return Ok(Redirect::to("/account").into_response());
    }
    html(&caseload(&app, &session, None)?)
}

/// The caseload page, computed from the record (also what the benchmark times).
pub fn caseload(
    app: &App,
    session: &BrowserSession,
    message: Option<String>,
) -> Result<CaseloadPage, ReviewError> {
    let links = app.links()?;
    let ids: Vec<String> = links.iter().map(|l| l.client.0.clone()).collect();
    let mut by_client = record::rows_by_client(&app.store, &ids)?;
    let mut clients = Vec::new();
    for link in &links {
        let rows = by_client.remove(&link.client.0).unwrap_or_default();
        clients.push(row(app, &link.client.0, &link.client_name, &rows)?);
    }
    clients.sort_by(|a, b| {
        (b.flags.len(), a.name.to_lowercase()).cmp(&(a.flags.len(), b.name.to_lowercase()))
    });
    Ok(CaseloadPage {
        chrome: Chrome::new(app, session, "Caseload", "/"),
        clients,
        message,
    })
}

/// Reads every linked client's flags into the app's cache (after a sync).
pub fn warm(app: &App) -> Result<(), ReviewError> {
    let ids: Vec<String> = app.links()?.into_iter().map(|l| l.client.0).collect();
    for rows in record::rows_by_client(&app.store, &ids)?.values() {
        record::flags(app, rows)?;
    }
    Ok(())
}

fn row(
    app: &App,
    account_id: &str,
    name: &str,
    rows: &[Summary],
) -> Result<ClientRow, ReviewError> {
    let profile = record::profile(&app.store, rows)?;
    let flags = record::flags(app, rows)?;
    let reviewed_flags = flags.iter().filter(|f| f.reviewed_at.is_some()).count();
    let flags = flags
        .into_iter()
        .filter(|f| f.reviewed_at.is_none())
        .map(|f| FlagView {
            id: f.check_in_id,
            when: text::date_time(f.at),
            what: f.what,
        })
        .collect();
    let since = profile.as_ref().and_then(|p| p.last_session_on);
    let new_since = match since {
        None => "No session recorded yet.".to_owned(),
        Some(day) => {
            let start = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
            let counts: Vec<String> = NEW_KINDS
                .iter()
                .filter_map(|k| {
                    let n = rows
                        .iter()
                        .filter(|r| r.kind == *k && r.at.is_some_and(|at| at >= start))
                        .count();
                    (n > 0).then(|| text::kind_plural(*k, n))
                })
                .collect();
            if counts.is_empty() {
                "Nothing new shared since the last session.".to_owned()
            } else {
                format!("New since the last session: {}.", counts.join(", "))
            }
        }
    };
    let latest = rows
        .iter()
        .filter(|r| !matches!(r.kind, DocKind::Profile | DocKind::Person))
        .filter_map(|r| r.at)
        .max();
    Ok(ClientRow {
        account_id: account_id.to_owned(),
        name: name.to_owned(),
        contract: text::Contract::of(profile.as_ref()),
        last_session: since.map_or_else(|| "none yet".to_owned(), text::date),
        latest_entry: latest.map_or_else(|| "nothing shared yet".to_owned(), text::date_time),
        flags,
        reviewed_flags,
        new_since,
    })
}

#[derive(Debug, Deserialize)]
pub struct Redeem {
    code: String,
}

pub async fn redeem(
    State(app): State<Arc<App>>,
    Extension(session): Extension<BrowserSession>,
    Form(form): Form<Redeem>,
) -> PageResult {
    let message = match app.sync.redeem_invite(&form.code).await {
        Ok(link) => {
            let _ = app.sync_once().await;
            format!("Linked with {}.", link.client_name)
        }
        Err(e) => format!("Could not redeem that invite: {e}"),
    };
    html(&caseload(&app, &session, Some(message))?)
}

#[derive(Debug, Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

pub async fn sync_now(State(app): State<Arc<App>>, Form(form): Form<Back>) -> PageResult {
    // The status line of the next page says how it went.
    let _ = app.sync_once().await;
    Ok(back_to(&form.back))
}

pub async fn mark_reviewed(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(form): Form<Back>,
) -> PageResult {
    if !record::is_clients_check_in(&app, &ItemId::new(id.clone()))? {
        return Err(ReviewError::NotFound("no such check-in of a linked client".into()).into());
    }
    app.mark_reviewed(&id)?;
    Ok(back_to(&form.back))
}
