//! Where the client's days begin: the client's IANA time zone, kept in the
//! profile document (so it syncs, and a therapist's summary cuts the client's
//! days, not the therapist's), with its history, so that a move between
//! zones keeps old days where they were. Reading and setting the zone are
//! [`crate::Store`] methods in `items/profile.rs`.
//!
//! Every clinical day range is cut at local midnight through [`TimeZones`];
//! daylight-saving changes come from the IANA database (chrono-tz). A day
//! whose midnight does not exist (a zone that springs forward at 00:00)
//! begins at the first instant that does; a midnight that happens twice
//! begins at the first.

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::id::ItemId;

/// From `since` on, the client lived in `zone` (an IANA name such as
/// "Europe/Berlin").
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct ZoneChange {
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub since: DateTime<Utc>,
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub zone: String,
}

/// The profile's key for the zone history.
pub(crate) const ZONES_KEY: &str = "time_zones";
/// The device setting holding this device's zone (for a record with no
/// profile yet, and on a therapist's device).
pub(crate) const DEVICE_ZONE_KEY: &str = "time_zone";
/// A zone history longer than this keeps its most recent changes.
pub(crate) const MAX_CHANGES: usize = 200;

/// Parses an IANA zone name, as the platforms give it.
pub fn parse_zone(name: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        Error::invalid(
            "time_zone",
            "is not an IANA time zone name such as \"Europe/Berlin\" or \"America/New_York\"",
        )
    })
}

/// A record's time zones over time: which zone a given instant belongs to,
/// and where a calendar day begins. With no history, days are UTC days.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeZones {
    /// Oldest first; names that do not parse (written by a newer or another
    /// implementation) are left out.
    changes: Vec<(DateTime<Utc>, Tz)>,
}

impl TimeZones {
    /// Days in UTC (no zone known).
    pub fn utc() -> TimeZones {
        TimeZones::default()
    }

    /// One zone, always.
    pub fn fixed(zone: Tz) -> TimeZones {
        TimeZones {
            changes: vec![(DateTime::UNIX_EPOCH, zone)],
        }
    }

    pub fn from_changes(changes: &[ZoneChange]) -> TimeZones {
        let mut parsed: Vec<(DateTime<Utc>, Tz)> = changes
            .iter()
            .filter_map(|c| parse_zone(&c.zone).ok().map(|tz| (c.since, tz)))
            .collect();
        parsed.sort_by_key(|(since, tz)| (*since, tz.name()));
        TimeZones { changes: parsed }
    }

    /// The zone of the latest change known, if any.
    pub(crate) fn latest(&self) -> Option<Tz> {
        self.changes.last().map(|(_, tz)| *tz)
    }

    /// The zone in effect at `at`; before the first change known, the first
    /// zone (the best guess for where the client was).
    pub fn zone_at(&self, at: DateTime<Utc>) -> Tz {
        let in_effect = self.changes.iter().rev().find(|(since, _)| *since <= at);
        in_effect
            .or(self.changes.first())
            .map_or(Tz::UTC, |(_, tz)| *tz)
    }

    /// The client's calendar day of `at`.
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone_at(at)).date_naive()
    }

    /// The first instant of `day` in the client's zone of that day.
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        let guess = day.and_time(NaiveTime::MIN).and_utc();
        let zone = self.zone_at(guess);
        let start = local_midnight(zone, day);
        // A move on that very day: the zone at the real midnight decides.
        let settled = self.zone_at(start);
        if settled == zone {
            start
        } else {
            local_midnight(settled, day)
        }
    }
}

/// The first instant of `day` in `zone`.
fn local_midnight(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    if let Some(start) = zone.from_local_datetime(&midnight).earliest() {
        return start.with_timezone(&Utc);
    }
    // Midnight falls in a gap (the clocks jump forward at 00:00): the day
    // begins when the clocks land. Gaps are at most a few hours; look in
    // minutes so that odd offsets (UTC+05:45) are found too.
    (1..=24 * 60)
        .find_map(|m| {
            zone.from_local_datetime(&(midnight + Duration::minutes(m)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |start| start.with_timezone(&Utc))
}

/// Reads the zone history of a profile document (empty if never set).
pub(crate) fn read_zone_changes(
    document: &automerge::AutoCommit,
    id: &ItemId,
) -> Result<Vec<ZoneChange>> {
    crate::profile::read_part(document, id, ZONES_KEY)
}
