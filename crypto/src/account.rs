//! The account key: 32 random bytes kept by the shell in the platform keystore.
//! Every other account secret is derived from it with HKDF-SHA256 (no salt,
//! one `rapport/v1/account/...` info label per key), so that a recovery kit or
//! a paired device carries one value and gets everything back.

use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::device::{DeviceCertificate, DevicePublic};
use crate::encoding::{Canonical, hex_array};
use crate::primitives::{derive, random, x25519_public};

/// HKDF info labels, one per derived key (docs/encryption.md lists them).
pub(crate) const LABEL_X25519: &str = "rapport/v1/account/x25519";
pub(crate) const LABEL_ED25519: &str = "rapport/v1/account/ed25519";
pub(crate) const LABEL_SELF_SEAL: &str = "rapport/v1/account/self-seal";
pub(crate) const LABEL_TAG: &str = "rapport/v1/account/tag";
/// What a device certificate signs.
pub(crate) const LABEL_DEVICE_CERT: &str = "rapport/v1/device-certificate";

/// The account's root secret.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct AccountKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccountKey(<redacted>)")
    }
}

impl AccountKey {
    /// A new random account key.
    pub fn generate() -> Self {
        AccountKey { bytes: random() }
    }

    /// The key from its 32 bytes (from the keystore, a kit, a pairing).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        AccountKey { bytes }
    }

    /// The 32 bytes, to store in the keystore.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.bytes)
    }

    /// The public half: the X25519 key grantors seal to and the Ed25519 key
    /// device certificates verify under.
    pub fn public(&self) -> AccountPublic {
        AccountPublic {
            x25519: x25519_public(&self.x25519_secret()),
            ed25519: self.signing_key().verifying_key().to_bytes(),
        }
    }

    /// A tag as the server may see it: `"t1." + base64url(HMAC-SHA256(tag key, tag))`.
    /// Deterministic per account, so the server can match grants on it.
    pub fn blind_tag(&self, tag: &str) -> String {
        crate::tag::blind(&self.derived(LABEL_TAG), tag)
    }

    /// Certifies that `device` (with id `device_id`) belongs to this account.
    pub fn certify_device(
        &self,
        account_id: &str,
        device_id: &str,
        device: &DevicePublic,
    ) -> DeviceCertificate {
        let message = certificate_message(account_id, device_id, device);
        DeviceCertificate {
            account_id: account_id.to_owned(),
            device_id: device_id.to_owned(),
            device_public: *device,
            signature: self.signing_key().sign(&message).to_bytes(),
        }
    }

    fn derived(&self, label: &str) -> Zeroizing<[u8; 32]> {
        derive(&self.bytes, label)
    }

    pub(crate) fn x25519_secret(&self) -> Zeroizing<[u8; 32]> {
        self.derived(LABEL_X25519)
    }

    pub(crate) fn self_seal_key(&self) -> Zeroizing<[u8; 32]> {
        self.derived(LABEL_SELF_SEAL)
    }

    pub(crate) fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.derived(LABEL_ED25519))
    }
}

/// The canonical message a device certificate's signature covers.
pub(crate) fn certificate_message(
    account_id: &str,
    device_id: &str,
    device: &DevicePublic,
) -> Vec<u8> {
    Canonical::new(LABEL_DEVICE_CERT)
        .str(account_id)
        .str(device_id)
        .bytes(&device.0)
        .finish()
}

/// An account's public keys, published in the server's directory and pinned by
/// peers on first use (compare them with a [`crate::safety_number`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPublic {
    /// X25519 public key: HPKE wraps to this account are sealed to it.
    #[serde(with = "hex_array")]
    pub x25519: [u8; 32],
    /// Ed25519 public key: device certificates verify under it.
    #[serde(with = "hex_array")]
    pub ed25519: [u8; 32],
}

/// HKDF info prefix of a device's signing key; the device id follows.
pub(crate) const LABEL_DEVICE_PREFIX: &str = "rapport/v1/account/device/";

impl AccountKey {
    /// The signing key of one device of this account, derived from the
    /// account key and the device id (info `rapport/v1/account/device/<id>`):
    /// nothing per device needs storing, and any holder of the account key
    /// (who may certify devices anyway) can re-derive it after a reinstall.
    pub fn device_key(&self, device_id: &str) -> crate::device::DeviceKey {
        let seed = self.derived(&format!("{LABEL_DEVICE_PREFIX}{device_id}"));
        crate::device::DeviceKey::from_bytes(*seed)
    }
}

/// HKDF info prefix of a document's first key; the document id follows.
pub(crate) const LABEL_DOCUMENT_PREFIX: &str = "rapport/v1/account/document/";

impl AccountKey {
    /// The key of epoch 1 of one of this account's documents, derived from
    /// the account key and the document id (info
    /// `rapport/v1/account/document/<id>`). Every device of the account
    /// derives it, so a new document needs no wrap for its owner: only
    /// grantees get one (HPKE), and later epochs (after a revocation) are
    /// random keys wrapped for the owner as usual. Whoever holds the account
    /// key could open the owner's wraps anyway, so this gives nothing away.
    pub fn document_key(&self, doc_id: &str) -> crate::doc_key::DocKey {
        let bytes = self.derived(&format!("{LABEL_DOCUMENT_PREFIX}{doc_id}"));
        crate::doc_key::DocKey::from_bytes(*bytes)
    }
}

/// HKDF info prefix of a document's key for an epoch started by replacing
/// the account key; the epoch (decimal), `/` and the document id follow.
pub(crate) const LABEL_REPLACEMENT_PREFIX: &str = "rapport/v1/account/replacement/";

impl AccountKey {
    /// The key of `epoch` of one of this account's documents when that epoch
    /// was started by replacing the account key (info
    /// `rapport/v1/account/replacement/<epoch>/<id>`, derived from the new
    /// key). Derived rather than random so that a replacement interrupted
    /// half-way and done again seals the same keys as the first attempt.
    pub fn replacement_document_key(&self, doc_id: &str, epoch: u32) -> crate::doc_key::DocKey {
        let bytes = self.derived(&format!("{LABEL_REPLACEMENT_PREFIX}{epoch}/{doc_id}"));
        crate::doc_key::DocKey::from_bytes(*bytes)
    }
}

#[cfg(test)]
mod derived_tests {
    use super::AccountKey;

    #[test]
    fn document_and_device_keys_differ_per_id_and_per_account() {
        let a = AccountKey::from_bytes([7; 32]);
        let b = AccountKey::from_bytes([8; 32]);
        let k = |acc: &AccountKey, id: &str| *acc.document_key(id).to_bytes();
        assert_eq!(k(&a, "doc-1"), k(&AccountKey::from_bytes([7; 32]), "doc-1"));
        assert_ne!(k(&a, "doc-1"), k(&a, "doc-2"));
        assert_ne!(k(&a, "doc-1"), k(&b, "doc-1"));
        let r = |acc: &AccountKey, id: &str, e| *acc.replacement_document_key(id, e).to_bytes();
        assert_ne!(r(&a, "doc-1", 2), r(&a, "doc-1", 3));
        assert_ne!(r(&a, "doc-1", 2), r(&b, "doc-1", 2));
        assert_ne!(r(&a, "doc-1", 2), k(&a, "doc-1"));
        assert_eq!(
            r(&a, "doc-1", 2),
            r(&AccountKey::from_bytes([7; 32]), "doc-1", 2)
        );
        // Not the device key of a device that happens to share the id.
        assert_ne!(
            k(&a, "x"),
            *a.device_key("x").to_bytes(),
            "document and device labels are distinct"
        );
    }
}
