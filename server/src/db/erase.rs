//! Deleting an account with what it owns.
//!
//! Gone: the email, display name and password hash, every device and its
//! token, the bytes, tags and bundle rows of the account's documents and
//! their snapshots, its invites, care links, the grants it received, its
//! keys (public keys, certificates, wraps, backup) and its own access log. Kept, holding no content: the account's id and role
//! (a tombstone, so that ids in other accounts' records stay valid), its
//! feed, a tombstone per document (id, kind, sequence numbers) and the
//! grants it gave, revoked: these are what tell a linked account's devices,
//! at their next pull, that the documents were deleted and the sharing
//! ended. Entries in other accounts' access logs stay (they are the owners'
//! record of who read their documents) and name the reader "deleted account".

use rapport_protocol::{AccountId, ItemId};

use super::{Tx, documents, feed_of, grants, links, next_seq};
use crate::{error::ApiResult, params};

/// What an erased account is called where others still see its id.
pub const DELETED_NAME: &str = "deleted account";

/// Deletes `account` (see the module's documentation).
pub fn delete_account(tx: &Tx<'_>, account: &AccountId) -> ApiResult<()> {
    let me = &account.0;
    // The feed's lock first: a push to one of the account's documents waits
    // for this transaction, and then finds the document deleted.
    next_seq(tx, feed_of(tx, account)?)?;
    let pairs: Vec<(String, String)> = tx.query_map(
        "SELECT client_id, therapist_id FROM links
         WHERE (client_id = ?1 OR therapist_id = ?1) AND ended_at IS NULL
         ORDER BY client_id, therapist_id",
        params![me],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    for (client, therapist) in pairs {
        let (client, therapist) = (AccountId(client), AccountId(therapist));
        links::lock_pair(tx, &client, &therapist)?;
        grants::revoke_between(tx, &client, &therapist)?;
    }
    // Grants without an active link are inert already; revoke them anyway.
    let given: Vec<String> = tx.query_map(
        "SELECT id FROM grants WHERE owner_id = ?1 AND revoked_seq IS NULL ORDER BY id",
        params![me],
        |row| row.get(0),
    )?;
    let feed = feed_of(tx, account)?;
    for id in given {
        let seq = next_seq(tx, feed)?;
        tx.execute(
            "UPDATE grants SET revoked_seq = ?1 WHERE id = ?2",
            params![seq, id],
        )?;
    }
    let docs: Vec<String> = tx.query_map(
        "SELECT id FROM documents WHERE owner_id = ?1 AND deleted_seq IS NULL ORDER BY id",
        params![me],
        |row| row.get(0),
    )?;
    for doc in docs {
        documents::delete(tx, account, &ItemId(doc))?;
    }
    // No device of the account can push again: the bundle rows kept for
    // idempotent retries can go too.
    tx.execute(
        "DELETE FROM bundles WHERE doc_id IN (SELECT id FROM documents WHERE owner_id = ?1)",
        params![me],
    )?;
    tx.execute("DELETE FROM grants WHERE grantee_id = ?1", params![me])?;
    tx.execute(
        "DELETE FROM links WHERE client_id = ?1 OR therapist_id = ?1",
        params![me],
    )?;
    tx.execute("DELETE FROM invites WHERE client_id = ?1", params![me])?;
    tx.execute(
        "UPDATE invites SET used_by = NULL WHERE used_by = ?1",
        params![me],
    )?;
    tx.execute("DELETE FROM access_log WHERE owner_id = ?1", params![me])?;
    tx.execute(
        "DELETE FROM device_docs WHERE device_id IN (SELECT id FROM devices WHERE account_id = ?1)",
        params![me],
    )?;
    // Its keys: the sealed document keys it received, its public keys and
    // device certificates, and its passphrase backup.
    tx.execute("DELETE FROM wraps WHERE recipient_id = ?1", params![me])?;
    tx.execute("DELETE FROM device_keys WHERE account_id = ?1", params![me])?;
    tx.execute(
        "DELETE FROM retired_device_keys WHERE account_id = ?1",
        params![me],
    )?;
    tx.execute(
        "DELETE FROM key_rotations WHERE account_id = ?1",
        params![me],
    )?;
    tx.execute(
        "DELETE FROM account_keys WHERE account_id = ?1",
        params![me],
    )?;
    tx.execute("DELETE FROM key_backups WHERE account_id = ?1", params![me])?;
    tx.execute("DELETE FROM devices WHERE account_id = ?1", params![me])?;
    // The email is free again; no password matches an empty hash.
    tx.execute(
        "UPDATE accounts SET email = ?1, password_hash = '', display_name = ?2 WHERE id = ?3",
        params![format!("deleted:{me}"), DELETED_NAME, me],
    )?;
    Ok(())
}
