//! Safety: crisis resources configured on the device, returned at once and
//! with no network when a check-in calls for them. The flag itself lives in
//! the check-in document, so it reaches the therapist's next review through
//! sync.
//!
//! Rapport is reviewed at sessions; it is not monitored in real time.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::record::require_text;
use crate::store::Store;

/// Shown with every alert: honest about what the app is and is not.
pub const NOT_MONITORED: &str = "Rapport is not monitored in real time. Your therapist sees this \
at your next session review. If you are in danger now, contact one of these right away.";

/// A place to turn to in a crisis, as configured on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrisisResource {
    pub name: String,
    /// A phone number, text short code or address.
    pub contact: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertReason {
    /// PHQ-9 item 9 (thoughts of self-harm) above 0.
    Phq9Item9,
    /// A mood check-in the client marked as a crisis.
    MoodCrisis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyAlert {
    pub reason: AlertReason,
    pub message: String,
    pub resources: Vec<CrisisResource>,
}

const RESOURCES_KEY: &str = "crisis_resources";

/// Used until the client or therapist configures local resources.
pub fn default_resources() -> Vec<CrisisResource> {
    vec![CrisisResource {
        name: "Emergency services".into(),
        contact: "Your local emergency number (112 in Europe, 911 in North America)".into(),
    }]
}

impl Store {
    /// The crisis resources of this device (never synced, never empty).
    pub fn crisis_resources(&self) -> Result<Vec<CrisisResource>> {
        match self.device_setting(RESOURCES_KEY)? {
            None => Ok(default_resources()),
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| Error::Storage(format!("crisis resources unreadable: {e}"))),
        }
    }

    pub fn set_crisis_resources(&self, resources: Vec<CrisisResource>) -> Result<()> {
        if resources.is_empty() {
            return Err(Error::invalid("resources", "at least one is needed"));
        }
        for r in &resources {
            require_text("name", &r.name)?;
            require_text("contact", &r.contact)?;
        }
        let json = serde_json::to_string(&resources)
            .map_err(|e| Error::Storage(format!("crisis resources: {e}")))?;
        self.set_device_setting(RESOURCES_KEY, &json)
    }

    pub(crate) fn safety_alert(&self, reason: AlertReason) -> Result<SafetyAlert> {
        Ok(SafetyAlert {
            reason,
            message: NOT_MONITORED.into(),
            resources: self.crisis_resources()?,
        })
    }
}
