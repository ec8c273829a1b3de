//! Persistence: everything written is there after closing and reopening the
//! file, the database runs in WAL mode, the outbox and the device's identity
//! survive, compaction keeps every change.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at, deliver, goal, person, win};
use rapport_core::goal::Goal;
use rapport_core::inventory::Person;
use rapport_core::journal::Win;
use rapport_core::store::ListQuery;
use rapport_core::{Error, Store};

#[test]
fn items_index_and_outbox_survive_close_and_reopen() {
    let s = TestStore::new();
    let p = s.create(person("Sam")).unwrap();
    let w = s.create(win("Asked for a raise", at(2, 2, 2))).unwrap();
    s.set_shared(&w.id, true).unwrap();
    let gone = s.create(win("deleted", at(2, 3, 2))).unwrap().meta.id;
    s.delete(&gone).unwrap();
    let actor = s.device_actor();
    let outbox = s.pending_changes(0, 100).unwrap();
    let dump = s.index_dump().unwrap();
    let ids = s.document_ids().unwrap();

    let s = s.reopen();

    assert_eq!(s.device_actor(), actor);
    assert_eq!(s.get::<Person>(&p.id).unwrap(), p);
    let w2 = s.get::<Win>(&w.id).unwrap();
    assert_eq!(w2.record, w.record);
    assert!(w2.shared);
    assert!(matches!(s.get::<Win>(&gone), Err(Error::NotFound { .. })));
    assert_eq!(s.pending_changes(0, 100).unwrap(), outbox);
    assert_eq!(s.index_dump().unwrap(), dump);
    assert_eq!(s.document_ids().unwrap(), ids);
    assert_eq!(s.search("raise", 0).unwrap()[0].id, w.id);
}

#[test]
fn the_database_is_in_wal_mode_and_durable() {
    let s = TestStore::new();
    s.create(win("w", at(1, 1, 1))).unwrap();
    let path = s.path();
    // While the store is open its last write is already in the WAL file.
    assert!(path.with_extension("db-wal").exists());
    drop(s.store);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app_id, 0x5241_5054);
}

#[test]
fn a_write_is_visible_to_another_connection_as_soon_as_the_call_returns() {
    let s = TestStore::new();
    let w = s.create(win("committed", at(1, 1, 1))).unwrap().meta.id;
    // A second, independent opening of the same file (another process).
    let other = Store::open(s.path()).unwrap();
    assert_eq!(other.get::<Win>(&w).unwrap().record.title, "committed");
    assert_eq!(other.device_actor(), s.device_actor());
}

#[test]
fn unacknowledged_changes_stay_in_the_outbox_across_restarts_until_acknowledged() {
    let s = TestStore::new();
    let server = TestStore::new();
    s.create(win("one", at(1, 1, 1))).unwrap();
    s.create(win("two", at(1, 2, 1))).unwrap();
    let first = s.pending_changes(0, 1).unwrap();
    s.acknowledge(&[first[0].seq]).unwrap();

    let s = s.reopen();
    let left = s.pending_changes(0, 100).unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].seq > first[0].seq);

    // New changes keep counting up after a restart.
    s.create(win("three", at(1, 3, 1))).unwrap();
    let all = s.pending_changes(0, 100).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[1].seq > all[0].seq);

    deliver(&s, &server);
    assert_eq!(server.list(&ListQuery::default()).unwrap().len(), 2);
}

#[test]
fn many_edits_are_compacted_and_nothing_is_lost() {
    let s = TestStore::new();
    let g = s.create(goal("g")).unwrap().meta.id;
    let mut ms = Vec::new();
    for i in 0..40 {
        ms.push(s.add_milestone(&g, &format!("step {i}")).unwrap());
    }
    for m in ms.iter().step_by(3) {
        s.complete_milestone(&g, m, at(3, 3, 3)).unwrap();
    }
    let expected = s.get::<Goal>(&g).unwrap();
    assert_eq!(expected.record.milestones.len(), 40);

    let s = s.reopen();
    assert_eq!(s.get::<Goal>(&g).unwrap(), expected);
    let conn = rusqlite::Connection::open(s.path()).unwrap();
    let loose: i64 = conn
        .query_row("SELECT count(*) FROM doc_changes", [], |r| r.get(0))
        .unwrap();
    assert!(loose < 32, "{loose} changes were never compacted");
    // A compacted document still exchanges fully with a fresh replica.
    let b = TestStore::new();
    deliver(&s, &b);
    assert_eq!(b.get::<Goal>(&g).unwrap().record, expected.record);
}

#[test]
fn reopening_does_not_change_anything() {
    let s = TestStore::new();
    s.create(win("w", at(1, 1, 1))).unwrap();
    let before = (s.index_dump().unwrap(), s.pending_changes(0, 100).unwrap());
    let s = s.reopen().reopen().reopen();
    assert_eq!(
        (s.index_dump().unwrap(), s.pending_changes(0, 100).unwrap()),
        before
    );
}

#[test]
fn an_empty_file_becomes_a_new_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let s = Store::open(&path).unwrap();
    assert!(s.document_ids().unwrap().is_empty());
    s.create(win("w", at(1, 1, 1))).unwrap();
}
