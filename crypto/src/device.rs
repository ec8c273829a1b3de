//! Device keys: an Ed25519 key per device, certified by the account key. A
//! device signs every bundle and wrap it makes, so a reader knows which of the
//! account's devices wrote it and a revoked device's new work is refused.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::account::{AccountPublic, certificate_message};
use crate::encoding::hex_array;
use crate::error::{CryptoError, Result};
use crate::primitives::random;

/// One device's signing key (an Ed25519 seed), expanded once: a share signs
/// thousands of wraps, and expanding the seed (SHA-512 and a scalar
/// multiplication) for each would double the cost of every signature.
/// `SigningKey` zeroizes itself on drop.
pub struct DeviceKey {
    key: SigningKey,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey(<redacted>)")
    }
}

impl DeviceKey {
    /// A new random device key.
    pub fn generate() -> Self {
        DeviceKey::from_bytes(random())
    }

    /// The key from its 32-byte seed (from the keystore).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let seed = Zeroizing::new(bytes);
        DeviceKey {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The 32-byte seed, to store in the keystore.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.key.to_bytes())
    }

    /// The public key others verify this device's signatures with.
    pub fn public(&self) -> DevicePublic {
        DevicePublic(self.key.verifying_key().to_bytes())
    }

    /// Signs a message this crate built (always a labelled canonical encoding
    /// or a bundle, so a signature for one purpose is never valid for another).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// A device's Ed25519 public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DevicePublic(#[serde(with = "hex_array")] pub [u8; 32]);

impl DevicePublic {
    /// Strict Ed25519 verification (no malleable or small-order signatures).
    pub(crate) fn verify(
        &self,
        message: &[u8],
        signature: &[u8],
        what: &'static str,
    ) -> Result<()> {
        verify_ed25519(&self.0, message, signature, what)
    }
}

pub(crate) fn verify_ed25519(
    public: &[u8; 32],
    message: &[u8],
    signature: &[u8],
    what: &'static str,
) -> Result<()> {
    let bad = || CryptoError::BadSignature { what };
    let key = VerifyingKey::from_bytes(public).map_err(|_| bad())?;
    let signature: [u8; 64] = signature.try_into().map_err(|_| bad())?;
    key.verify_strict(message, &Signature::from_bytes(&signature))
        .map_err(|_| bad())
}

/// The account's statement that `device_public` is its device `device_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCertificate {
    pub account_id: String,
    pub device_id: String,
    pub device_public: DevicePublic,
    /// Ed25519 by the account key over
    /// canonical("rapport/v1/device-certificate", account_id, device_id, device_public).
    #[serde(with = "hex_array")]
    pub signature: [u8; 64],
}

impl DeviceCertificate {
    /// Checks the certificate against the account's (pinned) public keys.
    pub fn verify(&self, account: &AccountPublic) -> Result<()> {
        let message = certificate_message(&self.account_id, &self.device_id, &self.device_public);
        verify_ed25519(
            &account.ed25519,
            &message,
            &self.signature,
            "device certificate",
        )
    }
}
