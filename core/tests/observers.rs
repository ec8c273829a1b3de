//! Observers: one notification per write or per applied batch, listing every
//! item that changed; dropping the subscription ends it.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::{Recorder, TestStore, at, outbox_of, person, win};
use rapport_core::observer::{ChangeOp, ItemChange, StoreObserver};
use rapport_core::store::ListQuery;
use rapport_core::{DocKind, ItemId, Store};

#[test]
fn a_write_notifies_once_with_the_item_that_changed() {
    let s = TestStore::new();
    let rec = Recorder::new();
    let _sub = s.subscribe(rec.clone());

    let w = s.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    s.set_shared(&w, true).unwrap();
    s.delete(&w).unwrap();

    assert_eq!(
        rec.batches(),
        vec![
            vec![ItemChange::upserted(w.clone(), DocKind::Win)],
            vec![ItemChange::upserted(w.clone(), DocKind::Win)],
            vec![ItemChange::removed(w.clone(), DocKind::Win)],
        ]
    );
}

#[test]
fn a_failed_or_empty_write_notifies_nobody() {
    let s = TestStore::new();
    let w = s.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    let rec = Recorder::new();
    let _sub = s.subscribe(rec.clone());

    assert!(s.create(win("", at(1, 1, 1))).is_err());
    assert!(s.delete(&ItemId::new("nope")).is_err());
    s.set_shared(&w, false).unwrap(); // already private: nothing changes

    assert_eq!(rec.batches(), Vec::<Vec<ItemChange>>::new());
}

#[test]
fn an_applied_batch_is_one_notification() {
    let a = TestStore::new();
    let b = TestStore::new();
    let p = a.create(person("Sam")).unwrap().meta.id;
    let w1 = a.create(win("one", at(1, 1, 1))).unwrap().meta.id;
    let w2 = a.create(win("two", at(1, 2, 1))).unwrap().meta.id;
    let rec = Recorder::new();
    let _sub = b.subscribe(rec.clone());

    b.apply_batch(&outbox_of(&a)).unwrap();
    assert_eq!(
        rec.batches(),
        vec![vec![
            ItemChange::upserted(p, DocKind::Person),
            ItemChange::upserted(w1.clone(), DocKind::Win),
            ItemChange::upserted(w2, DocKind::Win),
        ]]
    );

    // Duplicates change nothing and notify nobody.
    b.apply_batch(&outbox_of(&a)).unwrap();
    assert_eq!(rec.batches().len(), 1);

    // A deletion arriving from elsewhere is a removal here too.
    let seen = a.pending_changes(0, 100).unwrap().last().unwrap().seq;
    a.delete(&w1).unwrap();
    let tomb = a.pending_changes(seen, 100).unwrap();
    assert_eq!(tomb.len(), 1);
    assert!(b.apply_changes(&w1, DocKind::Win, &tomb[0].data).unwrap());
    assert_eq!(
        rec.batches()[1],
        vec![ItemChange::removed(w1, DocKind::Win)]
    );
}

#[test]
fn dropping_the_subscription_ends_it() {
    let s = TestStore::new();
    let rec = Recorder::new();
    let sub = s.subscribe(rec.clone());
    let other = Recorder::new();
    let _kept = s.subscribe(other.clone());

    s.create(win("one", at(1, 1, 1))).unwrap();
    drop(sub);
    s.create(win("two", at(1, 1, 1))).unwrap();

    assert_eq!(rec.batches().len(), 1);
    assert_eq!(other.batches().len(), 2);
    assert_eq!(
        Arc::strong_count(&rec),
        1,
        "the store let go of the observer"
    );

    let sub = s.subscribe(rec.clone());
    sub.cancel();
    s.create(win("three", at(1, 1, 1))).unwrap();
    assert_eq!(rec.batches().len(), 1);
}

/// An observer that reads the store when told: the notification comes after
/// the write committed and outside the store's lock.
struct Reader {
    store: Arc<Store>,
    seen: Mutex<Vec<usize>>,
}

impl StoreObserver for Reader {
    fn on_change(&self, changes: &[ItemChange]) {
        assert!(changes.iter().all(|c| c.op == ChangeOp::Upserted));
        let n = self.store.list(&ListQuery::default()).unwrap().len();
        self.seen.lock().unwrap().push(n);
    }
}

#[test]
fn an_observer_may_read_the_store_and_sees_the_committed_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path().join("r.db")).unwrap());
    let reader = Arc::new(Reader {
        store: store.clone(),
        seen: Mutex::new(Vec::new()),
    });
    let _sub = store.subscribe(reader.clone());

    store.create(win("one", at(1, 1, 1))).unwrap();
    store.create(win("two", at(1, 1, 1))).unwrap();

    assert_eq!(*reader.seen.lock().unwrap(), vec![1, 2]);
}
