//! Changes made on this device: each is stored with its outbox entry and its
//! index row in one transaction, and observers hear of it after the commit.
//!
//! This is the crate-private interface the record operations
//! (`crate::items`) read and write documents through. They hand in the index
//! entry of the record value they hold, so the index is never derived by
//! reading back a record just written. Deleting and sharing need no kind and
//! are here too.

use automerge::{ActorId, AutoCommit};
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;
use rusqlite::Connection;

use super::{Indexer, Store, documents, envelope, index, outbox, owners};
use crate::doc::{self, Envelope};
use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::observer::ItemChange;
use crate::record::IndexEntry;

/// How a change reaches the index row of its document.
#[derive(Debug)]
pub(crate) enum Reindex {
    /// The typed record changed: the entry derived from the record in hand.
    Entry(IndexEntry),
    /// Only the envelope changed (sharing, a tombstone, a part of the
    /// document kept beside its record): the row keeps its entry.
    Envelope,
    /// A document this device did not write from a record in hand (a change
    /// from elsewhere, an import, a rebuild): the [`Indexer`] reads it.
    Derive,
}

impl Store {
    /// The kind of a live item, or `NotFound`.
    pub fn kind_of(&self, id: &ItemId) -> Result<DocKind> {
        self.read_document(id, None, |_, env| Ok(env.kind))
    }

    /// Deletes an item of any kind. The tombstone syncs to the other devices.
    pub fn delete(&self, id: &ItemId) -> Result<()> {
        self.edit_document(id, None, doc::mark_deleted)
    }

    /// Shares an item with the therapist, or makes it private again.
    pub fn set_shared(&self, id: &ItemId, shared: bool) -> Result<()> {
        self.edit_document(id, None, |document, now| {
            if envelope(document, id)?.shared == shared {
                return Ok(());
            }
            doc::set_shared(document, shared, now)
        })
    }

    /// Stores a new document whose first change `init` makes (envelope and
    /// record), indexed under `entry`; refuses an id already taken. Returns
    /// the new document's envelope.
    pub(crate) fn insert_document(
        &self,
        id: &ItemId,
        entry: &IndexEntry,
        init: impl FnOnce(&mut AutoCommit, DateTime<Utc>) -> Result<()>,
    ) -> Result<Envelope> {
        let now = Utc::now();
        let env = self.write(|tx, actor| {
            if documents::load(tx, id, actor)?.is_some() {
                return Err(Error::invalid("id", format!("{id} is taken")));
            }
            let mut document = AutoCommit::new().with_actor(actor.clone());
            init(&mut document, now)?;
            let env = envelope(&document, id)?;
            let change = document.save_after(&[]);
            documents::insert(tx, id, env.kind, &change)?;
            outbox::push(tx, id, env.kind, &change)?;
            index::put(tx, id, &env, entry)?;
            Ok(env)
        })?;
        self.observers
            .notify(&[ItemChange::upserted(id.clone(), env.kind)]);
        Ok(env)
    }

    /// Calls `read` with a live document (of `kind`, if given) and its
    /// envelope, or fails with `NotFound`.
    pub(crate) fn read_document<T>(
        &self,
        id: &ItemId,
        kind: Option<DocKind>,
        read: impl FnOnce(&AutoCommit, &Envelope) -> Result<T>,
    ) -> Result<T> {
        self.read(|tx, actor| {
            let (document, env) = live_document(tx, actor, id, kind)?;
            read(&document, &env)
        })
    }

    /// Applies `edit` to a live document (of `kind`, if given) and stores
    /// the resulting change; `edit` says how the index row follows. Returns
    /// what `edit` returned, with the envelope after the change.
    pub(crate) fn edit<T>(
        &self,
        id: &ItemId,
        kind: Option<DocKind>,
        edit: impl FnOnce(&mut AutoCommit, DateTime<Utc>) -> Result<(T, Reindex)>,
    ) -> Result<(T, Envelope)> {
        let now = Utc::now();
        let indexer = self.indexer;
        let (out, env, notice) = self.write(|tx, actor| {
            let (mut document, before) = live_document(tx, actor, id, kind)?;
            owners::check_writable(tx, id, before.kind)?;
            let heads = document.get_heads();
            let (out, how) = edit(&mut document, now)?;
            let change = document.save_after(&heads);
            if change.is_empty() {
                // Nothing changed (e.g. sharing what is already shared):
                // nothing to store, sync or tell the UI about.
                return Ok((out, before, None));
            }
            documents::append(tx, id, &change, &mut document)?;
            outbox::push(tx, id, before.kind, &change)?;
            let after = match reindex(tx, id, &document, how, indexer)? {
                Some(after) => after,
                None => envelope(&document, id)?,
            };
            let notice = change_notice(id, &after);
            Ok((out, after, Some(notice)))
        })?;
        if let Some(notice) = notice {
            self.observers.notify(&[notice]);
        }
        Ok((out, env))
    }

    /// Applies `edit` to a live document of `kind` outside its typed record
    /// (a part kept beside it, or the envelope): the index row keeps the
    /// entry of the record.
    pub(crate) fn edit_document<T>(
        &self,
        id: &ItemId,
        kind: Option<DocKind>,
        edit: impl FnOnce(&mut AutoCommit, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let (out, _) = self.edit(id, kind, |document, now| {
            Ok((edit(document, now)?, Reindex::Envelope))
        })?;
        Ok(out)
    }
}

/// Brings the index row of `document` in line with it after a change, and
/// returns its envelope (`None`: no kind yet, only changes waiting for their
/// dependencies). A tombstone removes the row. Fails, writing nothing, if
/// the [`Indexer`] finds a record without the shape of its kind.
pub(super) fn reindex(
    tx: &Connection,
    id: &ItemId,
    document: &AutoCommit,
    how: Reindex,
    indexer: Indexer,
) -> Result<Option<Envelope>> {
    let Some(env) = doc::read_envelope(document, id)? else {
        index::remove(tx, id)?;
        return Ok(None);
    };
    if env.deleted {
        index::remove(tx, id)?;
        return Ok(Some(env));
    }
    let entry = match how {
        Reindex::Entry(entry) => entry,
        Reindex::Envelope if index::put_envelope(tx, id, &env)? => return Ok(Some(env)),
        // No row to refresh yet, or a record this device did not write.
        Reindex::Envelope | Reindex::Derive => indexer(env.kind, document, id)?,
    };
    index::put(tx, id, &env, &entry)?;
    Ok(Some(env))
}

/// What observers are told about a document that just changed: a deletion
/// (tombstone) is a removal for the UI, anything else an upsert.
pub(super) fn change_notice(id: &ItemId, env: &Envelope) -> ItemChange {
    if env.deleted {
        ItemChange::removed(id.clone(), env.kind)
    } else {
        ItemChange::upserted(id.clone(), env.kind)
    }
}

/// Loads a document that exists, is not deleted and (if given) has `kind`,
/// with its envelope.
fn live_document(
    tx: &Connection,
    actor: &ActorId,
    id: &ItemId,
    kind: Option<DocKind>,
) -> Result<(AutoCommit, Envelope)> {
    let not_found = || Error::NotFound {
        kind: kind.map_or("item", DocKind::as_str),
        id: id.to_string(),
    };
    let loaded = documents::load(tx, id, actor)?.ok_or_else(not_found)?;
    match doc::read_envelope(&loaded.doc, id)? {
        Some(env) if !env.deleted && kind.is_none_or(|k| k == env.kind) => Ok((loaded.doc, env)),
        _ => Err(not_found()),
    }
}
