//! "Since we last met": one range of one client's record, with the mood
//! series and its low points, PHQ-9 totals, safety flags, wins, goal
//! progress, rehearsals beside their real outcome and inventory changes.

use std::time::SystemTime;

use rapport_core::clinical::{self as core, Whose};

use super::{Emphasis, count, day};
use crate::records::{
    AlertReason, CourseEventKind, DisputeStage, GoalStatus, GotWhatIWanted, Phase, Phq9Severity,
    RelationshipChange, system_time,
};

/// A span of days, both included.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DayRange {
    pub from: String,
    /// The last day included.
    pub to: String,
}

/// "Since we last met": one range of one client's record.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionSummary {
    /// `None`: this device's own record; else the client's account id.
    pub client_id: Option<String>,
    pub range: DayRange,
    pub phase: Phase,
    pub session: SessionPosition,
    /// Mood check-ins and the mood each interaction left, oldest first.
    pub mood: Vec<MoodPoint>,
    /// The lowest points of the series, each with the interactions behind it.
    pub low_points: Vec<LowPoint>,
    /// Weekly PHQ-9 totals, oldest first.
    pub phq9: Vec<Phq9Entry>,
    /// Last total minus first (negative is better), with two or more.
    pub phq9_change: Option<i16>,
    /// For the therapist's next review (Rapport is not monitored in real time).
    pub safety_flags: Vec<SafetyFlag>,
    pub wins: Vec<WinEntry>,
    pub goals: Vec<GoalProgress>,
    /// Barriers and course corrections logged in the range, oldest first.
    pub course_events: Vec<CourseEntry>,
    pub rehearsals: Vec<RehearsalComparison>,
    /// Role-dispute stage changes in the range, oldest first.
    pub inventory_changes: Vec<InventoryChange>,
    /// What the phase calls for.
    pub emphasis: Emphasis,
}

/// Where the therapy stands (defaults when the profile is not on this device).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionPosition {
    pub current_session: u8,
    pub session_count: u8,
    pub last_session_on: Option<String>,
    pub profile_available: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoodPoint {
    pub at: SystemTime,
    /// 0 (worst) to 10 (best).
    pub rating: u8,
    pub source: MoodSource,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum MoodSource {
    /// A quick mood rating with the event behind it.
    CheckIn {
        id: String,
        event: String,
        crisis: bool,
    },
    /// The mood after an interaction.
    AfterInteraction {
        id: String,
        person_id: String,
        person: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LowPoint {
    pub point: MoodPoint,
    /// The interactions behind it: the mood to event link.
    pub behind: Vec<InteractionRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InteractionRef {
    pub id: String,
    pub at: SystemTime,
    pub person_id: String,
    /// The nickname, when the person is on this device.
    pub person: Option<String>,
    pub what_i_wanted: String,
    pub mood_before: Option<u8>,
    pub mood_after: Option<u8>,
    pub relationship: Option<RelationshipChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Phq9Entry {
    pub id: String,
    pub at: SystemTime,
    pub total: u8,
    pub severity: Phq9Severity,
    /// Item 9 (thoughts of self-harm), 0 to 3.
    pub item9: u8,
}

/// A check-in that called for crisis resources, flagged for review.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SafetyFlag {
    pub check_in_id: String,
    pub at: SystemTime,
    pub reason: AlertReason,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WinEntry {
    pub id: String,
    pub at: SystemTime,
    pub title: String,
    pub goal_id: Option<String>,
    /// The goal's title, when the goal is on this device.
    pub goal: Option<String>,
    pub milestone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GoalProgress {
    pub id: String,
    pub title: String,
    pub status: GoalStatus,
    pub milestones_reached: u32,
    pub milestones_total: u32,
    /// Milestones completed in the range, in the order they were reached.
    pub reached_in_range: Vec<MilestoneReached>,
    pub barriers_in_range: u32,
    pub corrections_in_range: u32,
    pub wins_in_range: u32,
    pub interactions_in_range: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MilestoneReached {
    pub milestone_id: String,
    pub title: String,
    pub at: SystemTime,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CourseEntry {
    pub goal_id: String,
    pub goal: String,
    pub at: SystemTime,
    pub kind: CourseEventKind,
    pub text: String,
}

/// A rehearsal with what was expected beside what really happened.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RehearsalComparison {
    pub id: String,
    pub person_id: String,
    pub person: Option<String>,
    pub scenario: String,
    pub practiced_at: SystemTime,
    pub what_i_want_to_say: String,
    /// How the client expected the other person to answer.
    pub expected_answer: String,
    pub confidence_before: Option<u8>,
    pub confidence_after: Option<u8>,
    pub outcome: RehearsalOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum RehearsalOutcome {
    /// The real conversation has not been logged yet.
    Pending,
    /// Logged, but the interaction is not on this device.
    Unavailable {
        interaction_id: String,
    },
    Logged {
        outcome: RealOutcome,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RealOutcome {
    pub interaction_id: String,
    pub at: SystemTime,
    pub what_they_said: String,
    pub got_what_i_wanted: Option<GotWhatIWanted>,
    pub relationship: Option<RelationshipChange>,
    pub mood_before: Option<u8>,
    pub mood_after: Option<u8>,
}

/// A role dispute changing stage.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InventoryChange {
    pub person_id: String,
    pub person: String,
    /// `None` when the dispute was first recorded.
    pub from: Option<DisputeStage>,
    pub to: DisputeStage,
    pub at: SystemTime,
    pub note: String,
}

impl From<core::DateRange> for DayRange {
    fn from(r: core::DateRange) -> Self {
        let last = r.to().pred_opt().unwrap_or(r.to());
        DayRange {
            from: day(r.from()),
            to: day(last),
        }
    }
}

impl From<core::SessionSummary> for SessionSummary {
    fn from(s: core::SessionSummary) -> Self {
        SessionSummary {
            client_id: match s.whose {
                Whose::Mine | Whose::TherapistView { .. } => None,
                Whose::Client { account_id } => Some(account_id),
            },
            range: s.range.into(),
            phase: s.phase.into(),
            session: SessionPosition {
                current_session: s.session.current_session,
                session_count: s.session.session_count,
                last_session_on: s.session.last_session_on.map(day),
                profile_available: s.session.profile_available,
            },
            mood: s.mood.into_iter().map(Into::into).collect(),
            low_points: s
                .low_points
                .into_iter()
                .map(|l| LowPoint {
                    point: l.point.into(),
                    behind: l.behind.into_iter().map(Into::into).collect(),
                })
                .collect(),
            phq9: s
                .phq9
                .into_iter()
                .map(|p| Phq9Entry {
                    id: p.id.to_string(),
                    at: system_time(p.at),
                    total: p.total,
                    severity: p.severity.into(),
                    item9: p.item9,
                })
                .collect(),
            phq9_change: s.phq9_change,
            safety_flags: s
                .safety_flags
                .into_iter()
                .map(|f| SafetyFlag {
                    check_in_id: f.check_in_id.to_string(),
                    at: system_time(f.at),
                    reason: f.reason.into(),
                })
                .collect(),
            wins: s.wins.into_iter().map(Into::into).collect(),
            goals: s.goals.into_iter().map(Into::into).collect(),
            course_events: s
                .course_events
                .into_iter()
                .map(|c| CourseEntry {
                    goal_id: c.goal_id.to_string(),
                    goal: c.goal,
                    at: system_time(c.at),
                    kind: c.kind.into(),
                    text: c.text,
                })
                .collect(),
            rehearsals: s.rehearsals.into_iter().map(Into::into).collect(),
            inventory_changes: s
                .inventory_changes
                .into_iter()
                .map(|c| InventoryChange {
                    person_id: c.person_id.to_string(),
                    person: c.person,
                    from: c.from.map(Into::into),
                    to: c.to.into(),
                    at: system_time(c.at),
                    note: c.note,
                })
                .collect(),
            emphasis: s.emphasis.into(),
        }
    }
}

impl From<core::MoodPoint> for MoodPoint {
    fn from(p: core::MoodPoint) -> Self {
        MoodPoint {
            at: system_time(p.at),
            rating: p.rating,
            source: match p.source {
                core::MoodSource::CheckIn { id, event, crisis } => MoodSource::CheckIn {
                    id: id.to_string(),
                    event,
                    crisis,
                },
                core::MoodSource::Interaction {
                    id,
                    person_id,
                    person,
                } => MoodSource::AfterInteraction {
                    id: id.to_string(),
                    person_id: person_id.to_string(),
                    person,
                },
            },
        }
    }
}

impl From<core::InteractionRef> for InteractionRef {
    fn from(i: core::InteractionRef) -> Self {
        InteractionRef {
            id: i.id.to_string(),
            at: system_time(i.at),
            person_id: i.person_id.to_string(),
            person: i.person,
            what_i_wanted: i.what_i_wanted,
            mood_before: i.mood_before,
            mood_after: i.mood_after,
            relationship: i.relationship.map(Into::into),
        }
    }
}

impl From<core::WinEntry> for WinEntry {
    fn from(w: core::WinEntry) -> Self {
        WinEntry {
            id: w.id.to_string(),
            at: system_time(w.at),
            title: w.title,
            goal_id: w.goal_id.map(|g| g.to_string()),
            goal: w.goal,
            milestone: w.milestone,
        }
    }
}

impl From<core::GoalProgress> for GoalProgress {
    fn from(g: core::GoalProgress) -> Self {
        GoalProgress {
            id: g.id.to_string(),
            title: g.title,
            status: g.status.into(),
            milestones_reached: count(g.milestones_reached),
            milestones_total: count(g.milestones_total),
            reached_in_range: g
                .reached_in_range
                .into_iter()
                .map(|m| MilestoneReached {
                    milestone_id: m.milestone_id,
                    title: m.title,
                    at: system_time(m.at),
                })
                .collect(),
            barriers_in_range: count(g.barriers_in_range),
            corrections_in_range: count(g.corrections_in_range),
            wins_in_range: count(g.wins_in_range),
            interactions_in_range: count(g.interactions_in_range),
        }
    }
}

impl From<core::RehearsalComparison> for RehearsalComparison {
    fn from(r: core::RehearsalComparison) -> Self {
        RehearsalComparison {
            id: r.id.to_string(),
            person_id: r.person_id.to_string(),
            person: r.person,
            scenario: r.scenario,
            practiced_at: system_time(r.practiced_at),
            what_i_want_to_say: r.what_i_want_to_say,
            expected_answer: r.expected_answer,
            confidence_before: r.confidence_before,
            confidence_after: r.confidence_after,
            outcome: match r.outcome {
                core::RehearsalOutcome::Pending => RehearsalOutcome::Pending,
                core::RehearsalOutcome::Unavailable { interaction_id } => {
                    RehearsalOutcome::Unavailable {
                        interaction_id: interaction_id.to_string(),
                    }
                }
                core::RehearsalOutcome::Logged(o) => RehearsalOutcome::Logged {
                    outcome: RealOutcome {
                        interaction_id: o.interaction_id.to_string(),
                        at: system_time(o.at),
                        what_they_said: o.what_they_said,
                        got_what_i_wanted: o.got_what_i_wanted.map(Into::into),
                        relationship: o.relationship.map(Into::into),
                        mood_before: o.mood_before,
                        mood_after: o.mood_after,
                    },
                },
            },
        }
    }
}
