//! The two public error enums of the bindings, one per area, with messages a
//! person can act on (never the content of an entry). Kotlin sees them as
//! `StoreException` / `SyncException`, Swift as `StoreError` / `SyncError`.

use rapport_core::clinical::{ClinicalError, ImportError};
use rapport_core::sync::SyncError as CoreSyncError;

/// Errors of the record on the device: bad input, unknown ids, files.
/// Flat: the shells get the variant and the message (Display), which is the
/// sentence to show a person.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum StoreError {
    /// A field is empty, out of range or otherwise not allowed.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// No item of that kind with that id.
    #[error("no {kind} with id {id}")]
    NotFound { kind: String, id: String },
    /// Data from elsewhere (changes, an export file) is damaged; nothing changed.
    #[error("{message}")]
    Malformed { message: String },
    /// The file is not a Rapport database, or is from a newer app version.
    #[error("{message}")]
    UnusableFile { message: String },
    /// The device storage failed.
    #[error("{message}")]
    Storage { message: String },
}

impl From<rapport_core::Error> for StoreError {
    fn from(err: rapport_core::Error) -> Self {
        use rapport_core::Error as E;
        let message = err.to_string();
        match err {
            E::Invalid { field, reason } => StoreError::Invalid {
                field: field.to_owned(),
                reason,
            },
            E::NotFound { kind, id } => StoreError::NotFound {
                kind: kind.to_owned(),
                id,
            },
            E::MalformedChanges { .. } | E::MalformedDocument { .. } => {
                StoreError::Malformed { message }
            }
            E::NotOurDatabase { .. } | E::WrongKey { .. } | E::NewerSchema { .. } => {
                StoreError::UnusableFile { message }
            }
            E::ReadOnly { .. } => StoreError::Invalid {
                field: "owner".into(),
                reason: message,
            },
            E::Storage(_) => StoreError::Storage { message },
        }
    }
}

impl From<ClinicalError> for StoreError {
    fn from(err: ClinicalError) -> Self {
        match err {
            ClinicalError::Store(inner) => inner.into(),
            other => StoreError::Invalid {
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
            other => StoreError::Malformed {
                message: other.to_string(),
            },
        }
    }
}

/// Errors of signing in and syncing (flat, like `StoreError`).
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum SyncError {
    /// The server cannot be reached; local writes are kept.
    #[error("{message}")]
    Offline { message: String },
    /// Not signed in, or this device was signed out: sign in again.
    #[error("{message}")]
    SignedOut { message: String },
    /// Wrong email or password.
    #[error("{message}")]
    BadCredentials { message: String },
    /// The server refused the request; `code` is the protocol's error code.
    #[error("{message}")]
    Refused { code: String, message: String },
    /// The server address is not usable (or plain HTTP to a remote host).
    #[error("{message}")]
    InvalidAddress { message: String },
    /// The server failed or answered something unreadable; try again later.
    #[error("{message}")]
    Server { message: String },
    /// The local record failed.
    #[error("{message}")]
    Store { message: String },
    /// This device has no account key yet: pair it with another device of
    /// the account, enter the recovery kit or restore the passphrase backup.
    #[error("{message}")]
    NoAccountKey { message: String },
    /// Another account's public keys are not the ones first seen here: compare
    /// safety numbers with that person; nothing more is shared with it.
    #[error("{message}")]
    KeyChanged { account: String, message: String },
    /// A key, kit, pairing, backup passphrase or sealed piece was refused
    /// (mistyped, wrong, or changed on the way).
    #[error("{message}")]
    Sealing { message: String },
}

impl From<CoreSyncError> for SyncError {
    fn from(err: CoreSyncError) -> Self {
        let message = err.to_string();
        match err {
            CoreSyncError::Offline { .. } => SyncError::Offline { message },
            CoreSyncError::NotSignedIn | CoreSyncError::SessionExpired => {
                SyncError::SignedOut { message }
            }
            CoreSyncError::BadCredentials => SyncError::BadCredentials { message },
            CoreSyncError::Rejected { code, .. } => SyncError::Refused {
                code: serde_code(code),
                message,
            },
            CoreSyncError::InvalidServerUrl { .. } | CoreSyncError::InsecureUrl { .. } => {
                SyncError::InvalidAddress { message }
            }
            CoreSyncError::Server { .. } | CoreSyncError::Protocol(_) => {
                SyncError::Server { message }
            }
            CoreSyncError::Store(_) => SyncError::Store { message },
            CoreSyncError::NoAccountKey => SyncError::NoAccountKey { message },
            CoreSyncError::KeyChanged { account } => SyncError::KeyChanged { account, message },
            CoreSyncError::Sealing(_) => SyncError::Sealing { message },
        }
    }
}

impl From<rapport_core::Error> for SyncError {
    fn from(err: rapport_core::Error) -> Self {
        SyncError::Store {
            message: err.to_string(),
        }
    }
}

/// The protocol's snake_case name of an error code (as on the wire).
fn serde_code(code: rapport_protocol::ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{code:?}"))
}
