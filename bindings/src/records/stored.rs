//! Stored items: a record with its envelope (`ItemMeta`), as the store
//! returns it, plus what a saved check-in brings back with it.

use rapport_core::{Item, checkin, goal, inventory, journal, note, profile, rehearsal};

use super::{
    DisputeStage, Goal, Interaction, ItemMeta, MoodCheckIn, Note, Person, Phq9CheckIn,
    Phq9Severity, Profile, Reflection, Rehearsal, SafetyAlert, Win,
};

macro_rules! stored {
    ($(#[$meta:meta])* $name:ident { $field:ident: $ffi:ident } = $core:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
        pub struct $name {
            pub meta: ItemMeta,
            pub $field: $ffi,
        }

        impl From<Item<$core>> for $name {
            fn from(item: Item<$core>) -> Self {
                $name {
                    meta: ItemMeta::from(&item),
                    $field: item.record.into(),
                }
            }
        }
    };
}

stored!(
    StoredInteraction {
        interaction: Interaction
    } = journal::Interaction
);
stored!(StoredWin { win: Win } = journal::Win);
stored!(
    StoredReflection {
        reflection: Reflection
    } = journal::Reflection
);
stored!(StoredGoal { goal: Goal } = goal::Goal);
stored!(StoredProfile { profile: Profile } = profile::Profile);
stored!(
    StoredMoodCheckIn {
        check_in: MoodCheckIn
    } = checkin::MoodCheckIn
);
stored!(
    StoredRehearsal {
        rehearsal: Rehearsal
    } = rehearsal::Rehearsal
);
stored!(StoredNote { note: Note } = note::Note);

/// A person of the inventory, with the current stage of a role dispute
/// with them (the last of `person.dispute_history`), if any.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoredPerson {
    pub meta: ItemMeta,
    pub person: Person,
    pub dispute_stage: Option<DisputeStage>,
}

impl From<Item<inventory::Person>> for StoredPerson {
    fn from(item: Item<inventory::Person>) -> Self {
        StoredPerson {
            meta: ItemMeta::from(&item),
            dispute_stage: item.record.dispute_stage().map(Into::into),
            person: item.record.into(),
        }
    }
}

/// A PHQ-9 check-in with its total (0 to 27) and severity band.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoredPhq9CheckIn {
    pub meta: ItemMeta,
    pub check_in: Phq9CheckIn,
    pub total: u8,
    pub severity: Phq9Severity,
}

impl From<Item<checkin::Phq9CheckIn>> for StoredPhq9CheckIn {
    fn from(item: Item<checkin::Phq9CheckIn>) -> Self {
        StoredPhq9CheckIn {
            meta: ItemMeta::from(&item),
            total: item.record.total(),
            severity: item.record.severity().into(),
            check_in: item.record.into(),
        }
    }
}

/// A saved mood check-in, and crisis resources if it was marked a crisis.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoodCheckInSaved {
    pub item: StoredMoodCheckIn,
    pub safety_alert: Option<SafetyAlert>,
}

impl From<checkin::CheckInSaved<checkin::MoodCheckIn>> for MoodCheckInSaved {
    fn from(saved: checkin::CheckInSaved<checkin::MoodCheckIn>) -> Self {
        MoodCheckInSaved {
            item: saved.item.into(),
            safety_alert: saved.safety_alert.map(Into::into),
        }
    }
}

/// A saved PHQ-9, and crisis resources if item 9 was above 0.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Phq9CheckInSaved {
    pub item: StoredPhq9CheckIn,
    pub safety_alert: Option<SafetyAlert>,
}

impl From<checkin::CheckInSaved<checkin::Phq9CheckIn>> for Phq9CheckInSaved {
    fn from(saved: checkin::CheckInSaved<checkin::Phq9CheckIn>) -> Self {
        Phq9CheckInSaved {
            item: saved.item.into(),
            safety_alert: saved.safety_alert.map(Into::into),
        }
    }
}
