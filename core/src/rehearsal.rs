//! Rehearsals (role play) of a hard conversation to come: what I want to say,
//! how they may answer, my confidence before and after practice, and later
//! the interaction that logged the real outcome, so expectation and result
//! can be compared.

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use crate::error::Result;
use crate::id::ItemId;
use crate::record::{IndexEntry, Record, limit_text, opt_in_range, require_text};

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Rehearsal {
    pub person_id: ItemId,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub scenario: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub what_i_want_to_say: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::text")]
    pub how_they_may_answer: String,
    /// Confidence 0 (none) to 10 (full), before and after practice.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::opt_score")]
    pub confidence_before: Option<i32>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[autosurgeon(with = "crate::doc::opt_score")]
    pub confidence_after: Option<i32>,
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub practiced_at: DateTime<Utc>,
    /// The interaction that logged how the real conversation went.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub outcome_interaction_id: Option<ItemId>,
}

impl Record for Rehearsal {
    const KIND: DocKind = DocKind::Rehearsal;

    fn validate(&self) -> Result<()> {
        require_text("person_id", self.person_id.as_str())?;
        require_text("scenario", &self.scenario)?;
        limit_text("what_i_want_to_say", &self.what_i_want_to_say)?;
        limit_text("how_they_may_answer", &self.how_they_may_answer)?;
        opt_in_range("confidence_before", self.confidence_before, 10)?;
        opt_in_range("confidence_after", self.confidence_after, 10)
    }

    fn index(&self) -> IndexEntry {
        IndexEntry {
            at: Some(self.practiced_at),
            person_id: Some(self.person_id.clone()),
            goal_id: None,
            title: self.scenario.clone(),
            text: vec![
                self.scenario.clone(),
                self.what_i_want_to_say.clone(),
                self.how_they_may_answer.clone(),
            ],
        }
    }
}
