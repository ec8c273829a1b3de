//! Mood check-ins (0 worst to 10 best, with the event behind the mood, a
//! crisis flag) and the PHQ-9 (nine items 0 to 3, total, severity band; item 9
//! above 0 returns a safety alert from the saving call), and the device's
//! crisis resources.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at};
use rapport_core::checkin::{MoodCheckIn, Phq9CheckIn, Phq9Severity};
use rapport_core::safety::{AlertReason, CrisisContact, CrisisResource, NOT_MONITORED};
use rapport_core::store::ListQuery;
use rapport_core::{DocKind, Error};

fn mood(rating: i32, crisis: bool) -> MoodCheckIn {
    MoodCheckIn {
        at: at(3, 3, 20),
        rating,
        event: "argument with my brother about money".into(),
        crisis,
    }
}

fn phq9(items: Vec<i32>) -> Phq9CheckIn {
    Phq9CheckIn {
        at: at(3, 7, 9),
        items,
    }
}

fn nothing_written(s: &TestStore) {
    assert!(s.document_ids().unwrap().is_empty());
    assert_eq!(s.outbox_len().unwrap(), 0);
    assert!(s.list(&ListQuery::default()).unwrap().is_empty());
}

#[test]
fn a_mood_check_in_is_saved_with_its_event_and_no_alert() {
    let s = TestStore::new();
    let saved = s.check_in_mood(mood(3, false)).unwrap();
    assert_eq!(saved.safety_alert, None);
    assert_eq!(saved.item.record, mood(3, false));
    assert_eq!(s.get::<MoodCheckIn>(&saved.item.id).unwrap(), saved.item);

    let summary = &s.list(&ListQuery::default()).unwrap()[0];
    assert_eq!(summary.kind, DocKind::MoodCheckIn);
    assert_eq!(summary.title, "Mood 3/10");
    assert_eq!(summary.at, Some(at(3, 3, 20)));
    assert_eq!(s.search("brother", 0).unwrap()[0].id, saved.item.id);
}

#[test]
fn mood_runs_from_0_to_10_and_11_is_refused() {
    let s = TestStore::new();
    s.check_in_mood(mood(0, false)).unwrap();
    s.check_in_mood(mood(10, false)).unwrap();
    let before = s.document_ids().unwrap();
    match s.check_in_mood(mood(11, true)) {
        Err(Error::Invalid { field, reason }) => {
            assert_eq!(field, "rating");
            assert_eq!(reason, "must be between 0 and 10, got 11");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert_eq!(s.document_ids().unwrap(), before);
}

#[test]
fn a_crisis_mood_check_in_returns_the_crisis_resources_at_once() {
    let s = TestStore::new();
    let saved = s.check_in_mood(mood(1, true)).unwrap();
    let alert = saved.safety_alert.expect("a safety alert");
    assert_eq!(alert.reason, AlertReason::MoodCrisis);
    assert_eq!(alert.message, NOT_MONITORED);
    assert_eq!(alert.resources, rapport_core::safety::defaults_for(None));
    // The flag lives in the document, so it reaches the therapist's review.
    assert!(s.get::<MoodCheckIn>(&saved.item.id).unwrap().record.crisis);
}

#[test]
fn phq9_totals_and_severity_bands() {
    let s = TestStore::new();
    let cases: [(i32, Phq9Severity); 10] = [
        (0, Phq9Severity::Minimal),
        (4, Phq9Severity::Minimal),
        (5, Phq9Severity::Mild),
        (9, Phq9Severity::Mild),
        (10, Phq9Severity::Moderate),
        (14, Phq9Severity::Moderate),
        (15, Phq9Severity::ModeratelySevere),
        (19, Phq9Severity::ModeratelySevere),
        (20, Phq9Severity::Severe),
        (24, Phq9Severity::Severe),
    ];
    for (total, band) in cases {
        // Spread the total over items 1 to 8, item 9 stays 0.
        let mut items = vec![0i32; 9];
        let mut left = total;
        for item in items.iter_mut().take(8) {
            *item = left.min(3);
            left -= *item;
        }
        assert_eq!(left, 0);
        let saved = s.check_in_phq9(phq9(items)).unwrap();
        assert_eq!(saved.item.record.total(), total);
        assert_eq!(saved.item.record.severity(), band, "total {total}");
        assert_eq!(saved.safety_alert, None, "total {total}");
    }
    let worst = s.check_in_phq9(phq9(vec![3; 9])).unwrap();
    assert_eq!(worst.item.record.total(), 27);
    assert_eq!(worst.item.record.severity(), Phq9Severity::Severe);
    assert_eq!(Phq9Severity::of_total(27), Phq9Severity::Severe);

    let listed = s
        .list(&ListQuery {
            kinds: vec![DocKind::Phq9CheckIn],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(listed.len(), 11);
    let row = listed.iter().find(|x| x.id == worst.item.id).unwrap();
    assert_eq!(row.title, "PHQ-9 27/27");
}

#[test]
fn phq9_item_9_above_zero_returns_a_safety_alert_from_the_saving_call() {
    let s = TestStore::new();
    s.set_region("GB").unwrap();
    let custom = vec![CrisisResource {
        name: "Dr. Lee's practice".into(),
        contact: CrisisContact::Phone {
            number: "+44 20 7946 0000".into(),
        },
        hours: "Weekdays 9 to 5".into(),
        region: None,
    }];
    s.set_crisis_resources(custom).unwrap();

    let saved = s
        .check_in_phq9(phq9(vec![0, 0, 0, 0, 0, 0, 0, 0, 1]))
        .unwrap();
    assert_eq!(saved.item.record.total(), 1);
    assert_eq!(saved.item.record.severity(), Phq9Severity::Minimal);
    assert!(saved.item.record.item9_flag());
    let alert = saved.safety_alert.expect("a safety alert");
    assert_eq!(alert.reason, AlertReason::Phq9Item9);
    assert_eq!(alert.message, NOT_MONITORED);
    // The client's own resource first, then the region's, all dialable.
    let uris: Vec<_> = alert.resources.iter().map(|r| r.uri()).collect();
    assert_eq!(
        uris,
        [
            Some("tel:+442079460000".to_owned()),
            Some("tel:116123".to_owned()),
            Some("tel:999".to_owned())
        ]
    );
    assert!(!alert.message.to_lowercase().contains("watching"));

    // High scores elsewhere with item 9 at 0: no alert.
    let calm = s
        .check_in_phq9(phq9(vec![3, 3, 3, 3, 3, 3, 3, 3, 0]))
        .unwrap();
    assert_eq!(calm.safety_alert, None);
}

#[test]
fn phq9_needs_nine_answers_each_from_0_to_3() {
    let s = TestStore::new();
    for (items, field) in [
        (vec![0; 8], "items"),
        (vec![0; 10], "items"),
        (vec![], "items"),
        (vec![0, 0, 0, 4, 0, 0, 0, 0, 0], "items"),
        (vec![0, 0, 0, 0, 0, 0, 0, 0, 200], "items"),
    ] {
        match s.check_in_phq9(phq9(items.clone())) {
            Err(Error::Invalid { field: got, .. }) => assert_eq!(got, field, "{items:?}"),
            Ok(saved) => panic!("{items:?} was accepted: {saved:?}"),
            Err(other) => panic!("{items:?}: {other:?}"),
        }
    }
    // An invalid answer set never raises an alert or stores anything.
    nothing_written(&s);
}
