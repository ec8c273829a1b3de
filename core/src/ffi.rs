//! How the core's own types cross the FFI (feature `uniffi`, ADR 0010).
//!
//! The record kinds, queries, views and the sync engine's reports derive
//! `uniffi::Record` / `uniffi::Enum` where they are defined; the bindings
//! crate holds only the objects, their methods and the error mapping. Here
//! are the custom types the core adds to the protocol's (ids, instants):
//! a calendar day, which crosses as its ISO 8601 text (`YYYY-MM-DD`) and is
//! `java.time.LocalDate` in Kotlin and `CalendarDay` in Swift (each crate's
//! `uniffi.toml`).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::goal::Milestone;

// The instant type is the protocol's (`DateTime<Utc>` as `SystemTime`).
use rapport_protocol::ffi::Timestamp;
uniffi::use_remote_type!(rapport_protocol::Timestamp);

/// A calendar day in the client's own time zone (no time, no zone).
pub type CalendarDay = NaiveDate;

uniffi::custom_type!(CalendarDay, String, {
    remote,
    lower: |day| day.format("%Y-%m-%d").to_string(),
    try_lift: |iso| Ok(NaiveDate::parse_from_str(&iso, "%Y-%m-%d")?),
});

/// A goal's milestones by id, as the goal stores them (so that concurrent
/// edits of different milestones merge): a map on the foreign side too
/// (Kotlin `Map`, Swift `Dictionary`); `position` orders them.
pub type Milestones = BTreeMap<String, Milestone>;

uniffi::custom_type!(Milestones, HashMap<String, Milestone>, {
    remote,
    lower: |milestones| milestones.into_iter().collect(),
    try_lift: |milestones| Ok(milestones.into_iter().collect()),
});

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use uniffi::{Lift, Lower};

    use super::*;
    use crate::UniFfiTag;

    #[test]
    fn a_day_crosses_as_iso_text_and_a_malformed_one_is_refused() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 14).unwrap();
        let lowered = <CalendarDay as Lower<UniFfiTag>>::lower(day);
        assert_eq!(
            <CalendarDay as Lift<UniFfiTag>>::try_lift(lowered).unwrap(),
            day
        );
        for bad in ["14/03/2025", "2025-02-30", ""] {
            let lowered = <String as Lower<UniFfiTag>>::lower(bad.to_owned());
            assert!(
                <CalendarDay as Lift<UniFfiTag>>::try_lift(lowered).is_err(),
                "{bad}"
            );
        }
    }
}
