//! The record store: one SQLite file (WAL) holding every item as an Automerge
//! document, the outbox of unacknowledged changes, and the derived index.
//!
//! Every write runs in one SQLite transaction: document change, outbox entry
//! and index row commit together, and the call returns after the commit.

mod bulk;
mod documents;
mod exchange;
mod index;
mod key;
mod outbox;
mod owners;
mod pushed;
mod schema;
mod sealed;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use automerge::{ActorId, AutoCommit};
use chrono::Utc;
use rapport_protocol::DocKind;
use rusqlite::{Connection, OptionalExtension, Transaction};

pub(crate) use bulk::ImportedDocument;
pub use exchange::{Applied, IncomingChange};
pub use index::{DEFAULT_PAGE, ListQuery, MAX_PAGE, Summary};
pub use key::DatabaseKey;
pub use outbox::OutgoingChange;
pub use schema::VERSION as SCHEMA_VERSION;
pub use sealed::{StoredWrap, WaitingPiece};

use crate::doc::{self, Envelope};
use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::observer::{ItemChange, Observers, StoreObserver, Subscription};
use crate::record::{Item, Record};

/// The client's IPT record on this device.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    actor: ActorId,
    path: PathBuf,
    observers: Observers,
}

impl Store {
    /// Opens (or creates) an unencrypted record at `path`, migrating it
    /// forward. Apps use [`Store::open_encrypted`]; this is for tools and tests.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path.as_ref(), None)
    }

    /// Opens (or creates) the record at `path`, encrypted at rest with `key`
    /// (SQLCipher: every page, the WAL included). The key comes from the
    /// platform keystore; the core never writes it anywhere.
    pub fn open_encrypted(path: impl AsRef<Path>, key: &DatabaseKey) -> Result<Store> {
        Store::open_with(path.as_ref(), Some(key))
    }

    fn open_with(path: &Path, key: Option<&DatabaseKey>) -> Result<Store> {
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
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The Automerge actor of this device, stable across reopenings.
    pub fn device_actor(&self) -> String {
        self.actor.to_hex_string()
    }

    /// Creates an item of kind `R` with a fresh id.
    pub fn create<R: Record>(&self, record: R) -> Result<Item<R>> {
        self.create_with_id(ItemId::random(), record)
    }

    pub(crate) fn create_with_id<R: Record>(&self, id: ItemId, record: R) -> Result<Item<R>> {
        record.validate()?;
        let now = Utc::now();
        let item = self.write(|tx, actor| {
            if documents::load(tx, &id, actor)?.is_some() {
                return Err(Error::invalid("id", format!("{id} is taken")));
            }
            let mut document = AutoCommit::new().with_actor(actor.clone());
            doc::init(&mut document, &record, now)?;
            let change = document.save_after(&[]);
            documents::insert(tx, &id, R::KIND, &change)?;
            outbox::push(tx, &id, R::KIND, &change)?;
            index::update(tx, &id, &document)?;
            item_of(&document, &id, record)
        })?;
        self.observers
            .notify(&[ItemChange::upserted(id.clone(), R::KIND)]);
        Ok(item)
    }

    /// Replaces the record of an item; only changed fields are written.
    pub fn update<R: Record>(&self, id: &ItemId, record: R) -> Result<Item<R>> {
        record.validate()?;
        self.modify(id, move |current: &mut R| {
            *current = record;
            Ok(())
        })
    }

    /// Reads, changes and writes an item in one transaction.
    pub fn modify<R: Record>(
        &self,
        id: &ItemId,
        change: impl FnOnce(&mut R) -> Result<()>,
    ) -> Result<Item<R>> {
        self.edit(id, Some(R::KIND), |document, now| {
            let mut record: R = doc::read_record(document, id)?;
            let before = record.clone();
            change(&mut record)?;
            record.validate()?;
            if record != before {
                // Unchanged, it is not written: no change to store, sync
                // or announce, and `updated_at` stays.
                doc::write_record(document, &record, now)?;
            }
            item_of(document, id, record)
        })
    }

    /// Reads an item of kind `R`.
    pub fn get<R: Record>(&self, id: &ItemId) -> Result<Item<R>> {
        self.read(|tx, actor| {
            let document = live_document(tx, actor, id, Some(R::KIND))?;
            let record = doc::read_record(&document, id)?;
            item_of(&document, id, record)
        })
    }

    /// The kind of a live item, or `NotFound`.
    pub fn kind_of(&self, id: &ItemId) -> Result<DocKind> {
        self.read(|tx, actor| {
            let document = live_document(tx, actor, id, None)?;
            Ok(envelope(&document, id)?.kind)
        })
    }

    /// Deletes an item of any kind. The tombstone syncs to the other devices.
    pub fn delete(&self, id: &ItemId) -> Result<()> {
        self.edit(id, None, doc::mark_deleted)
    }

    /// Shares an item with the therapist, or makes it private again.
    pub fn set_shared(&self, id: &ItemId, shared: bool) -> Result<()> {
        self.edit(id, None, |document, now| {
            if envelope(document, id)?.shared == shared {
                return Ok(());
            }
            doc::set_shared(document, shared, now)
        })
    }

    /// Lists items, newest first, with filters and paging.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<Summary>> {
        self.read(|tx, _| index::list(tx, query))
    }

    /// The list row of one live item, or `None`.
    pub fn summary(&self, id: &ItemId) -> Result<Option<Summary>> {
        self.read(|tx, _| index::get(tx, id))
    }

    /// This account's own live items marked shared (not documents received
    /// from others), in id order: what the sync engine keeps granted.
    pub fn shared_items(&self) -> Result<Vec<Summary>> {
        self.read(|tx, _| index::shared_own(tx))
    }

    /// Full-text search over every text field, best match first.
    pub fn search(&self, text: &str, limit: u32) -> Result<Vec<Summary>> {
        self.read(|tx, _| index::search(tx, text, limit))
    }

    /// Drops the index and derives it again from the documents.
    pub fn rebuild_index(&self) -> Result<()> {
        self.write(|tx, actor| {
            index::clear(tx)?;
            for id in documents::all_ids(tx)? {
                if let Some(loaded) = documents::load(tx, &id, actor)? {
                    index::update(tx, &id, &loaded.doc)?;
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

    /// Applies `edit` to a live document and stores the resulting change.
    fn edit<T>(
        &self,
        id: &ItemId,
        kind: Option<DocKind>,
        edit: impl FnOnce(&mut AutoCommit, chrono::DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let now = Utc::now();
        let (out, notice) = self.write(|tx, actor| {
            let mut document = live_document(tx, actor, id, kind)?;
            let kind = envelope(&document, id)?.kind;
            owners::check_writable(tx, id, kind)?;
            let heads = document.get_heads();
            let out = edit(&mut document, now)?;
            let change = document.save_after(&heads);
            if change.is_empty() {
                // Nothing changed (e.g. sharing what is already shared):
                // nothing to store, sync or tell the UI about.
                return Ok((out, None));
            }
            documents::append(tx, id, &change, &mut document)?;
            outbox::push(tx, id, kind, &change)?;
            index::update(tx, id, &document)?;
            Ok((out, Some(change_notice(&document, id, kind)?)))
        })?;
        if let Some(notice) = notice {
            self.observers.notify(&[notice]);
        }
        Ok(out)
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

fn envelope(document: &AutoCommit, id: &ItemId) -> Result<Envelope> {
    doc::read_envelope(document, id)?.ok_or_else(|| Error::NotFound {
        kind: "item",
        id: id.to_string(),
    })
}

/// Loads a document that exists, is not deleted and (if given) has `kind`.
fn live_document(
    tx: &Transaction<'_>,
    actor: &ActorId,
    id: &ItemId,
    kind: Option<DocKind>,
) -> Result<AutoCommit> {
    let not_found = || Error::NotFound {
        kind: kind.map_or("item", DocKind::as_str),
        id: id.to_string(),
    };
    let loaded = documents::load(tx, id, actor)?.ok_or_else(not_found)?;
    match doc::read_envelope(&loaded.doc, id)? {
        Some(env) if !env.deleted && kind.is_none_or(|k| k == env.kind) => Ok(loaded.doc),
        _ => Err(not_found()),
    }
}

/// What observers are told about a document that just changed: a deletion
/// (tombstone) is a removal for the UI, anything else an upsert.
pub(crate) fn change_notice(
    document: &AutoCommit,
    id: &ItemId,
    kind: DocKind,
) -> Result<ItemChange> {
    let deleted = doc::read_envelope(document, id)?.is_some_and(|env| env.deleted);
    Ok(if deleted {
        ItemChange::removed(id.clone(), kind)
    } else {
        ItemChange::upserted(id.clone(), kind)
    })
}

fn item_of<R>(document: &AutoCommit, id: &ItemId, record: R) -> Result<Item<R>> {
    let env = envelope(document, id)?;
    Ok(Item {
        id: id.clone(),
        record,
        shared: env.shared,
        created_at: env.created_at,
        updated_at: env.updated_at,
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
