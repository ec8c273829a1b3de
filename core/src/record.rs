//! What every kind of item has in common: a kind, validation, and the fields
//! the list/search index derives from it.

use std::fmt::Debug;

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use crate::error::{Error, Result};
use crate::id::ItemId;

/// A typed record stored as one Automerge document.
pub trait Record: Reconcile + Hydrate + Clone + Debug + PartialEq + Send + 'static {
    /// The kind of document this record is stored as.
    const KIND: DocKind;

    /// Rejects empty required fields and out-of-range values.
    fn validate(&self) -> Result<()>;

    /// The fields the list and search index derive from this record.
    fn index(&self) -> IndexEntry;
}

/// Derived, rebuildable fields of one item for list screens and search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexEntry {
    /// When it happened (for journal entries and check-ins) or was made.
    pub at: Option<DateTime<Utc>>,
    /// The person of the inventory it is about, if any.
    pub person_id: Option<ItemId>,
    /// The goal it is linked to, if any.
    pub goal_id: Option<ItemId>,
    /// A short line for list screens.
    pub title: String,
    /// Every free-text field, for full-text search.
    pub text: Vec<String>,
}

/// What every stored item carries besides its record: its id, whether it is
/// shared, and when it was made and last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ItemMeta {
    pub id: ItemId,
    /// Shared with the client's therapist (sync enforces it).
    pub shared: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A record with its id and envelope metadata, as the API returns it. The
/// envelope's fields read through the item (`item.id`, `item.shared`).
#[derive(Debug, Clone, PartialEq)]
pub struct Item<R> {
    pub meta: ItemMeta,
    pub record: R,
}

impl<R> std::ops::Deref for Item<R> {
    type Target = ItemMeta;

    fn deref(&self) -> &ItemMeta {
        &self.meta
    }
}

// Validation helpers shared by the record kinds.

pub(crate) fn require_text(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > MAX_TEXT_BYTES {
        return Err(Error::invalid(
            field,
            format!("is longer than {MAX_TEXT_BYTES} bytes"),
        ));
    }
    Ok(())
}

pub(crate) fn limit_text(field: &'static str, value: &str) -> Result<()> {
    if value.len() > MAX_TEXT_BYTES {
        return Err(Error::invalid(
            field,
            format!("is longer than {MAX_TEXT_BYTES} bytes"),
        ));
    }
    Ok(())
}

pub(crate) fn in_range(field: &'static str, value: i32, max: i32) -> Result<()> {
    if !(0..=max).contains(&value) {
        return Err(Error::invalid(
            field,
            format!("must be between 0 and {max}, got {value}"),
        ));
    }
    Ok(())
}

pub(crate) fn opt_in_range(field: &'static str, value: Option<i32>, max: i32) -> Result<()> {
    value.map_or(Ok(()), |v| in_range(field, v, max))
}

/// The largest free-text field accepted (a long journal entry fits many times).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
