//! Changes in the interpersonal inventory over the range: role disputes
//! changing stage.

use chrono::{DateTime, Utc};

use crate::clinical::load::Gathered;
use crate::clinical::scope::Span;
use crate::id::ItemId;
use crate::inventory::DisputeStage;

/// A change in the interpersonal inventory: a role dispute changing stage.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InventoryChange {
    pub person_id: ItemId,
    pub person: String,
    /// The stage before, `None` when the dispute was first recorded.
    pub from: Option<DisputeStage>,
    pub to: DisputeStage,
    pub at: DateTime<Utc>,
    pub note: String,
}

pub(super) fn changes(record: &Gathered, range: &Span) -> Vec<InventoryChange> {
    let mut changes: Vec<InventoryChange> = record
        .people
        .values()
        .flat_map(|p| {
            let history = &p.record.dispute_history;
            history.iter().enumerate().filter_map(move |(n, change)| {
                if !range.contains(change.at) {
                    return None;
                }
                Some(InventoryChange {
                    person_id: p.id.clone(),
                    person: p.record.nickname.clone(),
                    from: n.checked_sub(1).map(|prev| history[prev].stage),
                    to: change.stage,
                    at: change.at,
                    note: change.note.clone(),
                })
            })
        })
        .collect();
    changes.sort_by(|a, b| (a.at, &a.person_id).cmp(&(b.at, &b.person_id)));
    changes
}
