//! "Since we last met": what happened in the client's record over a range of
//! days (by default since the last session), as the therapist opens it
//! before a session and the client previews it. Typed records only; the
//! shells lay them out.
//!
//! Safety flags (PHQ-9 item 9 above 0, a mood check-in marked as a crisis)
//! are listed here for the therapist's next review: Rapport is reviewed at
//! sessions and is not monitored in real time.
//!
//! One file per section, each building its part from the items the shared
//! loader gathered: `mood` (the series and its low points), `phq9`,
//! `safety` (flags), `wins`, `goals` (progress and course events),
//! `rehearsals`, `inventory` (dispute stages); what the phase emphasises
//! is [`super::phase`].

mod goals;
mod inventory;
mod mood;
mod phq9;
mod rehearsals;
mod safety;
mod wins;

use std::collections::HashMap;

use chrono::NaiveDate;
use rapport_protocol::DocKind;

use super::ClinicalError;
use super::load::{self, Gathered};
use super::phase::{self, Emphasis};
use super::scope::{DateRange, Span, Whose};
use crate::id::ItemId;
use crate::journal::Interaction;
use crate::profile::Phase;
use crate::record::Item;
use crate::store::Store;

// Every section's types, at the paths they always had.
pub use super::load::WinEntry;
pub use goals::{CourseEntry, GoalProgress, MilestoneReached};
pub use inventory::InventoryChange;
pub use mood::{InteractionRef, LINK_WINDOW_HOURS, LOW_POINTS, LowPoint, MoodPoint, MoodSource};
pub use phq9::Phq9Entry;
pub use rehearsals::{RealOutcome, RehearsalComparison, RehearsalOutcome};
pub use safety::SafetyFlag;

/// The summary of one range of one client's record.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SessionSummary {
    pub whose: Whose,
    pub range: DateRange,
    pub phase: Phase,
    pub session: SessionPosition,
    /// Mood check-ins and the mood each interaction left, oldest first.
    pub mood: Vec<MoodPoint>,
    /// The [`LOW_POINTS`] lowest points of the series (oldest first), each
    /// with the interactions behind it: the mood to event link.
    pub low_points: Vec<LowPoint>,
    /// Weekly PHQ-9 totals, oldest first.
    pub phq9: Vec<Phq9Entry>,
    /// Last total minus first total (negative is better), with two or more.
    pub phq9_change: Option<i32>,
    /// For the therapist's next review, oldest first.
    pub safety_flags: Vec<SafetyFlag>,
    pub wins: Vec<WinEntry>,
    /// Every goal set before the range ended, in the order they were set.
    pub goals: Vec<GoalProgress>,
    /// Barriers and course corrections logged in the range, oldest first.
    pub course_events: Vec<CourseEntry>,
    /// Rehearsals practised in the range or whose real outcome happened in it.
    pub rehearsals: Vec<RehearsalComparison>,
    /// Role-dispute stage changes in the range, oldest first.
    pub inventory_changes: Vec<InventoryChange>,
    /// What the phase calls for.
    pub emphasis: Emphasis,
}

/// Where the therapy stands, from the profile (defaults when the profile is
/// not on this device, e.g. not shared).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SessionPosition {
    pub current_session: i32,
    pub session_count: i32,
    pub last_session_on: Option<NaiveDate>,
    pub profile_available: bool,
}

/// Kinds read whatever their time: they give names and context.
const CONTEXT_KINDS: [DocKind; 4] = [
    DocKind::Profile,
    DocKind::Person,
    DocKind::Goal,
    DocKind::Rehearsal,
];

/// Kinds read for the range.
const RANGE_KINDS: [DocKind; 4] = [
    DocKind::Interaction,
    DocKind::Win,
    DocKind::MoodCheckIn,
    DocKind::Phq9CheckIn,
];

impl Store {
    /// "Since we last met" for `whose` record over `range`; by default from
    /// the profile's last session date (or the beginning) to `today`
    /// included.
    pub fn session_summary(
        &self,
        whose: &Whose,
        range: Option<DateRange>,
        today: NaiveDate,
    ) -> Result<SessionSummary, ClinicalError> {
        let mut record = Gathered::default();
        let context = load::scan(
            self,
            whose,
            &CONTEXT_KINDS,
            &[],
            load::beginning(),
            load::beginning(),
        )?;
        load::items(self, &load::ids(&context), &mut record)?;
        let profile = record.profile.as_ref().map(|(p, _)| p.record.clone());
        let range = match range {
            Some(range) => range,
            None => {
                let from = profile
                    .as_ref()
                    .and_then(|p| p.last_session_on)
                    .unwrap_or(load::beginning().date_naive());
                DateRange::since(from, today)?
            }
        };
        let phase = profile.as_ref().map_or(Phase::Initial, |p| p.phase);
        let span = range.span(&load::zones_of(self, whose)?);
        // The termination review looks back over the whole course.
        let from = if phase == Phase::Termination {
            load::beginning()
        } else {
            span.start()
        };
        let rows = load::scan(self, whose, &[], &RANGE_KINDS, from, span.end())?;
        load::items(self, &load::ids(&rows), &mut record)?;
        let outcomes = rehearsals::outcome_interactions(self, whose, &record)?;
        Ok(summarise(whose, range, span, &record, &outcomes))
    }
}

fn summarise(
    whose: &Whose,
    days: DateRange,
    range: Span,
    record: &Gathered,
    outcomes: &HashMap<ItemId, Item<Interaction>>,
) -> SessionSummary {
    let profile = record.profile.as_ref().map(|(p, _)| &p.record);
    let session = SessionPosition {
        current_session: profile.map_or(0, |p| p.current_session),
        session_count: profile.map_or(0, |p| p.session_count),
        last_session_on: profile.and_then(|p| p.last_session_on),
        profile_available: profile.is_some(),
    };
    let phase = profile.map_or(Phase::Initial, |p| p.phase);
    let interactions: Vec<&Item<Interaction>> = record
        .interactions
        .iter()
        .filter(|i| range.contains(i.record.occurred_at))
        .collect();

    let mood = mood::series(record, &range);
    let low_points = mood::low_points(record, &mood, &interactions);
    let (phq9, phq9_change) = phq9::entries(record, &range);

    SessionSummary {
        whose: whose.clone(),
        range: days,
        phase,
        session,
        low_points,
        safety_flags: safety::flags(record, &range),
        mood,
        phq9,
        phq9_change,
        wins: wins::in_range(record, &range),
        goals: goals::progress(record, &range, &interactions),
        course_events: goals::course_events(record, &range),
        rehearsals: rehearsals::comparisons(record, &range, outcomes),
        inventory_changes: inventory::changes(record, &range),
        emphasis: phase::emphasis(phase, record, &range, &interactions),
    }
}
