//! The profile: focus problem area, formulation and its acceptance date, the
//! session contract, the phase and the current session.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use common::{TestStore, exchange};
use rapport_core::profile::{Phase, ProblemArea, Profile};
use rapport_core::store::ListQuery;
use rapport_core::{DocKind, Error};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn agreed() -> Profile {
    Profile {
        problem_area: Some(ProblemArea::RoleTransition),
        formulation: "The move and the new job cut you off from friends".into(),
        formulation_accepted_on: Some(day(2, 14)),
        session_count: 16,
        phase: Phase::Middle,
        current_session: 5,
        last_session_on: Some(day(3, 7)),
    }
}

fn profiles(s: &TestStore) -> usize {
    s.list(&ListQuery {
        kinds: vec![DocKind::Profile],
        ..Default::default()
    })
    .unwrap()
    .len()
}

#[test]
fn before_anything_is_saved_the_profile_is_the_default() {
    let s = TestStore::new();
    let p = s.profile().unwrap();
    assert_eq!(p, Profile::default());
    assert_eq!(p.problem_area, None);
    assert_eq!(p.session_count, 12);
    assert_eq!(p.phase, Phase::Initial);
    assert_eq!(p.current_session, 0);
    assert_eq!(profiles(&s), 0);
}

#[test]
fn saving_creates_the_profile_once_and_then_updates_it() {
    let s = TestStore::new();
    let first = s.save_profile(agreed()).unwrap();
    assert_eq!(s.profile().unwrap(), agreed());

    let mut later = agreed();
    later.phase = Phase::Termination;
    later.current_session = 14;
    let second = s.save_profile(later.clone()).unwrap();

    assert_eq!(second.id, first.id);
    assert_eq!(s.profile().unwrap(), later);
    assert_eq!(profiles(&s), 1);
    assert_eq!(s.document_ids().unwrap(), vec![first.meta.id]);
}

#[test]
fn every_problem_area_and_phase_round_trips() {
    let s = TestStore::new();
    for area in [
        ProblemArea::Grief,
        ProblemArea::RoleDispute,
        ProblemArea::RoleTransition,
        ProblemArea::InterpersonalDeficits,
    ] {
        for phase in [Phase::Initial, Phase::Middle, Phase::Termination] {
            let mut p = agreed();
            p.problem_area = Some(area);
            p.phase = phase;
            s.save_profile(p.clone()).unwrap();
            assert_eq!(s.profile().unwrap(), p);
        }
    }
}

#[test]
fn the_contract_and_formulation_are_checked() {
    let s = TestStore::new();
    s.save_profile(agreed()).unwrap();
    let invalid = |f: fn(&mut Profile), field: &str| {
        let mut p = agreed();
        f(&mut p);
        match s.save_profile(p) {
            Err(Error::Invalid { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected Invalid {field}, got {other:?}"),
        }
        assert_eq!(s.profile().unwrap(), agreed());
    };
    invalid(|p| p.session_count = 0, "session_count");
    invalid(|p| p.session_count = 31, "session_count");
    invalid(|p| p.current_session = 17, "current_session");
    invalid(|p| p.formulation = "  ".into(), "formulation_accepted_on");
    // The edges are fine: the brief form, the longest contract, the last session.
    let mut p = agreed();
    p.session_count = 30;
    p.current_session = 30;
    s.save_profile(p.clone()).unwrap();
    assert_eq!(s.profile().unwrap(), p);
}

#[test]
fn two_devices_that_each_made_a_profile_agree_on_one_after_syncing() {
    let a = TestStore::new();
    let b = TestStore::new();
    let pa = a.save_profile(agreed()).unwrap();
    let mut other = agreed();
    other.current_session = 6;
    let pb = b.save_profile(other.clone()).unwrap();

    exchange(&a, &b);

    let (winner, record) = if pa.id < pb.id {
        (pa.meta.id, agreed())
    } else {
        (pb.meta.id, other)
    };
    assert_eq!(a.profile().unwrap(), record);
    assert_eq!(b.profile().unwrap(), record);
    // A save on either device now goes to the same document.
    let mut next = record.clone();
    next.current_session = 7;
    assert_eq!(a.save_profile(next.clone()).unwrap().id, winner);
    exchange(&a, &b);
    assert_eq!(b.profile().unwrap(), next);
}
