//! The public key directory and the passphrase backups. The server stores
//! what devices publish and checks that each device certificate is signed
//! by its account's key; it holds no secret key and could open nothing.

use rapport_protocol::{AccountId, AccountPublic, DeviceCertificate, PublicKeys};

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

/// Publishes the caller's account keys (the first time; they never change
/// afterwards) and the calling device's certificate.
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
                 account's recovery kit or pair it with one of its devices",
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
    tx.execute(
        "INSERT INTO device_keys (device_id, account_id, certificate, published_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (device_id) DO UPDATE SET certificate = excluded.certificate",
        params![
            caller.device_id.0,
            caller.account_id.0,
            to_blob(device, "a certificate")?,
            now().to_rfc3339()
        ],
    )?;
    Ok(())
}

/// An account's public keys, for itself or a linked account; others get the
/// same 404 as an account without keys.
pub fn get(tx: &Tx<'_>, caller: &AccountId, account: &AccountId) -> ApiResult<PublicKeys> {
    let missing = || ApiError::not_found("no published keys for this account");
    if caller != account && !links::are_linked(tx, caller, account)? {
        return Err(missing());
    }
    let public = account_public(tx, account)?.ok_or_else(missing)?;
    let devices = tx
        .query_map(
            "SELECT certificate FROM device_keys WHERE account_id = ?1 ORDER BY published_at, device_id",
            params![account.0],
            |row| row.get::<Vec<u8>>(0),
        )?
        .iter()
        .map(|bytes| from_blob(bytes, "a certificate"))
        .collect::<ApiResult<Vec<DeviceCertificate>>>()?;
    Ok(PublicKeys {
        account_id: account.clone(),
        account: public,
        devices,
    })
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
