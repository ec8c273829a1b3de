//! The clinical layer: views computed from the record for session work.
//!
//! - [`summary`]: "since we last met", the summary a therapist opens before
//!   a session and the client can preview ([`Store::session_summary`]).
//! - [`phase`]: what the summary emphasises in each phase.
//! - [`termination`]: gains, wins, warning signs and the plan for after.
//! - [`timeline`]: every item of a period in date order, filterable.
//! - [`export`] and [`markdown`]: everything the device holds as JSON
//!   (re-importable) and as a readable document.
//! - [`scope`]: whose record ([`Whose`]) and which days ([`DateRange`]).
//! - `load` (crate-private): the shared loader every view reads through,
//!   and the pieces more than one view builds (a win's entry, skill counts).
//!
//! Imports go one way: `scope` <- `load` <- the views. A view never imports
//! the summary; the summary is the one view built from others (its phase
//! emphasis is [`phase`], whose termination emphasis is [`termination`]).
//! `core/tests/layers.rs` checks it.
//!
//! Deleting everything is [`Store::delete_everything`] (this device) and
//! [`crate::sync::SyncClient::delete_everything`] (the server too).
//!
//! Rapport is reviewed at sessions; it is not monitored in real time. Safety
//! flags appear in the summary for the therapist's next review; the crisis
//! resources are shown to the client on the phone at once (see
//! [`crate::safety`]).

pub mod export;
mod load;
pub mod markdown;
pub mod phase;
pub mod scope;
pub mod summary;
pub mod termination;
pub mod timeline;

pub use export::{EXPORT_FORMAT, EXPORT_VERSION, ImportError, ImportReport};
pub use phase::{Emphasis, FocusPerson, InitialEmphasis, InventoryEntry, MiddleEmphasis, SkillUse};
pub use scope::{DateRange, KindGrant, Whose};
pub use summary::{
    CourseEntry, GoalProgress, InteractionRef, InventoryChange, LowPoint, MilestoneReached,
    MoodPoint, MoodSource, Phq9Entry, RealOutcome, RehearsalComparison, RehearsalOutcome,
    SafetyFlag, SessionPosition, SessionSummary, WinEntry,
};
pub use termination::{Gain, TerminationReview};
pub use timeline::{TimelineEntry, TimelineEvent, TimelineFilter};

pub use crate::checkin::Phq9Severity;
pub use crate::safety::NOT_MONITORED;

#[allow(unused_imports)]
use crate::store::Store;

/// Errors of the clinical views.
#[derive(Debug, thiserror::Error)]
pub enum ClinicalError {
    /// The range is empty or ends before it starts.
    #[error("the range from {from} to {to} is empty or reversed; choose a start before the end")]
    InvalidRange {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    },

    /// Reading the record failed.
    #[error(transparent)]
    Store(#[from] crate::error::Error),
}

/// A count as the views hold it (`u32`: what every shell has as a plain
/// integer); a record never holds more than four billion of anything.
pub(crate) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
