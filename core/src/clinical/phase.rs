//! Phase awareness: what a session summary puts first, from the profile's
//! phase. Initial: the interpersonal inventory and the focus. Middle: the
//! work on the focus (the people it concerns, the skills practised).
//! Termination: gains, wins, warning signs and the plan for after.

use chrono::NaiveDate;

use super::load::{Gathered, skill_counts};
use super::scope::Span;
use super::termination::{self, TerminationReview};
use crate::goal::GoalStatus;
use crate::id::ItemId;
use crate::inventory::{DisputeStage, Ring};
use crate::journal::Interaction;
use crate::profile::{Phase, ProblemArea};
use crate::record::Item;

/// What the summary emphasises in the current phase.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Emphasis {
    Initial(InitialEmphasis),
    Middle(MiddleEmphasis),
    Termination(TerminationReview),
}

/// Initial phase: build the inventory, choose the focus, agree the formulation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InitialEmphasis {
    /// The people of the inventory, inner ring first, then by nickname.
    pub inventory: Vec<InventoryEntry>,
    pub problem_area: Option<ProblemArea>,
    pub formulation_accepted_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InventoryEntry {
    pub person_id: ItemId,
    pub nickname: String,
    pub relationship: String,
    pub ring: Ring,
    pub dispute_stage: Option<DisputeStage>,
}

/// Middle phase: the work on the focus with the week's events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MiddleEmphasis {
    pub problem_area: Option<ProblemArea>,
    /// The people the focus concerns: those with a role dispute and those
    /// named by goals not dropped, by nickname.
    pub focus_people: Vec<FocusPerson>,
    /// Skills used in the range's interactions, most used first.
    pub skills_used: Vec<SkillUse>,
    pub active_goals: u32,
    pub sessions_left: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FocusPerson {
    pub person_id: ItemId,
    pub nickname: String,
    pub dispute_stage: Option<DisputeStage>,
    pub interactions_in_range: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SkillUse {
    pub skill: String,
    pub times: u32,
}

fn ring_order(ring: Ring) -> u8 {
    match ring {
        Ring::Inner => 0,
        Ring::Middle => 1,
        Ring::Outer => 2,
    }
}

pub(crate) fn emphasis(
    phase: Phase,
    record: &Gathered,
    range: &Span,
    interactions: &[&Item<Interaction>],
) -> Emphasis {
    let profile = record.profile.as_ref().map(|(p, _)| &p.record);
    let problem_area = profile.and_then(|p| p.problem_area);
    match phase {
        Phase::Initial => {
            let mut inventory: Vec<InventoryEntry> = record
                .people
                .values()
                .map(|p| InventoryEntry {
                    person_id: p.id.clone(),
                    nickname: p.record.nickname.clone(),
                    relationship: p.record.relationship.clone(),
                    ring: p.record.ring,
                    dispute_stage: p.record.dispute_stage(),
                })
                .collect();
            inventory.sort_by(|a, b| {
                (ring_order(a.ring), &a.nickname, &a.person_id).cmp(&(
                    ring_order(b.ring),
                    &b.nickname,
                    &b.person_id,
                ))
            });
            Emphasis::Initial(InitialEmphasis {
                inventory,
                problem_area,
                formulation_accepted_on: profile.and_then(|p| p.formulation_accepted_on),
            })
        }
        Phase::Middle => {
            let mut focus_people: Vec<FocusPerson> = record
                .people
                .values()
                .filter(|p| {
                    !p.record.dispute_history.is_empty()
                        || record.goals.iter().any(|g| {
                            g.record.status != GoalStatus::Dropped
                                && g.record.person_ids.contains(&p.id)
                        })
                })
                .map(|p| FocusPerson {
                    person_id: p.id.clone(),
                    nickname: p.record.nickname.clone(),
                    dispute_stage: p.record.dispute_stage(),
                    interactions_in_range: crate::clinical::count(
                        interactions
                            .iter()
                            .filter(|i| i.record.person_id == p.id)
                            .count(),
                    ),
                })
                .collect();
            focus_people
                .sort_by(|a, b| (&a.nickname, &a.person_id).cmp(&(&b.nickname, &b.person_id)));
            Emphasis::Middle(MiddleEmphasis {
                problem_area,
                focus_people,
                skills_used: skill_counts(interactions.iter().copied())
                    .into_iter()
                    .map(|(skill, times)| SkillUse {
                        skill,
                        times: crate::clinical::count(times),
                    })
                    .collect(),
                active_goals: crate::clinical::count(
                    record
                        .goals
                        .iter()
                        .filter(|g| g.record.status == GoalStatus::Active)
                        .count(),
                ),
                sessions_left: profile
                    .map_or(0, |p| p.session_count.saturating_sub(p.current_session)),
            })
        }
        // The review looks back over the whole course up to the range's end.
        Phase::Termination => Emphasis::Termination(termination::review(record, range.end())),
    }
}
