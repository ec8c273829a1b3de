//! What the pages read of a client's record on this device: only what that
//! client shared is here (the server enforces it), and each document's
//! owner says whose it is.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rapport_core::checkin::{MoodCheckIn, Phq9CheckIn};
use rapport_core::inventory::Person;
use rapport_core::note::Note;
use rapport_core::profile::Profile;
use rapport_core::record::Item;
use rapport_core::store::{ListQuery, MAX_PAGE, Summary};
use rapport_core::{DocKind, ItemId, Store};

use crate::app::App;
use crate::error::ReviewError;

/// Every index row on the device, newest first.
pub fn all_rows(store: &Store) -> Result<Vec<Summary>, ReviewError> {
    let mut rows = Vec::new();
    loop {
        let page = store.list(&ListQuery {
            offset: u32::try_from(rows.len()).unwrap_or(u32::MAX),
            limit: MAX_PAGE,
            ..Default::default()
        })?;
        let n = page.len();
        rows.extend(page);
        if n < MAX_PAGE as usize {
            return Ok(rows);
        }
    }
}

/// The rows of each client's record, by account id (newest first).
pub fn rows_by_client(
    store: &Store,
    clients: &[String],
) -> Result<HashMap<String, Vec<Summary>>, ReviewError> {
    let mut owner_of: HashMap<ItemId, &String> = HashMap::new();
    for client in clients {
        for id in store.documents_owned_by(client)? {
            owner_of.insert(id, client);
        }
    }
    let mut by_client: HashMap<String, Vec<Summary>> =
        clients.iter().map(|c| (c.clone(), Vec::new())).collect();
    for row in all_rows(store)? {
        if let Some(owner) = owner_of.get(&row.id)
            && let Some(list) = by_client.get_mut(*owner)
        {
            list.push(row);
        }
    }
    Ok(by_client)
}

/// One client's rows (newest first).
pub fn client_rows(store: &Store, account_id: &str) -> Result<Vec<Summary>, ReviewError> {
    let client = [account_id.to_owned()];
    Ok(rows_by_client(store, &client)?
        .remove(account_id)
        .unwrap_or_default())
}

/// The client's profile (the smallest id, as the core picks), if shared.
pub fn profile(store: &Store, rows: &[Summary]) -> Result<Option<Profile>, ReviewError> {
    let id = rows
        .iter()
        .filter(|r| r.kind == DocKind::Profile)
        .map(|r| &r.id)
        .min();
    Ok(match id {
        Some(id) => Some(store.get::<Profile>(id)?.record),
        None => None,
    })
}

/// The people of the client's inventory that were shared.
pub fn people(store: &Store, rows: &[Summary]) -> Result<Vec<Item<Person>>, ReviewError> {
    let mut people = Vec::new();
    for row in rows.iter().filter(|r| r.kind == DocKind::Person) {
        people.push(store.get::<Person>(&row.id)?);
    }
    people.sort_by(|a, b| (&a.record.nickname, &a.id).cmp(&(&b.record.nickname, &b.id)));
    Ok(people)
}

/// A check-in that called for crisis resources, for review.
#[derive(Debug, Clone)]
pub struct Flag {
    pub check_in_id: String,
    pub at: DateTime<Utc>,
    /// What it was, in words.
    pub what: String,
    pub reviewed_at: Option<String>,
}

/// The client's safety flags, oldest first: PHQ-9 item 9 above 0 and mood
/// check-ins marked as a crisis, with whether each was marked reviewed.
pub fn flags(app: &App, rows: &[Summary]) -> Result<Vec<Flag>, ReviewError> {
    let mut flags = Vec::new();
    for row in rows {
        if !matches!(row.kind, DocKind::Phq9CheckIn | DocKind::MoodCheckIn) {
            continue;
        }
        let what = match app.cached_flag(&row.id) {
            Some(known) => known,
            None => {
                let what = flag_of(app, row)?;
                app.cache_flag(&row.id, what.clone());
                what
            }
        };
        if let Some(what) = what {
            flags.push(Flag {
                check_in_id: row.id.to_string(),
                at: row.at.unwrap_or_default(),
                what,
                reviewed_at: app.reviewed_at(row.id.as_str())?,
            });
        }
    }
    flags.sort_by(|a, b| (a.at, &a.check_in_id).cmp(&(b.at, &b.check_in_id)));
    Ok(flags)
}

/// What a check-in's safety flag says, or `None` if it raised none.
fn flag_of(app: &App, row: &Summary) -> Result<Option<String>, ReviewError> {
    Ok(match row.kind {
        DocKind::Phq9CheckIn => {
            let c = app.store.get::<Phq9CheckIn>(&row.id)?.record;
            let item9 = c.items.get(8).copied().unwrap_or(0);
            (item9 > 0).then(|| {
                format!(
                    "PHQ-9 item 9 (thoughts of self-harm) at {item9} of 3; total {}",
                    c.total()
                )
            })
        }
        DocKind::MoodCheckIn => {
            let c = app.store.get::<MoodCheckIn>(&row.id)?.record;
            c.crisis.then(|| {
                format!(
                    "Mood check-in marked as a crisis: {}/10, {}",
                    c.rating, c.event
                )
            })
        }
        _ => None,
    })
}

/// This therapist's own notes for a client, oldest first.
pub fn own_notes(store: &Store, account_id: &str) -> Result<Vec<Item<Note>>, ReviewError> {
    let theirs: HashSet<ItemId> = store.documents_owned_by(account_id)?.into_iter().collect();
    let mut notes = Vec::new();
    let mut offset = 0;
    loop {
        let page = store.list(&ListQuery {
            kinds: vec![DocKind::Note],
            offset,
            limit: MAX_PAGE,
            ..Default::default()
        })?;
        for row in &page {
            if theirs.contains(&row.id) || store.owner_of(&row.id)?.is_some() {
                continue;
            }
            let note = store.get::<Note>(&row.id)?;
            if note.record.client_id == account_id {
                notes.push(note);
            }
        }
        if page.len() < MAX_PAGE as usize {
            break;
        }
        offset += MAX_PAGE;
    }
    notes.sort_by(|a, b| (a.record.written_at, &a.id).cmp(&(b.record.written_at, &b.id)));
    Ok(notes)
}

/// Whether a note is this therapist's own (not a document received).
pub fn is_own_note(store: &Store, id: &ItemId) -> Result<bool, ReviewError> {
    Ok(store.owner_of(id)?.is_none() && store.kind_of(id)? == DocKind::Note)
}

/// Whether a check-in belongs to one of the linked clients.
pub fn is_clients_check_in(app: &App, id: &ItemId) -> Result<bool, ReviewError> {
    let Some(owner) = app.store.owner_of(id)? else {
        return Ok(false);
    };
    let linked = app.links()?.iter().any(|l| l.client == owner);
    let kind = app.store.kind_of(id)?;
    Ok(linked && matches!(kind, DocKind::Phq9CheckIn | DocKind::MoodCheckIn))
}
