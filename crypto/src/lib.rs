//! End-to-end encryption for Rapport: the server stores and serves ciphertext
//! only. Pure functions and key types, no I/O; ids are plain `&str`.
//! docs/encryption.md specifies every byte, with test vectors.
//!
//! - [`AccountKey`]: the account's root secret; derives its X25519 (HPKE),
//!   Ed25519 (certificates), self-seal and tag keys. [`AccountPublic`] is what
//!   peers pin; [`safety_number`] lets two people compare it.
//! - [`DeviceKey`]: a device's Ed25519 key, certified by the account
//!   ([`DeviceCertificate`]); it signs every bundle and wrap.
//! - [`DocKey`]: one document's key for one epoch. [`Wrap`]s carry it to the
//!   owner's account ([`wrap_for_owner`]) or a grantee's ([`GranteeSealer`],
//!   one HPKE encapsulation for a batch), with every older epoch's key;
//!   [`open_wrap`] takes it back out.
//! - Sealed bundles ([`seal_bundle`], [`read_header`], [`open_bundle`]):
//!   padded ([`padding`]), encrypted, signed Automerge bytes, bound to the
//!   [`BundleLabels`] their envelope carries.
//! - Blinded tags ([`AccountKey::blind_tag`]) for grants the server can match.
//! - Getting the account key onto a device: [`RecoveryKit`], pairing
//!   ([`PairingRequest`], [`seal_for_pairing`]), and a passphrase backup
//!   ([`seal_backup`], [`open_backup`]).
//! - Replacing the account key when a device is lost: [`KeyRotation`],
//!   signed by the old and the new key, and [`key_chain`] for peers.

mod account;
mod backup;
mod bundle;
mod device;
mod doc_key;
mod encoding;
mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod padding;
mod pairing;
mod primitives;
mod recovery;
mod rotation;
mod safety_number;
mod tag;
mod wrap;

pub use account::{AccountKey, AccountPublic};
#[doc(hidden)]
pub use backup::{BackupParams, seal_backup_with};
pub use backup::{open_backup, seal_backup};
pub use bundle::{BundleHeader, BundleLabels, is_sealed, open_bundle, read_header, seal_bundle};
#[doc(hidden)]
pub use bundle::{relabel_bundle, seal_bundle_v1_with_nonce, seal_bundle_with_nonce};
pub use device::{DeviceCertificate, DeviceKey, DevicePublic};
pub use doc_key::DocKey;
pub use error::{CryptoError, Result};
pub use pairing::{PairingRequest, seal_for_pairing};
pub use recovery::RecoveryKit;
pub use rotation::{KeyRotation, key_chain};
pub use safety_number::safety_number;
pub use tag::BLINDED_TAG_PREFIX;
pub use wrap::{
    GranteeSealer, OpenedWrap, SharedSecrets, Wrap, open_wrap, open_wrap_with, wrap_for_grantee,
    wrap_for_owner,
};
#[doc(hidden)]
pub use wrap::{resign_wrap, wrap_for_owner_with_nonce};

/// The magic bytes and format versions, for callers that sniff blobs.
pub mod format {
    pub use crate::backup::{MAGIC as BACKUP_MAGIC, VERSION as BACKUP_VERSION};
    pub use crate::bundle::{
        MAGIC as BUNDLE_MAGIC, VERSION as BUNDLE_VERSION, VERSION_1 as BUNDLE_VERSION_1,
    };
    pub use crate::wrap::{FORMAT_1 as WRAP_FORMAT_1, FORMAT_SHARED as WRAP_FORMAT_SHARED};
}
