//! The interpersonal inventory: people, their ring on the closeness circle,
//! and the stage of a role dispute with its history.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at, goal, ids};
use rapport_core::inventory::{DisputeStage, Person, Ring, StageChange};
use rapport_core::store::ListQuery;
use rapport_core::{DocKind, Error};

fn mum() -> Person {
    Person {
        nickname: "Mum".into(),
        relationship: "mother".into(),
        ring: Ring::Inner,
        gives: "warmth, Sunday dinners".into(),
        goes_wrong: "she decides for me".into(),
        my_expectations: "ask before planning my weekends".into(),
        their_expectations: "visit every week".into(),
        notes: "call after 6".into(),
        dispute_history: Vec::new(),
    }
}

#[test]
fn a_person_reads_back_exactly() {
    let s = TestStore::new();
    let p = s.create(mum()).unwrap();
    assert_eq!(s.get::<Person>(&p.id).unwrap().record, mum());
    assert_eq!(p.record.dispute_stage(), None);

    let summary = &s.list(&ListQuery::default()).unwrap()[0];
    assert_eq!(summary.kind, DocKind::Person);
    assert_eq!(summary.title, "Mum");
    assert_eq!(summary.at, None);
    assert_eq!(s.search("dinners", 0).unwrap()[0].id, p.id);
}

#[test]
fn a_person_moves_between_rings() {
    let s = TestStore::new();
    let p = s.create(mum()).unwrap().meta.id;
    for ring in [Ring::Middle, Ring::Outer, Ring::Inner] {
        let item = s
            .modify(&p, |x: &mut Person| {
                x.ring = ring;
                Ok(())
            })
            .unwrap();
        assert_eq!(item.record.ring, ring);
        assert_eq!(s.get::<Person>(&p).unwrap().record.ring, ring);
    }
}

#[test]
fn the_dispute_stage_keeps_its_history_and_the_last_is_current() {
    let s = TestStore::new();
    let p = s.create(mum()).unwrap().meta.id;

    s.set_dispute_stage(
        &p,
        DisputeStage::Impasse,
        at(1, 10, 9),
        "we stopped talking",
    )
    .unwrap();
    s.set_dispute_stage(&p, DisputeStage::Renegotiation, at(2, 10, 9), "")
        .unwrap();
    let item = s
        .set_dispute_stage(&p, DisputeStage::Dissolution, at(3, 10, 9), "moved out")
        .unwrap();

    let expected = vec![
        StageChange {
            stage: DisputeStage::Impasse,
            at: at(1, 10, 9),
            note: "we stopped talking".into(),
        },
        StageChange {
            stage: DisputeStage::Renegotiation,
            at: at(2, 10, 9),
            note: String::new(),
        },
        StageChange {
            stage: DisputeStage::Dissolution,
            at: at(3, 10, 9),
            note: "moved out".into(),
        },
    ];
    assert_eq!(item.record.dispute_history, expected);
    let got = s.get::<Person>(&p).unwrap().record;
    assert_eq!(got.dispute_history, expected);
    assert_eq!(got.dispute_stage(), Some(DisputeStage::Dissolution));
}

#[test]
fn the_dispute_stage_needs_a_person() {
    let s = TestStore::new();
    let g = s.create(goal("g")).unwrap().meta.id;
    assert!(matches!(
        s.set_dispute_stage(&g, DisputeStage::Impasse, at(1, 1, 1), ""),
        Err(Error::NotFound { kind: "person", .. })
    ));
    assert!(matches!(
        s.set_dispute_stage(&"nobody".into(), DisputeStage::Impasse, at(1, 1, 1), ""),
        Err(Error::NotFound { kind: "person", .. })
    ));
}

#[test]
fn a_person_needs_a_nickname() {
    let s = TestStore::new();
    let mut p = mum();
    p.nickname = " ".into();
    assert!(matches!(
        s.create(p),
        Err(Error::Invalid {
            field: "nickname",
            ..
        })
    ));
    let id = s.create(mum()).unwrap().meta.id;
    assert!(matches!(
        s.modify(&id, |x: &mut Person| {
            x.nickname.clear();
            Ok(())
        }),
        Err(Error::Invalid {
            field: "nickname",
            ..
        })
    ));
    assert_eq!(s.get::<Person>(&id).unwrap().record, mum());
}

#[test]
fn people_are_listed_by_kind() {
    let s = TestStore::new();
    let a = s.create(mum()).unwrap().meta.id;
    let b = s
        .create(Person::new("JB", "manager", Ring::Outer))
        .unwrap()
        .meta
        .id;
    s.create(goal("g")).unwrap();
    let mut people = ids(
        &s,
        &ListQuery {
            kinds: vec![DocKind::Person],
            ..Default::default()
        },
    );
    people.sort();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(people, expected);
}
