//! Goals: concrete interpersonal goals tied to the focus and to people, with
//! milestones, a status, and the log of barriers and course corrections.
//! The values only; changing a stored goal is a [`crate::Store`] method
//! (`items/goal.rs`), such as [`crate::Store::add_milestone`].
//!
//! Milestones are a map keyed by id with an explicit position rather than an
//! Automerge list: reordering rewrites positions, so a concurrent edit of a
//! milestone on another device is never lost to a delete-and-reinsert move.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::record::{IndexEntry, Record, limit_text, require_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum GoalStatus {
    Active,
    Achieved,
    Paused,
    Dropped,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Milestone {
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub title: String,
    /// Sort key; ties break by id.
    pub position: i64,
    #[autosurgeon(with = "crate::doc::opt_timestamp")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub completed_at: Option<DateTime<Utc>>,
}

/// What got in the way, or how the plan changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CourseEventKind {
    Barrier,
    CourseCorrection,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CourseEvent {
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub id: String,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub kind: CourseEventKind,
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub at: DateTime<Utc>,
    #[autosurgeon(with = "crate::doc::text")]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Goal {
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub title: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub description: String,
    /// People of the inventory this goal is about.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub person_ids: Vec<ItemId>,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub status: GoalStatus,
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub set_at: DateTime<Utc>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub milestones: BTreeMap<String, Milestone>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub course_log: Vec<CourseEvent>,
}

impl Goal {
    /// A new active goal with no milestones yet.
    pub fn new(title: impl Into<String>, set_at: DateTime<Utc>) -> Self {
        Goal {
            title: title.into(),
            description: String::new(),
            person_ids: Vec::new(),
            status: GoalStatus::Active,
            set_at,
            milestones: BTreeMap::new(),
            course_log: Vec::new(),
        }
    }

    /// Milestones in their display order, with their ids.
    pub fn ordered_milestones(&self) -> Vec<(&str, &Milestone)> {
        let mut list: Vec<_> = self
            .milestones
            .iter()
            .map(|(id, m)| (id.as_str(), m))
            .collect();
        list.sort_by(|a, b| a.1.position.cmp(&b.1.position).then(a.0.cmp(b.0)));
        list
    }

    pub(crate) fn milestone_mut(&mut self, id: &str) -> Result<&mut Milestone> {
        self.milestones.get_mut(id).ok_or_else(|| Error::NotFound {
            kind: "milestone",
            id: id.to_owned(),
        })
    }
}

impl Record for Goal {
    const KIND: DocKind = DocKind::Goal;

    fn validate(&self) -> Result<()> {
        require_text("title", &self.title)?;
        limit_text("description", &self.description)?;
        for m in self.milestones.values() {
            require_text("milestone.title", &m.title)?;
        }
        for e in &self.course_log {
            require_text("course_log.text", &e.text)?;
        }
        Ok(())
    }

    fn index(&self) -> IndexEntry {
        let mut text = vec![self.title.clone(), self.description.clone()];
        text.extend(self.milestones.values().map(|m| m.title.clone()));
        text.extend(self.course_log.iter().map(|e| e.text.clone()));
        IndexEntry {
            at: Some(self.set_at),
            person_id: self.person_ids.first().cloned(),
            goal_id: None,
            title: self.title.clone(),
            text,
        }
    }
}
