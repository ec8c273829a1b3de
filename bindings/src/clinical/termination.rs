//! The end of therapy: the termination review (gains, wins, warning signs)
//! and the client's plan for after the last session.

use std::time::SystemTime;

use rapport_core::clinical as core;
use rapport_core::profile::AfterCarePlan as CorePlan;

use super::{WinEntry, count};
use crate::records::{DisputeStage, Phq9Severity, system_time};

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

/// Warning signs and what the client will do after the last session.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct AfterCarePlan {
    pub warning_signs: Vec<String>,
    pub plan_for_after: String,
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

impl From<CorePlan> for AfterCarePlan {
    fn from(p: CorePlan) -> Self {
        AfterCarePlan {
            warning_signs: p.warning_signs,
            plan_for_after: p.plan_for_after,
        }
    }
}
