//! Therapist notes: feedback on an item or a week, readable by the client
//! and never writable by them.

use std::time::SystemTime;

use rapport_core::note;

use super::{date, iso_date, item_id, system_time, time};
use crate::errors::StoreError;

/// What a therapist's note is about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum NoteSubject {
    /// A journal entry, goal or other item of the client's.
    Item { id: String },
    /// The week starting on this date (a Monday), `YYYY-MM-DD`.
    Week { starting: String },
}

/// A therapist's feedback note: readable by the client, never writable by them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Note {
    /// The account id of the client the note is for.
    pub client_id: String,
    pub subject: NoteSubject,
    pub text: String,
    pub written_at: SystemTime,
}

impl From<note::Note> for Note {
    fn from(n: note::Note) -> Self {
        Note {
            client_id: n.client_id,
            subject: match n.subject {
                note::NoteSubject::Item { id } => NoteSubject::Item { id: id.to_string() },
                note::NoteSubject::Week { starting } => NoteSubject::Week {
                    starting: iso_date(starting),
                },
            },
            text: n.text,
            written_at: system_time(n.written_at),
        }
    }
}

impl TryFrom<Note> for note::Note {
    type Error = StoreError;

    fn try_from(n: Note) -> Result<Self, StoreError> {
        Ok(note::Note {
            client_id: n.client_id,
            subject: match n.subject {
                NoteSubject::Item { id } => note::NoteSubject::Item {
                    id: item_id("subject.id", id)?,
                },
                NoteSubject::Week { starting } => note::NoteSubject::Week {
                    starting: date("subject.starting", &starting)?,
                },
            },
            text: n.text,
            written_at: time("written_at", n.written_at)?,
        })
    }
}
