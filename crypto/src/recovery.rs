//! The recovery kit: the account key written down, with a checksum so that a
//! typo is caught rather than restoring a wrong key.
//!
//! Text: RFC 4648 base32 (alphabet `A-Z2-7`, no padding) of
//! `account key (32) || checksum (4)`, the checksum being the first four bytes
//! of SHA-256(canonical("rapport/v1/recovery-kit", key)); 58 characters in
//! groups of four joined by `-`. Parsing ignores case, spaces and dashes and
//! reads the look-alikes 0, 1, 8 as O, I, B.

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::account::AccountKey;
use crate::error::{CryptoError, Result, malformed};
use crate::primitives::ct_eq;

pub(crate) const LABEL: &str = "rapport/v1/recovery-kit";
pub(crate) const CHECKSUM_LEN: usize = 4;
const WHAT: &str = "recovery kit";

/// The recovery kit text of an account key. Show it once, for the user to print
/// or write down; it is the account key itself.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct RecoveryKit(Zeroizing<String>);

impl std::fmt::Debug for RecoveryKit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKit(<redacted>)")
    }
}

impl RecoveryKit {
    /// The kit for `key`.
    pub fn new(key: &AccountKey) -> Self {
        RecoveryKit(encode_checked(LABEL, &key.to_bytes()[..]))
    }

    /// The text to show: `XXXX-XXXX-...-XX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The account key a typed kit holds. A typo gives [`CryptoError::BadChecksum`].
    pub fn parse(text: &str) -> Result<AccountKey> {
        let bytes = decode_checked(LABEL, text, 32, WHAT)?;
        let key: [u8; 32] = bytes[..]
            .try_into()
            .map_err(|_| malformed(WHAT, "wrong length"))?;
        Ok(AccountKey::from_bytes(key))
    }
}

/// base32(payload || checksum(label, payload)), in dash-separated groups of four.
pub(crate) fn encode_checked(label: &str, payload: &[u8]) -> Zeroizing<String> {
    let mut data = Zeroizing::new(payload.to_vec());
    data.extend_from_slice(&checksum(label, payload));
    let plain = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&data));
    let mut out = Zeroizing::new(String::with_capacity(plain.len() * 5 / 4 + 1));
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// Reads [`encode_checked`]'s text back to the payload of `payload_len` bytes.
pub(crate) fn decode_checked(
    label: &str,
    text: &str,
    payload_len: usize,
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut normal = Zeroizing::new(String::with_capacity(text.len()));
    for c in text.chars() {
        match c.to_ascii_uppercase() {
            c if c.is_whitespace() || c == '-' => {}
            '0' => normal.push('O'),
            '1' => normal.push('I'),
            '8' => normal.push('B'),
            c @ ('A'..='Z' | '2'..='7') => normal.push(c),
            _ => {
                return Err(malformed(
                    what,
                    "it may hold only letters, digits 2 to 7, spaces and dashes",
                ));
            }
        }
    }
    let expected_chars = ((payload_len + CHECKSUM_LEN) * 8).div_ceil(5);
    if normal.len() != expected_chars {
        return Err(malformed(
            what,
            format!(
                "it has {expected_chars} letters and digits, this has {}",
                normal.len()
            ),
        ));
    }
    // A typo in the last character can set bits past the end, which base32
    // refuses: that is a typo like any other.
    let data = Zeroizing::new(
        data_encoding::BASE32_NOPAD
            .decode(normal.as_bytes())
            .map_err(|_| CryptoError::BadChecksum)?,
    );
    let (payload, sum) = data.split_at(payload_len);
    if !ct_eq(sum, &checksum(label, payload)) {
        return Err(CryptoError::BadChecksum);
    }
    Ok(Zeroizing::new(payload.to_vec()))
}

fn checksum(label: &str, payload: &[u8]) -> [u8; CHECKSUM_LEN] {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(
        crate::encoding::Canonical::new(label)
            .bytes(payload)
            .finish(),
    );
    let mut out = [0u8; CHECKSUM_LEN];
    out.copy_from_slice(&hash[..CHECKSUM_LEN]);
    out
}
