//! What the session summary emphasises in each phase of IPT: the inventory
//! and focus at first, the work on the focus in the middle, the review at
//! the end.

use rapport_core::clinical as core;

use super::{TerminationReview, count, day};
use crate::records::{DisputeStage, ProblemArea, Ring};

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
