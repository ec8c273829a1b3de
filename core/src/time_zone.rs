//! Where the client's days begin: the client's IANA time zone, kept in the
//! profile document (so it syncs, and a therapist's summary cuts the client's
//! days, not the therapist's), with its history, so that a move between
//! zones keeps old days where they were.
//!
//! Every clinical day range is cut at local midnight through [`TimeZones`];
//! daylight-saving changes come from the IANA database (chrono-tz). A day
//! whose midnight does not exist (a zone that springs forward at 00:00)
//! begins at the first instant that does; a midnight that happens twice
//! begins at the first.

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rapport_protocol::DocKind;

use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::store::Store;

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
const DEVICE_ZONE_KEY: &str = "time_zone";
/// A zone history longer than this keeps its most recent changes.
const MAX_CHANGES: usize = 200;

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

impl Store {
    /// This record's zone now (the profile's latest, else this device's).
    pub fn time_zone(&self) -> Result<Option<String>> {
        if let Some(latest) = self.own_zone_changes()?.last() {
            return Ok(Some(latest.zone.clone()));
        }
        self.device_setting(DEVICE_ZONE_KEY)
    }

    /// Sets the zone the client lives in now (an IANA name; the shells pass
    /// the system's at launch and whenever it changes). Kept on the device
    /// and, when the record has a profile, added to its history there, so
    /// that it syncs. Setting the zone already in effect changes nothing.
    pub fn set_time_zone(&self, zone: &str) -> Result<()> {
        let tz = parse_zone(zone)?;
        self.set_device_setting(DEVICE_ZONE_KEY, tz.name())?;
        if let Some(id) = self.profile_id()? {
            self.add_zone_change(&id, tz)?;
        }
        Ok(())
    }

    /// The time zones of this device's own record.
    pub fn own_time_zones(&self) -> Result<TimeZones> {
        let changes = self.own_zone_changes()?;
        if !changes.is_empty() {
            return Ok(TimeZones::from_changes(&changes));
        }
        self.device_time_zones()
    }

    /// This device's zone alone (UTC if it was never set).
    pub(crate) fn device_time_zones(&self) -> Result<TimeZones> {
        Ok(match self.device_setting(DEVICE_ZONE_KEY)? {
            Some(name) => parse_zone(&name).map_or_else(|_| TimeZones::utc(), TimeZones::fixed),
            None => TimeZones::utc(),
        })
    }

    /// The zone history kept in the profile document `id`.
    pub(crate) fn zone_changes(&self, id: &ItemId) -> Result<Vec<ZoneChange>> {
        let mut changes = Vec::new();
        self.with_documents(std::slice::from_ref(id), |id, env, document| {
            if !env.deleted {
                changes = read_zone_changes(document, id)?;
            }
            Ok(())
        })?;
        Ok(changes)
    }

    fn own_zone_changes(&self) -> Result<Vec<ZoneChange>> {
        match self.profile_id()? {
            Some(id) => self.zone_changes(&id),
            None => Ok(Vec::new()),
        }
    }

    /// Adds `zone` to the profile's history unless it is the zone in effect.
    pub(crate) fn add_zone_change(&self, id: &ItemId, zone: Tz) -> Result<()> {
        self.edit_document(id, DocKind::Profile, |document, now| {
            let record = crate::profile::record_map(document, id)?;
            let mut changes = read_zone_changes(document, id)?;
            if TimeZones::from_changes(&changes)
                .changes
                .last()
                .map(|(_, tz)| *tz)
                == Some(zone)
            {
                return Ok(());
            }
            changes.push(ZoneChange {
                since: now,
                zone: zone.name().to_owned(),
            });
            if changes.len() > MAX_CHANGES {
                changes.drain(..changes.len() - MAX_CHANGES);
            }
            autosurgeon::reconcile_prop(document, &record, ZONES_KEY, &changes)
                .map_err(|e| Error::Storage(e.to_string()))?;
            Ok(())
        })
    }

    /// Called when the profile is first created: the device's zone becomes
    /// the start of its history.
    pub(crate) fn seed_zone(&self, id: &ItemId) -> Result<()> {
        match self.device_setting(DEVICE_ZONE_KEY)? {
            Some(name) => match parse_zone(&name) {
                Ok(tz) => self.add_zone_change(id, tz),
                Err(_) => Ok(()),
            },
            None => Ok(()),
        }
    }
}
