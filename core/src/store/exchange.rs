//! Moving changes between replicas: the outbox going out, changes from
//! elsewhere coming in (merged per Automerge), whole documents for snapshots,
//! and dropping a local copy that is no longer ours to keep.
//!
//! Public, not only for the sync engine: tests, benchmarks and tools pair
//! stores in process with these (no server), and the fuzz targets feed
//! `apply_changes` and `apply_batch` directly.

use automerge::AutoCommit;
use rapport_protocol::DocKind;
use rusqlite::Connection;

use super::local::{Reindex, change_notice, reindex};
use super::outbox::OutgoingChange;
use super::{Indexer, Store, documents, index, outbox};
use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::observer::ItemChange;

/// What applying a batch of changes did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Items whose state changed.
    pub changed: Vec<ItemId>,
    /// Pieces that were refused (malformed); each left its document unchanged.
    pub rejected: Vec<(ItemId, Error)>,
}

/// One piece of a document arriving from elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingChange {
    pub doc_id: ItemId,
    pub kind: DocKind,
    /// Automerge bytes: change chunks or a saved document.
    pub data: Vec<u8>,
}

impl Store {
    /// Local changes not yet acknowledged, oldest first, after outbox
    /// position `after_seq`.
    pub fn pending_changes(&self, after_seq: i64, limit: usize) -> Result<Vec<OutgoingChange>> {
        self.read(|tx, _| outbox::pending(tx, after_seq, limit))
    }

    /// Removes acknowledged changes from the outbox.
    pub fn acknowledge(&self, seqs: &[i64]) -> Result<()> {
        self.write(|tx, _| outbox::acknowledge(tx, seqs))
    }

    /// How many local changes wait for a server.
    pub fn outbox_len(&self) -> Result<usize> {
        self.read(|tx, _| outbox::len(tx))
    }

    /// Merges changes made elsewhere into one document. Malformed or
    /// truncated bytes are refused and the document stays as it was.
    pub fn apply_changes(&self, doc_id: &ItemId, kind: DocKind, data: &[u8]) -> Result<bool> {
        let indexer = self.indexer;
        let notice = self.write(|tx, actor| apply_one(tx, actor, indexer, doc_id, kind, data))?;
        let changed = notice.is_some();
        if let Some(notice) = notice {
            self.observers.notify(&[notice]);
        }
        Ok(changed)
    }

    /// Applies many pieces in one transaction and one notification; a
    /// malformed piece is reported and skipped, the others are kept.
    pub fn apply_batch(&self, incoming: &[IncomingChange]) -> Result<Applied> {
        let indexer = self.indexer;
        let (applied, changes) = self.write(|tx, actor| {
            let mut applied = Applied::default();
            let mut changes = Vec::new();
            for piece in incoming {
                // A savepoint per piece: a refused piece leaves no trace.
                tx.execute_batch("SAVEPOINT piece")?;
                let result = apply_one(tx, actor, indexer, &piece.doc_id, piece.kind, &piece.data);
                if result.is_err() {
                    tx.execute_batch("ROLLBACK TO piece")?;
                }
                tx.execute_batch("RELEASE piece")?;
                match result {
                    Ok(Some(notice)) => {
                        applied.changed.push(piece.doc_id.clone());
                        changes.push(notice);
                    }
                    Ok(None) => {}
                    Err(
                        err @ (Error::MalformedChanges { .. } | Error::MalformedDocument { .. }),
                    ) => {
                        applied.rejected.push((piece.doc_id.clone(), err));
                    }
                    Err(other) => return Err(other),
                }
            }
            Ok((applied, changes))
        })?;
        self.observers.notify(&changes);
        Ok(applied)
    }

    /// The whole document as one saved Automerge blob (for a snapshot or for
    /// handing a document to a new replica).
    pub fn export_document(&self, id: &ItemId) -> Result<(DocKind, Vec<u8>)> {
        self.read(|tx, actor| {
            let mut loaded = documents::load(tx, id, actor)?.ok_or_else(|| Error::NotFound {
                kind: "item",
                id: id.to_string(),
            })?;
            Ok((loaded.kind, loaded.doc.save()))
        })
    }

    /// Every document id this device holds, including deleted ones.
    pub fn document_ids(&self) -> Result<Vec<ItemId>> {
        self.read(|tx, _| documents::all_ids(tx))
    }

    /// Drops this device's copy of a document without a tombstone: for a share
    /// that was revoked, or a document the server deleted.
    pub fn remove_local_copy(&self, id: &ItemId) -> Result<bool> {
        let removed = self.write(|tx, actor| {
            let kind = documents::load(tx, id, actor)?.map(|l| l.kind);
            documents::remove(tx, id)?;
            outbox::forget(tx, id)?;
            tx.execute("DELETE FROM doc_owners WHERE doc_id = ?1", [id.as_str()])?;
            super::sealed::forget(tx, id)?;
            index::remove(tx, id)?;
            Ok(kind)
        })?;
        if let Some(kind) = removed {
            self.observers
                .notify(&[ItemChange::removed(id.clone(), kind)]);
        }
        Ok(removed.is_some())
    }
}

/// Merges one piece into its document (creating it if new) and re-derives
/// its index row; `None` when the piece changed nothing.
pub(super) fn apply_one(
    tx: &Connection,
    actor: &automerge::ActorId,
    indexer: Indexer,
    id: &ItemId,
    kind: DocKind,
    data: &[u8],
) -> Result<Option<ItemChange>> {
    let malformed = || Error::MalformedChanges {
        doc_id: id.to_string(),
    };
    let existing = documents::load(tx, id, actor)?;
    let is_new = existing.is_none();
    let mut document = match existing {
        Some(loaded) if loaded.kind != kind => {
            return Err(Error::MalformedDocument {
                doc_id: id.to_string(),
                kind: kind.as_str(),
                reason: format!("it is stored here as a {}", loaded.kind.as_str()),
            });
        }
        // `load_incremental` silently keeps the good prefix of damaged bytes
        // (and ignores bytes it cannot parse at all), so they are checked
        // strictly first.
        Some(_) if strict_load(data).is_err() => return Err(malformed()),
        Some(loaded) => loaded.doc,
        None => match strict_load(data) {
            // The common case of a new document (a bootstrap): one strict
            // load both checks the bytes and builds the document.
            Ok(Some(document)) => document.with_actor(actor.clone()),
            Ok(None) => AutoCommit::new().with_actor(actor.clone()),
            Err(()) => return Err(malformed()),
        },
    };
    let heads = if is_new {
        Vec::new()
    } else {
        document.get_heads()
    };
    // Everything but a new document the strict load already built.
    if !is_new || document.is_empty() {
        document.load_incremental(data).map_err(|_| malformed())?;
    }
    // Same heads and nothing waiting: a duplicate. While changes wait for
    // missing dependencies, a piece that only adds to the queue (a change
    // that depends on one already waiting) leaves heads and missing deps as
    // they were, yet is new: keep every such piece rather than lose it.
    if document.get_heads() == heads && document.get_missing_deps(&[]).is_empty() {
        return Ok(None);
    }
    if is_new {
        documents::insert(tx, id, kind, data)?;
    } else {
        documents::append(tx, id, data, &mut document)?;
    }
    // Deriving the index reads the whole record: a document that does not
    // have the shape of its kind fails here, and the caller rolls back.
    match reindex(tx, id, &document, Reindex::Derive, indexer)? {
        Some(env) if env.kind != kind => Err(Error::MalformedDocument {
            doc_id: id.to_string(),
            kind: kind.as_str(),
            reason: format!("it says it is a {}", env.kind.as_str()),
        }),
        Some(env) => Ok(Some(change_notice(id, &env))),
        // No kind yet: only changes waiting for their dependencies.
        None => Ok(Some(ItemChange::upserted(id.clone(), kind))),
    }
}

/// Loads `data` strictly (every chunk must parse, no partial prefix):
/// `Ok(None)` when it is well formed but waits for missing dependencies,
/// `Err` when it is damaged.
fn strict_load(data: &[u8]) -> std::result::Result<Option<AutoCommit>, ()> {
    use automerge::{AutomergeError, LoadOptions, OnPartialLoad, VerificationMode};
    if data.is_empty() {
        return Err(());
    }
    let strict = LoadOptions::new()
        .on_partial_load(OnPartialLoad::Error)
        .verification_mode(VerificationMode::DontCheck);
    match AutoCommit::load_with_options(data, strict) {
        Ok(document) => Ok(Some(document)),
        Err(AutomergeError::MissingDeps) => Ok(None),
        Err(_) => Err(()),
    }
}
