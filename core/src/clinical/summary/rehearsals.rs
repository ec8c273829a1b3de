//! Rehearsals practised in the range, or whose real outcome happened in it,
//! with what was expected beside what really happened.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use crate::clinical::ClinicalError;
use crate::clinical::load::{self, Gathered};
use crate::clinical::scope::{self, Span, Whose};
use crate::id::ItemId;
use crate::journal::{GotWhatIWanted, Interaction, RelationshipChange};
use crate::record::Item;
use crate::store::Store;

/// A rehearsal with what was expected beside what really happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RehearsalComparison {
    pub id: ItemId,
    pub person_id: ItemId,
    pub person: Option<String>,
    pub scenario: String,
    pub practiced_at: DateTime<Utc>,
    pub what_i_want_to_say: String,
    /// How the client expected the other person to answer.
    pub expected_answer: String,
    pub confidence_before: Option<i32>,
    pub confidence_after: Option<i32>,
    pub outcome: RehearsalOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RehearsalOutcome {
    /// The real conversation has not been logged yet.
    Pending,
    /// Logged, but the interaction is not on this device (not shared, or
    /// deleted).
    Unavailable {
        interaction_id: ItemId,
    },
    Logged(RealOutcome),
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RealOutcome {
    pub interaction_id: ItemId,
    pub at: DateTime<Utc>,
    pub what_they_said: String,
    pub got_what_i_wanted: Option<GotWhatIWanted>,
    pub relationship: Option<RelationshipChange>,
    pub mood_before: Option<i32>,
    pub mood_after: Option<i32>,
}

/// The interactions that rehearsals name as their outcome and that are not
/// among those already read, read by id.
pub(super) fn outcome_interactions(
    store: &Store,
    whose: &Whose,
    record: &Gathered,
) -> Result<HashMap<ItemId, Item<Interaction>>, ClinicalError> {
    let have = load::positions(&record.interactions);
    let missing: Vec<ItemId> = record
        .rehearsals
        .iter()
        .filter_map(|r| r.record.outcome_interaction_id.clone())
        .filter(|id| !have.contains_key(id))
        .collect();
    let mut out: HashMap<ItemId, Item<Interaction>> = record
        .interactions
        .iter()
        .map(|i| (i.id.clone(), i.clone()))
        .collect();
    if !missing.is_empty() {
        let owners = store.owner_map()?;
        for item in store.get_many::<Interaction>(&missing)? {
            let candidate = scope::Candidate {
                owner: owners.get(&item.id),
                kind: DocKind::Interaction,
                person_id: Some(&item.record.person_id),
                shared: item.shared,
            };
            if whose.covers(candidate) {
                out.insert(item.id.clone(), item);
            }
        }
    }
    Ok(out)
}

pub(super) fn comparisons(
    record: &Gathered,
    range: &Span,
    outcomes: &HashMap<ItemId, Item<Interaction>>,
) -> Vec<RehearsalComparison> {
    record
        .rehearsals
        .iter()
        .filter_map(|r| {
            let reh = &r.record;
            let outcome = match &reh.outcome_interaction_id {
                None => RehearsalOutcome::Pending,
                Some(id) => match outcomes.get(id) {
                    None => RehearsalOutcome::Unavailable {
                        interaction_id: id.clone(),
                    },
                    Some(i) => RehearsalOutcome::Logged(RealOutcome {
                        interaction_id: i.id.clone(),
                        at: i.record.occurred_at,
                        what_they_said: i.record.what_they_said.clone(),
                        got_what_i_wanted: i.record.got_what_i_wanted,
                        relationship: i.record.relationship,
                        mood_before: i.record.mood_before,
                        mood_after: i.record.mood_after,
                    }),
                },
            };
            let outcome_in_range =
                matches!(&outcome, RehearsalOutcome::Logged(o) if range.contains(o.at));
            if !range.contains(reh.practiced_at) && !outcome_in_range {
                return None;
            }
            Some(RehearsalComparison {
                id: r.id.clone(),
                person_id: reh.person_id.clone(),
                person: record.person_name(&reh.person_id),
                scenario: reh.scenario.clone(),
                practiced_at: reh.practiced_at,
                what_i_want_to_say: reh.what_i_want_to_say.clone(),
                expected_answer: reh.how_they_may_answer.clone(),
                confidence_before: reh.confidence_before,
                confidence_after: reh.confidence_after,
                outcome,
            })
        })
        .collect()
}
