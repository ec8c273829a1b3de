//! The sync status the UI shows: idle, syncing with progress, offline, or an
//! error with its reason, and when the last sync completed.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SyncState {
    Idle,
    /// A sync is running: changes pushed and pulled so far in this run.
    Syncing {
        pushed: u64,
        pulled: u64,
    },
    /// The server could not be reached; local writes are kept.
    Offline {
        reason: String,
    },
    /// The last sync failed for another reason.
    Error {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    pub state: SyncState,
    pub last_synced_at: Option<DateTime<Utc>>,
}

impl Default for SyncStatus {
    fn default() -> Self {
        SyncStatus {
            state: SyncState::Idle,
            last_synced_at: None,
        }
    }
}

/// Implemented by the UI to hear every status change.
pub trait StatusObserver: Send + Sync {
    fn on_status(&self, status: &SyncStatus);
}
