//! Documents as the server sees them: an owner, a kind, opaque tags, and
//! opaque bytes (bundles and snapshots) it never parses.

use rapport_protocol::{AccountId, BundleId, DocKind, ItemId, Tag};

use super::{
    Tx, cursor::Cursor, grants, next_seq, now, recount_storage, recount_within, stored_bytes,
};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    params,
};

/// A document's metadata.
#[derive(Debug, Clone)]
pub struct DocMeta {
    pub owner: AccountId,
    pub kind: DocKind,
    pub deleted_seq: Option<i64>,
    /// The owner's feed, which numbers the document's events.
    pub feed: i64,
    /// The newest key epoch a wrap was stored for (0: never sealed).
    pub epoch: i64,
    /// Whether it has any tag (grants may match on them).
    pub tagged: bool,
}

pub fn get(tx: &Tx<'_>, doc_id: &ItemId) -> ApiResult<Option<DocMeta>> {
    let row: Option<(String, String, Option<i64>, i64, i64, i64)> = tx.query_opt(
        "SELECT d.owner_id, d.kind, d.deleted_seq, f.num, d.epoch,
             CASE WHEN EXISTS (SELECT 1 FROM doc_tags t WHERE t.doc_id = d.id) THEN 1 ELSE 0 END
         FROM documents d JOIN feeds f ON f.account_id = d.owner_id WHERE d.id = ?1",
        params![&doc_id.0],
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        },
    )?;
    row.map(|(owner, kind, deleted_seq, feed, epoch, tagged)| {
        Ok(DocMeta {
            owner: AccountId(owner),
            kind: parse_kind(&kind)?,
            deleted_seq,
            feed,
            epoch,
            tagged: tagged == 1,
        })
    })
    .transpose()
}

pub fn parse_kind(kind: &str) -> ApiResult<DocKind> {
    DocKind::parse(kind)
        .ok_or_else(|| ApiError::Internal(format!("unknown kind in storage: {kind}")))
}

/// Creates a document owned by `owner`; false (and nothing changed) when a
/// document with this id exists, for instance created by a concurrent push.
pub fn create(
    tx: &Tx<'_>,
    doc_id: &ItemId,
    owner: &AccountId,
    kind: DocKind,
    seq: i64,
) -> ApiResult<bool> {
    let inserted = tx.execute(
        "INSERT INTO documents (id, owner_id, kind, created_seq) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO NOTHING",
        params![doc_id.0, owner.0, kind.as_str(), seq],
    )?;
    Ok(inserted == 1)
}

/// The owner's devices seal under the document's newest epoch: a push or
/// snapshot under a newer one (the first sealed push, or after a rotation)
/// The owner's latest push decides the kind and replaces the tags, and
/// raises the key epoch to the bundle's. Writes only what changed from
/// `doc`, the document as it is now.
pub fn update_from_owner(
    tx: &Tx<'_>,
    doc: &DocMeta,
    doc_id: &ItemId,
    kind: DocKind,
    epoch: u32,
    tags: &[Tag],
) -> ApiResult<()> {
    if doc.kind != kind || doc.epoch < i64::from(epoch) {
        tx.execute(
            "UPDATE documents SET kind = ?1, epoch = CASE WHEN epoch < ?3 THEN ?3 ELSE epoch END
             WHERE id = ?2",
            params![kind.as_str(), doc_id.0, epoch],
        )?;
    }
    if doc.tagged || !tags.is_empty() {
        tx.execute("DELETE FROM doc_tags WHERE doc_id = ?1", params![&doc_id.0])?;
    }
    for tag in tags {
        tx.execute(
            "INSERT INTO doc_tags (doc_id, tag) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![doc_id.0, tag.0],
        )?;
    }
    Ok(())
}

/// The owner deletes a document: its bytes go, a tombstone stays.
pub fn delete(tx: &Tx<'_>, caller: &AccountId, doc_id: &ItemId) -> ApiResult<()> {
    let doc = get(tx, doc_id)?
        .filter(|d| d.deleted_seq.is_none())
        .ok_or_else(|| ApiError::not_found("no such document"))?;
    if doc.owner != *caller {
        return Err(if grants::can_read(tx, caller, doc_id)? {
            ApiError::forbidden("only the owner deletes a document")
        } else {
            ApiError::not_found("no such document")
        });
    }
    let seq = next_seq(tx, doc.feed)?;
    tx.execute(
        "UPDATE documents SET deleted_seq = ?1 WHERE id = ?2",
        params![seq, doc_id.0],
    )?;
    tx.execute(
        "UPDATE bundles SET data = NULL WHERE doc_id = ?1",
        params![&doc_id.0],
    )?;
    tx.execute(
        "DELETE FROM snapshots WHERE doc_id = ?1",
        params![&doc_id.0],
    )?;
    tx.execute("DELETE FROM doc_tags WHERE doc_id = ?1", params![&doc_id.0])?;
    super::wraps::delete_of_document(tx, doc_id)?;
    recount_storage(tx, doc.feed)?;
    Ok(())
}

/// Stores a snapshot of a document from one of its owner's devices, drops
/// the bytes of the listed bundles the server knows that device holds, and
/// drops older snapshots it holds.
///
/// Only the owner's devices compact: a snapshot replaces what everyone else
/// receives of the document, so a write grant does not allow it. A listed
/// bundle is dropped only when the device pushed it itself, or when its
/// acknowledged cursor (the last one it sent with a write) is past both the
/// bundle and the document's arrival in its view: a bundle id alone proves
/// nothing (ids are guessable).
pub fn store_snapshot(
    tx: &Tx<'_>,
    caller: &Caller,
    doc_id: &ItemId,
    covers: &[BundleId],
    (epoch, data): (u32, &[u8]),
    quota: u64,
) -> ApiResult<()> {
    let doc = get(tx, doc_id)?
        .filter(|d| d.deleted_seq.is_none())
        .ok_or_else(|| ApiError::not_found("no such document"))?;
    if doc.owner != caller.account_id {
        return Err(if grants::can_read(tx, &caller.account_id, doc_id)? {
            ApiError::forbidden("only the owner's devices store snapshots of a document")
        } else {
            ApiError::not_found("no such document")
        });
    }
    super::wraps::check_epoch(&doc, doc_id, epoch)?;
    let before = stored_bytes(tx, doc.feed)?;
    let acked_cursor: Option<String> = tx.query_row(
        "SELECT acked_cursor FROM devices WHERE id = ?1",
        params![&caller.device_id.0],
        |row| row.get(0),
    )?;
    // A cursor stored by an older version may not parse: then it holds nothing.
    let acked = Cursor::parse(acked_cursor.as_deref()).map_or(0, |c| c.at(doc.feed));
    let since: Option<i64> = tx.query_opt(
        "SELECT since_seq FROM device_docs WHERE device_id = ?1 AND doc_id = ?2 AND active = 1",
        params![caller.device_id.0, doc_id.0],
        |row| row.get(0),
    )?;
    // An older snapshot or bundle is inside the new one if this device
    // uploaded it or has acknowledged a cursor past both it and the
    // document's arrival.
    let held_up_to = match since {
        Some(since) if since <= acked => acked,
        _ => 0,
    };
    let seq = next_seq(tx, doc.feed)?;
    // The number locks the feed's row, which a deletion takes too: on
    // PostgreSQL the document may have been deleted while this waited.
    match get(tx, doc_id)?.filter(|d| d.deleted_seq.is_none()) {
        None => return Err(ApiError::not_found("no such document")),
        Some(now) => super::wraps::check_epoch(&now, doc_id, epoch)?,
    }
    tx.execute(
        "DELETE FROM snapshots WHERE doc_id = ?1 AND (device_id = ?2 OR seq <= ?3)",
        params![doc_id.0, caller.device_id.0, held_up_to],
    )?;
    tx.execute(
        "INSERT INTO snapshots (feed, seq, doc_id, device_id, data, stored_at, epoch)
         VALUES (?6, ?1, ?2, ?3, ?4, ?5, ?7)",
        params![
            seq,
            doc_id.0,
            caller.device_id.0,
            data,
            now().to_rfc3339(),
            doc.feed,
            epoch
        ],
    )?;
    tx.execute(
        "UPDATE documents SET epoch = ?1 WHERE id = ?2 AND epoch < ?1",
        params![epoch, doc_id.0],
    )?;
    if epoch > 0 {
        // The upgrade to encryption: a sealed snapshot replaces the
        // plaintext parts this device holds (its own, and those up to its
        // acknowledged cursor), so no plaintext stays behind on the server.
        tx.execute(
            "UPDATE bundles SET data = NULL WHERE doc_id = ?1 AND epoch = 0 AND seq < ?2
             AND (device_id = ?3 OR seq <= ?4)",
            params![doc_id.0, seq, caller.device_id.0, held_up_to],
        )?;
        tx.execute(
            "DELETE FROM snapshots WHERE doc_id = ?1 AND epoch = 0 AND seq < ?2
             AND (device_id = ?3 OR seq <= ?4)",
            params![doc_id.0, seq, caller.device_id.0, held_up_to],
        )?;
    }
    for bundle in covers {
        tx.execute(
            "UPDATE bundles SET data = NULL WHERE doc_id = ?1 AND bundle_id = ?2 AND seq < ?3
             AND (device_id = ?4 OR seq <= ?5)",
            params![doc_id.0, bundle.0, seq, caller.device_id.0, held_up_to],
        )?;
    }
    // A snapshot usually frees more than it takes; one that leaves the
    // record larger, and over its quota, is refused.
    recount_within(tx, doc.feed, before, quota)
}
