//! CBOR in and out for the sync engine: request bodies and answers, and the
//! keys and wraps it keeps in the store. One place for the error wording.

use serde::{Serialize, de::DeserializeOwned};

use super::SyncError;

/// Encodes `value`; `what` names it in the error.
pub(super) fn encode<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<Vec<u8>, SyncError> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes)
        .map_err(|e| SyncError::Protocol(format!("encoding {what}: {e}")))?;
    Ok(bytes)
}

/// Decodes `bytes`; `what` names them in the error.
pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, SyncError> {
    ciborium::from_reader(bytes).map_err(|e| SyncError::Protocol(format!("{what}: {e}")))
}
