//! The weekly PHQ-9 totals of the range and how they changed.

use chrono::{DateTime, Utc};

use crate::checkin::Phq9Severity;
use crate::clinical::load::Gathered;
use crate::clinical::scope::Span;
use crate::id::ItemId;

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Phq9Entry {
    pub id: ItemId,
    pub at: DateTime<Utc>,
    pub total: i32,
    pub severity: Phq9Severity,
    /// Item 9 (thoughts of self-harm), 0 to 3.
    pub item9: i32,
}

/// The PHQ-9 totals of the range, oldest first, and the change from the
/// first to the last (with two or more).
pub(super) fn entries(record: &Gathered, range: &Span) -> (Vec<Phq9Entry>, Option<i32>) {
    let phq9: Vec<Phq9Entry> = record
        .phq9
        .iter()
        .filter(|c| range.contains(c.record.at))
        .map(|c| Phq9Entry {
            id: c.id.clone(),
            at: c.record.at,
            total: c.record.total(),
            severity: c.record.severity(),
            item9: c.record.items.get(8).copied().unwrap_or(0),
        })
        .collect();
    let phq9_change = match (phq9.first(), phq9.last()) {
        (Some(first), Some(last)) if phq9.len() > 1 => Some(last.total - first.total),
        _ => None,
    };
    (phq9, phq9_change)
}
