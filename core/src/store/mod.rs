//! The document layer: one SQLite file (WAL) holding every item as an
//! Automerge document, the outbox of changes no server has acknowledged, and
//! the index derived from the documents. It knows no record kind; the layers
//! above it do.
//!
//! Every write runs in one SQLite transaction: document change, outbox entry
//! and index row commit together, and the call returns after the commit.
//!
//! Map, from the bottom up (nothing here imports a record kind, nor the
//! layers above):
//! - `schema`, `key`: the file, its forward migrations, encryption at rest.
//! - `documents`: a snapshot plus incremental changes per document.
//! - `outbox`: local changes no server has acknowledged yet.
//! - `index`: list rows and full text, written from an [`IndexEntry`] in
//!   hand; an `Indexer` derives one for a document written elsewhere.
//! - this file: [`Store`] itself, its transactions, lists and search.
//! - `local`: changes made on this device, the crate-private interface the
//!   record operations write through.
//! - `exchange`: changes moving between replicas (sync, in-process).
//! - `owners`, `pushed`, `sealed`: what the sync engine keeps beside the
//!   documents (who owns them, which bundles it pushed, sealed keys).
//! - `bulk`: whole-record reads and writes for the clinical layer.
//!
//! Above this layer: the typed record operations (`crate::items`, which
//! opens the store and hands it the registry of record kinds as its
//! `Indexer`), then the clinical views ([`crate::clinical`]) and the sync
//! engine ([`crate::sync`]).

mod bulk;
mod documents;
mod exchange;
mod index;
mod key;
mod local;
mod outbox;
mod owners;
mod pushed;
mod schema;
mod sealed;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use automerge::{ActorId, AutoCommit};
use rapport_protocol::DocKind;
use rusqlite::{Connection, OptionalExtension, Transaction};

pub(crate) use bulk::ImportedDocument;
pub use exchange::{Applied, IncomingChange};
pub use index::{DEFAULT_PAGE, ListQuery, MAX_PAGE, Page, Summary};
pub use key::DatabaseKey;
pub(crate) use local::Reindex;
pub use outbox::OutgoingChange;
pub use schema::VERSION as SCHEMA_VERSION;
pub(crate) use sealed::{StoredWrap, WaitingPiece};

use crate::doc::{self, Envelope};
use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::observer::{Observers, StoreObserver, Subscription};
use crate::record::IndexEntry;

/// The client's IPT record on this device.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    actor: ActorId,
    path: PathBuf,
    observers: Observers,
    indexer: Indexer,
}

/// Derives the index entry of a live document of a kind by reading its
/// record: for documents this device did not just write from a record in
/// hand (a change from elsewhere, an import, a rebuild). The registry of
/// record kinds above this layer provides it at open.
pub(crate) type Indexer = fn(DocKind, &AutoCommit, &ItemId) -> Result<IndexEntry>;

impl Store {
    /// Opens (or creates) the record at `path`, encrypted at rest with `key`
    /// if given, migrating it forward; `indexer` reads index entries of
    /// documents by kind. The public ways in are [`Store::open`] and
    /// [`Store::open_encrypted`].
    pub(crate) fn open_with(
        path: &Path,
        key: Option<&DatabaseKey>,
        indexer: Indexer,
    ) -> Result<Store> {
        key::ensure_sqlcipher_ready();
        let path = path.to_owned();
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        if let Some(key) = key {
            key.apply(&conn)?;
        }
        schema::migrate(&mut conn, &path).map_err(|err| match (err, key) {
            (Error::NotOurDatabase { path }, Some(_)) => Error::WrongKey { path },
            (err, _) => err,
        })?;
        // WAL with FULL sync: a write survives power loss once the call returns.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // 16 MiB of page cache (SQLite's default is 2 MiB): the index and
        // full-text pages of a large record stay decrypted in memory, so a
        // search does not decrypt them again each time (ADR 0006).
        conn.pragma_update(None, "cache_size", -16 * 1024)?;
        let actor = device_actor(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            actor,
            path,
            observers: Observers::default(),
            indexer,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The Automerge actor of this device, stable across reopenings.
    pub fn device_actor(&self) -> String {
        self.actor.to_hex_string()
    }

    /// Lists items, newest first, with filters and paging.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<Summary>> {
        self.read(|tx, _| index::list(tx, query))
    }

    /// One page of [`Store::list`] with the total number of live items
    /// matching the query's filters (offset and limit ignored), both read in
    /// one transaction. An offset past the end gives no rows and the total;
    /// a limit above [`MAX_PAGE`] is refused as in `list`.
    pub fn list_page(&self, query: &ListQuery) -> Result<Page> {
        self.read(|tx, _| {
            Ok(Page {
                items: index::list(tx, query)?,
                total: index::count(tx, query)?,
            })
        })
    }

    /// The list row of one live item, or `None`.
    pub fn summary(&self, id: &ItemId) -> Result<Option<Summary>> {
        self.read(|tx, _| index::get(tx, id))
    }

    /// This account's own live items marked shared (not documents received
    /// from others), in id order: what the sync engine keeps granted. Public
    /// so that a test or tool can check what sharing will send.
    pub fn shared_items(&self) -> Result<Vec<Summary>> {
        self.read(|tx, _| index::shared_own(tx))
    }

    /// Full-text search over every text field, best match first.
    pub fn search(&self, text: &str, limit: u32) -> Result<Vec<Summary>> {
        self.read(|tx, _| index::search(tx, text, limit))
    }

    /// Drops the index and derives it again from the documents.
    pub fn rebuild_index(&self) -> Result<()> {
        let indexer = self.indexer;
        self.write(|tx, actor| {
            index::clear(tx)?;
            for id in documents::all_ids(tx)? {
                if let Some(loaded) = documents::load(tx, &id, actor)? {
                    local::reindex(tx, &id, &loaded.doc, Reindex::Derive, indexer)?;
                }
            }
            Ok(())
        })
    }

    /// Every index row with its search text, in id order: two stores whose
    /// dumps are equal show the same lists and find the same things.
    pub fn index_dump(&self) -> Result<Vec<(Summary, String)>> {
        self.read(|tx, _| index::dump(tx))
    }

    /// Registers an observer; dropping the returned handle ends it.
    pub fn subscribe(&self, observer: std::sync::Arc<dyn StoreObserver>) -> Subscription {
        self.observers.subscribe(observer)
    }

    /// A device-only setting (never synced).
    pub fn device_setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|tx, _| {
            Ok(tx
                .query_row(
                    "SELECT value FROM device_settings WHERE key = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?)
        })
    }

    pub fn set_device_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "INSERT INTO device_settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?;
            Ok(())
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| Error::Storage("an earlier write failed midway; reopen the store".into()))
    }

    /// Runs `f` in a write transaction and commits it.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>, &ActorId) -> Result<T>) -> Result<T> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx, &self.actor)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in a read transaction.
    fn read<T>(&self, f: impl FnOnce(&Transaction<'_>, &ActorId) -> Result<T>) -> Result<T> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        f(&tx, &self.actor)
    }
}

/// The envelope of a document that has one, else `NotFound`.
fn envelope(document: &AutoCommit, id: &ItemId) -> Result<Envelope> {
    doc::read_envelope(document, id)?.ok_or_else(|| Error::NotFound {
        kind: "item",
        id: id.to_string(),
    })
}

/// The device's Automerge actor id, made once and kept in `meta`.
fn device_actor(conn: &mut Connection) -> Result<ActorId> {
    let hex: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(hex) = hex {
        let bytes = decode_hex(&hex).ok_or_else(|| Error::Storage("bad device actor".into()))?;
        return Ok(ActorId::from(bytes));
    }
    let actor = ActorId::from(uuid::Uuid::new_v4().as_bytes().to_vec());
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('actor', ?1)",
        [actor.to_hex_string()],
    )?;
    Ok(actor)
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}
