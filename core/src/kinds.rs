//! The registry of record kinds: from a document's kind to its typed record.
//! The one place that knows every kind, so the index can be derived from any
//! document without knowing its type in advance.

use automerge::AutoCommit;
use rapport_protocol::DocKind;

use crate::checkin::{MoodCheckIn, Phq9CheckIn};
use crate::doc;
use crate::error::Result;
use crate::goal::Goal;
use crate::id::ItemId;
use crate::inventory::Person;
use crate::journal::{Interaction, Reflection, Win};
use crate::kind_share::KindShare;
use crate::note::Note;
use crate::profile::Profile;
use crate::record::{IndexEntry, Record};
use crate::rehearsal::Rehearsal;

/// Derives the index entry of a live document of `kind`.
pub fn index_entry(kind: DocKind, document: &AutoCommit, id: &ItemId) -> Result<IndexEntry> {
    fn entry<R: Record>(document: &AutoCommit, id: &ItemId) -> Result<IndexEntry> {
        Ok(doc::read_record::<R>(document, id)?.index())
    }
    match kind {
        DocKind::Profile => entry::<Profile>(document, id),
        DocKind::Interaction => entry::<Interaction>(document, id),
        DocKind::Win => entry::<Win>(document, id),
        DocKind::Reflection => entry::<Reflection>(document, id),
        DocKind::Goal => entry::<Goal>(document, id),
        DocKind::Person => entry::<Person>(document, id),
        DocKind::MoodCheckIn => entry::<MoodCheckIn>(document, id),
        DocKind::Phq9CheckIn => entry::<Phq9CheckIn>(document, id),
        DocKind::Rehearsal => entry::<Rehearsal>(document, id),
        DocKind::Note => entry::<Note>(document, id),
        DocKind::KindShare => entry::<KindShare>(document, id),
    }
}
