//! The therapist's feedback notes on an entry, a goal or a week. A note is
//! the therapist's own document, shared with its client at the next sync
//! and read-only there (`SyncClient::write_note`); only one's own notes can
//! be edited or deleted here.

use std::sync::Arc;

use axum::extract::{Form, Path, State};
use chrono::{NaiveDate, Utc};
use rapport_core::note::{Note, NoteSubject};
use serde::Deserialize;

use super::{PageResult, back_to};
use crate::app::App;
use crate::error::ReviewError;
use crate::record;
use crate::text;

#[derive(Debug, Clone)]
pub struct NoteView {
    pub id: String,
    /// The item id or `week:<date>` it is about, to place it on pages.
    pub subject_key: String,
    pub about: String,
    pub when: String,
    pub text: String,
}

/// This therapist's notes for a client, oldest first, with what each is about.
pub fn views(app: &App, account: &str) -> Result<Vec<NoteView>, ReviewError> {
    record::own_notes(&app.store, account)?
        .into_iter()
        .map(|n| {
            let (subject_key, about) = match &n.record.subject {
                NoteSubject::Week { starting } => (
                    format!("week:{starting}"),
                    format!("On the week of {}", text::date(*starting)),
                ),
                NoteSubject::Item { id } => {
                    let about = match app.store.summary(id)? {
                        Some(s) => format!("On the {} “{}”", text::kind(s.kind), s.title),
                        None => "On an entry no longer shared".to_owned(),
                    };
                    (id.to_string(), about)
                }
            };
            Ok(NoteView {
                id: n.id.to_string(),
                subject_key,
                about,
                when: text::date_time(n.record.written_at),
                text: n.record.text,
            })
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct NewNote {
    /// `item:<id>` or `week`.
    subject: String,
    #[serde(default)]
    week: String,
    text: String,
    #[serde(default)]
    back: String,
}

pub async fn write(
    State(app): State<Arc<App>>,
    Path(account): Path<String>,
    Form(form): Form<NewNote>,
) -> PageResult {
    app.link_of(&account)?;
    let subject = if let Some(id) = form.subject.strip_prefix("item:") {
        let id = super::summary::item_id(id)?;
        if app.store.owner_of(&id)?.as_deref() != Some(account.as_str()) {
            return Err(ReviewError::NotFound("that entry is not this client's".into()).into());
        }
        NoteSubject::Item { id }
    } else if form.subject == "week" {
        let day = NaiveDate::parse_from_str(form.week.trim(), "%Y-%m-%d")
            .map_err(|_| ReviewError::BadRequest("choose the week's date".into()))?;
        NoteSubject::Week {
            starting: text::monday_of(day),
        }
    } else {
        return Err(
            ReviewError::BadRequest("a note is on an entry, a goal or a week".into()).into(),
        );
    };
    let text = form.text.trim();
    if text.is_empty() {
        return Err(ReviewError::BadRequest("the note is empty".into()).into());
    }
    app.sync.write_note(Note {
        client_id: account.into(),
        subject,
        text: text.to_owned(),
        written_at: Utc::now(),
    })?;
    Ok(back_to(&form.back))
}

#[derive(Debug, Deserialize)]
pub struct EditNote {
    text: String,
    #[serde(default)]
    back: String,
}

pub async fn edit(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(form): Form<EditNote>,
) -> PageResult {
    let id = own_note(&app, &id)?;
    let text = form.text.trim().to_owned();
    if text.is_empty() {
        return Err(ReviewError::BadRequest("the note is empty; delete it instead".into()).into());
    }
    app.store.modify(&id, |n: &mut Note| {
        n.text = text;
        Ok(())
    })?;
    Ok(back_to(&form.back))
}

#[derive(Debug, Deserialize)]
pub struct DeleteNote {
    #[serde(default)]
    back: String,
}

pub async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(form): Form<DeleteNote>,
) -> PageResult {
    let id = own_note(&app, &id)?;
    app.store.delete(&id)?;
    Ok(back_to(&form.back))
}

fn own_note(app: &App, id: &str) -> Result<rapport_core::ItemId, ReviewError> {
    let id = super::summary::item_id(id)?;
    let own = app.store.summary(&id)?.is_some() && record::is_own_note(&app.store, &id)?;
    if !own {
        return Err(ReviewError::NotFound("no such note of yours".into()));
    }
    Ok(id)
}
