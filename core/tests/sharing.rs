//! Per-item sharing with the therapist: private by default, `set_shared`
//! turns it on and off, and the flag travels with the item.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at, deliver, goal, person, win};
use rapport_core::goal::Goal;
use rapport_core::journal::Win;
use rapport_core::store::ListQuery;
use rapport_core::{Error, ItemId};

#[test]
fn items_are_private_until_shared() {
    let s = TestStore::new();
    let w = s
        .create(win("Spoke up in the meeting", at(1, 1, 1)))
        .unwrap();
    assert!(!w.shared);
    assert!(!s.list(&ListQuery::default()).unwrap()[0].shared);

    s.set_shared(&w.id, true).unwrap();
    let got = s.get::<Win>(&w.id).unwrap();
    assert!(got.shared);
    assert_eq!(got.record, w.record);
    assert!(s.list(&ListQuery::default()).unwrap()[0].shared);
    assert!(s.search("meeting", 0).unwrap()[0].shared);

    s.set_shared(&w.id, false).unwrap();
    assert!(!s.get::<Win>(&w.id).unwrap().shared);
    assert!(!s.list(&ListQuery::default()).unwrap()[0].shared);
}

#[test]
fn sharing_works_for_every_kind_and_is_per_item() {
    let s = TestStore::new();
    let p = s.create(person("Sam")).unwrap().meta.id;
    let g = s.create(goal("g")).unwrap().meta.id;
    s.set_shared(&g, true).unwrap();

    assert!(s.get::<Goal>(&g).unwrap().shared);
    assert!(!s.get::<rapport_core::inventory::Person>(&p).unwrap().shared);
    let shared: Vec<ItemId> = s
        .list(&ListQuery::default())
        .unwrap()
        .into_iter()
        .filter(|x| x.shared)
        .map(|x| x.id)
        .collect();
    assert_eq!(shared, vec![g]);
}

#[test]
fn sharing_is_a_change_that_syncs_and_setting_the_same_value_is_not() {
    let a = TestStore::new();
    let b = TestStore::new();
    let w = a.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    assert_eq!(a.outbox_len().unwrap(), 1);

    a.set_shared(&w, true).unwrap();
    assert_eq!(a.outbox_len().unwrap(), 2);
    a.set_shared(&w, true).unwrap();
    assert_eq!(a.outbox_len().unwrap(), 2);

    deliver(&a, &b);
    assert!(b.get::<Win>(&w).unwrap().shared);
    assert_eq!(a.index_dump().unwrap(), b.index_dump().unwrap());
}

#[test]
fn sharing_an_unknown_or_deleted_item_fails() {
    let s = TestStore::new();
    assert!(matches!(
        s.set_shared(&ItemId::new("nope"), true),
        Err(Error::NotFound { kind: "item", .. })
    ));
    let w = s.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    s.delete(&w).unwrap();
    let outbox = s.outbox_len().unwrap();
    assert!(matches!(
        s.set_shared(&w, true),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(s.outbox_len().unwrap(), outbox);
}

#[test]
fn shared_items_are_the_own_items_marked_shared_and_nothing_received() {
    let client = TestStore::new();
    let kept = client.create(win("private", at(3, 1, 9))).unwrap().meta.id;
    let shared = client.create(win("shared", at(3, 2, 9))).unwrap().meta.id;
    client.set_shared(&shared, true).unwrap();

    // A document received from another account, shared there, is not ours.
    let other = TestStore::new();
    let theirs = other.create(goal("their goal")).unwrap().meta.id;
    other.set_shared(&theirs, true).unwrap();
    deliver(&other, &client);
    client
        .set_owners(&[(theirs.clone(), "acct-other".into())])
        .unwrap();

    let ids: Vec<ItemId> = client
        .shared_items()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, vec![shared]);
    assert!(client.summary(&kept).unwrap().is_some_and(|s| !s.shared));
    assert!(client.summary(&theirs).unwrap().is_some_and(|s| s.shared));
}
