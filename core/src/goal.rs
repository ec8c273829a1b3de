//! Goals: concrete interpersonal goals tied to the focus and to people, with
//! milestones, a status, and the log of barriers and course corrections.
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
use crate::record::{IndexEntry, Item, Record, limit_text, require_text};
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum GoalStatus {
    Active,
    Achieved,
    Paused,
    Dropped,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Milestone {
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub title: String,
    /// Sort key; ties break by id.
    pub position: i64,
    #[autosurgeon(with = "crate::doc::opt_timestamp")]
    pub completed_at: Option<DateTime<Utc>>,
}

/// What got in the way, or how the plan changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum CourseEventKind {
    Barrier,
    CourseCorrection,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
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
pub struct Goal {
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub title: String,
    #[autosurgeon(with = "crate::doc::text")]
    pub description: String,
    /// People of the inventory this goal is about.
    pub person_ids: Vec<ItemId>,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub status: GoalStatus,
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub set_at: DateTime<Utc>,
    pub milestones: BTreeMap<String, Milestone>,
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

    fn milestone_mut(&mut self, id: &str) -> Result<&mut Milestone> {
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

impl Store {
    /// Adds a milestone at the end; returns its id.
    pub fn add_milestone(&self, goal_id: &ItemId, title: &str) -> Result<String> {
        require_text("milestone.title", title)?;
        let id = uuid::Uuid::new_v4().to_string();
        self.modify(goal_id, |goal: &mut Goal| {
            let last = goal.milestones.values().map(|m| m.position).max();
            goal.milestones.insert(
                id.clone(),
                Milestone {
                    title: title.to_owned(),
                    position: last.map_or(0, |p| p + 1),
                    completed_at: None,
                },
            );
            Ok(())
        })?;
        Ok(id)
    }

    pub fn rename_milestone(
        &self,
        goal_id: &ItemId,
        milestone_id: &str,
        title: &str,
    ) -> Result<Item<Goal>> {
        require_text("milestone.title", title)?;
        self.modify(goal_id, |goal: &mut Goal| {
            goal.milestone_mut(milestone_id)?.title = title.to_owned();
            Ok(())
        })
    }

    pub fn complete_milestone(
        &self,
        goal_id: &ItemId,
        milestone_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Item<Goal>> {
        self.modify(goal_id, |goal: &mut Goal| {
            goal.milestone_mut(milestone_id)?.completed_at = Some(at);
            Ok(())
        })
    }

    pub fn reopen_milestone(&self, goal_id: &ItemId, milestone_id: &str) -> Result<Item<Goal>> {
        self.modify(goal_id, |goal: &mut Goal| {
            goal.milestone_mut(milestone_id)?.completed_at = None;
            Ok(())
        })
    }

    pub fn remove_milestone(&self, goal_id: &ItemId, milestone_id: &str) -> Result<Item<Goal>> {
        self.modify(goal_id, |goal: &mut Goal| {
            goal.milestones
                .remove(milestone_id)
                .map(|_| ())
                .ok_or_else(|| Error::NotFound {
                    kind: "milestone",
                    id: milestone_id.to_owned(),
                })
        })
    }

    /// Puts the milestones in the given order; `order` must name each exactly once.
    pub fn reorder_milestones(&self, goal_id: &ItemId, order: &[String]) -> Result<Item<Goal>> {
        self.modify(goal_id, |goal: &mut Goal| {
            let mut named: Vec<&String> = order.iter().collect();
            named.sort();
            named.dedup();
            let all: Vec<&String> = goal.milestones.keys().collect();
            if named.len() != order.len() || named != all {
                return Err(Error::invalid(
                    "order",
                    "must list every milestone of the goal exactly once",
                ));
            }
            for (position, id) in order.iter().enumerate() {
                goal.milestone_mut(id)?.position = position as i64;
            }
            Ok(())
        })
    }

    pub fn set_goal_status(&self, goal_id: &ItemId, status: GoalStatus) -> Result<Item<Goal>> {
        self.modify(goal_id, |goal: &mut Goal| {
            goal.status = status;
            Ok(())
        })
    }

    /// Logs what got in the way of a goal.
    pub fn log_barrier(
        &self,
        goal_id: &ItemId,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Item<Goal>> {
        self.log_course_event(goal_id, CourseEventKind::Barrier, text, at)
    }

    /// Logs how the plan for a goal changes.
    pub fn log_course_correction(
        &self,
        goal_id: &ItemId,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Item<Goal>> {
        self.log_course_event(goal_id, CourseEventKind::CourseCorrection, text, at)
    }

    fn log_course_event(
        &self,
        goal_id: &ItemId,
        kind: CourseEventKind,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Item<Goal>> {
        require_text("text", text)?;
        self.modify(goal_id, |goal: &mut Goal| {
            goal.course_log.push(CourseEvent {
                id: uuid::Uuid::new_v4().to_string(),
                kind,
                at,
                text: text.to_owned(),
            });
            Ok(())
        })
    }
}
