//! The interpersonal inventory: the important people in the client's life on
//! the closeness circle, what each relationship gives and where it goes
//! wrong, and for a role dispute its stage with the history of changes.
//! A stage change is [`crate::Store::set_dispute_stage`] (`items/inventory.rs`).

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use crate::error::Result;
use crate::record::{IndexEntry, Record, limit_text, require_text};

/// The rings of the closeness circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Ring {
    Inner,
    Middle,
    Outer,
}

/// Stage of a role dispute (IPT.md): it changes over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DisputeStage {
    Renegotiation,
    Impasse,
    Dissolution,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StageChange {
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub stage: DisputeStage,
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub at: DateTime<Utc>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Person {
    /// A nickname or initials: the client need not write a full name.
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub nickname: String,
    /// E.g. "partner", "mother", "manager".
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub relationship: String,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub ring: Ring,
    /// What the relationship gives me.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub gives: String,
    /// What goes wrong in it.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub goes_wrong: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub my_expectations: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub their_expectations: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub notes: String,
    /// Every stage change of a role dispute with this person, oldest first;
    /// the last one is the current stage. Empty when there is no dispute.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub dispute_history: Vec<StageChange>,
}

impl Person {
    pub fn new(nickname: impl Into<String>, relationship: impl Into<String>, ring: Ring) -> Self {
        Person {
            nickname: nickname.into(),
            relationship: relationship.into(),
            ring,
            gives: String::new(),
            goes_wrong: String::new(),
            my_expectations: String::new(),
            their_expectations: String::new(),
            notes: String::new(),
            dispute_history: Vec::new(),
        }
    }

    /// The current stage of a role dispute with this person, if any.
    pub fn dispute_stage(&self) -> Option<DisputeStage> {
        self.dispute_history.last().map(|c| c.stage)
    }
}

impl Record for Person {
    const KIND: DocKind = DocKind::Person;

    fn validate(&self) -> Result<()> {
        require_text("nickname", &self.nickname)?;
        limit_text("relationship", &self.relationship)?;
        for (field, text) in [
            ("gives", &self.gives),
            ("goes_wrong", &self.goes_wrong),
            ("my_expectations", &self.my_expectations),
            ("their_expectations", &self.their_expectations),
            ("notes", &self.notes),
        ] {
            limit_text(field, text)?;
        }
        for change in &self.dispute_history {
            limit_text("dispute_history.note", &change.note)?;
        }
        Ok(())
    }

    fn index(&self) -> IndexEntry {
        let mut text = vec![
            self.nickname.clone(),
            self.relationship.clone(),
            self.gives.clone(),
            self.goes_wrong.clone(),
            self.my_expectations.clone(),
            self.their_expectations.clone(),
            self.notes.clone(),
        ];
        text.extend(self.dispute_history.iter().map(|c| c.note.clone()));
        IndexEntry {
            at: None,
            person_id: None,
            goal_id: None,
            title: self.nickname.clone(),
            text,
        }
    }
}
