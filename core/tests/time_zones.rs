//! Days in the client's own time zone: an evening's interaction west of UTC
//! and a morning's east of it land on the client's day, in the timeline and
//! in "since we last met", on the client's device and on the therapist's;
//! daylight-saving changes and moves between zones keep every day whole.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "course/mod.rs"]
mod course;

use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use common::{TestStore, interaction, person};
use rapport_core::checkin::Phq9CheckIn;
use rapport_core::clinical::{DateRange, TimelineFilter, Whose};
use rapport_core::profile::Profile;
use rapport_core::time_zone::{TimeZones, ZoneChange, parse_zone};
use rapport_core::{Error, ItemId, Store};

fn local(zone: &str, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz: Tz = zone.parse().unwrap();
    tz.with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The items of `whose` record on `day` alone, by the timeline.
fn on_day(s: &Store, whose: &Whose, d: NaiveDate) -> Vec<ItemId> {
    let range = DateRange::since(d, d).unwrap();
    s.timeline(whose, range, &TimelineFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.item_id)
        .collect()
}

/// One zone for each whole offset from UTC-10 to UTC+14 (standard time in
/// June where a zone has daylight saving, checked below).
const ZONES: [(&str, i32); 18] = [
    ("Pacific/Honolulu", -10),
    ("America/Anchorage", -8), // daylight time in June
    ("America/Los_Angeles", -7),
    ("America/Denver", -6),
    ("America/Chicago", -5),
    ("America/New_York", -4),
    ("America/Sao_Paulo", -3),
    ("Atlantic/Azores", 0),
    ("UTC", 0),
    ("Europe/London", 1),
    ("Europe/Berlin", 2),
    ("Europe/Moscow", 3),
    ("Asia/Karachi", 5),
    ("Asia/Bangkok", 7),
    ("Asia/Tokyo", 9),
    ("Australia/Brisbane", 10),
    ("Pacific/Auckland", 12),
    ("Pacific/Kiritimati", 14),
];

#[test]
fn an_evening_and_a_morning_land_on_the_clients_own_day_from_utc_minus_10_to_plus_14() {
    for (zone, offset) in ZONES {
        let tz: Tz = zone.parse().unwrap();
        let june = tz.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
        assert_eq!(
            june.offset().fix().local_minus_utc(),
            offset * 3600,
            "{zone}"
        );

        let s = TestStore::on_tmpfs();
        s.set_time_zone(zone).unwrap();
        s.save_profile(Profile::default()).unwrap();
        let sam = s.create(person("Sam")).unwrap().meta.id;
        let evening = s
            .create(interaction(&sam, local(zone, 2026, 6, 10, 22, 30), "talk"))
            .unwrap()
            .meta
            .id;
        let morning = s
            .create(interaction(&sam, local(zone, 2026, 6, 10, 6, 15), "call"))
            .unwrap()
            .meta
            .id;
        let last_minute = s
            .create(interaction(&sam, local(zone, 2026, 6, 10, 23, 59), "text"))
            .unwrap()
            .meta
            .id;
        let first_minute = s
            .create(interaction(&sam, local(zone, 2026, 6, 11, 0, 0), "visit"))
            .unwrap()
            .meta
            .id;

        let mine = Whose::Mine;
        let june_10 = on_day(&s, &mine, day(2026, 6, 10));
        for id in [&evening, &morning, &last_minute] {
            assert!(june_10.contains(id), "{zone}: {june_10:?}");
        }
        assert!(!june_10.contains(&first_minute), "{zone}");
        assert_eq!(
            on_day(&s, &mine, day(2026, 6, 11)),
            [first_minute],
            "{zone}"
        );
        assert!(on_day(&s, &mine, day(2026, 6, 9)).is_empty(), "{zone}");

        // "Since we last met" counts a PHQ-9 of that evening on that day.
        let phq9 = s
            .check_in_phq9(Phq9CheckIn {
                at: local(zone, 2026, 6, 10, 22, 45),
                items: vec![1; 9],
            })
            .unwrap()
            .item
            .meta
            .id;
        let summary_of = |d: NaiveDate| {
            let range = DateRange::since(d, d).unwrap();
            let summary = s.session_summary(&mine, Some(range), d).unwrap();
            summary.phq9.into_iter().map(|e| e.id).collect::<Vec<_>>()
        };
        assert_eq!(summary_of(day(2026, 6, 10)), [phq9], "{zone}");
        assert!(summary_of(day(2026, 6, 11)).is_empty(), "{zone}");
        assert!(summary_of(day(2026, 6, 9)).is_empty(), "{zone}");
    }
}

#[test]
fn daylight_saving_days_are_23_and_25_hours_long_and_keep_their_entries() {
    let zones = TimeZones::fixed("America/New_York".parse().unwrap());
    // Spring forward: Sunday 8 March 2026, 02:00 -> 03:00.
    let spring = zones.start_of(day(2026, 3, 9)) - zones.start_of(day(2026, 3, 8));
    assert_eq!(spring, Duration::hours(23));
    // Fall back: Sunday 1 November 2026, 02:00 -> 01:00.
    let fall = zones.start_of(day(2026, 11, 2)) - zones.start_of(day(2026, 11, 1));
    assert_eq!(fall, Duration::hours(25));

    let s = TestStore::on_tmpfs();
    s.set_time_zone("America/New_York").unwrap();
    s.save_profile(Profile::default()).unwrap();
    let sam = s.create(person("Sam")).unwrap().meta.id;
    let tz: Tz = "America/New_York".parse().unwrap();
    // 23:30 on the short day, and 01:30 twice on the long day.
    let short_late = s
        .create(interaction(
            &sam,
            local("America/New_York", 2026, 3, 8, 23, 30),
            "a",
        ))
        .unwrap()
        .meta
        .id;
    let first_130 = tz
        .with_ymd_and_hms(2026, 11, 1, 1, 30, 0)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let second_130 = tz
        .with_ymd_and_hms(2026, 11, 1, 1, 30, 0)
        .latest()
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(second_130 - first_130, Duration::hours(1));
    let a = s.create(interaction(&sam, first_130, "b")).unwrap().meta.id;
    let b = s
        .create(interaction(&sam, second_130, "c"))
        .unwrap()
        .meta
        .id;
    let long_late = s
        .create(interaction(
            &sam,
            local("America/New_York", 2026, 11, 1, 23, 45),
            "d",
        ))
        .unwrap()
        .meta
        .id;
    assert_eq!(on_day(&s, &Whose::Mine, day(2026, 3, 8)), [short_late]);
    assert_eq!(
        on_day(&s, &Whose::Mine, day(2026, 11, 1)),
        [a, b, long_late]
    );
    assert!(on_day(&s, &Whose::Mine, day(2026, 3, 9)).is_empty());
    assert!(on_day(&s, &Whose::Mine, day(2026, 11, 2)).is_empty());
}

#[test]
fn every_day_begins_at_its_first_local_instant_even_where_midnight_is_skipped_or_doubled() {
    // Zones whose clocks change at midnight (or did), half-hour daylight
    // saving, and odd offsets.
    for zone in [
        "America/Santiago",
        "America/Havana",
        "America/Asuncion",
        "Asia/Beirut",
        "Asia/Tehran",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "Pacific/Chatham",
        "Europe/Berlin",
        "America/New_York",
    ] {
        let tz: Tz = zone.parse().unwrap();
        let zones = TimeZones::fixed(tz);
        let mut d = day(2020, 1, 1);
        while d < day(2027, 1, 1) {
            let start = zones.start_of(d);
            assert_eq!(start.with_timezone(&tz).date_naive(), d, "{zone} {d}");
            let before = start - Duration::seconds(1);
            assert!(before.with_timezone(&tz).date_naive() < d, "{zone} {d}");
            assert_eq!(zones.day_of(start), d);
            d = d.succ_opt().unwrap();
        }
    }
}

#[test]
fn a_move_between_zones_keeps_old_days_where_they_were() {
    let history = TimeZones::from_changes(&[
        ZoneChange {
            since: local("Europe/Berlin", 2026, 1, 1, 0, 0),
            zone: "Europe/Berlin".into(),
        },
        ZoneChange {
            since: Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap(),
            zone: "America/New_York".into(),
        },
    ]);
    // 23:00 UTC on 10 June: 01:00 on the 11th in Berlin (where the client
    // lived then), 19:00 on the 10th in New York.
    let june = Utc.with_ymd_and_hms(2026, 6, 10, 23, 0, 0).unwrap();
    assert_eq!(history.day_of(june), day(2026, 6, 11));
    let august = Utc.with_ymd_and_hms(2026, 8, 10, 23, 0, 0).unwrap();
    assert_eq!(history.day_of(august), day(2026, 8, 10));
    assert_eq!(
        history.start_of(day(2026, 6, 11)),
        local("Europe/Berlin", 2026, 6, 11, 0, 0)
    );
    assert_eq!(
        history.start_of(day(2026, 8, 10)),
        local("America/New_York", 2026, 8, 10, 0, 0)
    );
    // The day of the move itself is whole: it starts where the client was.
    let move_day = day(2026, 7, 1);
    assert_eq!(
        history.start_of(move_day),
        local("Europe/Berlin", 2026, 7, 1, 0, 0)
    );
    assert!(history.start_of(move_day.succ_opt().unwrap()) > history.start_of(move_day));

    // Through the store: setting a new zone adds to the synced history,
    // setting the same again changes nothing.
    let s = TestStore::on_tmpfs();
    s.set_time_zone("Europe/Berlin").unwrap();
    s.save_profile(Profile::default()).unwrap();
    let outbox = s.outbox_len().unwrap();
    s.set_time_zone("Europe/Berlin").unwrap();
    assert_eq!(
        s.outbox_len().unwrap(),
        outbox,
        "no change for the same zone"
    );
    s.set_time_zone("America/New_York").unwrap();
    assert!(s.outbox_len().unwrap() > outbox, "the move syncs");
    assert_eq!(s.time_zone().unwrap().as_deref(), Some("America/New_York"));
    let sam = s.create(person("Sam")).unwrap().meta.id;
    // Before the move (Berlin's day) and long after it (New York's).
    let before = s.create(interaction(&sam, june, "x")).unwrap().meta.id;
    let after_at = Utc.with_ymd_and_hms(2099, 2, 1, 3, 0, 0).unwrap();
    let after = s.create(interaction(&sam, after_at, "y")).unwrap().meta.id;
    assert_eq!(on_day(&s, &Whose::Mine, day(2026, 6, 11)), [before]);
    assert_eq!(on_day(&s, &Whose::Mine, day(2099, 1, 31)), [after]);
}

#[test]
fn the_therapists_view_cuts_the_clients_days_not_the_therapists() {
    let client = TestStore::on_tmpfs();
    client.set_time_zone("Pacific/Honolulu").unwrap();
    let profile = client.save_profile(Profile::default()).unwrap().meta.id;
    let sam = client.create(person("Sam")).unwrap().meta.id;
    // 21:00 on 10 June in Honolulu is 07:00 UTC on the 11th.
    let evening = client
        .create(interaction(
            &sam,
            local("Pacific/Honolulu", 2026, 6, 10, 21, 0),
            "talk",
        ))
        .unwrap()
        .meta
        .id;

    let therapist = TestStore::on_tmpfs();
    therapist.set_time_zone("Asia/Tokyo").unwrap();
    course::share(
        &client,
        &therapist,
        "acct-client",
        &[profile, sam, evening.clone()],
    );
    let whose = Whose::Client {
        account_id: "acct-client".into(),
    };
    assert_eq!(on_day(&therapist, &whose, day(2026, 6, 10)), [evening]);
    assert!(on_day(&therapist, &whose, day(2026, 6, 11)).is_empty());
    // The therapist's own zone stayed the therapist's: no profile was made
    // or edited on the therapist's device for it.
    assert_eq!(
        therapist.time_zone().unwrap().as_deref(),
        Some("Asia/Tokyo")
    );
    assert_eq!(therapist.outbox_len().unwrap(), 0);
    assert_eq!(
        client.time_zone().unwrap().as_deref(),
        Some("Pacific/Honolulu")
    );
}

#[test]
fn zone_names_are_checked_and_a_bad_one_changes_nothing() {
    let s = TestStore::new();
    s.set_time_zone("Europe/Paris").unwrap();
    for bad in [
        "",
        "Mars/Olympus_Mons",
        "UTC+5",
        "Europe/Paris\u{0}",
        &"x".repeat(10_000),
    ] {
        assert!(
            matches!(
                s.set_time_zone(bad),
                Err(Error::Invalid {
                    field: "time_zone",
                    ..
                })
            ),
            "{bad:?}"
        );
        assert!(parse_zone(bad).is_err());
    }
    assert_eq!(s.time_zone().unwrap().as_deref(), Some("Europe/Paris"));
    // With no zone at all, days are UTC days.
    let fresh = TestStore::on_tmpfs();
    assert_eq!(fresh.time_zone().unwrap(), None);
    assert_eq!(fresh.own_time_zones().unwrap(), TimeZones::utc());
}
