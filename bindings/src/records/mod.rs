//! The record kinds as Kotlin and Swift see them, and the one place that
//! converts them to and from the core's records.
//!
//! Mirrors, not new concepts: each type here has the core type of the same
//! name behind it, in the file named after the core module (`journal`,
//! `goal`, `inventory`, `profile`, `checkin`, `rehearsal`, `note`), with its
//! conversions beside it; `stored` wraps them in their envelope and `query`
//! holds list filters and rows. At the FFI ids are strings, times
//! `SystemTime` (Kotlin `java.time.Instant`, Swift `Date`) and calendar dates
//! ISO `YYYY-MM-DD` strings. Times are kept to the millisecond, as the record
//! stores them, so what a shell writes is exactly what it reads back. A bad
//! id, date or time is refused with `StoreError::Invalid` before anything is
//! written.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::{DocKind, Item, ItemId};

use crate::errors::StoreError;

/// Mirrors a fieldless core enum: same variants, `From` both ways.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident = $core:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<$core> for $name {
            fn from(value: $core) -> Self {
                use $core as Core;
                match value {
                    $(Core::$variant => $name::$variant),+
                }
            }
        }

        impl From<$name> for $core {
            fn from(value: $name) -> Self {
                use $core as Core;
                match value {
                    $($name::$variant => Core::$variant),+
                }
            }
        }
    };
}

// Declared after `mirror_enum!`, so that every record file can use it.
mod checkin;
mod goal;
mod inventory;
mod journal;
mod note;
mod profile;
mod query;
mod rehearsal;
mod stored;

pub use checkin::{
    AlertReason, CrisisContact, CrisisResource, MoodCheckIn, Phq9CheckIn, Phq9Severity, SafetyAlert,
};
pub use goal::{CourseEvent, CourseEventKind, Goal, GoalStatus, Milestone};
pub use inventory::{DisputeStage, Person, Ring, StageChange};
pub use journal::{
    Channel, Feeling, GoalLink, GotWhatIWanted, Initiator, Interaction, Reflection,
    RelationshipChange, Win,
};
pub use note::{Note, NoteSubject};
pub use profile::{Phase, ProblemArea, Profile};
pub use query::{ListQuery, Summary};
pub use rehearsal::Rehearsal;
pub use stored::{
    MoodCheckInSaved, Phq9CheckInSaved, StoredGoal, StoredInteraction, StoredMoodCheckIn,
    StoredNote, StoredPerson, StoredPhq9CheckIn, StoredProfile, StoredReflection, StoredRehearsal,
    StoredWin,
};

// ---------------------------------------------------------------------------
// Conversion helpers: the only place where ids, times and dates cross.

fn invalid(field: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// An id from a shell: must name something (not empty, no surrounding space).
pub(crate) fn item_id(field: &str, id: String) -> Result<ItemId, StoreError> {
    if id.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if id.trim() != id {
        return Err(invalid(field, "must not start or end with a space"));
    }
    Ok(ItemId::new(id))
}

fn opt_item_id(field: &str, id: Option<String>) -> Result<Option<ItemId>, StoreError> {
    id.map(|id| item_id(field, id)).transpose()
}

/// A time from a shell, to the millisecond (how the record stores times).
pub(crate) fn time(field: &str, at: SystemTime) -> Result<DateTime<Utc>, StoreError> {
    let millis = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).ok(),
        // Before 1970: round towards the past, like the millisecond stored.
        Err(before) => i64::try_from(before.duration().as_micros().div_ceil(1000))
            .ok()
            .map(|ms| -ms),
    };
    millis
        .and_then(DateTime::from_timestamp_millis)
        .ok_or_else(|| invalid(field, "is outside the range of dates Rapport keeps"))
}

fn opt_time(field: &str, at: Option<SystemTime>) -> Result<Option<DateTime<Utc>>, StoreError> {
    at.map(|at| time(field, at)).transpose()
}

pub(crate) fn system_time(at: DateTime<Utc>) -> SystemTime {
    let millis = at.timestamp_millis();
    let magnitude = Duration::from_millis(millis.unsigned_abs());
    if millis >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}

/// An ISO calendar date, `YYYY-MM-DD`.
pub(crate) fn date(field: &str, text: &str) -> Result<NaiveDate, StoreError> {
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(invalid(
            field,
            format!("{text:?} is not a date (YYYY-MM-DD)"),
        ));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| invalid(field, format!("{text} is not a day of the calendar")))
}

fn opt_date(field: &str, text: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    text.map(|t| date(field, &t)).transpose()
}

pub(crate) fn iso_date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

// ---------------------------------------------------------------------------
// What every item has.

mirror_enum! {
    /// The kind of an item (one per record type).
    ItemKind = DocKind {
        Profile,
        Interaction,
        Win,
        Reflection,
        Goal,
        Person,
        MoodCheckIn,
        Phq9CheckIn,
        Rehearsal,
        /// A therapist's feedback note (read-only to the client).
        Note,
    }
}

/// The envelope of an item: its id, whether the therapist may see it, and
/// when it was made and last changed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ItemMeta {
    pub id: String,
    /// Shared with the client's therapist.
    pub shared: bool,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

impl<R> From<&Item<R>> for ItemMeta {
    fn from(item: &Item<R>) -> Self {
        ItemMeta {
            id: item.id.to_string(),
            shared: item.shared,
            created_at: system_time(item.created_at),
            updated_at: system_time(item.updated_at),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn times_cross_to_the_millisecond_both_ways() {
        let at = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
        let core = time("at", at).unwrap();
        assert_eq!(core.timestamp_millis(), 1_700_000_000_123);
        assert_eq!(
            system_time(core),
            UNIX_EPOCH + Duration::from_millis(1_700_000_000_123)
        );
        let before = UNIX_EPOCH - Duration::from_micros(1_500);
        assert_eq!(time("at", before).unwrap().timestamp_millis(), -2);
        assert_eq!(
            system_time(DateTime::from_timestamp_millis(-2).unwrap()),
            UNIX_EPOCH - Duration::from_millis(2)
        );
    }

    #[test]
    fn dates_must_be_iso_days() {
        assert_eq!(
            iso_date(date("d", "2025-02-28").unwrap()),
            "2025-02-28".to_owned()
        );
        for bad in [
            "2025-02-30",
            "2025-2-28",
            "28/02/2025",
            "",
            "2025-02-28T00:00",
        ] {
            assert!(
                matches!(date("d", bad), Err(StoreError::Invalid { ref field, .. }) if field == "d"),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_empty_id_is_invalid() {
        let err = item_id("person_id", "  ".into()).unwrap_err();
        assert_eq!(err.to_string(), "person_id: must not be empty");
    }
}
