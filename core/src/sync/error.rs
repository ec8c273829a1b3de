//! Errors of sign-in and sync: what went wrong, said so a person can act.

use rapport_protocol::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server address cannot be used.
    #[error("the server address {url} is not usable: {reason}")]
    InvalidServerUrl { url: String, reason: String },

    /// Plain HTTP is only allowed to this device itself (loopback).
    #[error("refusing plain HTTP to {url}: use an https:// address")]
    InsecureUrl { url: String },

    /// The server cannot be reached; local writes are kept and sync later.
    #[error("offline: {reason}")]
    Offline { reason: String },

    /// No session: sign in first.
    #[error("not signed in")]
    NotSignedIn,

    /// The session is no longer valid (signed out or revoked): sign in again.
    #[error("this device was signed out; sign in again")]
    SessionExpired,

    /// Wrong email or password.
    #[error("wrong email or password")]
    BadCredentials,

    /// The server refused the request.
    #[error("the server refused: {message}")]
    Rejected { code: ErrorCode, message: String },

    /// The server failed; try again later.
    #[error("the server failed ({status}): {message}")]
    Server { status: u16, message: String },

    /// The server answered something this version cannot read.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),

    /// This device holds no account key: it cannot seal or open anything.
    #[error(
        "this device has no account key yet: pair it with another device of the account, \
         enter the recovery kit, or restore the passphrase backup"
    )]
    NoAccountKey,

    /// A recovery kit (or key) of another account than the signed-in one:
    /// nothing was changed.
    #[error(
        "this recovery kit belongs to another account: check that you signed in with the right email, or find the kit of this account"
    )]
    WrongAccountKey,

    /// The account key was replaced on another device (a lost device was cut
    /// off): this device holds the old one. Nothing written here is lost; it
    /// syncs again once it has the new key, by pairing with that device or
    /// from the new recovery kit.
    #[error(
        "this account's key was replaced on another device; pair this device with it or \
         enter the new recovery kit to sync again (nothing written here is lost)"
    )]
    AccountKeyReplaced,

    /// A recovery kit of this account that was replaced (after a lost
    /// device): it opens nothing written since. Nothing was changed.
    #[error("this recovery kit was replaced when a lost device was cut off; enter the newest kit")]
    ReplacedRecoveryKit,

    /// The server answered with other public keys than those pinned for an
    /// account: the server, or someone in between, may be swapping keys.
    /// Nothing is sealed for that account until this is resolved.
    #[error(
        "the keys of account {account} are not the ones first seen; compare safety \
         numbers with that person before sharing anything more"
    )]
    KeyChanged { account: String },

    /// A key, wrap, kit or backup was refused (see [`rapport_crypto::CryptoError`]).
    #[error(transparent)]
    Sealing(#[from] rapport_crypto::CryptoError),

    /// The local record failed.
    #[error(transparent)]
    Store(#[from] crate::error::Error),
}

impl SyncError {
    /// Worth another try after a pause (network, overload, server failure).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SyncError::Offline { .. }
                | SyncError::Server { .. }
                | SyncError::Rejected {
                    code: ErrorCode::RateLimited | ErrorCode::Timeout,
                    ..
                }
        )
    }
}
