//! What the app keeps in the platform keystore for the trials' device: the
//! record's key, the account key and the session, in a file of the trial's
//! own folder. Each writer run launches the device from it the way the apps
//! do at every launch: the store opened with its key, the account key handed
//! to the sync client, then the session resumed.

use std::path::Path;
use std::sync::Arc;

use rapport_core::Store;
use rapport_core::store::DatabaseKey;
use rapport_core::sync::SyncClient;
use rapport_crypto::AccountKey;
use rapport_protocol::{Role, Session};
use serde::{Deserialize, Serialize};

use super::Failure;
use crate::{PASSWORD, sync_config};

/// The device's kept secrets.
#[derive(Serialize, Deserialize)]
pub struct Keystore {
    database_key: Vec<u8>,
    account_key: Vec<u8>,
    session: Session,
}

impl std::fmt::Debug for Keystore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(rapport_protocol::REDACTED)
    }
}

const DEVICE_NAME: &str = "crash trials phone";

impl Keystore {
    /// Creates the device's encrypted record at `store`, signs a new client
    /// account up on it, and keeps what the app would keep.
    pub async fn sign_up(store: &Path, server_url: &str, email: &str) -> Result<Self, Failure> {
        let database_key = DatabaseKey::random()?;
        let store = Arc::new(Store::open_encrypted(store, &database_key)?);
        let sync = SyncClient::new(store, sync_config(server_url, DEVICE_NAME))?;
        let session = sync
            .sign_up(email, PASSWORD, Role::Client, "Crash trials")
            .await?;
        let account_key = sync.account_key().ok_or("sign-up made no account key")?;
        Ok(Keystore {
            database_key: database_key.as_bytes().to_vec(),
            account_key: account_key.to_bytes().to_vec(),
            session,
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), Failure> {
        let mut bytes = Vec::new();
        ciborium::into_writer(self, &mut bytes)?;
        std::fs::write(path, bytes)?;
        Ok(())
    }

    pub fn load(path: &Path) -> Result<Self, Failure> {
        let bytes = std::fs::read(path)?;
        Ok(ciborium::from_reader(bytes.as_slice())?)
    }

    /// Opens the device's record at `store` and its sync client, as an app
    /// does at launch.
    pub fn launch(&self, store: &Path, server_url: &str) -> Result<SyncClient, Failure> {
        let database_key = DatabaseKey::from_bytes(&self.database_key)?;
        let store = Arc::new(Store::open_encrypted(store, &database_key)?);
        let mut config = sync_config(server_url, DEVICE_NAME);
        // No retry within a sync: a request that meets the server killed
        // fails the sync, so that the driver can count the kills a sync ran
        // into; the next sync sends the same changes again.
        config.max_attempts = 1;
        let sync = SyncClient::new(store, config)?;
        let account_key: [u8; 32] = self.account_key.as_slice().try_into()?;
        sync.use_account_key(&AccountKey::from_bytes(account_key));
        sync.resume(self.session.clone())?;
        Ok(sync)
    }
}
