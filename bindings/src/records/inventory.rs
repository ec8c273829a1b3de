//! The interpersonal inventory: the important people in the client's life,
//! their ring of closeness and the stages of a role dispute with them.

use std::time::SystemTime;

use rapport_core::inventory;

use super::{system_time, time};
use crate::errors::StoreError;

mirror_enum! {
    /// The rings of the closeness circle.
    Ring = inventory::Ring { Inner, Middle, Outer }
}

mirror_enum! {
    /// Stage of a role dispute; it changes over time.
    DisputeStage = inventory::DisputeStage { Renegotiation, Impasse, Dissolution }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StageChange {
    pub stage: DisputeStage,
    pub at: SystemTime,
    #[uniffi(default)]
    pub note: String,
}

/// An important person in the client's life.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Person {
    /// A nickname or initials: the client need not write a full name.
    pub nickname: String,
    /// E.g. "partner", "mother", "manager".
    #[uniffi(default)]
    pub relationship: String,
    pub ring: Ring,
    /// What the relationship gives me.
    #[uniffi(default)]
    pub gives: String,
    /// What goes wrong in it.
    #[uniffi(default)]
    pub goes_wrong: String,
    #[uniffi(default)]
    pub my_expectations: String,
    #[uniffi(default)]
    pub their_expectations: String,
    #[uniffi(default)]
    pub notes: String,
    /// Every stage change of a role dispute with this person, oldest first;
    /// the last is the current stage (see `StoredPerson::dispute_stage`).
    #[uniffi(default)]
    pub dispute_history: Vec<StageChange>,
}

impl From<inventory::Person> for Person {
    fn from(p: inventory::Person) -> Self {
        Person {
            nickname: p.nickname,
            relationship: p.relationship,
            ring: p.ring.into(),
            gives: p.gives,
            goes_wrong: p.goes_wrong,
            my_expectations: p.my_expectations,
            their_expectations: p.their_expectations,
            notes: p.notes,
            dispute_history: p
                .dispute_history
                .into_iter()
                .map(|c| StageChange {
                    stage: c.stage.into(),
                    at: system_time(c.at),
                    note: c.note,
                })
                .collect(),
        }
    }
}

impl TryFrom<Person> for inventory::Person {
    type Error = StoreError;

    fn try_from(p: Person) -> Result<Self, StoreError> {
        Ok(inventory::Person {
            nickname: p.nickname,
            relationship: p.relationship,
            ring: p.ring.into(),
            gives: p.gives,
            goes_wrong: p.goes_wrong,
            my_expectations: p.my_expectations,
            their_expectations: p.their_expectations,
            notes: p.notes,
            dispute_history: p
                .dispute_history
                .into_iter()
                .map(|c| {
                    Ok(inventory::StageChange {
                        stage: c.stage.into(),
                        at: time("dispute_history.at", c.at)?,
                        note: c.note,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        })
    }
}
