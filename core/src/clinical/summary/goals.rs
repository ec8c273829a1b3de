//! Every goal set before the range ended, with what moved in the range, and
//! the barriers and course corrections logged in it.

use chrono::{DateTime, Utc};

use crate::clinical::load::Gathered;
use crate::clinical::scope::Span;
use crate::goal::{CourseEventKind, GoalStatus};
use crate::id::ItemId;
use crate::journal::Interaction;
use crate::record::Item;

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

pub(super) fn progress(
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
                milestones_reached: crate::clinical::count(
                    goal.milestones
                        .values()
                        .filter(|m| m.completed_at.is_some_and(|at| at < range.end()))
                        .count(),
                ),
                milestones_total: crate::clinical::count(goal.milestones.len()),
                reached_in_range,
                barriers_in_range: crate::clinical::count(in_range(CourseEventKind::Barrier)),
                corrections_in_range: crate::clinical::count(in_range(
                    CourseEventKind::CourseCorrection,
                )),
                wins_in_range: crate::clinical::count(
                    record
                        .wins
                        .iter()
                        .filter(|w| range.contains(w.record.occurred_at) && linked(&w.record.goal))
                        .count(),
                ),
                interactions_in_range: crate::clinical::count(
                    interactions
                        .iter()
                        .filter(|i| linked(&i.record.goal))
                        .count(),
                ),
            }
        })
        .collect()
}

pub(super) fn course_events(record: &Gathered, range: &Span) -> Vec<CourseEntry> {
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
