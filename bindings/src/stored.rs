//! Stored items as the shells get them: the core's `Item<R>` is generic,
//! which the FFI cannot carry, so each record kind has its stored form here:
//! the envelope (`ItemMeta`: id, shared, created and updated) and the
//! core's record itself, never a copy of its fields. What a saved check-in
//! brings back (crisis resources) and a PHQ-9's derived total and band
//! travel beside them.

use rapport_core::Item;
use rapport_core::checkin::{CheckInSaved, MoodCheckIn, Phq9CheckIn, Phq9Severity};
use rapport_core::goal::Goal;
use rapport_core::inventory::{DisputeStage, Person};
use rapport_core::journal::{Interaction, Reflection, Win};
use rapport_core::note::Note;
use rapport_core::profile::Profile;
use rapport_core::record::ItemMeta;
use rapport_core::rehearsal::Rehearsal;
use rapport_core::safety::SafetyAlert;

/// One stored form per record kind: `meta` and the record under its name.
macro_rules! stored {
    ($($(#[$doc:meta])* $name:ident { $field:ident: $record:ty })+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, uniffi::Record)]
        pub struct $name {
            pub meta: ItemMeta,
            pub $field: $record,
        }

        impl From<Item<$record>> for $name {
            fn from(item: Item<$record>) -> Self {
                $name {
                    meta: item.meta,
                    $field: item.record,
                }
            }
        }
    )+};
}

stored! {
    StoredInteraction { interaction: Interaction }
    StoredWin { win: Win }
    StoredReflection { reflection: Reflection }
    StoredGoal { goal: Goal }
    StoredProfile { profile: Profile }
    StoredMoodCheckIn { check_in: MoodCheckIn }
    StoredRehearsal { rehearsal: Rehearsal }
    /// A therapist's feedback note (read-only on the client's devices).
    StoredNote { note: Note }
}

/// A person of the inventory, with the current stage of a role dispute
/// with them (the last of `person.dispute_history`), if any.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StoredPerson {
    pub meta: ItemMeta,
    pub person: Person,
    pub dispute_stage: Option<DisputeStage>,
}

impl From<Item<Person>> for StoredPerson {
    fn from(item: Item<Person>) -> Self {
        StoredPerson {
            dispute_stage: item.record.dispute_stage(),
            meta: item.meta,
            person: item.record,
        }
    }
}

/// A PHQ-9 check-in with its total (0 to 27) and severity band.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StoredPhq9CheckIn {
    pub meta: ItemMeta,
    pub check_in: Phq9CheckIn,
    pub total: i32,
    pub severity: Phq9Severity,
}

impl From<Item<Phq9CheckIn>> for StoredPhq9CheckIn {
    fn from(item: Item<Phq9CheckIn>) -> Self {
        StoredPhq9CheckIn {
            total: item.record.total(),
            severity: item.record.severity(),
            meta: item.meta,
            check_in: item.record,
        }
    }
}

/// A saved mood check-in, and crisis resources if it was marked a crisis.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MoodCheckInSaved {
    pub item: StoredMoodCheckIn,
    pub safety_alert: Option<SafetyAlert>,
}

impl From<CheckInSaved<MoodCheckIn>> for MoodCheckInSaved {
    fn from(saved: CheckInSaved<MoodCheckIn>) -> Self {
        MoodCheckInSaved {
            item: saved.item.into(),
            safety_alert: saved.safety_alert,
        }
    }
}

/// A saved PHQ-9, and crisis resources if item 9 was above 0.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Phq9CheckInSaved {
    pub item: StoredPhq9CheckIn,
    pub safety_alert: Option<SafetyAlert>,
}

impl From<CheckInSaved<Phq9CheckIn>> for Phq9CheckInSaved {
    fn from(saved: CheckInSaved<Phq9CheckIn>) -> Self {
        Phq9CheckInSaved {
            item: saved.item.into(),
            safety_alert: saved.safety_alert,
        }
    }
}
