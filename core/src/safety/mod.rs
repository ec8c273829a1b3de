//! Safety: crisis resources returned at once and with no network when a
//! check-in calls for them, and behind the apps' "Get help now".
//!
//! - [`resource`]: one resource, with a structured contact the phone dials.
//! - [`regions`]: the defaults chosen by the device's region, with sources.
//! - `settings`: the resources and region kept on the device (the one part
//!   of `safety` that uses the store; the rest sits beside the record kinds).
//!
//! The resources the client (or the therapist, with the client, in session)
//! set on the device come first, then the region's defaults. The flag itself
//! lives in the check-in document, so it reaches the therapist's next review
//! through sync.
//!
//! Rapport is reviewed at sessions; it is not monitored in real time.

pub mod regions;
pub mod resource;
mod settings;

pub use regions::{NO_NUMBER_KNOWN, defaults_for};
pub use resource::{CrisisContact, CrisisResource};

use crate::error::{Error, Result};

/// Shown with every alert: honest about what the app is and is not.
pub const NOT_MONITORED: &str = "Rapport is not monitored in real time. Your therapist sees this \
at your next session review. If you are in danger now, contact one of these right away.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AlertReason {
    /// PHQ-9 item 9 (thoughts of self-harm) above 0.
    Phq9Item9,
    /// A mood check-in the client marked as a crisis.
    MoodCrisis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SafetyAlert {
    pub reason: AlertReason,
    pub message: String,
    pub resources: Vec<CrisisResource>,
}

/// The device setting holding the resources set on this device (JSON).
pub(crate) const RESOURCES_KEY: &str = "crisis_resources";
/// The device setting holding the device's region (ISO 3166-1 alpha-2).
pub(crate) const REGION_KEY: &str = "region";

/// The most resources kept on one device: a list to act on, not a directory.
pub const MAX_OWN_RESOURCES: usize = 20;

/// Checks and normalises resources to be kept (set or imported).
pub(crate) fn validated(resources: Vec<CrisisResource>) -> Result<Vec<CrisisResource>> {
    if resources.len() > MAX_OWN_RESOURCES {
        return Err(Error::invalid(
            "resources",
            format!("at most {MAX_OWN_RESOURCES} are kept"),
        ));
    }
    resources
        .into_iter()
        .map(CrisisResource::validated)
        .collect()
}
