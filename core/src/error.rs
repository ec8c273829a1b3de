//! The errors of the record store: one public enum with messages a person can
//! act on. Messages name fields and ids, never the content of an entry.

use std::path::PathBuf;

/// Everything that can go wrong when reading or writing the record.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field of the record is empty, out of range or otherwise not allowed.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },

    /// No item of that kind with that id (or it was deleted).
    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: String },

    /// Change bytes from elsewhere could not be read; the document is unchanged.
    #[error("the changes for {doc_id} are malformed or truncated; nothing was applied")]
    MalformedChanges { doc_id: String },

    /// A stored or received document does not have the shape of its kind.
    #[error("document {doc_id} cannot be read as a {kind}: {reason}")]
    MalformedDocument {
        doc_id: String,
        kind: &'static str,
        reason: String,
    },

    /// The file exists but is not a Rapport database (or is encrypted and
    /// was opened without its key).
    #[error("{} is not a Rapport database (or it is encrypted and needs its key); choose another file", path.display())]
    NotOurDatabase { path: PathBuf },

    /// An encrypted record could not be opened with the key given.
    #[error("{} cannot be opened with this key: the key is wrong, or the file is not a Rapport database", path.display())]
    WrongKey { path: PathBuf },

    /// The file was written by a newer version of the app.
    #[error(
        "the database uses schema {found}, newer than this version of Rapport understands ({supported}); update the app"
    )]
    NewerSchema { found: i64, supported: i64 },

    /// The item belongs to another account (a therapist's note on a
    /// client's device, a client's entry on a therapist's): it is read-only
    /// here, and nothing was changed.
    #[error("{kind} {id} belongs to {owner}, not to this account: it is read-only here")]
    ReadOnly {
        kind: &'static str,
        id: String,
        owner: rapport_protocol::AccountId,
    },

    /// SQLite failed (disk full, file locked, I/O error); the source keeps
    /// SQLite's own error code.
    #[error("storage failed: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// The device storage failed otherwise (no randomness, a damaged row).
    #[error("storage failed: {0}")]
    Storage(String),
}

/// Shorthand for results of the record store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
