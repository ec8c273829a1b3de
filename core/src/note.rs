//! A therapist's feedback note on an entry, a goal or a week. Notes are the
//! therapist's own documents: readable by the client, never writable by them
//! (the server enforces it).

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, NaiveDate, Utc};
use rapport_protocol::{AccountId, DocKind};

use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::record::{IndexEntry, Record, require_text};

/// What a note is about.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum NoteSubject {
    /// A journal entry, goal or other item of the client's.
    Item { id: ItemId },
    /// The week starting on this date (a Monday).
    Week {
        #[autosurgeon(with = "crate::doc::date")]
        starting: NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Note {
    /// The account id of the client the note is for; the note is shared
    /// with that client only.
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub client_id: AccountId,
    pub subject: NoteSubject,
    #[autosurgeon(with = "crate::doc::text")]
    pub text: String,
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub written_at: DateTime<Utc>,
}

impl Record for Note {
    const KIND: DocKind = DocKind::Note;

    fn validate(&self) -> Result<()> {
        require_text("text", &self.text)?;
        require_text("client_id", self.client_id.as_str())?;
        if let NoteSubject::Item { id } = &self.subject
            && id.as_str().is_empty()
        {
            return Err(Error::invalid("subject", "names no item"));
        }
        Ok(())
    }

    fn index(&self) -> IndexEntry {
        IndexEntry {
            at: Some(self.written_at),
            person_id: None,
            goal_id: None,
            title: crate::journal::first_line(&self.text, "Note"),
            text: vec![self.text.clone()],
        }
    }
}
