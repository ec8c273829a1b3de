//! The timeline: every entry of a client's record in a range, oldest first,
//! with the events inside goals and people (milestones, barriers, course
//! corrections, dispute stages).

use std::time::SystemTime;

use rapport_core::clinical as core;

use crate::records::{DisputeStage, ItemKind, system_time};

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
