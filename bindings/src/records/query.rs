//! Lists and search: the filters of `RapportStore::list` and the row each
//! result is.

use std::time::SystemTime;

use rapport_core::store;

use super::{ItemKind, opt_item_id, opt_time, system_time};
use crate::errors::StoreError;

/// One row of a list screen or a search result.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Summary {
    pub id: String,
    pub kind: ItemKind,
    /// When it happened (journal entries, check-ins) or was set; none for
    /// people and the profile.
    pub at: Option<SystemTime>,
    pub person_id: Option<String>,
    pub goal_id: Option<String>,
    pub title: String,
    pub shared: bool,
}

impl From<store::Summary> for Summary {
    fn from(s: store::Summary) -> Self {
        Summary {
            id: s.id.to_string(),
            kind: s.kind.into(),
            at: s.at.map(system_time),
            person_id: s.person_id.map(|id| id.to_string()),
            goal_id: s.goal_id.map(|id| id.to_string()),
            title: s.title,
            shared: s.shared,
        }
    }
}

/// Filters for `RapportStore::list`, newest first. Empty `kinds` means every
/// kind; `limit` 0 means a page of 50 (at most 500).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ListQuery {
    #[uniffi(default)]
    pub kinds: Vec<ItemKind>,
    #[uniffi(default)]
    pub person_id: Option<String>,
    #[uniffi(default)]
    pub goal_id: Option<String>,
    /// Inclusive lower bound on the item's time.
    #[uniffi(default)]
    pub from: Option<SystemTime>,
    /// Exclusive upper bound on the item's time.
    #[uniffi(default)]
    pub to: Option<SystemTime>,
    #[uniffi(default = 0)]
    pub offset: u32,
    #[uniffi(default = 0)]
    pub limit: u32,
}

impl TryFrom<ListQuery> for store::ListQuery {
    type Error = StoreError;

    fn try_from(q: ListQuery) -> Result<Self, StoreError> {
        Ok(store::ListQuery {
            kinds: q.kinds.into_iter().map(Into::into).collect(),
            person_id: opt_item_id("person_id", q.person_id)?,
            goal_id: opt_item_id("goal_id", q.goal_id)?,
            from: opt_time("from", q.from)?,
            to: opt_time("to", q.to)?,
            offset: q.offset,
            limit: q.limit,
        })
    }
}
