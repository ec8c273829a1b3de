//! The two public error enums of the bindings, one per area, each variant
//! with the fields an app needs to act on it (which field was invalid,
//! which id was not found, which protocol code the server refused with).
//! Kotlin sees them as `StoreException` / `SyncException`, Swift as
//! `StoreError` / `SyncError`, Python as exceptions; `toString()` /
//! `description` / `str()` is the sentence to show a person (never the
//! content of an entry).

use rapport_core::clinical::{ClinicalError, ImportError};
use rapport_core::sync::SyncError as CoreSyncError;
use rapport_protocol::{AccountId, ErrorCode};

/// Errors of the record on the device: bad input, unknown ids, files.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum StoreError {
    /// A field is empty, out of range or otherwise not allowed; `field` is
    /// its name as the record spells it (`mood_before`, `feelings.intensity`).
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// No item of that kind with that id (or it was deleted).
    #[error("no {kind} with id {id}")]
    NotFound { kind: String, id: String },
    /// The item belongs to another account (a therapist's note on a
    /// client's device): it is read-only here, and nothing was changed.
    #[error("{kind} {id} belongs to {owner}, not to this account: it is read-only here")]
    ReadOnly {
        kind: String,
        id: String,
        owner: AccountId,
    },
    /// Data from elsewhere (changes, a document, an export file) is damaged
    /// or from a newer app; nothing changed. `item_id` names the document
    /// when one is to blame.
    #[error("{reason}")]
    Malformed {
        item_id: Option<String>,
        reason: String,
    },
    /// The file is not a Rapport database, or was opened with the wrong key.
    #[error("{path} is not a Rapport database, or needs another key")]
    NotOurDatabase { path: String, wrong_key: bool },
    /// The database was written by a newer version of the app: update it.
    #[error(
        "the database uses schema {found}, newer than this version of Rapport understands ({supported}); update the app"
    )]
    NewerSchema { found: i64, supported: i64 },
    /// The device storage failed; `code` is SQLite's error code when SQLite
    /// failed (`DiskFull`, `DatabaseBusy`, …).
    #[error("storage failed: {reason}")]
    Storage {
        code: Option<String>,
        reason: String,
    },
}

impl From<rapport_core::Error> for StoreError {
    fn from(err: rapport_core::Error) -> Self {
        use rapport_core::Error as E;
        let reason = err.to_string();
        match err {
            E::Invalid { field, reason } => StoreError::Invalid {
                field: field.to_owned(),
                reason,
            },
            E::NotFound { kind, id } => StoreError::NotFound {
                kind: kind.to_owned(),
                id,
            },
            E::ReadOnly { kind, id, owner } => StoreError::ReadOnly {
                kind: kind.to_owned(),
                id,
                owner,
            },
            E::MalformedChanges { doc_id } | E::MalformedDocument { doc_id, .. } => {
                StoreError::Malformed {
                    item_id: Some(doc_id),
                    reason,
                }
            }
            E::NotOurDatabase { path } => StoreError::NotOurDatabase {
                path: path.display().to_string(),
                wrong_key: false,
            },
            E::WrongKey { path } => StoreError::NotOurDatabase {
                path: path.display().to_string(),
                wrong_key: true,
            },
            E::NewerSchema { found, supported } => StoreError::NewerSchema { found, supported },
            E::Sqlite(source) => StoreError::Storage {
                code: source.sqlite_error_code().map(|code| format!("{code:?}")),
                reason: source.to_string(),
            },
            E::Storage(reason) => StoreError::Storage { code: None, reason },
        }
    }
}

impl From<ClinicalError> for StoreError {
    fn from(err: ClinicalError) -> Self {
        match err {
            ClinicalError::Store(inner) => inner.into(),
            other @ ClinicalError::InvalidRange { .. } => StoreError::Invalid {
                field: "range".into(),
                reason: other.to_string(),
            },
        }
    }
}

impl From<ImportError> for StoreError {
    fn from(err: ImportError) -> Self {
        match err {
            ImportError::Store(inner) => inner.into(),
            ImportError::DamagedDocument { ref doc_id } => StoreError::Malformed {
                item_id: Some(doc_id.clone()),
                reason: err.to_string(),
            },
            other => StoreError::Malformed {
                item_id: None,
                reason: other.to_string(),
            },
        }
    }
}

/// Errors of signing in and syncing.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum SyncError {
    /// The server cannot be reached; local writes are kept.
    #[error("offline: {reason}")]
    Offline { reason: String },
    /// Not signed in, or this device was signed out: sign in again.
    #[error("{}", if *.expired { "this device was signed out; sign in again" } else { "not signed in" })]
    SignedOut { expired: bool },
    /// Wrong email or password.
    #[error("wrong email or password")]
    BadCredentials,
    /// The server refused the request; `code` is the protocol's error code.
    #[error("the server refused: {reason}")]
    Refused { code: ErrorCode, reason: String },
    /// The server address is not usable (or plain HTTP to a remote host).
    #[error("the server address {url} is not usable: {reason}")]
    InvalidAddress { url: String, reason: String },
    /// The server failed (`status` its HTTP status, 0 when it answered
    /// something unreadable); try again later.
    #[error("the server failed ({status}): {reason}")]
    Server { status: u16, reason: String },
    /// The local record failed, or an argument was refused.
    #[error("{error}")]
    Store { error: StoreError },
    /// This device has no account key yet: pair it with another device of
    /// the account, enter the recovery kit or restore the passphrase backup.
    #[error(
        "this device has no account key yet: pair it with another device of the account, enter the recovery kit, or restore the passphrase backup"
    )]
    NoAccountKey,
    /// A recovery kit of another account than the signed-in one; nothing
    /// changed.
    #[error(
        "this recovery kit belongs to another account: check that you signed in with the right email, or find the kit of this account"
    )]
    WrongAccountKey,
    /// The account key was replaced on another device (a lost device was cut
    /// off): pair this device with it or enter the new recovery kit; nothing
    /// written here is lost.
    #[error(
        "this account's key was replaced on another device; pair this device with it or enter the new recovery kit to sync again (nothing written here is lost)"
    )]
    AccountKeyReplaced,
    /// A recovery kit of this account that was replaced after a lost device;
    /// nothing changed.
    #[error("this recovery kit was replaced when a lost device was cut off; enter the newest kit")]
    ReplacedRecoveryKit,
    /// Another account's public keys are not the ones first seen here: compare
    /// safety numbers with that person; nothing more is shared with it.
    #[error(
        "the keys of account {account} are not the ones first seen; compare safety numbers with that person before sharing anything more"
    )]
    KeyChanged { account: AccountId },
    /// A key, kit, pairing, backup passphrase or sealed piece was refused
    /// (mistyped, wrong, or changed on the way).
    #[error("{reason}")]
    Sealing { reason: String },
}

impl From<CoreSyncError> for SyncError {
    fn from(err: CoreSyncError) -> Self {
        match err {
            CoreSyncError::Offline { reason } => SyncError::Offline { reason },
            CoreSyncError::NotSignedIn => SyncError::SignedOut { expired: false },
            CoreSyncError::SessionExpired => SyncError::SignedOut { expired: true },
            CoreSyncError::BadCredentials => SyncError::BadCredentials,
            CoreSyncError::Rejected { code, message } => SyncError::Refused {
                code,
                reason: message,
            },
            CoreSyncError::InvalidServerUrl { url, reason } => {
                SyncError::InvalidAddress { url, reason }
            }
            CoreSyncError::InsecureUrl { url } => SyncError::InvalidAddress {
                url,
                reason: "plain HTTP goes only to this device itself; use an https:// address"
                    .into(),
            },
            CoreSyncError::Server { status, message } => SyncError::Server {
                status,
                reason: message,
            },
            CoreSyncError::Protocol(reason) => SyncError::Server { status: 0, reason },
            CoreSyncError::Store(inner) => SyncError::Store {
                error: inner.into(),
            },
            CoreSyncError::NoAccountKey => SyncError::NoAccountKey,
            CoreSyncError::WrongAccountKey => SyncError::WrongAccountKey,
            CoreSyncError::AccountKeyReplaced => SyncError::AccountKeyReplaced,
            CoreSyncError::ReplacedRecoveryKit => SyncError::ReplacedRecoveryKit,
            CoreSyncError::KeyChanged { account } => SyncError::KeyChanged {
                account: AccountId(account),
            },
            CoreSyncError::Sealing(inner) => SyncError::Sealing {
                reason: inner.to_string(),
            },
        }
    }
}

impl From<StoreError> for SyncError {
    fn from(error: StoreError) -> Self {
        SyncError::Store { error }
    }
}

impl From<rapport_core::Error> for SyncError {
    fn from(err: rapport_core::Error) -> Self {
        SyncError::Store { error: err.into() }
    }
}
