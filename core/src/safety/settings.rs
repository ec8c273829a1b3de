//! The crisis resources set on this device and its region, kept as device
//! settings (never synced), and the alert a check-in returns. The one part
//! of `safety` that uses the store; the rest sits beside the record kinds
//! and uses no store (a saved check-in carries a [`SafetyAlert`]).

use super::{
    AlertReason, CrisisResource, NOT_MONITORED, REGION_KEY, RESOURCES_KEY, SafetyAlert,
    defaults_for, resource, validated,
};
use crate::error::{Error, Result};
use crate::store::Store;

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
