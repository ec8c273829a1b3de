//! Goals: concrete interpersonal goals with their ordered milestones and
//! the log of barriers and course corrections.

use std::time::SystemTime;

use rapport_core::goal;

use super::{invalid, item_id, opt_time, system_time, time};
use crate::errors::StoreError;

mirror_enum! {
    GoalStatus = goal::GoalStatus { Active, Achieved, Paused, Dropped }
}

mirror_enum! {
    /// What got in the way (barrier), or how the plan changes.
    CourseEventKind = goal::CourseEventKind { Barrier, CourseCorrection }
}

/// One step of a goal. `position` orders them; the list a goal carries is
/// already in that order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub position: i64,
    #[uniffi(default)]
    pub completed_at: Option<SystemTime>,
}

/// A barrier or a course correction logged on a goal.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CourseEvent {
    pub id: String,
    pub kind: CourseEventKind,
    pub at: SystemTime,
    pub text: String,
}

/// A concrete interpersonal goal tied to the focus and to people.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Goal {
    pub title: String,
    #[uniffi(default)]
    pub description: String,
    /// People of the inventory this goal is about.
    #[uniffi(default)]
    pub person_ids: Vec<String>,
    pub status: GoalStatus,
    pub set_at: SystemTime,
    /// In display order. Prefer the milestone operations of the store to
    /// change them; a whole-goal update keeps whatever is listed here.
    #[uniffi(default)]
    pub milestones: Vec<Milestone>,
    /// Barriers and course corrections, oldest first.
    #[uniffi(default)]
    pub course_log: Vec<CourseEvent>,
}

impl From<goal::Goal> for Goal {
    fn from(g: goal::Goal) -> Self {
        let milestones = g
            .ordered_milestones()
            .into_iter()
            .map(|(id, m)| Milestone {
                id: id.to_owned(),
                title: m.title.clone(),
                position: m.position,
                completed_at: m.completed_at.map(system_time),
            })
            .collect();
        Goal {
            title: g.title,
            description: g.description,
            person_ids: g.person_ids.iter().map(ToString::to_string).collect(),
            status: g.status.into(),
            set_at: system_time(g.set_at),
            milestones,
            course_log: g
                .course_log
                .into_iter()
                .map(|e| CourseEvent {
                    id: e.id,
                    kind: e.kind.into(),
                    at: system_time(e.at),
                    text: e.text,
                })
                .collect(),
        }
    }
}

impl TryFrom<Goal> for goal::Goal {
    type Error = StoreError;

    fn try_from(g: Goal) -> Result<Self, StoreError> {
        let mut milestones = std::collections::BTreeMap::new();
        for m in g.milestones {
            let id = item_id("milestones.id", m.id)?.to_string();
            let milestone = goal::Milestone {
                title: m.title,
                position: m.position,
                completed_at: opt_time("milestones.completed_at", m.completed_at)?,
            };
            if milestones.insert(id.clone(), milestone).is_some() {
                return Err(invalid("milestones.id", format!("{id} is listed twice")));
            }
        }
        let course_log = g
            .course_log
            .into_iter()
            .map(|e| {
                Ok(goal::CourseEvent {
                    id: item_id("course_log.id", e.id)?.to_string(),
                    kind: e.kind.into(),
                    at: time("course_log.at", e.at)?,
                    text: e.text,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(goal::Goal {
            title: g.title,
            description: g.description,
            person_ids: g
                .person_ids
                .into_iter()
                .map(|id| item_id("person_ids", id))
                .collect::<Result<_, _>>()?,
            status: g.status.into(),
            set_at: time("set_at", g.set_at)?,
            milestones,
            course_log,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn milestones_listed_twice_are_refused() {
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let m = Milestone {
            id: "m1".into(),
            title: "Ask".into(),
            position: 0,
            completed_at: None,
        };
        let g = Goal {
            title: "Talk".into(),
            description: String::new(),
            person_ids: vec![],
            status: GoalStatus::Active,
            set_at: at,
            milestones: vec![m.clone(), m],
            course_log: vec![],
        };
        let err = goal::Goal::try_from(g).unwrap_err();
        assert_eq!(err.to_string(), "milestones.id: m1 is listed twice");
    }
}
