//! The upgrade to end-to-end encryption. A record synced before it sits on
//! the server as plaintext Automerge bytes. On this device's first sync with
//! an account key, every document of the account it holds gets its first
//! key; once those keys are on the server, a sealed snapshot of each goes up
//! and the server drops the plaintext parts this device holds (ADR 0008).

use super::keyring::Keyring;
use super::{SyncError, sealing};
use crate::id::ItemId;
use crate::store::Store;

/// The account whose record this device has scanned for plaintext documents.
const SCANNED: &str = "crypto.upgrade_scanned";
/// Documents still to re-seal on the server, comma-separated.
const TO_RESEAL: &str = "crypto.upgrade_reseal";

/// The documents still to re-seal; on the first call for an account, finds
/// them (this account's documents without a key, on a device that synced
/// before) and gives each its key.
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
            let ours = owners.get(&doc).is_none_or(|o| o == &keys.account_id);
            if ours && store.newest_wrap(&doc, &keys.account_id)?.is_none() {
                sealing::first_key(store, keys, &doc)?;
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
