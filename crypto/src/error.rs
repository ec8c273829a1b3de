//! The one error type of this crate. Messages say what to do and never carry a
//! secret: at most an id, an epoch, a kind or a format version.

/// Why a key, wrap, bundle, kit or backup was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The bytes or text cannot be parsed at all (truncated, wrong magic, bad lengths).
    #[error("the {what} cannot be read ({reason}); it is damaged or not a {what}")]
    Malformed { what: &'static str, reason: String },
    /// Authenticated decryption failed: flipped bits, a wrong key, or bytes moved
    /// to another document, epoch, recipient or bundle.
    #[error(
        "the {what} failed its integrity check: it was changed, moved, or sealed under another key"
    )]
    Tampered { what: &'static str },
    /// The signature does not verify under the key it was checked against.
    #[error("the {what} is not signed by the expected key; do not trust it")]
    BadSignature { what: &'static str },
    /// A bundle or wrap names another document than the one asked for.
    #[error("this belongs to document {found}, not to document {expected}")]
    WrongDocument { expected: String, found: String },
    /// A bundle holds another kind of record than the one asked for.
    #[error("this holds a {found} record, not a {expected} record")]
    WrongKind { expected: String, found: String },
    /// A wrap or bundle is for another key epoch than the one asked for.
    #[error("this is sealed for key epoch {found}, not epoch {expected}; sync again")]
    WrongEpoch { expected: u32, found: u32 },
    /// A wrap is sealed for another account.
    #[error("this key is wrapped for account {found}, not for account {expected}")]
    WrongRecipient { expected: String, found: String },
    /// A format version this build does not know (written by a newer app).
    #[error("format version {version} is not supported; update the app")]
    UnsupportedVersion { version: u8 },
    /// A recovery kit or pairing offer was typed wrong.
    #[error("the code was typed wrong; check each group of four and try again")]
    BadChecksum,
    /// The backup passphrase is wrong (or the backup was changed).
    #[error("the passphrase is wrong, or the backup was changed")]
    WrongPassphrase,
    /// HPKE refused to seal, e.g. to an invalid public key.
    #[error("public-key encryption failed: {0}")]
    Hpke(String),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, CryptoError>;

pub(crate) fn malformed(what: &'static str, reason: impl Into<String>) -> CryptoError {
    CryptoError::Malformed {
        what,
        reason: reason.into(),
    }
}
