//! Wraps: a document's key of one epoch, sealed by one of the owner's
//! devices for one account (the owner's own, or a grantee's). The server
//! stores them as opaque bodies, numbers each in the owner's feed so that
//! pulls deliver it to the recipient's devices, and moves the document to
//! the newest epoch it has seen a wrap for: a push sealed under an older
//! epoch is refused from then on (a revocation started a new one).

use rapport_protocol::{AccountId, ItemId, NeedsWrap, Wrap};

use super::{Tx, documents, from_blob, grants, next_seq, to_blob};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    params,
};

/// Most wraps in one request, and most documents `needed` lists at once.
pub use rapport_protocol::MAX_WRAPS;
/// The largest wrap body kept: a key, the older epochs' keys, a signature.
pub const MAX_WRAP_BYTES: usize = 16 * 1024;

pub fn decode(bytes: &[u8]) -> ApiResult<Wrap> {
    from_blob(bytes, "a wrap")
}

/// A push sealed under an epoch older than the document's is refused.
pub fn check_epoch(doc: &documents::DocMeta, doc_id: &ItemId, epoch: u32) -> ApiResult<()> {
    if i64::from(epoch) < doc.epoch {
        return Err(ApiError::stale_epoch(format!(
            "document {doc_id} moved to key epoch {}; pull to get its key, seal again and retry",
            doc.epoch
        )));
    }
    Ok(())
}

/// Stores wraps from one of the owner's devices (the caller's transaction
/// rolls back on the first error). A wrap already stored for the same
/// document, epoch and recipient is kept as it was (a retried push).
pub fn store(tx: &Tx<'_>, caller: &Caller, wraps: &[Wrap]) -> ApiResult<()> {
    for wrap in wraps {
        let doc_id = ItemId(wrap.doc_id.clone());
        let doc = documents::get(tx, &doc_id)?
            .ok_or_else(|| ApiError::not_found("a wrap names no such document"))?;
        if doc.owner != caller.account_id {
            return Err(if grants::can_read(tx, &caller.account_id, &doc_id)? {
                ApiError::forbidden("only the owner's devices seal a document's key")
            } else {
                ApiError::not_found("a wrap names no such document")
            });
        }
        if wrap.signer != caller.device_id.0 {
            return Err(ApiError::bad_request(
                "a wrap is signed by the device that pushes it",
            ));
        }
        if wrap.epoch == 0 {
            return Err(ApiError::bad_request("key epochs start at 1"));
        }
        if wrap.to_owner != (wrap.recipient == caller.account_id.0) {
            return Err(ApiError::bad_request(
                "a wrap to the owner names the owner as its recipient, and only then",
            ));
        }
        check_epoch(&doc, &doc_id, wrap.epoch)?;
        let body = to_blob(wrap, "a wrap")?;
        if body.len() > MAX_WRAP_BYTES {
            return Err(ApiError::too_large(format!(
                "a wrap may be at most {MAX_WRAP_BYTES} bytes"
            )));
        }
        let seq = next_seq(tx, doc.feed)?;
        // Taking the number locks the feed, as a deletion does: look again.
        let Some(now) = documents::get(tx, &doc_id)?.filter(|d| d.deleted_seq.is_none()) else {
            continue; // deleted meanwhile: nothing to seal any more
        };
        check_epoch(&now, &doc_id, wrap.epoch)?;
        tx.execute(
            "INSERT INTO wraps (feed, seq, doc_id, epoch, recipient_id, device_id, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (doc_id, epoch, recipient_id) DO NOTHING",
            params![
                doc.feed,
                seq,
                doc_id.0,
                wrap.epoch,
                wrap.recipient,
                caller.device_id.0,
                body
            ],
        )?;
        if i64::from(wrap.epoch) > now.epoch {
            tx.execute(
                "UPDATE documents SET epoch = ?1 WHERE id = ?2 AND epoch < ?1",
                params![wrap.epoch, doc_id.0],
            )?;
        }
    }
    Ok(())
}

/// The wraps for `recipient` of one document, up to `up_to` in its feed:
/// what a device needs beside the document's parts when it arrives whole.
pub fn of_document(
    tx: &Tx<'_>,
    doc_id: &str,
    recipient: &AccountId,
    up_to: i64,
) -> ApiResult<Vec<Wrap>> {
    tx.query_map(
        "SELECT body FROM wraps WHERE doc_id = ?1 AND recipient_id = ?2 AND seq <= ?3
         ORDER BY epoch",
        params![doc_id, recipient.0, up_to],
        |row| row.get::<Vec<u8>>(0),
    )?
    .iter()
    .map(|body| decode(body))
    .collect()
}

/// Documents of `owner` that a grantee may read but that have no wrap for
/// it at their current epoch.
pub fn needed(tx: &Tx<'_>, owner: &AccountId) -> ApiResult<Vec<NeedsWrap>> {
    let rows: Vec<(String, String, i64)> = tx.query_map(
        &format!(
            "SELECT DISTINCT d.id, g.grantee_id, d.epoch FROM grants g
             JOIN documents d ON {}
             WHERE g.owner_id = ?1 AND d.deleted_seq IS NULL AND d.epoch > 0
               AND NOT EXISTS (SELECT 1 FROM wraps w WHERE w.doc_id = d.id
                   AND w.epoch = d.epoch AND w.recipient_id = g.grantee_id)
             ORDER BY 1, 2 LIMIT ?2",
            grants::GRANT_COVERS_DOC
        ),
        params![owner.0, MAX_WRAPS as i64],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    Ok(rows
        .into_iter()
        .map(|(doc_id, grantee, epoch)| NeedsWrap {
            doc_id: ItemId(doc_id),
            grantee: AccountId(grantee),
            epoch: u32::try_from(epoch).unwrap_or(u32::MAX),
        })
        .collect())
}

/// Crypto-shredding: a deleted document's sealed keys go with its bytes.
pub fn delete_of_document(tx: &Tx<'_>, doc_id: &ItemId) -> ApiResult<()> {
    tx.execute("DELETE FROM wraps WHERE doc_id = ?1", params![doc_id.0])?;
    Ok(())
}

/// When a care link ends, the sealed keys between the two accounts go.
pub fn delete_between(tx: &Tx<'_>, a: &AccountId, b: &AccountId) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM wraps WHERE (recipient_id = ?1 AND doc_id IN
             (SELECT id FROM documents WHERE owner_id = ?2))
          OR (recipient_id = ?2 AND doc_id IN (SELECT id FROM documents WHERE owner_id = ?1))",
        params![a.0, b.0],
    )?;
    Ok(())
}
