//! How the protocol's own types cross the FFI (feature `uniffi`, ADR 0010).
//!
//! The records and enums derive `uniffi::Record` / `uniffi::Enum` where they
//! are defined; here are the custom types: every id is a string on the
//! foreign side (its own name there, a type alias), and an instant is a
//! `SystemTime` (Kotlin `java.time.Instant`, Swift `Date`), kept to the
//! millisecond as the record stores times, so that what a shell writes is
//! exactly what it reads back.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

use crate::{AccountId, BundleId, DeviceId, GrantId, ItemId, LinkId, Tag};

macro_rules! string_custom_types {
    ($($id:ident),+) => {
        $(uniffi::custom_type!($id, String, {
            lower: |id| id.0,
            try_lift: |s| Ok($id(s)),
        });)+
    };
}

string_custom_types!(ItemId, AccountId, DeviceId, BundleId, GrantId, LinkId, Tag);

/// An instant named by `field` wherever it appears: a time before 1970 or
/// after 262143 (chrono's range) cannot be one.
#[derive(Debug, thiserror::Error)]
#[error("this time is outside the range a record can hold")]
pub struct TimeOutOfRange;

/// An instant, as the protocol and the record hold it (`DateTime<Utc>`): the
/// name the custom type has on the foreign side.
pub type Timestamp = DateTime<Utc>;

uniffi::custom_type!(Timestamp, SystemTime, {
    remote,
    lower: |at| system_time(at),
    try_lift: |at| Ok(instant(at)?),
});

fn system_time(at: DateTime<Utc>) -> SystemTime {
    let millis = at.timestamp_millis();
    match u64::try_from(millis) {
        Ok(after) => UNIX_EPOCH + Duration::from_millis(after),
        Err(_) => UNIX_EPOCH - Duration::from_millis(millis.unsigned_abs()),
    }
}

/// To the millisecond, rounding towards the past (before 1970 too).
fn instant(at: SystemTime) -> Result<DateTime<Utc>, TimeOutOfRange> {
    let millis = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).ok(),
        Err(before) => i64::try_from(before.duration().as_micros().div_ceil(1000))
            .ok()
            .map(|ms| -ms),
    };
    millis
        .and_then(DateTime::from_timestamp_millis)
        .ok_or(TimeOutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_keep_the_millisecond_both_sides_of_1970() {
        for millis in [0_i64, 1, 999, 1_700_000_000_123, -1, -1_000, -86_400_123] {
            let at = DateTime::from_timestamp_millis(millis).expect("in range");
            assert_eq!(instant(system_time(at)).expect("round trip"), at);
        }
        let sub_milli = UNIX_EPOCH + Duration::from_micros(1_500);
        assert_eq!(instant(sub_milli).expect("in range").timestamp_millis(), 1);
        let before = UNIX_EPOCH - Duration::from_micros(1_500);
        assert_eq!(instant(before).expect("in range").timestamp_millis(), -2);
    }

    #[test]
    fn an_instant_out_of_range_is_refused() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000 * 365 * 86_400);
        assert!(instant(far).is_err());
    }
}
