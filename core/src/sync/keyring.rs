//! The keys of the signed-in account on this device, in memory only: the
//! account key the shell handed over (kept in the platform keystore), the
//! device's signing key derived from it, and the document keys opened so
//! far. Nothing here is ever written to disk in clear.

use std::collections::HashMap;
use std::sync::Mutex;

use rapport_crypto::{AccountKey, DeviceKey, DocKey, SharedSecrets};

use crate::id::ItemId;

pub struct Keyring {
    pub(super) account_id: String,
    pub(super) account: AccountKey,
    pub(super) device_id: String,
    pub(super) device: DeviceKey,
    /// Opened document keys, by document and epoch.
    opened: Mutex<HashMap<(ItemId, u32), DocKey>>,
    /// The secrets of the batches of wraps opened so far (wrap format 2).
    pub(super) shared_secrets: SharedSecrets,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("account_id", &self.account_id)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    pub(super) fn new(account_id: &str, account: AccountKey, device_id: &str) -> Keyring {
        let device = account.device_key(device_id);
        Keyring {
            account_id: account_id.to_owned(),
            account,
            device_id: device_id.to_owned(),
            device,
            opened: Mutex::new(HashMap::new()),
            shared_secrets: SharedSecrets::default(),
        }
    }

    pub(super) fn opened(&self, doc: &ItemId, epoch: u32) -> Option<DocKey> {
        self.opened
            .lock()
            .ok()
            .and_then(|m| m.get(&(doc.clone(), epoch)).cloned())
    }

    /// Remembers a document's key of `epoch` and those of the epochs before it.
    pub(super) fn remember(&self, doc: &ItemId, epoch: u32, key: &DocKey, older: &[DocKey]) {
        if let Ok(mut map) = self.opened.lock() {
            map.insert((doc.clone(), epoch), key.clone());
            for (i, old) in older.iter().enumerate() {
                let e = u32::try_from(i + 1).unwrap_or(u32::MAX);
                map.insert((doc.clone(), e), old.clone());
            }
        }
    }

    /// Forgets the opened keys (a revocation or a sign-out).
    pub(super) fn forget(&self, doc: &ItemId) {
        if let Ok(mut map) = self.opened.lock() {
            map.retain(|(d, _), _| d != doc);
        }
    }
}
