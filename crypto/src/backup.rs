//! An optional passphrase backup of the account key, which the caller stores on
//! the server. Argon2id (RFC 9106) with m = 64 MiB, t = 3, p = 1 (RFC 9106's
//! second recommended option), a 16-byte random salt and a 32-byte output,
//! which seals the account key with XChaCha20-Poly1305.
//!
//! Format (integers big-endian):
//! `"RPK" | version u8 = 1 | m_kib u32 | t u32 | p u32 | salt (16) | nonce (24) | ciphertext || tag`,
//! with every byte before the ciphertext as associated data. Opening reads the
//! parameters from the blob but refuses any weaker than m = 19 MiB, t = 2 (the
//! OWASP floor), so that a server cannot hand out a cheap-to-guess blob, and
//! any absurdly large (m over 1 GiB, t over 64, p over 16), so that it cannot
//! make the device exhaust its memory either.

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::account::AccountKey;
use crate::error::{CryptoError, Result, malformed};
use crate::primitives::{NONCE_LEN, TAG_LEN, random, xopen, xseal};

/// The first bytes of a backup.
pub const MAGIC: &[u8; 3] = b"RPK";
/// The backup format this build writes and reads.
pub const VERSION: u8 = 1;
const SALT_LEN: usize = 16;
const HEADER_LEN: usize = 3 + 1 + 4 + 4 + 4 + SALT_LEN + NONCE_LEN;
const WHAT: &str = "key backup";

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl BackupParams {
    /// What [`seal_backup`] uses: RFC 9106's second recommended option.
    pub const RECOMMENDED: BackupParams = BackupParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };
    /// The weakest parameters [`open_backup`] accepts (OWASP: 19 MiB, t = 2).
    pub const FLOOR: BackupParams = BackupParams {
        m_kib: 19 * 1024,
        t: 2,
        p: 1,
    };
    const MAX_M_KIB: u32 = 1024 * 1024;
    const MAX_T: u32 = 64;
    const MAX_P: u32 = 16;

    fn check(self) -> Result<()> {
        if self.m_kib < Self::FLOOR.m_kib || self.t < Self::FLOOR.t || self.p == 0 {
            return Err(malformed(
                WHAT,
                "its Argon2 parameters are too weak to trust",
            ));
        }
        if self.m_kib > Self::MAX_M_KIB || self.t > Self::MAX_T || self.p > Self::MAX_P {
            return Err(malformed(
                WHAT,
                "its Argon2 parameters are unreasonably large",
            ));
        }
        Ok(())
    }
}

/// Seals the account key under a passphrase (about a quarter to half a second
/// on a phone, and 64 MiB of memory).
pub fn seal_backup(account: &AccountKey, passphrase: &str) -> Result<Vec<u8>> {
    seal_backup_with(
        account,
        passphrase,
        BackupParams::RECOMMENDED,
        random(),
        random(),
    )
}

/// [`seal_backup`] with given parameters, salt and nonce: for tests and test
/// vectors only. Parameters below [`BackupParams::FLOOR`] are refused here
/// too, so no blob this crate writes is one it would not open.
#[doc(hidden)]
pub fn seal_backup_with(
    account: &AccountKey,
    passphrase: &str,
    params: BackupParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
) -> Result<Vec<u8>> {
    params.check()?;
    let mut out = Vec::with_capacity(HEADER_LEN + 32 + TAG_LEN);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&params.m_kib.to_be_bytes());
    out.extend_from_slice(&params.t.to_be_bytes());
    out.extend_from_slice(&params.p.to_be_bytes());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    let key = stretch(passphrase, params, &salt)?;
    let ciphertext = xseal(&key, &nonce, &out, &account.to_bytes()[..]);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Opens a backup. A wrong passphrase (or a changed blob) is
/// [`CryptoError::WrongPassphrase`].
pub fn open_backup(blob: &[u8], passphrase: &str) -> Result<AccountKey> {
    if blob.len() < 4 {
        return Err(malformed(WHAT, "truncated"));
    }
    if &blob[..3] != MAGIC {
        return Err(malformed(WHAT, "it does not start with \"RPK\""));
    }
    if blob[3] != VERSION {
        return Err(CryptoError::UnsupportedVersion { version: blob[3] });
    }
    if blob.len() != HEADER_LEN + 32 + TAG_LEN {
        return Err(malformed(
            WHAT,
            format!(
                "{} bytes, a backup has {}",
                blob.len(),
                HEADER_LEN + 32 + TAG_LEN
            ),
        ));
    }
    let u32_at =
        |at: usize| u32::from_be_bytes([blob[at], blob[at + 1], blob[at + 2], blob[at + 3]]);
    let params = BackupParams {
        m_kib: u32_at(4),
        t: u32_at(8),
        p: u32_at(12),
    };
    params.check()?;
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(&blob[16..16 + SALT_LEN]);
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&blob[16 + SALT_LEN..HEADER_LEN]);
    let key = stretch(passphrase, params, &salt)?;
    let plain = xopen(&key, &nonce, &blob[..HEADER_LEN], &blob[HEADER_LEN..], WHAT)
        .map_err(|_| CryptoError::WrongPassphrase)?;
    let bytes: [u8; 32] = plain[..]
        .try_into()
        .map_err(|_| malformed(WHAT, "the sealed key is not 32 bytes"))?;
    Ok(AccountKey::from_bytes(bytes))
}

fn stretch(
    passphrase: &str,
    params: BackupParams,
    salt: &[u8; SALT_LEN],
) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(params.m_kib, params.t, params.p, Some(32))
        .map_err(|e| malformed(WHAT, format!("Argon2 parameters refused: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| malformed(WHAT, format!("Argon2 failed: {e}")))?;
    Ok(out)
}
