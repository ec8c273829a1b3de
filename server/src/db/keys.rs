//! The public key directory and the passphrase backups. The server stores
//! what devices publish and checks that each device certificate is signed
//! by its account's key; it holds no secret key and could open nothing.

use rapport_protocol::{
    AccountId, AccountPublic, DeviceCertificate, KeyRotation, PublicKeys, TagRename,
};

use super::{Tx, from_blob, links, now, to_blob};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    params,
};

fn account_public(tx: &Tx<'_>, account: &AccountId) -> ApiResult<Option<AccountPublic>> {
    tx.query_opt(
        "SELECT public_keys FROM account_keys WHERE account_id = ?1",
        params![account.0],
        |row| row.get::<Vec<u8>>(0),
    )?
    .map(|bytes| from_blob(&bytes, "keys"))
    .transpose()
}

/// Publishes the caller's account keys (the first time; afterwards they
/// change only by [`rotate`]) and the calling device's certificate.
pub fn publish(
    tx: &Tx<'_>,
    caller: &Caller,
    account: &AccountPublic,
    device: &DeviceCertificate,
) -> ApiResult<()> {
    if device.account_id != caller.account_id.0 || device.device_id != caller.device_id.0 {
        return Err(ApiError::bad_request(
            "a device publishes its own certificate, for its own account",
        ));
    }
    device
        .verify(account)
        .map_err(|_| ApiError::bad_request("the device certificate is not signed by these keys"))?;
    match account_public(tx, &caller.account_id)? {
        Some(known) if known != *account => {
            return Err(ApiError::conflict(
                "this account published other keys already; sign this device in with the \
                 account's recovery kit or pair it with one of its devices (after a lost \
                 device, its newest kit)",
            ));
        }
        Some(_) => {}
        None => {
            tx.execute(
                "INSERT INTO account_keys (account_id, public_keys, published_at)
                 VALUES (?1, ?2, ?3) ON CONFLICT (account_id) DO NOTHING",
                params![
                    caller.account_id.0,
                    to_blob(account, "keys")?,
                    now().to_rfc3339()
                ],
            )?;
            // Two devices publishing at once: the first one stands.
            if account_public(tx, &caller.account_id)?.as_ref() != Some(account) {
                return Err(ApiError::conflict(
                    "this account published other keys already",
                ));
            }
        }
    }
    publish_certificate(tx, caller, device, &now().to_rfc3339())
}

/// An account's public keys, for itself or a linked account; others get the
/// same 404 as an account without keys.
pub fn get(tx: &Tx<'_>, caller: &AccountId, account: &AccountId) -> ApiResult<PublicKeys> {
    let missing = || ApiError::not_found("no published keys for this account");
    if caller != account && !links::are_linked(tx, caller, account)? {
        return Err(missing());
    }
    let public = account_public(tx, account)?.ok_or_else(missing)?;
    let certificates = |sql: &str| {
        tx.query_map(sql, params![account.0], |row| row.get::<Vec<u8>>(0))?
            .iter()
            .map(|bytes| from_blob(bytes, "a certificate"))
            .collect::<ApiResult<Vec<DeviceCertificate>>>()
    };
    let devices = certificates(
        "SELECT certificate FROM device_keys WHERE account_id = ?1 ORDER BY published_at, device_id",
    )?;
    let retired_devices = certificates(
        "SELECT certificate FROM retired_device_keys WHERE account_id = ?1
         ORDER BY retired_at, device_id",
    )?;
    Ok(PublicKeys {
        account_id: account.clone(),
        account: public,
        devices,
        retired_devices,
        rotations: rotations(tx, account)?,
    })
}

fn rotations(tx: &Tx<'_>, account: &AccountId) -> ApiResult<Vec<KeyRotation>> {
    tx.query_map(
        "SELECT statement FROM key_rotations WHERE account_id = ?1 ORDER BY seq",
        params![account.0],
        |row| row.get::<Vec<u8>>(0),
    )?
    .iter()
    .map(|bytes| from_blob(bytes, "a key rotation"))
    .collect()
}

/// Replaces the caller's account keys (`POST /v1/keys/rotate`): the
/// statement must follow the published keys and verify under both; the
/// calling device's certificate must verify under the next keys. Every other
/// certificate of the account is retired (those devices are refused a sync
/// until they publish one under the new keys), the passphrase backup (the
/// old key, sealed) is deleted, and the account's blinded tags are renamed
/// on its documents and grants. Asked again after it was done (a lost
/// answer), it only makes sure the caller's certificate is published.
pub fn rotate(
    tx: &Tx<'_>,
    caller: &Caller,
    rotation: &KeyRotation,
    device: &DeviceCertificate,
    tags: &[TagRename],
) -> ApiResult<()> {
    let me = &caller.account_id;
    if rotation.account_id != me.0
        || device.account_id != me.0
        || device.device_id != caller.device_id.0
    {
        return Err(ApiError::bad_request(
            "a device rotates its own account's keys and sends its own certificate",
        ));
    }
    rotation
        .verify()
        .map_err(|_| ApiError::bad_request("the key rotation is not signed by both keys"))?;
    device.verify(&rotation.next).map_err(|_| {
        ApiError::bad_request("the device certificate is not signed by the next keys")
    })?;
    let published = account_public(tx, me)?
        .ok_or_else(|| ApiError::not_found("this account has published no keys to replace"))?;
    let now = now().to_rfc3339();
    if published == rotation.next && rotations(tx, me)?.last() == Some(rotation) {
        publish_certificate(tx, caller, device, &now)?;
        return Ok(());
    }
    if published != rotation.previous {
        return Err(ApiError::conflict(
            "the account's keys changed since this device last saw them; sync, then try again",
        ));
    }
    let seq: i64 = tx.query_row(
        "SELECT count(*) FROM key_rotations WHERE account_id = ?1",
        params![me.0],
        |row| row.get(0),
    )?;
    tx.execute(
        "INSERT INTO key_rotations (account_id, seq, statement, rotated_at) VALUES (?1, ?2, ?3, ?4)",
        params![me.0, seq + 1, to_blob(rotation, "a key rotation")?, now],
    )?;
    tx.execute(
        "UPDATE account_keys SET public_keys = ?1, published_at = ?2 WHERE account_id = ?3",
        params![to_blob(&rotation.next, "keys")?, now, me.0],
    )?;
    tx.execute(
        "INSERT INTO retired_device_keys (device_id, account_id, certificate, retired_at)
         SELECT device_id, account_id, certificate, ?1 FROM device_keys WHERE account_id = ?2",
        params![now, me.0],
    )?;
    tx.execute(
        "DELETE FROM device_keys WHERE account_id = ?1",
        params![me.0],
    )?;
    publish_certificate(tx, caller, device, &now)?;
    tx.execute(
        "DELETE FROM key_backups WHERE account_id = ?1",
        params![me.0],
    )?;
    for rename in tags {
        tx.execute(
            "UPDATE doc_tags SET tag = ?1 WHERE tag = ?2
             AND doc_id IN (SELECT id FROM documents WHERE owner_id = ?3)",
            params![rename.to.0, rename.from.0, me.0],
        )?;
        tx.execute(
            "UPDATE grants SET tag = ?1 WHERE tag = ?2 AND owner_id = ?3",
            params![rename.to.0, rename.from.0, me.0],
        )?;
    }
    Ok(())
}

fn publish_certificate(
    tx: &Tx<'_>,
    caller: &Caller,
    device: &DeviceCertificate,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO device_keys (device_id, account_id, certificate, published_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (device_id) DO UPDATE SET certificate = excluded.certificate",
        params![
            caller.device_id.0,
            caller.account_id.0,
            to_blob(device, "a certificate")?,
            now
        ],
    )?;
    Ok(())
}

/// Refuses a device whose certificate was retired by a rotation and that
/// has not published one under the new keys: it holds the old account key
/// only, and would seal what it writes under keys a lost device may hold.
pub fn check_current(tx: &Tx<'_>, caller: &Caller) -> ApiResult<()> {
    let retired = tx
        .query_opt(
            "SELECT 1 FROM retired_device_keys r WHERE r.device_id = ?1
             AND NOT EXISTS (SELECT 1 FROM device_keys d WHERE d.device_id = ?1)",
            params![caller.device_id.0],
            |row| row.get::<i64>(0),
        )?
        .is_some();
    if retired {
        return Err(ApiError::key_rotated(
            "this account's key was replaced on another device (a lost device was cut off); \
             pair this device with that one or enter the new recovery kit, then sync again",
        ));
    }
    Ok(())
}

pub fn put_backup(tx: &Tx<'_>, account: &AccountId, sealed: &[u8]) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO key_backups (account_id, sealed, stored_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id) DO UPDATE SET sealed = excluded.sealed,
             stored_at = excluded.stored_at",
        params![account.0, sealed, now().to_rfc3339()],
    )?;
    Ok(())
}

pub fn get_backup(tx: &Tx<'_>, account: &AccountId) -> ApiResult<Vec<u8>> {
    tx.query_opt(
        "SELECT sealed FROM key_backups WHERE account_id = ?1",
        params![account.0],
        |row| row.get(0),
    )?
    .ok_or_else(|| ApiError::not_found("this account keeps no key backup here"))
}

pub fn delete_backup(tx: &Tx<'_>, account: &AccountId) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM key_backups WHERE account_id = ?1",
        params![account.0],
    )?;
    Ok(())
}
