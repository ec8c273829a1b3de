//! What the sync engine remembers on the device between runs, in the store's
//! device settings: the pull cursor of the signed-in account, when sharing
//! was last reconciled, and when the last sync completed. The session token
//! is not among them: it belongs in the platform keystore.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::Store;

const ACCOUNT: &str = "sync.account";
const CURSOR: &str = "sync.cursor";
const SHARING_KEY: &str = "sync.sharing_key";
const KNOWN_LINKS: &str = "sync.known_links";
const LAST_SYNCED: &str = "sync.last_synced_at";

/// The account whose cursor is stored; switching accounts starts over.
pub fn adopt_account(store: &Store, account: &str) -> Result<()> {
    if store.device_setting(ACCOUNT)?.as_deref() != Some(account) {
        store.set_device_setting(ACCOUNT, account)?;
        store.set_device_setting(CURSOR, "")?;
        store.set_device_setting(SHARING_KEY, "")?;
        store.set_device_setting(KNOWN_LINKS, "")?;
    }
    Ok(())
}

pub fn cursor(store: &Store) -> Result<Option<String>> {
    Ok(store.device_setting(CURSOR)?.filter(|c| !c.is_empty()))
}

pub fn set_cursor(store: &Store, cursor: &str) -> Result<()> {
    store.set_device_setting(CURSOR, cursor)
}

pub fn sharing_key(store: &Store) -> Result<Option<String>> {
    store.device_setting(SHARING_KEY)
}

pub fn set_sharing_key(store: &Store, key: &str) -> Result<()> {
    store.set_device_setting(SHARING_KEY, key)
}

/// The care link ids last seen, comma-separated and sorted.
pub fn known_links(store: &Store) -> Result<Option<String>> {
    store.device_setting(KNOWN_LINKS)
}

pub fn set_known_links(store: &Store, ids: &str) -> Result<()> {
    store.set_device_setting(KNOWN_LINKS, ids)
}

pub fn last_synced_at(store: &Store) -> Result<Option<DateTime<Utc>>> {
    Ok(store
        .device_setting(LAST_SYNCED)?
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc)))
}

pub fn set_last_synced_at(store: &Store, at: DateTime<Utc>) -> Result<()> {
    store.set_device_setting(LAST_SYNCED, &at.to_rfc3339())
}
