//! The query index is derived from the documents only: rebuilding it gives
//! the same rows and the same search text.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at, goal, interaction, link, person, reflection, win};
use rapport_core::checkin::MoodCheckIn;
use rapport_core::inventory::DisputeStage;
use rapport_core::store::ListQuery;

fn sample(s: &TestStore) {
    let sam = s.create(person("Sam")).unwrap().meta.id;
    let g = s.create(goal("Weekly call with Sam")).unwrap().meta.id;
    s.add_milestone(&g, "First call").unwrap();
    s.log_barrier(&g, "Phone anxiety", at(1, 2, 3)).unwrap();
    let mut i = interaction(&sam, at(1, 3, 4), "reconnect");
    i.goal = link(&g);
    i.what_they_said = "glad you called".into();
    s.create(i).unwrap();
    let w = s.create(win("Made the call", at(1, 4, 5))).unwrap().meta.id;
    s.set_shared(&w, true).unwrap();
    let r = s
        .create(reflection("gone soon", at(1, 5, 6)))
        .unwrap()
        .meta
        .id;
    s.delete(&r).unwrap();
    s.set_dispute_stage(
        &sam,
        DisputeStage::Renegotiation,
        at(1, 6, 7),
        "talking again",
    )
    .unwrap();
    s.check_in_mood(MoodCheckIn {
        at: at(1, 7, 8),
        rating: 6,
        event: "the call went well".into(),
        crisis: false,
    })
    .unwrap();
}

#[test]
fn rebuilding_the_index_gives_an_identical_dump() {
    let s = TestStore::new();
    sample(&s);
    let dump = s.index_dump().unwrap();
    assert_eq!(dump.len(), 5); // the deleted reflection has no row

    s.rebuild_index().unwrap();
    assert_eq!(s.index_dump().unwrap(), dump);
    s.rebuild_index().unwrap();
    assert_eq!(s.index_dump().unwrap(), dump);
}

#[test]
fn the_dump_holds_every_row_with_its_search_text_in_id_order() {
    let s = TestStore::new();
    sample(&s);
    let dump = s.index_dump().unwrap();
    let ids: Vec<_> = dump.iter().map(|(x, _)| x.id.clone()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);

    let person = dump
        .iter()
        .find(|(x, _)| x.title == "Sam")
        .expect("the person's row");
    assert_eq!(person.1, "Sam\nfriend\n\n\n\n\n\ntalking again");
    let mood = dump
        .iter()
        .find(|(x, _)| x.title == "Mood 6/10")
        .expect("the mood row");
    assert_eq!(mood.1, "the call went well");
}

#[test]
fn a_damaged_index_is_repaired_by_a_rebuild() {
    let s = TestStore::new();
    sample(&s);
    let dump = s.index_dump().unwrap();
    let list = s.list(&ListQuery::default()).unwrap();
    {
        let conn = rusqlite::Connection::open(s.path()).unwrap();
        conn.execute_batch(
            "DELETE FROM item_index WHERE kind = 'goal';
             UPDATE item_index SET title = 'wrong', shared = 1;
             DELETE FROM item_text;
             INSERT INTO item_index (id, kind, at, title, shared, updated_at)
                 VALUES ('ghost', 'win', 0, 'ghost', 0, 0);",
        )
        .unwrap();
    }
    assert_ne!(s.index_dump().unwrap(), dump);

    s.rebuild_index().unwrap();
    assert_eq!(s.index_dump().unwrap(), dump);
    assert_eq!(s.list(&ListQuery::default()).unwrap(), list);
    assert_eq!(s.search("glad", 0).unwrap().len(), 1);
}

#[test]
fn a_rebuild_on_a_replica_matches_the_original() {
    let a = TestStore::new();
    let b = TestStore::new();
    sample(&a);
    common::deliver(&a, &b);
    b.rebuild_index().unwrap();
    assert_eq!(a.index_dump().unwrap(), b.index_dump().unwrap());
}
