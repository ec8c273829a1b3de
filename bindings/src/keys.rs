//! The account key on `RapportSync`: what the shells keep in the platform
//! keystore (beside the database key) and hand back at every launch, the
//! recovery kit, pairing a new device, the passphrase backup and safety
//! numbers (docs/encryption.md). Local work is blocking; the backup, its
//! restore and safety numbers reach the server and are async.
//!
//! Nothing here prints a key: `PairingOffer` and `PairingSeal` redact
//! themselves in `Debug`, and the account key crosses the FFI only as the
//! bytes the shell stores at once.

use std::sync::Arc;

use rapport_crypto::{AccountKey, PairingRequest};
use rapport_protocol::AccountId;

use crate::errors::SyncError;
use crate::sync::RapportSync;

/// The length of an account key.
const ACCOUNT_KEY_LEN: usize = 32;

/// A new device's side of pairing: a one-time key whose `offer()` the person
/// shows to (or types into) an existing device of the account, never through
/// the server. Dropped, it is wiped.
#[derive(Debug, uniffi::Object)]
pub struct PairingOffer {
    request: PairingRequest,
}

#[uniffi::export]
impl PairingOffer {
    /// A new one-time key.
    #[uniffi::constructor]
    #[allow(clippy::new_without_default)] // uniffi constructors are explicit
    pub fn new() -> Arc<Self> {
        Arc::new(PairingOffer {
            request: PairingRequest::new(),
        })
    }

    /// The offer to show as text or a QR code (groups of four, like the kit).
    pub fn offer(&self) -> String {
        self.request.offer()
    }
}

/// What an existing device made for a new one: `sealed` goes to the new
/// device (any channel: it opens only with the offer's one-time key), and
/// both devices show `code` for the person to compare.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct PairingSeal {
    pub sealed: Vec<u8>,
    pub code: String,
}

/// The sealed bytes carry the account key (under HPKE): never printed.
impl std::fmt::Debug for PairingSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairingSeal")
            .field("sealed", &rapport_protocol::REDACTED)
            .field("code", &self.code)
            .finish()
    }
}

/// A new random account key (32 bytes), for `replace_account_key`: keep it
/// in the keystore before handing it over.
#[uniffi::export]
pub fn new_account_key() -> Vec<u8> {
    AccountKey::generate().to_bytes().to_vec()
}

/// The key from the 32 bytes a shell passed, wiped after use.
fn account_key(key: Vec<u8>) -> Result<AccountKey, SyncError> {
    let bytes = zeroize::Zeroizing::new(key);
    let array: [u8; ACCOUNT_KEY_LEN] =
        bytes
            .as_slice()
            .try_into()
            .map_err(|_| SyncError::Sealing {
                reason: format!(
                    "account_key: an account key is {ACCOUNT_KEY_LEN} bytes, not {}",
                    bytes.len()
                ),
            })?;
    Ok(AccountKey::from_bytes(array))
}

// The async methods run on RapportSync's own runtime (`run`), like the rest.
#[uniffi::export]
impl RapportSync {
    /// The account key's 32 bytes, for the shell to keep in the platform
    /// keystore beside the database key (a new account's key is made at
    /// sign-up); `None` until the device has one.
    pub fn account_key(&self) -> Option<Vec<u8>> {
        self.client.account_key().map(|k| k.to_bytes().to_vec())
    }

    /// Hands this device the account key kept in the keystore (32 bytes),
    /// at every launch before `resume`. Without it nothing syncs.
    pub fn use_account_key(&self, key: Vec<u8>) -> Result<(), SyncError> {
        self.client.use_account_key(&account_key(key)?);
        Ok(())
    }

    /// Replaces the account key with `next` (from `new_account_key`), after
    /// a lost device was revoked: nothing written afterwards opens with the
    /// old key, even with a copy of the server's database. Keep `next` in
    /// the keystore beside the current key *before* calling, and as the
    /// account key once this returns; if the app stopped half-way, call it
    /// again with the same `next` at the next launch, before any sync. Then
    /// show the new recovery kit (the old one and the passphrase backup open
    /// nothing new; the server deletes the backup). The other devices sync
    /// again once paired or given the new kit (`AccountKeyReplaced` until
    /// then); linked therapists follow, and the safety number changes.
    pub async fn replace_account_key(&self, next: Vec<u8>) -> Result<(), SyncError> {
        let next = account_key(next)?;
        self.run(move |c| async move { c.replace_account_key(&next).await })
            .await
    }

    /// The account key as a recovery kit (58 letters and digits in groups of
    /// four) for the person to write down. Show it behind the app lock.
    pub fn recovery_kit(&self) -> Result<String, SyncError> {
        Ok(self.client.recovery_kit()?.as_str().to_owned())
    }

    /// Takes the account key from a recovery kit typed on this device. A
    /// mistyped kit is `SyncError::Sealing` and changes nothing.
    pub async fn use_recovery_kit(&self, kit: String) -> Result<(), SyncError> {
        let kit = zeroize::Zeroizing::new(kit);
        self.run(move |c| async move { c.use_recovery_kit(&kit).await })
            .await
    }

    /// On an existing, signed-in device: seals the account key to a new
    /// device's offer (typed or scanned from its screen).
    pub fn seal_for_pairing(&self, offer: String) -> Result<PairingSeal, SyncError> {
        let (sealed, code) = self.client.seal_for_pairing(&offer)?;
        Ok(PairingSeal { sealed, code })
    }

    /// On the new device, signed in to the same account: opens what the
    /// existing device sealed to `request`'s offer, takes the account key,
    /// and returns the code to compare with the other device's.
    pub fn accept_pairing(
        &self,
        request: Arc<PairingOffer>,
        sealed: Vec<u8>,
    ) -> Result<String, SyncError> {
        Ok(self.client.accept_pairing(&request.request, &sealed)?)
    }

    /// The safety number of this account and a linked one (20 digits in
    /// four groups): both people compare theirs in session.
    pub async fn safety_number(&self, account_id: AccountId) -> Result<String, SyncError> {
        self.run(move |c| async move { c.safety_number(&account_id).await })
            .await
    }

    /// Keeps the account key on the server sealed under `passphrase`
    /// (Argon2id on this device; the server cannot open it).
    pub async fn back_up_account_key(&self, passphrase: String) -> Result<(), SyncError> {
        let passphrase = zeroize::Zeroizing::new(passphrase);
        self.run(move |c| async move { c.back_up_account_key(&passphrase).await })
            .await
    }

    /// Takes the account key from the server's passphrase backup. A wrong
    /// passphrase is `SyncError::Sealing`.
    pub async fn restore_account_key(&self, passphrase: String) -> Result<(), SyncError> {
        let passphrase = zeroize::Zeroizing::new(passphrase);
        self.run(move |c| async move { c.restore_account_key(&passphrase).await })
            .await
    }
}
