//! Export and import: what importing an export stored.

use rapport_core::clinical as core;

use super::count;

/// What an import stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ImportReport {
    /// Documents in the file.
    pub documents: u32,
    /// Documents that changed this store (new, or with changes it lacked).
    pub changed: u32,
    pub crisis_resources: bool,
}

impl From<core::ImportReport> for ImportReport {
    fn from(report: core::ImportReport) -> Self {
        ImportReport {
            documents: count(report.documents),
            changed: count(report.changed),
            crisis_resources: report.crisis_resources,
        }
    }
}
