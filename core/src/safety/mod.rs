//! Safety: crisis resources returned at once and with no network when a
//! check-in calls for them, and behind the apps' "Get help now".
//!
//! - [`resource`]: one resource, with a structured contact the phone dials.
//! - [`regions`]: the defaults chosen by the device's region, with sources.
//!
//! The resources the client (or the therapist, with the client, in session)
//! set on the device come first, then the region's defaults. The flag itself
//! lives in the check-in document, so it reaches the therapist's next review
//! through sync.
//!
//! Rapport is reviewed at sessions; it is not monitored in real time.

pub mod regions;
pub mod resource;

pub use regions::{NO_NUMBER_KNOWN, defaults_for};
pub use resource::{CrisisContact, CrisisResource};

use crate::error::{Error, Result};
use crate::store::Store;

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
const REGION_KEY: &str = "region";

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

impl Store {
    /// What to show in a crisis, never empty and with no network: the
    /// resources set on this device first, then the defaults of the
    /// device's region (a default with the same number as one set here is
    /// not repeated).
    pub fn crisis_resources(&self) -> Result<Vec<CrisisResource>> {
        let mut resources = self.own_crisis_resources()?;
        let region = self.region()?;
        for default in defaults_for(region.as_deref()) {
            let repeated =
                default.uri().is_some() && resources.iter().any(|own| own.uri() == default.uri());
            if !repeated {
                resources.push(default);
            }
        }
        Ok(resources)
    }

    /// The resources set on this device (empty until some are set).
    pub fn own_crisis_resources(&self) -> Result<Vec<CrisisResource>> {
        match self.device_setting(RESOURCES_KEY)? {
            None => Ok(Vec::new()),
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| Error::Storage(format!("crisis resources unreadable: {e}"))),
        }
    }

    /// Replaces the resources set on this device (kept on the device, not
    /// synced); an empty list leaves only the region's defaults.
    pub fn set_crisis_resources(&self, resources: Vec<CrisisResource>) -> Result<()> {
        let resources = validated(resources)?;
        let json = serde_json::to_string(&resources)
            .map_err(|e| Error::Storage(format!("crisis resources: {e}")))?;
        self.set_device_setting(RESOURCES_KEY, &json)
    }

    /// The device's region, as the platform gave it (see [`Store::set_region`]).
    pub fn region(&self) -> Result<Option<String>> {
        self.device_setting(REGION_KEY)
    }

    /// Sets the device's region (ISO 3166-1 alpha-2, e.g. "US"; the shells
    /// pass the platform locale's region at launch). Kept on the device.
    pub fn set_region(&self, code: &str) -> Result<()> {
        let code = resource::region_code(code)?;
        self.set_device_setting(REGION_KEY, &code)
    }

    pub(crate) fn safety_alert(&self, reason: AlertReason) -> Result<SafetyAlert> {
        Ok(SafetyAlert {
            reason,
            message: NOT_MONITORED.into(),
            resources: self.crisis_resources()?,
        })
    }
}
