//! Operations on a stored person of the interpersonal inventory.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::id::ItemId;
use crate::inventory::{DisputeStage, Person, StageChange};
use crate::record::{Item, limit_text};
use crate::store::Store;

impl Store {
    /// Records that a role dispute with this person moved to `stage`.
    pub fn set_dispute_stage(
        &self,
        person_id: &ItemId,
        stage: DisputeStage,
        at: DateTime<Utc>,
        note: &str,
    ) -> Result<Item<Person>> {
        limit_text("note", note)?;
        self.modify(person_id, |person: &mut Person| {
            person.dispute_history.push(StageChange {
                stage,
                at,
                note: note.to_owned(),
            });
            Ok(())
        })
    }
}
