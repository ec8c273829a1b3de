//! Whole-record work for the clinical layer: one-pass scans of the index,
//! reading many documents in one transaction, importing an export, and
//! deleting everything for real (no tombstones, nothing left in free pages).

use std::collections::HashMap;

use automerge::AutoCommit;
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use super::{Store, documents, exchange, index, outbox};
use crate::doc::{self, Envelope};
use crate::error::Result;
use crate::id::ItemId;
use crate::observer::ItemChange;

use super::index::Summary;

/// One document of an export, ready to be stored again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportedDocument {
    pub id: ItemId,
    pub kind: DocKind,
    /// The other account that owns it; `None` for this account's own.
    pub owner: Option<String>,
    /// The whole saved Automerge document.
    pub data: Vec<u8>,
}

impl Store {
    /// Index rows of the `always` kinds whatever their time, plus rows of the
    /// `dated` kinds in `[from, to)`, oldest first, in one query.
    pub(crate) fn scan_index(
        &self,
        always: &[DocKind],
        dated: &[DocKind],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Summary>> {
        self.read(|tx, _| index::scan(tx, always, dated, from, to))
    }

    /// Every document received from another account, with its owner.
    pub(crate) fn owner_map(&self) -> Result<HashMap<ItemId, String>> {
        self.read(|tx, _| {
            let mut stmt = tx.prepare_cached("SELECT doc_id, owner FROM doc_owners")?;
            let rows = stmt.query_map([], |r| {
                Ok((ItemId::new(r.get::<_, String>(0)?), r.get::<_, String>(1)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Calls `f` with each stored document of `ids` that has an envelope
    /// (deleted ones included), in one read transaction.
    pub(crate) fn with_documents(
        &self,
        ids: &[ItemId],
        mut f: impl FnMut(&ItemId, &Envelope, &mut AutoCommit) -> Result<()>,
    ) -> Result<()> {
        self.read(|tx, actor| {
            for id in ids {
                let Some(mut loaded) = documents::load(tx, id, actor)? else {
                    continue;
                };
                if let Some(env) = doc::read_envelope(&loaded.doc, id)? {
                    f(id, &env, &mut loaded.doc)?;
                }
            }
            Ok(())
        })
    }

    /// Stores every document of an export and the device settings beside
    /// them, in one transaction: any damaged document refuses the whole
    /// import and leaves the store as it was. This account's own documents
    /// go to the outbox, so a restored record reaches the server.
    pub(crate) fn import_documents(
        &self,
        incoming: &[ImportedDocument],
        settings: &[(String, String)],
    ) -> Result<Vec<ItemId>> {
        let indexer = self.indexer;
        let notices = self.write(|tx, actor| {
            let mut notices = Vec::new();
            for piece in incoming {
                let notice =
                    exchange::apply_one(tx, actor, indexer, &piece.id, piece.kind, &piece.data)?;
                match &piece.owner {
                    Some(owner) => {
                        tx.prepare_cached(
                            "INSERT INTO doc_owners (doc_id, owner) VALUES (?1, ?2)
                             ON CONFLICT (doc_id) DO UPDATE SET owner = excluded.owner",
                        )?
                        .execute([piece.id.as_str(), owner.as_str()])?;
                    }
                    None if notice.is_some() => {
                        outbox::push(tx, &piece.id, piece.kind, &piece.data)?;
                    }
                    None => {}
                }
                notices.extend(notice);
            }
            for (key, value) in settings {
                tx.execute(
                    "INSERT INTO device_settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [key, value],
                )?;
            }
            Ok(notices)
        })?;
        let ids = notices.iter().map(|n| n.id.clone()).collect();
        self.observers.notify(&notices);
        Ok(ids)
    }

    /// Deletes the whole record on this device for real: documents, their
    /// changes, the outbox, the index and its full text, the owners and the
    /// device settings (crisis resources, sync state). No tombstone is kept.
    /// The file is then vacuumed and the WAL truncated, so deleted text is
    /// not left in free pages. Returns how many documents were deleted.
    pub fn delete_everything(&self) -> Result<usize> {
        let removed = self.write(|tx, _| {
            let mut stmt = tx.prepare("SELECT id, kind FROM documents ORDER BY id")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.execute_batch(
                "DELETE FROM doc_changes;
                 DELETE FROM documents;
                 DELETE FROM outbox;
                 DELETE FROM item_index;
                 DELETE FROM item_text;
                 DELETE FROM doc_owners;
                 DELETE FROM device_settings;
                 DELETE FROM doc_wraps;
                 DELETE FROM pinned_keys;
                 DELETE FROM peer_device_keys;
                 DELETE FROM sealed_waiting;
                 -- FTS5 keeps deleted tokens in its segments until merged:
                 -- rebuilding from the (now empty) content drops them.
                 INSERT INTO item_text (item_text) VALUES ('rebuild');",
            )?;
            Ok(rows)
        })?;
        {
            let conn = self.lock()?;
            conn.execute_batch("VACUUM;")?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        let notices: Vec<ItemChange> = removed
            .iter()
            .filter_map(|(id, kind)| {
                DocKind::parse(kind).map(|k| ItemChange::removed(ItemId::new(id.clone()), k))
            })
            .collect();
        self.observers.notify(&notices);
        Ok(removed.len())
    }
}
