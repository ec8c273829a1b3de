//! "Since we last met": what happened in the client's record over a range of
//! days (by default since the last session), as the therapist opens it
//! before a session and the client previews it. Typed records only; the
//! shells lay them out.
//!
//! Safety flags (PHQ-9 item 9 above 0, a mood check-in marked as a crisis)
//! are listed here for the therapist's next review: Rapport is reviewed at
//! sessions and is not monitored in real time.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rapport_protocol::DocKind;

use super::phase::{Emphasis, emphasis};
use super::scope::{self, DateRange, Gathered, Span, Whose};
use super::{ClinicalError, termination};
use crate::checkin::Phq9Severity;
use crate::goal::{CourseEventKind, GoalStatus};
use crate::id::ItemId;
use crate::inventory::DisputeStage;
use crate::journal::{GotWhatIWanted, Interaction, RelationshipChange};
use crate::profile::Phase;
use crate::record::Item;
use crate::safety::AlertReason;
use crate::store::Store;

/// How many of the lowest mood points the summary explains.
pub const LOW_POINTS: usize = 3;

/// Interactions this long before a low mood check-in are "behind" it.
pub const LINK_WINDOW_HOURS: i64 = 24;

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

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MoodPoint {
    pub at: DateTime<Utc>,
    /// 0 (worst) to 10 (best).
    pub rating: i32,
    pub source: MoodSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MoodSource {
    /// A quick mood rating with the event behind it.
    CheckIn {
        id: ItemId,
        event: String,
        crisis: bool,
    },
    /// The mood after an interaction.
    Interaction {
        id: ItemId,
        person_id: ItemId,
        person: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LowPoint {
    pub point: MoodPoint,
    /// For a check-in, the interactions of the [`LINK_WINDOW_HOURS`] before
    /// it; for an interaction, the interaction itself.
    pub behind: Vec<InteractionRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InteractionRef {
    pub id: ItemId,
    pub at: DateTime<Utc>,
    pub person_id: ItemId,
    /// The nickname, when the person is on this device.
    pub person: Option<String>,
    pub what_i_wanted: String,
    pub mood_before: Option<i32>,
    pub mood_after: Option<i32>,
    pub relationship: Option<RelationshipChange>,
}

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

/// A check-in that called for crisis resources, flagged for review.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SafetyFlag {
    pub check_in_id: ItemId,
    pub at: DateTime<Utc>,
    pub reason: AlertReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WinEntry {
    pub id: ItemId,
    pub at: DateTime<Utc>,
    pub title: String,
    pub goal_id: Option<ItemId>,
    /// The goal's title, when the goal is on this device.
    pub goal: Option<String>,
    pub milestone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GoalProgress {
    pub id: ItemId,
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

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MilestoneReached {
    pub milestone_id: String,
    pub title: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CourseEntry {
    pub goal_id: ItemId,
    pub goal: String,
    pub at: DateTime<Utc>,
    pub kind: CourseEventKind,
    pub text: String,
}

/// A rehearsal with what was expected beside what really happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RehearsalComparison {
    pub id: ItemId,
    pub person_id: ItemId,
    pub person: Option<String>,
    pub scenario: String,
    pub practiced_at: DateTime<Utc>,
    pub what_i_want_to_say: String,
    /// How the client expected the other person to answer.
    pub expected_answer: String,
    pub confidence_before: Option<i32>,
    pub confidence_after: Option<i32>,
    pub outcome: RehearsalOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RehearsalOutcome {
    /// The real conversation has not been logged yet.
    Pending,
    /// Logged, but the interaction is not on this device (not shared, or
    /// deleted).
    Unavailable {
        interaction_id: ItemId,
    },
    Logged(RealOutcome),
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RealOutcome {
    pub interaction_id: ItemId,
    pub at: DateTime<Utc>,
    pub what_they_said: String,
    pub got_what_i_wanted: Option<GotWhatIWanted>,
    pub relationship: Option<RelationshipChange>,
    pub mood_before: Option<i32>,
    pub mood_after: Option<i32>,
}

/// A change in the interpersonal inventory: a role dispute changing stage.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InventoryChange {
    pub person_id: ItemId,
    pub person: String,
    /// The stage before, `None` when the dispute was first recorded.
    pub from: Option<DisputeStage>,
    pub to: DisputeStage,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// Kinds read whatever their time: they give names and context.
pub(crate) const CONTEXT_KINDS: [DocKind; 4] = [
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
        let context = scope::scan(
            self,
            whose,
            &CONTEXT_KINDS,
            &[],
            scope::beginning(),
            scope::beginning(),
        )?;
        scope::load(self, &scope::ids(&context), &mut record)?;
        let profile = record.profile.as_ref().map(|(p, _)| p.record.clone());
        let range = match range {
            Some(range) => range,
            None => {
                let from = profile
                    .as_ref()
                    .and_then(|p| p.last_session_on)
                    .unwrap_or(scope::beginning().date_naive());
                DateRange::since(from, today)?
            }
        };
        let phase = profile.as_ref().map_or(Phase::Initial, |p| p.phase);
        let span = range.span(&scope::zones_of(self, whose)?);
        // The termination review looks back over the whole course.
        let from = if phase == Phase::Termination {
            scope::beginning()
        } else {
            span.start()
        };
        let rows = scope::scan(self, whose, &[], &RANGE_KINDS, from, span.end())?;
        scope::load(self, &scope::ids(&rows), &mut record)?;
        let outcomes = outcome_interactions(self, whose, &record)?;
        Ok(summarise(whose, range, span, &record, &outcomes))
    }
}

/// The interactions that rehearsals name as their outcome and that are not
/// among those already read, read by id.
fn outcome_interactions(
    store: &Store,
    whose: &Whose,
    record: &Gathered,
) -> Result<HashMap<ItemId, Item<Interaction>>, ClinicalError> {
    let have = scope::positions(&record.interactions);
    let missing: Vec<ItemId> = record
        .rehearsals
        .iter()
        .filter_map(|r| r.record.outcome_interaction_id.clone())
        .filter(|id| !have.contains_key(id))
        .collect();
    let mut out: HashMap<ItemId, Item<Interaction>> = record
        .interactions
        .iter()
        .map(|i| (i.id.clone(), i.clone()))
        .collect();
    if !missing.is_empty() {
        let owners = store.owner_map()?;
        for item in store.get_many::<Interaction>(&missing)? {
            let candidate = scope::Candidate {
                owner: owners.get(&item.id),
                kind: DocKind::Interaction,
                person_id: Some(&item.record.person_id),
                shared: item.shared,
            };
            if whose.covers(candidate) {
                out.insert(item.id.clone(), item);
            }
        }
    }
    Ok(out)
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

    let mood = mood_series(record, &range);
    let low_points = low_points(record, &mood, &interactions);
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
        (Some(first), Some(last)) if phq9.len() > 1 => {
            Some(last.total - first.total)
        }
        _ => None,
    };

    SessionSummary {
        whose: whose.clone(),
        range: days,
        phase,
        session,
        low_points,
        safety_flags: safety_flags(record, &range),
        mood,
        phq9,
        phq9_change,
        wins: wins(record, &range),
        goals: goal_progress(record, &range, &interactions),
        course_events: course_events(record, &range),
        rehearsals: rehearsals(record, &range, outcomes),
        inventory_changes: inventory_changes(record, &range),
        emphasis: emphasis(phase, record, &range, &interactions, || {
            termination::review(record, range.end())
        }),
    }
}

fn mood_series(record: &Gathered, range: &Span) -> Vec<MoodPoint> {
    let checkins = record
        .moods
        .iter()
        .filter(|m| range.contains(m.record.at))
        .map(|m| MoodPoint {
            at: m.record.at,
            rating: m.record.rating,
            source: MoodSource::CheckIn {
                id: m.id.clone(),
                event: m.record.event.clone(),
                crisis: m.record.crisis,
            },
        });
    let after_interactions = record
        .interactions
        .iter()
        .filter(|i| range.contains(i.record.occurred_at))
        .filter_map(|i| {
            Some(MoodPoint {
                at: i.record.occurred_at,
                rating: i.record.mood_after?,
                source: MoodSource::Interaction {
                    id: i.id.clone(),
                    person_id: i.record.person_id.clone(),
                    person: record.person_name(&i.record.person_id),
                },
            })
        });
    let mut series: Vec<MoodPoint> = checkins.chain(after_interactions).collect();
    series.sort_by(|a, b| (a.at, source_id(&a.source)).cmp(&(b.at, source_id(&b.source))));
    series
}

fn source_id(source: &MoodSource) -> &ItemId {
    match source {
        MoodSource::CheckIn { id, .. } | MoodSource::Interaction { id, .. } => id,
    }
}

fn low_points(
    record: &Gathered,
    series: &[MoodPoint],
    interactions: &[&Item<Interaction>],
) -> Vec<LowPoint> {
    let mut lowest: Vec<&MoodPoint> = series.iter().collect();
    lowest.sort_by(|a, b| {
        (a.rating, a.at, source_id(&a.source)).cmp(&(b.rating, b.at, source_id(&b.source)))
    });
    lowest.truncate(LOW_POINTS);
    lowest.sort_by(|a, b| (a.at, source_id(&a.source)).cmp(&(b.at, source_id(&b.source))));
    let window = Duration::hours(LINK_WINDOW_HOURS);
    lowest
        .into_iter()
        .map(|point| {
            let behind = match &point.source {
                MoodSource::Interaction { id, .. } => interactions
                    .iter()
                    .filter(|i| &i.id == id)
                    .map(|i| interaction_ref(record, i))
                    .collect(),
                MoodSource::CheckIn { .. } => interactions
                    .iter()
                    .filter(|i| {
                        i.record.occurred_at <= point.at
                            && i.record.occurred_at >= point.at - window
                    })
                    .map(|i| interaction_ref(record, i))
                    .collect(),
            };
            LowPoint {
                point: point.clone(),
                behind,
            }
        })
        .collect()
}

fn interaction_ref(record: &Gathered, i: &Item<Interaction>) -> InteractionRef {
    InteractionRef {
        id: i.id.clone(),
        at: i.record.occurred_at,
        person_id: i.record.person_id.clone(),
        person: record.person_name(&i.record.person_id),
        what_i_wanted: i.record.what_i_wanted.clone(),
        mood_before: i.record.mood_before,
        mood_after: i.record.mood_after,
        relationship: i.record.relationship,
    }
}

fn safety_flags(record: &Gathered, range: &Span) -> Vec<SafetyFlag> {
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

pub(crate) fn win_entry(record: &Gathered, w: &Item<crate::journal::Win>) -> WinEntry {
    let goal = w
        .record
        .goal
        .as_ref()
        .and_then(|link| record.goal(&link.goal_id));
    let milestone = w.record.goal.as_ref().and_then(|link| {
        let m = link.milestone_id.as_ref()?;
        Some(goal?.record.milestones.get(m)?.title.clone())
    });
    WinEntry {
        id: w.id.clone(),
        at: w.record.occurred_at,
        title: w.record.title.clone(),
        goal_id: w.record.goal.as_ref().map(|l| l.goal_id.clone()),
        goal: goal.map(|g| g.record.title.clone()),
        milestone,
    }
}

fn wins(record: &Gathered, range: &Span) -> Vec<WinEntry> {
    record
        .wins
        .iter()
        .filter(|w| range.contains(w.record.occurred_at))
        .map(|w| win_entry(record, w))
        .collect()
}

fn goal_progress(
    record: &Gathered,
    range: &Span,
    interactions: &[&Item<Interaction>],
) -> Vec<GoalProgress> {
    record
        .goals
        .iter()
        .filter(|g| g.record.set_at < range.end())
        .map(|g| {
            let goal = &g.record;
            let mut reached_in_range: Vec<MilestoneReached> = goal
                .ordered_milestones()
                .into_iter()
                .filter_map(|(id, m)| {
                    let at = m.completed_at.filter(|at| range.contains(*at))?;
                    Some(MilestoneReached {
                        milestone_id: id.to_owned(),
                        title: m.title.clone(),
                        at,
                    })
                })
                .collect();
            reached_in_range.sort_by(|a, b| (a.at, &a.milestone_id).cmp(&(b.at, &b.milestone_id)));
            let in_range = |kind| {
                goal.course_log
                    .iter()
                    .filter(|e| e.kind == kind && range.contains(e.at))
                    .count()
            };
            let linked = |link: &Option<crate::journal::GoalLink>| {
                link.as_ref().is_some_and(|l| l.goal_id == g.id)
            };
            GoalProgress {
                id: g.id.clone(),
                title: goal.title.clone(),
                status: goal.status,
                milestones_reached: crate::clinical::count(goal
                    .milestones
                    .values()
                    .filter(|m| m.completed_at.is_some_and(|at| at < range.end()))
                    .count()),
                milestones_total: crate::clinical::count(goal.milestones.len()),
                reached_in_range,
                barriers_in_range: crate::clinical::count(in_range(CourseEventKind::Barrier)),
                corrections_in_range: crate::clinical::count(in_range(CourseEventKind::CourseCorrection)),
                wins_in_range: crate::clinical::count(record
                    .wins
                    .iter()
                    .filter(|w| range.contains(w.record.occurred_at) && linked(&w.record.goal))
                    .count()),
                interactions_in_range: crate::clinical::count(interactions
                    .iter()
                    .filter(|i| linked(&i.record.goal))
                    .count()),
            }
        })
        .collect()
}

fn course_events(record: &Gathered, range: &Span) -> Vec<CourseEntry> {
    let mut events: Vec<(CourseEntry, &str)> = record
        .goals
        .iter()
        .flat_map(|g| {
            g.record
                .course_log
                .iter()
                .filter(|e| range.contains(e.at))
                .map(|e| {
                    (
                        CourseEntry {
                            goal_id: g.id.clone(),
                            goal: g.record.title.clone(),
                            at: e.at,
                            kind: e.kind,
                            text: e.text.clone(),
                        },
                        e.id.as_str(),
                    )
                })
        })
        .collect();
    events.sort_by(|a, b| (a.0.at, &a.0.goal_id, a.1).cmp(&(b.0.at, &b.0.goal_id, b.1)));
    events.into_iter().map(|(e, _)| e).collect()
}

fn rehearsals(
    record: &Gathered,
    range: &Span,
    outcomes: &HashMap<ItemId, Item<Interaction>>,
) -> Vec<RehearsalComparison> {
    record
        .rehearsals
        .iter()
        .filter_map(|r| {
            let reh = &r.record;
            let outcome = match &reh.outcome_interaction_id {
                None => RehearsalOutcome::Pending,
                Some(id) => match outcomes.get(id) {
                    None => RehearsalOutcome::Unavailable {
                        interaction_id: id.clone(),
                    },
                    Some(i) => RehearsalOutcome::Logged(RealOutcome {
                        interaction_id: i.id.clone(),
                        at: i.record.occurred_at,
                        what_they_said: i.record.what_they_said.clone(),
                        got_what_i_wanted: i.record.got_what_i_wanted,
                        relationship: i.record.relationship,
                        mood_before: i.record.mood_before,
                        mood_after: i.record.mood_after,
                    }),
                },
            };
            let outcome_in_range =
                matches!(&outcome, RehearsalOutcome::Logged(o) if range.contains(o.at));
            if !range.contains(reh.practiced_at) && !outcome_in_range {
                return None;
            }
            Some(RehearsalComparison {
                id: r.id.clone(),
                person_id: reh.person_id.clone(),
                person: record.person_name(&reh.person_id),
                scenario: reh.scenario.clone(),
                practiced_at: reh.practiced_at,
                what_i_want_to_say: reh.what_i_want_to_say.clone(),
                expected_answer: reh.how_they_may_answer.clone(),
                confidence_before: reh.confidence_before,
                confidence_after: reh.confidence_after,
                outcome,
            })
        })
        .collect()
}

fn inventory_changes(record: &Gathered, range: &Span) -> Vec<InventoryChange> {
    let mut changes: Vec<InventoryChange> = record
        .people
        .values()
        .flat_map(|p| {
            let history = &p.record.dispute_history;
            history.iter().enumerate().filter_map(move |(n, change)| {
                if !range.contains(change.at) {
                    return None;
                }
                Some(InventoryChange {
                    person_id: p.id.clone(),
                    person: p.record.nickname.clone(),
                    from: n.checked_sub(1).map(|prev| history[prev].stage),
                    to: change.stage,
                    at: change.at,
                    note: change.note.clone(),
                })
            })
        })
        .collect();
    changes.sort_by(|a, b| (a.at, &a.person_id).cmp(&(b.at, &b.person_id)));
    changes
}

/// Skills used in these interactions with how often, most used first.
pub(crate) fn skill_counts<'a>(
    interactions: impl IntoIterator<Item = &'a Item<Interaction>>,
) -> Vec<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for i in interactions {
        for skill in &i.record.skills_used {
            *counts.entry(skill.as_str()).or_default() += 1;
        }
    }
    let mut list: Vec<(String, usize)> =
        counts.into_iter().map(|(s, n)| (s.to_owned(), n)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list
}
