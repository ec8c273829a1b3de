//! The timeline: every item of a period in date order, with the events
//! inside goals (milestones reached, barriers, course corrections) and the
//! inventory (role-dispute stage changes), filterable by person, goal and
//! kind, for the client's own review.

use rapport_protocol::DocKind;

use super::ClinicalError;
use super::load::{self, Gathered};
use super::scope::{DateRange, Whose};
use crate::goal::CourseEventKind;
use crate::id::ItemId;
use crate::inventory::DisputeStage;
use crate::store::Store;
use chrono::{DateTime, Utc};

/// Narrows a timeline; empty fields filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimelineFilter {
    /// Only entries about this person of the inventory.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub person_id: Option<ItemId>,
    /// Only entries of this goal or linked to it.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub goal_id: Option<ItemId>,
    /// Only entries of these kinds (events inside a goal are of kind goal,
    /// dispute stage changes of kind person).
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub kinds: Vec<DocKind>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// The item the entry is, or is inside of.
    pub item_id: ItemId,
    pub kind: DocKind,
    pub event: TimelineEvent,
    pub title: String,
    pub person_id: Option<ItemId>,
    pub goal_id: Option<ItemId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TimelineEvent {
    /// The item itself, at its time (a goal at the time it was set).
    Item,
    MilestoneReached {
        milestone_id: String,
    },
    Barrier,
    CourseCorrection,
    DisputeStage {
        stage: DisputeStage,
    },
}

/// Kinds with a time of their own.
const DATED_KINDS: [DocKind; 8] = [
    DocKind::Interaction,
    DocKind::Win,
    DocKind::Reflection,
    DocKind::MoodCheckIn,
    DocKind::Phq9CheckIn,
    DocKind::Rehearsal,
    DocKind::Goal,
    DocKind::Note,
];

impl Store {
    /// The entries of `whose` record in `range`, oldest first.
    pub fn timeline(
        &self,
        whose: &Whose,
        range: DateRange,
        filter: &TimelineFilter,
    ) -> Result<Vec<TimelineEntry>, ClinicalError> {
        let days = range;
        let range = days.span(&load::zones_of(self, whose)?);
        let rows = load::scan(
            self,
            whose,
            &[DocKind::Person, DocKind::Goal],
            &DATED_KINDS,
            range.start(),
            range.end(),
        )?;
        let mut context = Gathered::default();
        let context_ids: Vec<ItemId> = rows
            .iter()
            .filter(|r| matches!(r.kind, DocKind::Person | DocKind::Goal))
            .map(|r| r.id.clone())
            .collect();
        load::items(self, &context_ids, &mut context)?;

        let mut entries: Vec<TimelineEntry> = rows
            .iter()
            .filter(|r| r.kind != DocKind::Person)
            .filter_map(|r| {
                let at = r.at.filter(|at| range.contains(*at))?;
                Some(TimelineEntry {
                    at,
                    item_id: r.id.clone(),
                    kind: r.kind,
                    event: TimelineEvent::Item,
                    title: r.title.clone(),
                    person_id: r.person_id.clone(),
                    goal_id: if r.kind == DocKind::Goal {
                        Some(r.id.clone())
                    } else {
                        r.goal_id.clone()
                    },
                })
            })
            .collect();
        for g in &context.goals {
            let person_id = g.record.person_ids.first().cloned();
            let entry = |at, event, title: &str| TimelineEntry {
                at,
                item_id: g.id.clone(),
                kind: DocKind::Goal,
                event,
                title: title.to_owned(),
                person_id: person_id.clone(),
                goal_id: Some(g.id.clone()),
            };
            for (id, m) in g.record.ordered_milestones() {
                if let Some(at) = m.completed_at.filter(|at| range.contains(*at)) {
                    let event = TimelineEvent::MilestoneReached {
                        milestone_id: id.to_owned(),
                    };
                    entries.push(entry(at, event, &m.title));
                }
            }
            for e in g.record.course_log.iter().filter(|e| range.contains(e.at)) {
                let event = match e.kind {
                    CourseEventKind::Barrier => TimelineEvent::Barrier,
                    CourseEventKind::CourseCorrection => TimelineEvent::CourseCorrection,
                };
                entries.push(entry(e.at, event, &e.text));
            }
        }
        for p in context.people.values() {
            for c in p
                .record
                .dispute_history
                .iter()
                .filter(|c| range.contains(c.at))
            {
                entries.push(TimelineEntry {
                    at: c.at,
                    item_id: p.id.clone(),
                    kind: DocKind::Person,
                    event: TimelineEvent::DisputeStage { stage: c.stage },
                    title: p.record.nickname.clone(),
                    person_id: Some(p.id.clone()),
                    goal_id: None,
                });
            }
        }

        entries.retain(|e| {
            (filter.kinds.is_empty() || filter.kinds.contains(&e.kind))
                && filter
                    .person_id
                    .as_ref()
                    .is_none_or(|p| e.person_id.as_ref() == Some(p))
                && filter
                    .goal_id
                    .as_ref()
                    .is_none_or(|g| e.goal_id.as_ref() == Some(g))
        });
        entries.sort_by(|a, b| {
            (a.at, &a.item_id, event_rank(&a.event), &a.title).cmp(&(
                b.at,
                &b.item_id,
                event_rank(&b.event),
                &b.title,
            ))
        });
        Ok(entries)
    }
}

fn event_rank(event: &TimelineEvent) -> u8 {
    match event {
        TimelineEvent::Item => 0,
        TimelineEvent::MilestoneReached { .. } => 1,
        TimelineEvent::Barrier => 2,
        TimelineEvent::CourseCorrection => 3,
        TimelineEvent::DisputeStage { .. } => 4,
    }
}
