//! Operations on a stored goal: its milestones, its status, and the log of
//! barriers and course corrections. Each is one read-change-write of the
//! goal document, so a concurrent edit of another milestone survives.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::goal::{CourseEvent, CourseEventKind, Goal, GoalStatus, Milestone};
use crate::id::ItemId;
use crate::record::{Item, require_text};
use crate::store::Store;

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
