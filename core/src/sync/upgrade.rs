//! The upgrade to end-to-end encryption. A record synced before it sits on
//! the server as plaintext Automerge bytes. On this device's first sync with
//! an account key, a sealed snapshot of every document of the account it
//! holds goes up (under each one's first key, derived from the account key)
//! and the server drops the plaintext parts this device holds (ADR 0008).

use super::SyncError;
use super::keyring::Keyring;
use crate::id::ItemId;
use crate::store::Store;

/// The account whose record this device has scanned for plaintext documents.
const SCANNED: &str = "crypto.upgrade_scanned";
/// Documents still to re-seal on the server, comma-separated.
const TO_RESEAL: &str = "crypto.upgrade_reseal";

/// The documents still to re-seal; on the first call for an account, finds
/// them: on a device that synced before, every document of the account.
pub(super) fn pending(store: &Store, keys: &Keyring) -> Result<Vec<ItemId>, SyncError> {
    if store.device_setting(SCANNED)?.as_deref() != Some(keys.account_id.as_str()) {
        let owners = store.owner_map()?;
        let mut found = Vec::new();
        // Only a device that synced before (it holds a cursor) can have put
        // plaintext on the server; a new one seals from its first push.
        let synced_before = super::state::cursor(store)?.is_some();
        let docs = if synced_before {
            store.document_ids()?
        } else {
            Vec::new()
        };
        for doc in docs {
            if owners.get(&doc).is_none_or(|o| o == &keys.account_id) {
                found.push(doc);
            }
        }
        set(store, &found)?;
        store.set_device_setting(SCANNED, &keys.account_id)?;
    }
    Ok(store
        .device_setting(TO_RESEAL)?
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(ItemId::new)
        .collect())
}

/// Records what is still to re-seal.
pub(super) fn set(store: &Store, docs: &[ItemId]) -> Result<(), SyncError> {
    let list: Vec<&str> = docs.iter().map(ItemId::as_str).collect();
    store.set_device_setting(TO_RESEAL, &list.join(","))?;
    Ok(())
}
