//! Adding a device. The new device makes a one-time X25519 key and shows it as
//! an offer (text or QR); an existing device of the account seals the account
//! key to it with HPKE; both show a 6-digit code and the user checks that they
//! match before the new device keeps the key.
//!
//! The offer must travel from screen to device (typed or scanned), not through
//! the server: the code is short, and someone who saw the offer and carried the
//! sealed bytes could try a million seals of their own until one shows the same
//! code. The offer's own checksum only catches typing mistakes.

use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::account::AccountKey;
use crate::encoding::Canonical;
use crate::error::{Result, malformed};
use crate::primitives::{hpke_open, hpke_seal, random, x25519_public};
use crate::recovery::{decode_checked, encode_checked};

pub(crate) const LABEL_OFFER: &str = "rapport/v1/pairing/offer";
pub(crate) const LABEL_INFO: &str = "rapport/v1/pairing";
pub(crate) const LABEL_CODE: &str = "rapport/v1/pairing/code";
const WHAT: &str = "pairing";

/// The new device's side: a one-time key, dropped (and wiped) after pairing.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct PairingRequest {
    secret: [u8; 32],
}

impl std::fmt::Debug for PairingRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairingRequest(<redacted>)")
    }
}

impl Default for PairingRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl PairingRequest {
    /// A new one-time key.
    pub fn new() -> Self {
        PairingRequest { secret: random() }
    }

    /// A request from a given secret, for reproducible test vectors only.
    #[doc(hidden)]
    pub fn from_bytes(secret: [u8; 32]) -> Self {
        PairingRequest { secret }
    }

    /// The offer to show: base32 of the X25519 public key and a 4-byte
    /// checksum, in groups of four like the recovery kit.
    pub fn offer(&self) -> String {
        encode_checked(LABEL_OFFER, &x25519_public(&self.secret)).to_string()
    }

    /// Opens what the existing device sealed; returns the account key and the
    /// code to compare. Keep the key only once the user confirms the codes match.
    pub fn accept(&self, account_id: &str, sealed: &[u8]) -> Result<(AccountKey, String)> {
        let bytes = hpke_open(&self.secret, &info(account_id), sealed, WHAT)?;
        let key: [u8; 32] = bytes[..]
            .try_into()
            .map_err(|_| malformed(WHAT, "the sealed account key is not 32 bytes"))?;
        Ok((
            AccountKey::from_bytes(key),
            code(&x25519_public(&self.secret), sealed),
        ))
    }
}

/// The existing device's side: seals the account key to the offer's key.
/// Returns the bytes to send to the new device and the code to show.
pub fn seal_for_pairing(
    account: &AccountKey,
    account_id: &str,
    offer: &str,
) -> Result<(Vec<u8>, String)> {
    let public: [u8; 32] = decode_checked(LABEL_OFFER, offer, 32, "pairing offer")?[..]
        .try_into()
        .map_err(|_| malformed("pairing offer", "wrong length"))?;
    let sealed = hpke_seal(&public, &info(account_id), &account.to_bytes()[..])?;
    let code = code(&public, &sealed);
    Ok((sealed, code))
}

fn info(account_id: &str) -> Vec<u8> {
    Canonical::new(LABEL_INFO).str(account_id).finish()
}

/// Six decimal digits: the first 8 bytes of
/// SHA-256(canonical(code label, offer public key, sealed)) as a big-endian
/// integer, mod 10⁶, zero-padded.
fn code(offer_public: &[u8; 32], sealed: &[u8]) -> String {
    let hash = Sha256::digest(
        Canonical::new(LABEL_CODE)
            .bytes(offer_public)
            .bytes(sealed)
            .finish(),
    );
    let n = hash[..8].iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
    format!("{:06}", n % 1_000_000)
}
