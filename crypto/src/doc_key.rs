//! Document keys: 32 random bytes per document per epoch. A new epoch starts
//! when access is revoked; the key is wrapped ([`crate::wrap`]) for everyone
//! who keeps access, and seals that document's bundles ([`crate::bundle`]).

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::primitives::random;

/// One document's key for one epoch (an XChaCha20-Poly1305 key).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct DocKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for DocKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocKey(<redacted>)")
    }
}

impl DocKey {
    /// A new random document key.
    pub fn generate() -> Self {
        DocKey { bytes: random() }
    }

    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        DocKey { bytes }
    }

    /// The 32 bytes (to keep in the encrypted local store).
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.bytes)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }
}
