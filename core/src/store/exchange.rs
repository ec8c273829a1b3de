//! Moving changes between replicas: the outbox going out, changes from
//! elsewhere coming in (merged per Automerge), whole documents for snapshots,
//! and dropping a local copy that is no longer ours to keep.
//!
//! Public, not only for the sync engine: tests, benchmarks and tools pair
//! stores in process with these (no server), and the fuzz targets feed
//! `apply_changes` and `apply_batch` directly.

use automerge::{ActorId, AutoCommit};
use rapport_protocol::DocKind;
use rusqlite::Connection;

use super::local::{Reindex, change_notice, reindex};
use super::outbox::OutgoingChange;
use super::{Indexer, Store, documents, index, outbox};
use crate::doc::{self, Envelope};
use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::observer::ItemChange;
use crate::record::IndexEntry;

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
    ///
    /// The CPU-heavy part of a piece (parsing its bytes, and for a whole
    /// document, reading its envelope and index entry) runs over up to 4
    /// threads while the transaction writes the pieces already decoded, in
    /// order.
    ///
    /// The page is first written in one go. Only when a piece is refused is
    /// that transaction rolled back and the page written again with a
    /// savepoint per piece, so that the refused one leaves no trace: a
    /// savepoint makes SQLite's full-text index flush its pending terms to
    /// disk (a segment per document, then merges), which was most of the
    /// time of a page of whole documents.
    pub fn apply_batch(&self, incoming: &[IncomingChange]) -> Result<Applied> {
        let indexer = self.indexer;
        let apply = |pieces: Pieces| {
            self.write(|tx, actor| {
                decode_all(actor, indexer, incoming, |decoded| {
                    apply_pieces(tx, actor, indexer, incoming, decoded, pieces)
                })
            })
        };
        let (applied, changes) = match apply(Pieces::AllOrNothing) {
            Err(Error::MalformedChanges { .. } | Error::MalformedDocument { .. }) => {
                apply(Pieces::EachOnItsOwn)?
            }
            other => other?,
        };
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

/// How [`apply_pieces`] treats a refused piece.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pieces {
    /// The first refusal is the page's error (the caller rolls back).
    AllOrNothing,
    /// Each piece in a savepoint: a refused one is rolled back and reported.
    EachOnItsOwn,
}

/// Writes a decoded page in order; answers what changed and the notices.
fn apply_pieces(
    tx: &Connection,
    actor: &ActorId,
    indexer: Indexer,
    incoming: &[IncomingChange],
    decoded: &mut dyn Iterator<Item = Decoded>,
    pieces: Pieces,
) -> Result<(Applied, Vec<ItemChange>)> {
    let mut applied = Applied::default();
    let mut changes = Vec::new();
    let guarded = pieces == Pieces::EachOnItsOwn;
    for piece in incoming {
        let Some(decoded) = decoded.next() else {
            // Only a decoding thread that panicked stops early; the scope
            // that ran it raises the panic once this returns.
            return Err(Error::Storage("a piece was not decoded".into()));
        };
        if guarded {
            tx.prepare_cached("SAVEPOINT piece")?.execute([])?;
        }
        let result = apply_decoded(
            tx,
            actor,
            indexer,
            &piece.doc_id,
            piece.kind,
            &piece.data,
            decoded,
        );
        if guarded {
            if result.is_err() {
                tx.prepare_cached("ROLLBACK TO piece")?.execute([])?;
            }
            tx.prepare_cached("RELEASE piece")?.execute([])?;
        }
        match result {
            Ok(Some(notice)) => {
                applied.changed.push(piece.doc_id.clone());
                changes.push(notice);
            }
            Ok(None) => {}
            Err(err @ (Error::MalformedChanges { .. } | Error::MalformedDocument { .. }))
                if guarded =>
            {
                applied.rejected.push((piece.doc_id.clone(), err));
            }
            Err(other) => return Err(other),
        }
    }
    Ok((applied, changes))
}

/// A piece parsed ahead of its transaction (see [`decode_all`]).
pub(super) enum Decoded {
    /// Bytes that do not parse strictly ([`strict_load`]).
    Damaged,
    /// Well formed, but the changes wait for missing dependencies.
    Waiting,
    /// The document the bytes build, with this device's actor, for the
    /// transaction to use as it is.
    Built(Box<AutoCommit>),
    /// A document read in full while decoding, dropped there (freeing it on
    /// the thread that allocated it): what the transaction needs of it if
    /// the store has no copy yet. A document the store has is merged from
    /// the bytes again, which parsed strictly.
    Read(Read),
}

/// What [`Decoded::Read`] keeps of a document.
pub(super) struct Read {
    heads: Vec<automerge::ChangeHash>,
    /// Some of its changes wait for missing dependencies.
    waiting: bool,
    /// Its envelope and, if it is live, its index entry, or the error
    /// reading either gave.
    derived: Result<(Option<Envelope>, Option<IndexEntry>)>,
}

impl Decoded {
    /// [`strict_load`] of `data`: a document it builds is kept as built.
    fn parsed(data: &[u8], actor: &ActorId) -> Decoded {
        match strict_load(data) {
            Err(()) => Decoded::Damaged,
            Ok(None) => Decoded::Waiting,
            Ok(Some(document)) => Decoded::Built(Box::new(document.with_actor(actor.clone()))),
        }
    }

    /// [`Decoded::parsed`], and for a document it builds with content,
    /// what the index needs of it (an empty one is kept: the transaction
    /// loads the bytes into it). Pure computation: no store, no lock.
    fn of(data: &[u8], id: &ItemId, actor: &ActorId, indexer: Indexer) -> Decoded {
        match Self::parsed(data, actor) {
            Decoded::Built(mut document) if !document.is_empty() => Decoded::Read(Read {
                heads: document.get_heads(),
                waiting: !document.get_missing_deps(&[]).is_empty(),
                derived: derive(&document, id, indexer),
            }),
            other => other,
        }
    }
}

/// Pieces a decoding thread takes at a time.
const CHUNK: usize = 16;

/// Decodes every piece of a batch over up to 4 threads and hands them to
/// `consume` in order, each as soon as it and those before it are decoded,
/// so that writing overlaps decoding. Pure computation on the bytes
/// received: nothing here reads or writes the store.
fn decode_all<T>(
    actor: &ActorId,
    indexer: Indexer,
    incoming: &[IncomingChange],
    consume: impl FnOnce(&mut dyn Iterator<Item = Decoded>) -> T,
) -> T {
    let decode = |piece: &IncomingChange| Decoded::of(&piece.data, &piece.doc_id, actor, indexer);
    let threads = crate::cores::threads();
    if incoming.len() < crate::cores::PARALLEL_FROM || threads == 1 {
        return consume(&mut incoming.iter().map(decode));
    }
    let chunks: Vec<&[IncomingChange]> = incoming.chunks(CHUNK).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        for _ in 0..threads {
            let sender = sender.clone();
            let (chunks, next, decode) = (&chunks, &next, &decode);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { break };
                    let decoded: Vec<Decoded> = chunk.iter().map(decode).collect();
                    if sender.send((i, decoded)).is_err() {
                        break; // the writer stopped: nothing more is wanted
                    }
                }
            });
        }
        drop(sender);
        consume(&mut InOrder {
            receiver,
            early: std::collections::HashMap::new(),
            next: 0,
            current: Vec::new().into_iter(),
        })
    })
}

/// The decoded chunks in their order, whatever order the threads end them in.
struct InOrder {
    receiver: std::sync::mpsc::Receiver<(usize, Vec<Decoded>)>,
    early: std::collections::HashMap<usize, Vec<Decoded>>,
    next: usize,
    current: std::vec::IntoIter<Decoded>,
}

impl Iterator for InOrder {
    type Item = Decoded;

    fn next(&mut self) -> Option<Decoded> {
        loop {
            if let Some(piece) = self.current.next() {
                return Some(piece);
            }
            let chunk = match self.early.remove(&self.next) {
                Some(chunk) => chunk,
                None => loop {
                    let (i, chunk) = self.receiver.recv().ok()?;
                    if i == self.next {
                        break chunk;
                    }
                    self.early.insert(i, chunk);
                },
            };
            self.next += 1;
            self.current = chunk.into_iter();
        }
    }
}

/// The envelope of a whole document and, if it is live, its index entry (as
/// [`reindex`] would derive them).
fn derive(
    document: &AutoCommit,
    id: &ItemId,
    indexer: Indexer,
) -> Result<(Option<Envelope>, Option<IndexEntry>)> {
    match doc::read_envelope(document, id)? {
        Some(env) if !env.deleted => {
            let entry = indexer(env.kind, document, id)?;
            Ok((Some(env), Some(entry)))
        }
        env => Ok((env, None)),
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
    let decoded = Decoded::parsed(data, actor);
    apply_decoded(tx, actor, indexer, id, kind, data, decoded)
}

/// [`apply_one`] with the piece already decoded.
fn apply_decoded(
    tx: &Connection,
    actor: &automerge::ActorId,
    indexer: Indexer,
    id: &ItemId,
    kind: DocKind,
    data: &[u8],
    decoded: Decoded,
) -> Result<Option<ItemChange>> {
    let malformed = || Error::MalformedChanges {
        doc_id: id.to_string(),
    };
    let existing = documents::load(tx, id, actor)?;
    let (mut document, heads, is_new) = match existing {
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
        Some(_) if matches!(decoded, Decoded::Damaged) => return Err(malformed()),
        Some(mut loaded) => {
            let heads = loaded.doc.get_heads();
            loaded.doc.load_incremental(data).map_err(|_| malformed())?;
            (loaded.doc, heads, false)
        }
        None => match decoded {
            Decoded::Damaged => return Err(malformed()),
            // The common case of a new document (a bootstrap): read whole
            // while decoding.
            Decoded::Read(read) => return apply_new_read(tx, id, kind, data, read),
            // One strict load both checked the bytes and built it.
            Decoded::Built(document) if !document.is_empty() => (*document, Vec::new(), true),
            Decoded::Built(mut document) => {
                document.load_incremental(data).map_err(|_| malformed())?;
                (*document, Vec::new(), true)
            }
            Decoded::Waiting => {
                let mut document = AutoCommit::new().with_actor(actor.clone());
                document.load_incremental(data).map_err(|_| malformed())?;
                (document, Vec::new(), true)
            }
        },
    };
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
    let env = reindex(tx, id, &document, Reindex::Derive, indexer)?;
    notice(id, kind, env)
}

/// [`apply_decoded`] for a document new to this device, read while decoding.
fn apply_new_read(
    tx: &Connection,
    id: &ItemId,
    kind: DocKind,
    data: &[u8],
    read: Read,
) -> Result<Option<ItemChange>> {
    if read.heads.is_empty() && !read.waiting {
        return Ok(None);
    }
    let (env, entry) = read.derived?;
    documents::insert(tx, id, kind, data)?;
    // A new document has no index row: only a live one gets one.
    match (&env, entry) {
        (Some(live), Some(entry)) if !live.deleted => index::insert(tx, id, live, &entry)?,
        _ => {}
    }
    notice(id, kind, env)
}

/// The notice of a piece that changed its document, once the document says
/// the kind it was sent as.
fn notice(id: &ItemId, kind: DocKind, env: Option<Envelope>) -> Result<Option<ItemChange>> {
    match env {
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
