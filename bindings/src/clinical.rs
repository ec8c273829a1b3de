//! The clinical layer on `RapportStore`: "since we last met" (the session
//! summary), the timeline, the termination review and the plan for after,
//! export and import, deleting everything on this device. Typed mirrors of
//! the core's views; the shells lay them out.
//!
//! Whose record: `client_id` is `None` for this device's own record, or a
//! client's account id on a therapist's device. Days are ISO `YYYY-MM-DD`
//! strings and ranges include their last day.

use std::time::SystemTime;

use chrono::NaiveDate;
use rapport_core::clinical::{self as core, Whose};
use rapport_core::profile::AfterCarePlan as CorePlan;

use crate::errors::StoreError;
use crate::records::{
    AlertReason, CourseEventKind, DisputeStage, GoalStatus, GotWhatIWanted, ItemKind, Phase,
    Phq9Severity, ProblemArea, RelationshipChange, Ring, date, iso_date, item_id, system_time,
};
use crate::store::RapportStore;

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

/// What the summary emphasises in each phase of IPT.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Emphasis {
    /// Inventory, focus, formulation.
    Initial { emphasis: InitialEmphasis },
    /// Work on the focus.
    Middle { emphasis: MiddleEmphasis },
    /// Gains, wins, warning signs, the plan for after.
    Termination { review: TerminationReview },
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InitialEmphasis {
    pub inventory: Vec<InventoryEntry>,
    pub problem_area: Option<ProblemArea>,
    pub formulation_accepted_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InventoryEntry {
    pub person_id: String,
    pub nickname: String,
    pub relationship: String,
    pub ring: Ring,
    pub dispute_stage: Option<DisputeStage>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MiddleEmphasis {
    pub problem_area: Option<ProblemArea>,
    pub focus_people: Vec<FocusPerson>,
    pub skills_used: Vec<SkillUse>,
    pub active_goals: u32,
    pub sessions_left: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FocusPerson {
    pub person_id: String,
    pub nickname: String,
    pub dispute_stage: Option<DisputeStage>,
    pub interactions_in_range: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SkillUse {
    pub skill: String,
    pub times: u32,
}

/// Gains, wins, warning signs and the plan for after, from the record.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TerminationReview {
    pub gains: Vec<Gain>,
    pub wins: Vec<WinEntry>,
    pub warning_signs: Vec<String>,
    pub plan_for_after: String,
    pub sessions_left: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Gain {
    Phq9 {
        first_at: SystemTime,
        first_total: u8,
        first_severity: Phq9Severity,
        latest_at: SystemTime,
        latest_total: u8,
        latest_severity: Phq9Severity,
    },
    DisputeMoved {
        person_id: String,
        person: String,
        from: DisputeStage,
        to: DisputeStage,
    },
    GoalAchieved {
        goal_id: String,
        title: String,
    },
    MilestonesReached {
        goal_id: String,
        title: String,
        reached: u32,
        total: u32,
    },
    SkillPractised {
        skill: String,
        times: u32,
    },
}

/// Narrows a timeline; empty fields filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct TimelineFilter {
    #[uniffi(default = None)]
    pub person_id: Option<String>,
    #[uniffi(default = None)]
    pub goal_id: Option<String>,
    /// Events inside a goal are of kind goal, stage changes of kind person.
    #[uniffi(default = [])]
    pub kinds: Vec<ItemKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TimelineEntry {
    pub at: SystemTime,
    /// The item the entry is, or is inside of.
    pub item_id: String,
    pub kind: ItemKind,
    pub event: TimelineEvent,
    pub title: String,
    pub person_id: Option<String>,
    pub goal_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TimelineEvent {
    /// The item itself, at its time (a goal at the time it was set).
    Item,
    MilestoneReached {
        milestone_id: String,
    },
    Barrier,
    CourseCorrection,
    DisputeStageChanged {
        stage: DisputeStage,
    },
}

/// Warning signs and what the client will do after the last session.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct AfterCarePlan {
    pub warning_signs: Vec<String>,
    pub plan_for_after: String,
}

/// What an import stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ImportReport {
    /// Documents in the file.
    pub documents: u32,
    /// Documents that changed this store (new, or with changes it lacked).
    pub changed: u32,
    pub crisis_resources: bool,
}

#[uniffi::export]
impl RapportStore {
    /// "Since we last met" for `client_id`'s record (`None`: mine). Without
    /// `from`, from the profile's last session date (or the beginning);
    /// `to` (included) defaults to `today`.
    pub fn session_summary(
        &self,
        client_id: Option<String>,
        from: Option<String>,
        to: Option<String>,
        today: String,
    ) -> Result<SessionSummary, StoreError> {
        let today = date("today", &today)?;
        let range = match (from, to) {
            (None, None) => None,
            (Some(from), to) => {
                let last = to.map(|t| date("to", &t)).transpose()?.unwrap_or(today);
                Some(core::DateRange::since(date("from", &from)?, last)?)
            }
            (None, Some(_)) => {
                return Err(StoreError::Invalid {
                    field: "from".into(),
                    reason: "give the first day of the range too".into(),
                });
            }
        };
        let summary = self
            .inner
            .session_summary(&whose(client_id), range, today)?;
        Ok(summary.into())
    }

    /// Every entry of `client_id`'s record from `from` to `to` (both
    /// included), oldest first.
    pub fn timeline(
        &self,
        client_id: Option<String>,
        from: String,
        to: String,
        filter: TimelineFilter,
    ) -> Result<Vec<TimelineEntry>, StoreError> {
        let range = core::DateRange::since(date("from", &from)?, date("to", &to)?)?;
        let filter = core::TimelineFilter {
            person_id: filter
                .person_id
                .map(|p| item_id("person_id", p))
                .transpose()?,
            goal_id: filter.goal_id.map(|g| item_id("goal_id", g)).transpose()?,
            kinds: filter.kinds.into_iter().map(Into::into).collect(),
        };
        let entries = self.inner.timeline(&whose(client_id), range, &filter)?;
        Ok(entries.into_iter().map(Into::into).collect())
    }

    /// Gains, wins, warning signs and the plan for after, over the whole
    /// course up to (not including) `until`.
    pub fn termination_review(
        &self,
        client_id: Option<String>,
        until: String,
    ) -> Result<TerminationReview, StoreError> {
        let until = date("until", &until)?;
        Ok(self
            .inner
            .termination_review(&whose(client_id), until)?
            .into())
    }

    /// The client's warning signs and plan for after therapy.
    pub fn after_care_plan(&self) -> Result<AfterCarePlan, StoreError> {
        Ok(self.inner.after_care_plan()?.into())
    }

    pub fn save_after_care_plan(&self, plan: AfterCarePlan) -> Result<AfterCarePlan, StoreError> {
        let plan = CorePlan {
            warning_signs: plan.warning_signs,
            plan_for_after: plan.plan_for_after,
        };
        Ok(self.inner.save_after_care_plan(plan)?.into())
    }

    /// Everything this device holds as one JSON file (re-importable).
    pub fn export_json(&self) -> Result<String, StoreError> {
        Ok(self.inner.export_json()?)
    }

    /// Imports an export; a damaged or newer file changes nothing.
    pub fn import_json(&self, json: String) -> Result<ImportReport, StoreError> {
        let report = self.inner.import_json(&json)?;
        Ok(ImportReport {
            documents: count(report.documents),
            changed: count(report.changed),
            crisis_resources: report.crisis_resources,
        })
    }

    /// `client_id`'s record (`None`: mine) as a readable Markdown document.
    pub fn export_markdown(&self, client_id: Option<String>) -> Result<String, StoreError> {
        Ok(self.inner.export_markdown(&whose(client_id))?)
    }

    /// Deletes everything on this device for real (the file is vacuumed).
    /// To delete on the server too, use `RapportSync.delete_everything`.
    /// Returns how many items were deleted.
    pub fn delete_everything(&self) -> Result<u64, StoreError> {
        let deleted = self.inner.delete_everything()?;
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }
}

fn whose(client_id: Option<String>) -> Whose {
    match client_id {
        None => Whose::Mine,
        Some(account_id) => Whose::Client { account_id },
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn day(d: NaiveDate) -> String {
    iso_date(d)
}

// ---------------------------------------------------------------------------
// Conversions from the core's views.

impl From<CorePlan> for AfterCarePlan {
    fn from(p: CorePlan) -> Self {
        AfterCarePlan {
            warning_signs: p.warning_signs,
            plan_for_after: p.plan_for_after,
        }
    }
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
                Whose::Mine => None,
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

impl From<core::Emphasis> for Emphasis {
    fn from(e: core::Emphasis) -> Self {
        match e {
            core::Emphasis::Initial(i) => Emphasis::Initial {
                emphasis: InitialEmphasis {
                    inventory: i
                        .inventory
                        .into_iter()
                        .map(|p| InventoryEntry {
                            person_id: p.person_id.to_string(),
                            nickname: p.nickname,
                            relationship: p.relationship,
                            ring: p.ring.into(),
                            dispute_stage: p.dispute_stage.map(Into::into),
                        })
                        .collect(),
                    problem_area: i.problem_area.map(Into::into),
                    formulation_accepted_on: i.formulation_accepted_on.map(day),
                },
            },
            core::Emphasis::Middle(m) => Emphasis::Middle {
                emphasis: MiddleEmphasis {
                    problem_area: m.problem_area.map(Into::into),
                    focus_people: m
                        .focus_people
                        .into_iter()
                        .map(|p| FocusPerson {
                            person_id: p.person_id.to_string(),
                            nickname: p.nickname,
                            dispute_stage: p.dispute_stage.map(Into::into),
                            interactions_in_range: count(p.interactions_in_range),
                        })
                        .collect(),
                    skills_used: m
                        .skills_used
                        .into_iter()
                        .map(|s| SkillUse {
                            skill: s.skill,
                            times: count(s.times),
                        })
                        .collect(),
                    active_goals: count(m.active_goals),
                    sessions_left: m.sessions_left,
                },
            },
            core::Emphasis::Termination(t) => Emphasis::Termination { review: t.into() },
        }
    }
}

impl From<core::TerminationReview> for TerminationReview {
    fn from(t: core::TerminationReview) -> Self {
        TerminationReview {
            gains: t.gains.into_iter().map(Into::into).collect(),
            wins: t.wins.into_iter().map(Into::into).collect(),
            warning_signs: t.warning_signs,
            plan_for_after: t.plan_for_after,
            sessions_left: t.sessions_left,
        }
    }
}

impl From<core::Gain> for Gain {
    fn from(g: core::Gain) -> Self {
        match g {
            core::Gain::Phq9 {
                first_at,
                first_total,
                first_severity,
                latest_at,
                latest_total,
                latest_severity,
            } => Gain::Phq9 {
                first_at: system_time(first_at),
                first_total,
                first_severity: first_severity.into(),
                latest_at: system_time(latest_at),
                latest_total,
                latest_severity: latest_severity.into(),
            },
            core::Gain::DisputeMoved {
                person_id,
                person,
                from,
                to,
            } => Gain::DisputeMoved {
                person_id: person_id.to_string(),
                person,
                from: from.into(),
                to: to.into(),
            },
            core::Gain::GoalAchieved { goal_id, title } => Gain::GoalAchieved {
                goal_id: goal_id.to_string(),
                title,
            },
            core::Gain::MilestonesReached {
                goal_id,
                title,
                reached,
                total,
            } => Gain::MilestonesReached {
                goal_id: goal_id.to_string(),
                title,
                reached: count(reached),
                total: count(total),
            },
            core::Gain::SkillPractised { skill, times } => Gain::SkillPractised {
                skill,
                times: count(times),
            },
        }
    }
}

impl From<core::TimelineEntry> for TimelineEntry {
    fn from(e: core::TimelineEntry) -> Self {
        TimelineEntry {
            at: system_time(e.at),
            item_id: e.item_id.to_string(),
            kind: e.kind.into(),
            event: match e.event {
                core::TimelineEvent::Item => TimelineEvent::Item,
                core::TimelineEvent::MilestoneReached { milestone_id } => {
                    TimelineEvent::MilestoneReached { milestone_id }
                }
                core::TimelineEvent::Barrier => TimelineEvent::Barrier,
                core::TimelineEvent::CourseCorrection => TimelineEvent::CourseCorrection,
                core::TimelineEvent::DisputeStage { stage } => TimelineEvent::DisputeStageChanged {
                    stage: stage.into(),
                },
            },
            title: e.title,
            person_id: e.person_id.map(|p| p.to_string()),
            goal_id: e.goal_id.map(|g| g.to_string()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};
    use rapport_core::checkin::Phq9CheckIn;
    use rapport_core::journal::Win;

    use super::*;

    fn store(dir: &tempfile::TempDir, name: &str) -> Arc<RapportStore> {
        RapportStore::open(dir.path().join(name).display().to_string()).unwrap()
    }

    fn fill(store: &RapportStore) {
        let at = |d| Utc.with_ymd_and_hms(2025, 3, d, 18, 0, 0).unwrap();
        store
            .inner
            .create(Win {
                occurred_at: at(4),
                title: "Asked Sam for help".into(),
                details: String::new(),
                goal: None,
            })
            .unwrap();
        for (d, item9) in [(3, 0), (10, 1)] {
            store
                .inner
                .check_in_phq9(Phq9CheckIn {
                    at: at(d),
                    items: vec![2, 2, 1, 1, 1, 1, 1, 1, item9],
                })
                .unwrap();
        }
    }

    #[test]
    fn the_session_summary_has_the_wins_the_phq9_trend_and_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir, "a.db");
        fill(&store);
        let summary = store
            .session_summary(None, Some("2025-03-01".into()), None, "2025-03-14".into())
            .unwrap();
        assert_eq!(summary.client_id, None);
        assert_eq!(
            summary.range,
            DayRange {
                from: "2025-03-01".into(),
                to: "2025-03-14".into()
            }
        );
        assert_eq!(summary.wins.len(), 1);
        assert_eq!(summary.wins[0].title, "Asked Sam for help");
        assert_eq!(
            summary.phq9.iter().map(|p| p.total).collect::<Vec<_>>(),
            [10, 11]
        );
        assert_eq!(summary.phq9_change, Some(1));
        assert_eq!(summary.safety_flags.len(), 1);
        assert_eq!(summary.safety_flags[0].reason, AlertReason::Phq9Item9);
        assert!(matches!(summary.emphasis, Emphasis::Initial { .. }));

        let timeline = store
            .timeline(
                None,
                "2025-03-01".into(),
                "2025-03-31".into(),
                TimelineFilter {
                    kinds: vec![ItemKind::Win],
                    ..TimelineFilter::default()
                },
            )
            .unwrap();
        assert_eq!(timeline.len(), 1);
        assert_eq!(timeline[0].event, TimelineEvent::Item);
    }

    #[test]
    fn a_reversed_range_or_a_bad_day_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir, "a.db");
        let err = store
            .session_summary(
                None,
                Some("2025-03-10".into()),
                Some("2025-03-01".into()),
                "2025-03-14".into(),
            )
            .unwrap_err();
        assert!(err.to_string().contains("empty or reversed"), "{err}");
        let err = store
            .termination_review(None, "14/03/2025".into())
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
    }

    #[test]
    fn an_export_imports_into_an_empty_store_and_deleting_empties_it() {
        let dir = tempfile::tempdir().unwrap();
        let original = store(&dir, "a.db");
        fill(&original);
        original
            .save_after_care_plan(AfterCarePlan {
                warning_signs: vec!["sleeping badly for a week".into()],
                plan_for_after: "call Sam on Sundays".into(),
            })
            .unwrap();
        let json = original.export_json().unwrap();

        let copy = store(&dir, "b.db");
        let report = copy.import_json(json).unwrap();
        assert_eq!(report.documents, 4);
        assert_eq!(report.changed, 4);
        assert_eq!(
            copy.after_care_plan().unwrap().plan_for_after,
            "call Sam on Sundays"
        );
        let markdown = copy.export_markdown(None).unwrap();
        assert!(markdown.contains("Asked Sam for help"), "{markdown}");
        assert_eq!(
            copy.termination_review(None, "2025-04-01".into())
                .unwrap()
                .warning_signs,
            ["sleeping badly for a week"]
        );

        let err = copy.import_json("{\"format\":".into()).unwrap_err();
        assert!(matches!(err, StoreError::Malformed { .. }), "{err}");

        assert_eq!(copy.delete_everything().unwrap(), 4);
        assert!(copy.export_markdown(None).unwrap().len() < markdown.len());
    }
}
