//! Rehearsals: a hard conversation practised before it happens, later linked
//! to the interaction that logged the real outcome.

use std::time::SystemTime;

use rapport_core::rehearsal;

use super::{item_id, opt_item_id, system_time, time};
use crate::errors::StoreError;

/// A hard conversation to come, practised: what I want to say, how they may
/// answer, confidence before and after (0 none to 10 full), and later the
/// interaction that logged the real outcome.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Rehearsal {
    pub person_id: String,
    pub scenario: String,
    #[uniffi(default)]
    pub what_i_want_to_say: String,
    #[uniffi(default)]
    pub how_they_may_answer: String,
    #[uniffi(default)]
    pub confidence_before: Option<u8>,
    #[uniffi(default)]
    pub confidence_after: Option<u8>,
    pub practiced_at: SystemTime,
    #[uniffi(default)]
    pub outcome_interaction_id: Option<String>,
}

impl From<rehearsal::Rehearsal> for Rehearsal {
    fn from(r: rehearsal::Rehearsal) -> Self {
        Rehearsal {
            person_id: r.person_id.to_string(),
            scenario: r.scenario,
            what_i_want_to_say: r.what_i_want_to_say,
            how_they_may_answer: r.how_they_may_answer,
            confidence_before: r.confidence_before,
            confidence_after: r.confidence_after,
            practiced_at: system_time(r.practiced_at),
            outcome_interaction_id: r.outcome_interaction_id.map(|id| id.to_string()),
        }
    }
}

impl TryFrom<Rehearsal> for rehearsal::Rehearsal {
    type Error = StoreError;

    fn try_from(r: Rehearsal) -> Result<Self, StoreError> {
        Ok(rehearsal::Rehearsal {
            person_id: item_id("person_id", r.person_id)?,
            scenario: r.scenario,
            what_i_want_to_say: r.what_i_want_to_say,
            how_they_may_answer: r.how_they_may_answer,
            confidence_before: r.confidence_before,
            confidence_after: r.confidence_after,
            practiced_at: time("practiced_at", r.practiced_at)?,
            outcome_interaction_id: opt_item_id(
                "outcome_interaction_id",
                r.outcome_interaction_id,
            )?,
        })
    }
}
