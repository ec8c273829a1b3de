//! The public key directory, from the device's side: publish this account's
//! public keys and this device's certificate, learn another account's keys
//! and pin them on first use, and the safety number two people compare.
//! A server that later answers with other keys for a pinned account is
//! refused ([`SyncError::KeyChanged`]): nothing is sealed for it, unless a
//! chain of rotations signed by the pinned keys leads to the new ones (the
//! account replaced its key after losing a device).

use rapport_crypto::{AccountKey, DeviceCertificate, key_chain};
use rapport_protocol::{AccountPublic, ErrorCode, PublicKeys, PublishKeys, Session};
use reqwest::Method;

use super::cbor::{decode, encode};
use super::keyring::Keyring;
use super::retry::retrying;
use super::{SyncClient, SyncError};

const PUBLISHED: &str = "crypto.published_device";

/// What [`PUBLISHED`] holds once this device published under `keys`: a new
/// account key (a replaced one) publishes again.
fn published_marker(keys: &Keyring) -> String {
    let public = keys.account.public();
    let hex: String = public.ed25519.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}:{hex}", keys.device_id)
}

fn keep_devices(
    client: &SyncClient,
    chain: &[AccountPublic],
    devices: &[DeviceCertificate],
    account_id: &str,
) -> Result<(), SyncError> {
    for cert in devices {
        // A certificate the account did not sign (under any of its keys), or
        // for another account, is ignored: bundles signed by that device are
        // then refused.
        if cert.account_id == account_id && chain.iter().any(|key| cert.verify(key).is_ok()) {
            client
                .store
                .keep_peer_device(&cert.device_id, account_id, &cert.device_public.0)?;
        }
    }
    Ok(())
}

/// Publishes this account's public keys and this device's certificate, once
/// per device; pins this account's own keys.
pub(super) async fn publish(
    client: &SyncClient,
    token: &str,
    keys: &Keyring,
) -> Result<(), SyncError> {
    let store = &client.store;
    if store.device_setting(PUBLISHED)?.as_deref() == Some(published_marker(keys).as_str()) {
        return Ok(());
    }
    let account = keys.account.public();
    let device =
        keys.account
            .certify_device(&keys.account_id, &keys.device_id, &keys.device.public());
    let request = PublishKeys {
        account: account.clone(),
        device: device.clone(),
    };
    let _: serde_json::Value = retrying(client, || {
        client
            .transport
            .json(Method::PUT, "v1/keys", Some(token), Some(&request))
    })
    .await?;
    published(client, keys, &account, &device)
}

/// Remembers what this device published: its account's own keys pinned
/// (it holds the account key, so a newer key replaces the pin) and its own
/// certificate kept.
pub(super) fn published(
    client: &SyncClient,
    keys: &Keyring,
    account: &AccountPublic,
    device: &DeviceCertificate,
) -> Result<(), SyncError> {
    let store = &client.store;
    store.repin_keys(&keys.account_id, &encode(account, "keys")?)?;
    keep_devices(
        client,
        std::slice::from_ref(account),
        std::slice::from_ref(device),
        &keys.account_id,
    )?;
    store.set_device_setting(PUBLISHED, &published_marker(keys))?;
    Ok(())
}

/// Refuses an account key that is not this account's: its public keys must
/// be those the server publishes for the signed-in account. Nothing is
/// pinned here (a server swapping keys then refuses a right kit, the safe
/// way round); with nothing published yet there is nothing to compare.
pub(super) async fn check_own_key(
    client: &SyncClient,
    session: &Session,
    key: &AccountKey,
) -> Result<(), SyncError> {
    let published = match fetch(client, &session.token, &session.account_id).await {
        Ok(keys) => keys,
        Err(SyncError::Rejected {
            code: ErrorCode::NotFound,
            ..
        }) => return Ok(()),
        Err(e) => return Err(e),
    };
    let public = key.public();
    if published.account == public {
        return Ok(());
    }
    if published.rotations.iter().any(|r| r.previous == public) {
        return Err(SyncError::ReplacedRecoveryKit);
    }
    Err(SyncError::WrongAccountKey)
}

/// An account's public keys and certified devices, as the server publishes
/// them (`GET /v1/keys/{account}`), checked and pinned by the callers.
pub(super) async fn fetch(
    client: &SyncClient,
    token: &str,
    account_id: &str,
) -> Result<PublicKeys, SyncError> {
    let path = format!("v1/keys/{account_id}");
    retrying(client, || {
        client
            .transport
            .json::<(), PublicKeys>(Method::GET, &path, Some(token), None)
    })
    .await
}

/// Fetches an account's public keys and certified devices; pins the keys
/// the first time and refuses different ones afterwards.
pub(super) async fn learn(
    client: &SyncClient,
    token: &str,
    account_id: &str,
) -> Result<AccountPublic, SyncError> {
    let keys = fetch(client, token, account_id).await?;
    if keys.account_id.0 != account_id {
        return Err(SyncError::Protocol(
            "the server answered with another account's keys".into(),
        ));
    }
    let changed = || {
        tracing::warn!(account = %account_id, "public keys differ from the pinned ones");
        SyncError::KeyChanged {
            account: account_id.to_owned(),
        }
    };
    // Every key of the account, oldest first, if its rotations hold together.
    let chain = key_chain(account_id, &keys.rotations, &keys.account).map_err(|_| changed())?;
    let fetched = encode(&keys.account, "keys")?;
    match client.store.pinned_keys(account_id)? {
        Some(pinned) if pinned == fetched => {}
        Some(pinned) => {
            // Followed only from a key pinned here, along rotations that the
            // pinned key itself signed.
            let pinned: AccountPublic = decode(&pinned, "pinned keys")?;
            if !chain.contains(&pinned) {
                return Err(changed());
            }
            tracing::info!(account = %account_id, "the account replaced its keys; following");
            client.store.repin_keys(account_id, &fetched)?;
        }
        None => client.store.pin_keys(account_id, &fetched)?,
    }
    keep_devices(client, &chain, &keys.devices, account_id)?;
    keep_devices(client, &chain, &keys.retired_devices, account_id)?;
    Ok(keys.account)
}

/// The pinned keys of an account, learning them first if none are pinned.
pub(super) async fn pinned(
    client: &SyncClient,
    token: &str,
    account_id: &str,
) -> Result<AccountPublic, SyncError> {
    match client.store.pinned_keys(account_id)? {
        Some(bytes) => decode(&bytes, "pinned keys"),
        None => learn(client, token, account_id).await,
    }
}
