//! Record operations: the typed API of [`Store`] over the document layer.
//! Opening a store (which hands it the registry of record kinds), and
//! create, get, update and modify an item of any kind; then, per kind, the
//! operations that change part of a record.
//!
//! This layer sits above both the document layer ([`crate::store`], which
//! knows no record kind) and the record kinds ([`crate::journal`],
//! [`crate::goal`], ...: values, validation and index entries, which know no
//! store). It writes through the store's crate-private `insert_document`,
//! `read_document` and `edit`, handing in the index entry of the record
//! value it holds.
//!
//! - `goal`: milestones, status, barriers and course corrections.
//! - `inventory`: role-dispute stages.
//! - `checkin`: check-ins that return a safety alert when they call for one.
//! - `profile`: the one profile of a record, and the parts of its document
//!   kept beside the typed record (the after-care plan, the zone history).

mod checkin;
mod goal;
mod inventory;
mod profile;

use std::path::Path;

use crate::doc::{self, Envelope};
use crate::error::Result;
use crate::id::ItemId;
use crate::kinds;
use crate::record::{Item, Record};
use crate::store::{DatabaseKey, Reindex, Store};

impl Store {
    /// Opens (or creates) an unencrypted record at `path`, migrating it
    /// forward. Apps use [`Store::open_encrypted`]; this is for tools and tests.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path.as_ref(), None, kinds::index_entry)
    }

    /// Opens (or creates) the record at `path`, encrypted at rest with `key`
    /// (SQLCipher: every page, the WAL included). The key comes from the
    /// platform keystore; the core never writes it anywhere.
    pub fn open_encrypted(path: impl AsRef<Path>, key: &DatabaseKey) -> Result<Store> {
        Store::open_with(path.as_ref(), Some(key), kinds::index_entry)
    }

    /// Creates an item of kind `R` with a fresh id.
    pub fn create<R: Record>(&self, record: R) -> Result<Item<R>> {
        record.validate()?;
        let id = ItemId::random();
        let env = self.insert_document(&id, &record.index(), |document, now| {
            doc::init(document, &record, now)
        })?;
        Ok(item_of(id, record, &env))
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
        let (record, env) = self.edit(id, Some(R::KIND), |document, now| {
            let mut record: R = doc::read_record(document, id)?;
            let before = record.clone();
            change(&mut record)?;
            record.validate()?;
            if record != before {
                // Unchanged, it is not written: no change to store, sync or
                // announce, and `updated_at` stays.
                doc::write_record(document, &record, now)?;
            }
            let entry = record.index();
            Ok((record, Reindex::Entry(entry)))
        })?;
        Ok(item_of(id.clone(), record, &env))
    }

    /// Reads an item of kind `R`.
    pub fn get<R: Record>(&self, id: &ItemId) -> Result<Item<R>> {
        self.read_document(id, Some(R::KIND), |document, env| {
            Ok(item_of(id.clone(), doc::read_record(document, id)?, env))
        })
    }

    /// The live items of kind `R` among `ids`, in the order given; the
    /// others (missing, deleted, another kind) are skipped.
    pub(crate) fn get_many<R: Record>(&self, ids: &[ItemId]) -> Result<Vec<Item<R>>> {
        let mut out = Vec::with_capacity(ids.len());
        self.with_documents(ids, |id, env, document| {
            if !env.deleted && env.kind == R::KIND {
                out.push(item_of(id.clone(), doc::read_record(document, id)?, env));
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// The item as the API returns it: the record with its id and envelope.
pub(crate) fn item_of<R>(id: ItemId, record: R, env: &Envelope) -> Item<R> {
    Item {
        meta: env.meta(&id),
        record,
    }
}
