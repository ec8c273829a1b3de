//! Item ids: every item of the record is named by a random UUID, chosen on
//! the device that created it so that offline devices never collide.

use std::fmt;

use autosurgeon::{Hydrate, HydrateError, ReadDoc, Reconcile};
use serde::{Deserialize, Serialize};

/// The id of one item (one Automerge document) of the record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile)]
#[serde(transparent)]
pub struct ItemId(String);

impl ItemId {
    /// A fresh random id.
    pub fn random() -> Self {
        ItemId(uuid::Uuid::new_v4().to_string())
    }

    /// Wraps an id received from elsewhere (the UI, the server).
    pub fn new(id: impl Into<String>) -> Self {
        ItemId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// Hand-written rather than derived: the derived newtype impl only overrides
// `hydrate`, but `Option<ItemId>` hydrates a present value through
// `hydrate_string`, so every `Option<ItemId>` field failed to read back
// ("unexpected string"). Ids are written as scalar strings; one written as
// Text (by another Automerge implementation) reads too.
impl Hydrate for ItemId {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Ok(ItemId(s.to_owned()))
    }

    fn hydrate_text<D: ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, HydrateError> {
        Ok(ItemId(doc.text(obj)?))
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ItemId {
    fn from(value: &str) -> Self {
        ItemId(value.to_owned())
    }
}
