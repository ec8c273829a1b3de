//! What end-to-end encryption keeps on the device, as opaque bytes: the
//! sealed document keys (wraps), the pinned public keys of other accounts
//! and their certified devices, and sealed pieces waiting for their key.
//! This layer knows no cryptography; `sync::sealing` opens and makes them.
//!
//! Crate-private: only the sync engine reads and writes these.

use rusqlite::OptionalExtension;

use super::Store;
use crate::error::Result;
use crate::id::ItemId;

/// A sealed document key as kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWrap {
    pub doc_id: ItemId,
    pub epoch: u32,
    pub recipient: String,
    /// The wire form (CBOR of `rapport_protocol::Wrap`).
    pub body: Vec<u8>,
}

/// A sealed piece that arrived before its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingPiece {
    /// Its place in the queue (ignored when keeping one).
    pub seq: i64,
    pub doc_id: ItemId,
    pub kind: String,
    pub data: Vec<u8>,
    /// What its envelope said (a format 2 bundle is bound to it): the bundle
    /// id (empty for a snapshot), the pushing device and the key epoch.
    pub bundle_id: String,
    pub device_id: String,
    pub epoch: u32,
}

impl Store {
    /// Keeps wraps, in one transaction; `uploaded` says whether the server
    /// holds them already. A wrap already kept for the same document, epoch
    /// and recipient stays.
    pub(crate) fn keep_wraps(&self, wraps: &[StoredWrap], uploaded: bool) -> Result<()> {
        if wraps.is_empty() {
            return Ok(());
        }
        self.write(|tx, _| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO doc_wraps (doc_id, epoch, recipient, body, uploaded)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )?;
            for wrap in wraps {
                stmt.execute(rusqlite::params![
                    wrap.doc_id.as_str(),
                    wrap.epoch,
                    wrap.recipient,
                    wrap.body,
                    uploaded
                ])?;
            }
            Ok(())
        })
    }

    /// The newest wrap of a document for `recipient`.
    pub(crate) fn newest_wrap(
        &self,
        doc_id: &ItemId,
        recipient: &str,
    ) -> Result<Option<StoredWrap>> {
        self.read(|tx, _| {
            Ok(tx
                .query_row(
                    "SELECT epoch, body FROM doc_wraps WHERE doc_id = ?1 AND recipient = ?2
                     ORDER BY epoch DESC LIMIT 1",
                    rusqlite::params![doc_id.as_str(), recipient],
                    |r| {
                        Ok(StoredWrap {
                            doc_id: doc_id.clone(),
                            epoch: r.get(0)?,
                            recipient: recipient.to_owned(),
                            body: r.get(1)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    /// Documents whose key was sealed for `recipient` here.
    pub(crate) fn wrapped_for(&self, recipient: &str) -> Result<Vec<ItemId>> {
        self.read(|tx, _| {
            let mut stmt = tx
                .prepare("SELECT DISTINCT doc_id FROM doc_wraps WHERE recipient = ?1 ORDER BY 1")?;
            let rows = stmt
                .query_map([recipient], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows.into_iter().map(ItemId::new).collect())
        })
    }

    /// Wraps made here that the server does not hold yet, oldest first.
    pub(crate) fn wraps_to_upload(&self, limit: usize) -> Result<Vec<StoredWrap>> {
        self.read(|tx, _| {
            let mut stmt = tx.prepare(
                "SELECT doc_id, epoch, recipient, body FROM doc_wraps WHERE uploaded = 0
                 ORDER BY rowid LIMIT ?1",
            )?;
            let rows = stmt
                .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                    Ok(StoredWrap {
                        doc_id: ItemId::new(r.get::<_, String>(0)?),
                        epoch: r.get(1)?,
                        recipient: r.get(2)?,
                        body: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// The server acknowledged these wraps.
    pub(crate) fn wraps_uploaded(&self, wraps: &[StoredWrap]) -> Result<()> {
        self.write(|tx, _| {
            for wrap in wraps {
                tx.execute(
                    "UPDATE doc_wraps SET uploaded = 1
                     WHERE doc_id = ?1 AND epoch = ?2 AND recipient = ?3",
                    rusqlite::params![wrap.doc_id.as_str(), wrap.epoch, wrap.recipient],
                )?;
            }
            Ok(())
        })
    }

    /// Stops offering wraps made here for an epoch older than the newest
    /// this device holds of the same document. The server refuses them
    /// (the document moved on), so one left waiting would fail every push
    /// after it; the newer epoch's wraps carry the older keys. They stay
    /// here, marked as done.
    pub(crate) fn skip_superseded_wraps(&self) -> Result<usize> {
        self.write(|tx, _| {
            Ok(tx.execute(
                "UPDATE doc_wraps SET uploaded = 1 WHERE uploaded = 0 AND epoch <
                   (SELECT max(n.epoch) FROM doc_wraps n WHERE n.doc_id = doc_wraps.doc_id)",
                [],
            )?)
        })
    }

    /// The public keys pinned for an account (wire form), if any.
    pub(crate) fn pinned_keys(&self, account: &str) -> Result<Option<Vec<u8>>> {
        self.read(|tx, _| {
            Ok(tx
                .query_row(
                    "SELECT public_keys FROM pinned_keys WHERE account_id = ?1",
                    [account],
                    |r| r.get(0),
                )
                .optional()?)
        })
    }

    /// Pins an account's public keys (the first time only).
    pub(crate) fn pin_keys(&self, account: &str, public_keys: &[u8]) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "INSERT INTO pinned_keys (account_id, public_keys) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                rusqlite::params![account, public_keys],
            )?;
            Ok(())
        })
    }

    /// Moves an account's pin to newer keys: the caller checked that a
    /// chain of rotations signed by the pinned keys leads to them, or holds
    /// the account key itself.
    pub(crate) fn repin_keys(&self, account: &str, public_keys: &[u8]) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "INSERT INTO pinned_keys (account_id, public_keys) VALUES (?1, ?2)
                 ON CONFLICT (account_id) DO UPDATE SET public_keys = excluded.public_keys",
                rusqlite::params![account, public_keys],
            )?;
            Ok(())
        })
    }

    /// Remembers a key of a device certified by a pinned account (a device
    /// has one key per account key it was certified under).
    pub(crate) fn keep_peer_device(
        &self,
        device: &str,
        account: &str,
        public_key: &[u8],
    ) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "INSERT INTO peer_device_keys (device_id, account_id, public_key)
                 VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                rusqlite::params![device, account, public_key],
            )?;
            Ok(())
        })
    }

    /// The account and public keys of a certified device seen before,
    /// the first kept first.
    pub(crate) fn peer_device(&self, device: &str) -> Result<Vec<(String, Vec<u8>)>> {
        self.read(|tx, _| {
            let mut statement = tx.prepare_cached(
                "SELECT account_id, public_key FROM peer_device_keys
                 WHERE device_id = ?1 ORDER BY rowid",
            )?;
            let rows = statement
                .query_map([device], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Keeps sealed pieces until their key arrives.
    pub(crate) fn keep_waiting(&self, pieces: &[WaitingPiece]) -> Result<()> {
        if pieces.is_empty() {
            return Ok(());
        }
        self.write(|tx, _| {
            for piece in pieces {
                tx.execute(
                    "INSERT INTO sealed_waiting (doc_id, kind, data, bundle_id, device_id, epoch)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    rusqlite::params![
                        piece.doc_id.as_str(),
                        piece.kind,
                        piece.data,
                        piece.bundle_id,
                        piece.device_id,
                        piece.epoch
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// Every piece still waiting for its key, oldest first.
    pub(crate) fn waiting_pieces(&self) -> Result<Vec<WaitingPiece>> {
        self.read(|tx, _| {
            let mut stmt = tx.prepare(
                "SELECT seq, doc_id, kind, data, bundle_id, device_id, epoch FROM sealed_waiting
                 ORDER BY seq",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(WaitingPiece {
                        seq: r.get(0)?,
                        doc_id: ItemId::new(r.get::<_, String>(1)?),
                        kind: r.get(2)?,
                        data: r.get(3)?,
                        bundle_id: r.get(4)?,
                        device_id: r.get(5)?,
                        epoch: r.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    pub(crate) fn drop_waiting(&self, seqs: &[i64]) -> Result<()> {
        self.write(|tx, _| {
            for seq in seqs {
                tx.execute("DELETE FROM sealed_waiting WHERE seq = ?1", [seq])?;
            }
            Ok(())
        })
    }
}

/// Drops what this layer keeps of one document (its local copy went).
pub(super) fn forget(tx: &rusqlite::Connection, id: &ItemId) -> Result<()> {
    tx.execute("DELETE FROM doc_wraps WHERE doc_id = ?1", [id.as_str()])?;
    tx.execute(
        "DELETE FROM sealed_waiting WHERE doc_id = ?1",
        [id.as_str()],
    )?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn wrap(doc: &str, epoch: u32, recipient: &str) -> StoredWrap {
        StoredWrap {
            doc_id: ItemId::new(doc),
            epoch,
            recipient: recipient.to_owned(),
            body: vec![1, 2, 3],
        }
    }

    #[test]
    fn a_wrap_of_an_epoch_its_document_left_is_no_longer_offered() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("r.sqlite3")).unwrap();
        // Sealed here for the therapist at epoch 1; then another device's
        // epoch 2 of the first document arrived.
        let therapist = [wrap("a", 1, "therapist"), wrap("b", 1, "therapist")];
        store.keep_wraps(&therapist, false).unwrap();
        store.keep_wraps(&[wrap("a", 2, "me")], true).unwrap();
        assert_eq!(store.skip_superseded_wraps().unwrap(), 1);
        let offered: Vec<(ItemId, u32)> = store
            .wraps_to_upload(10)
            .unwrap()
            .into_iter()
            .map(|w| (w.doc_id, w.epoch))
            .collect();
        assert_eq!(offered, vec![(ItemId::new("b"), 1)]);
        // Kept, for the key it holds.
        assert!(
            store
                .newest_wrap(&ItemId::new("a"), "therapist")
                .unwrap()
                .is_some()
        );
    }
}
