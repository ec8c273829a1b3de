//! Safety flags, for the therapist's next review: PHQ-9 item 9 above 0 and
//! mood check-ins marked as a crisis. Rapport is reviewed at sessions and is
//! not monitored in real time.

use chrono::{DateTime, Utc};

use crate::clinical::load::Gathered;
use crate::clinical::scope::Span;
use crate::id::ItemId;
use crate::safety::AlertReason;

/// A check-in that called for crisis resources, flagged for review.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SafetyFlag {
    pub check_in_id: ItemId,
    pub at: DateTime<Utc>,
    pub reason: AlertReason,
}

pub(super) fn flags(record: &Gathered, range: &Span) -> Vec<SafetyFlag> {
    let phq9 = record
        .phq9
        .iter()
        .filter(|c| range.contains(c.record.at) && c.record.item9_flag())
        .map(|c| SafetyFlag {
            check_in_id: c.id.clone(),
            at: c.record.at,
            reason: AlertReason::Phq9Item9,
        });
    let moods = record
        .moods
        .iter()
        .filter(|m| range.contains(m.record.at) && m.record.crisis)
        .map(|m| SafetyFlag {
            check_in_id: m.id.clone(),
            at: m.record.at,
            reason: AlertReason::MoodCrisis,
        });
    let mut flags: Vec<SafetyFlag> = phq9.chain(moods).collect();
    flags.sort_by(|a, b| (a.at, &a.check_in_id).cmp(&(b.at, &b.check_in_id)));
    flags
}
