//! Rehearsals: a hard conversation practised before it happens, later linked
//! to the interaction that logged how it really went.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at, ids, interaction, person};
use rapport_core::rehearsal::Rehearsal;
use rapport_core::store::ListQuery;
use rapport_core::{DocKind, Error, ItemId};

fn rehearsal(person_id: &ItemId) -> Rehearsal {
    Rehearsal {
        person_id: person_id.clone(),
        scenario: "Telling Dad I will not come at Christmas".into(),
        what_i_want_to_say: "I love you, and this year I need a quiet Christmas".into(),
        how_they_may_answer: "He may say I am ungrateful".into(),
        confidence_before: Some(3),
        confidence_after: Some(6),
        practiced_at: at(11, 20, 18),
        outcome_interaction_id: None,
    }
}

#[test]
fn a_rehearsal_reads_back_and_is_listed_under_its_person() {
    let s = TestStore::new();
    let dad = s.create(person("Dad")).unwrap().meta.id;
    let r = s.create(rehearsal(&dad)).unwrap();
    assert_eq!(s.get::<Rehearsal>(&r.id).unwrap().record, rehearsal(&dad));

    let listed = s
        .list(&ListQuery {
            person_id: Some(dad.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind, DocKind::Rehearsal);
    assert_eq!(listed[0].title, "Telling Dad I will not come at Christmas");
    assert_eq!(s.search("ungrateful", 0).unwrap()[0].id, r.id);
}

#[test]
fn the_real_outcome_is_linked_later_so_expectation_meets_result() {
    let s = TestStore::new();
    let dad = s.create(person("Dad")).unwrap().meta.id;
    let r = s.create(rehearsal(&dad)).unwrap().meta.id;
    let real = s
        .create(interaction(&dad, at(12, 1, 19), "a quiet Christmas"))
        .unwrap()
        .meta
        .id;

    let linked = s
        .modify(&r, |x: &mut Rehearsal| {
            x.outcome_interaction_id = Some(real.clone());
            Ok(())
        })
        .unwrap();
    assert_eq!(linked.record.outcome_interaction_id, Some(real.clone()));
    assert_eq!(
        s.get::<Rehearsal>(&r)
            .unwrap()
            .record
            .outcome_interaction_id,
        Some(real.clone())
    );
    let by_person = ids(
        &s,
        &ListQuery {
            person_id: Some(dad),
            ..Default::default()
        },
    );
    assert_eq!(by_person, vec![real, r]);
}

#[test]
fn confidence_runs_from_0_to_10_and_a_scenario_is_required() {
    let s = TestStore::new();
    let dad = s.create(person("Dad")).unwrap().meta.id;
    type Case = (fn(&mut Rehearsal), &'static str);
    let cases: [Case; 4] = [
        (|r| r.confidence_before = Some(11), "confidence_before"),
        (|r| r.confidence_after = Some(255), "confidence_after"),
        (|r| r.scenario = "\n".into(), "scenario"),
        (|r| r.person_id = ItemId::new(""), "person_id"),
    ];
    for (change, field) in cases {
        let mut r = rehearsal(&dad);
        change(&mut r);
        match s.create(r) {
            Err(Error::Invalid { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected Invalid {field}, got {other:?}"),
        }
    }
    let mut edge = rehearsal(&dad);
    edge.confidence_before = Some(0);
    edge.confidence_after = Some(10);
    s.create(edge).unwrap();
    assert_eq!(s.document_ids().unwrap().len(), 2);
}
