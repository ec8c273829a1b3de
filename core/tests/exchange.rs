//! Exchange between replicas: outboxes, acknowledgement, applying changes in
//! any order and more than once, whole-document export, dropping a local copy.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Utc;
use common::{TestStore, at, deliver, exchange, goal, outbox_of, person, reflection, win};
use rapport_core::goal::{Goal, GoalStatus};
use rapport_core::inventory::Person;
use rapport_core::journal::{Reflection, Win};
use rapport_core::store::{IncomingChange, ListQuery};
use rapport_core::{DocKind, Error, ItemId};

#[test]
fn concurrent_edits_of_one_goal_both_survive_on_both_devices() {
    let phone = TestStore::new();
    let tablet = TestStore::new();
    let g = phone.create(goal("See friends more")).unwrap().meta.id;
    let first = phone.add_milestone(&g, "Text Jo").unwrap();
    deliver(&phone, &tablet);
    assert_eq!(
        tablet.get::<Goal>(&g).unwrap().record,
        phone.get::<Goal>(&g).unwrap().record
    );

    // Offline on both: different fields, and a milestone each.
    phone
        .modify(&g, |x: &mut Goal| {
            x.description = "One evening out a week".into();
            Ok(())
        })
        .unwrap();
    let m_phone = phone.add_milestone(&g, "Book the climbing class").unwrap();
    tablet.set_goal_status(&g, GoalStatus::Paused).unwrap();
    let m_tablet = tablet.add_milestone(&g, "Call Ana back").unwrap();
    tablet.complete_milestone(&g, &first, at(6, 1, 18)).unwrap();

    exchange(&phone, &tablet);

    for device in [&phone, &tablet] {
        let record = device.get::<Goal>(&g).unwrap().record;
        assert_eq!(record.title, "See friends more");
        assert_eq!(record.description, "One evening out a week");
        assert_eq!(record.status, GoalStatus::Paused);
        assert_eq!(record.milestones.len(), 3);
        assert_eq!(record.milestones[&first].completed_at, Some(at(6, 1, 18)));
        assert_eq!(record.milestones[&m_phone].title, "Book the climbing class");
        assert_eq!(record.milestones[&m_tablet].title, "Call Ana back");
    }
    assert_eq!(
        phone.get::<Goal>(&g).unwrap(),
        tablet.get::<Goal>(&g).unwrap()
    );
    assert_eq!(phone.index_dump().unwrap(), tablet.index_dump().unwrap());
}

#[test]
fn applying_the_same_changes_twice_changes_nothing_the_second_time() {
    let a = TestStore::new();
    let b = TestStore::new();
    let w = a.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    let change = a.pending_changes(0, 10).unwrap().remove(0);

    assert!(b.apply_changes(&w, DocKind::Win, &change.data).unwrap());
    let dump = b.index_dump().unwrap();
    let doc = b.export_document(&w).unwrap();
    assert!(!b.apply_changes(&w, DocKind::Win, &change.data).unwrap());
    let again = b.apply_batch(&outbox_of(&a)).unwrap();
    assert!(again.changed.is_empty());
    assert!(again.rejected.is_empty());
    assert_eq!(b.index_dump().unwrap(), dump);
    assert_eq!(b.export_document(&w).unwrap(), doc);
    // Changes received are not this device's to push again.
    assert_eq!(b.outbox_len().unwrap(), 0);
}

#[test]
fn an_edit_that_arrives_before_its_item_waits_for_it() {
    let a = TestStore::new();
    let b = TestStore::new();
    let w = a.create(win("first title", at(1, 1, 1))).unwrap().meta.id;
    a.modify(&w, |x: &mut Win| {
        x.title = "second title".into();
        Ok(())
    })
    .unwrap();
    let mut pieces = outbox_of(&a);
    assert_eq!(pieces.len(), 2);
    pieces.reverse();

    // The edit alone: stored, but there is nothing to show yet.
    assert!(b.apply_changes(&w, DocKind::Win, &pieces[0].data).unwrap());
    assert!(matches!(b.get::<Win>(&w), Err(Error::NotFound { .. })));
    assert!(b.list(&ListQuery::default()).unwrap().is_empty());

    // It survives a restart while it waits.
    let b = b.reopen();
    assert!(b.apply_changes(&w, DocKind::Win, &pieces[1].data).unwrap());
    assert_eq!(b.get::<Win>(&w).unwrap().record.title, "second title");
    assert_eq!(a.index_dump().unwrap(), b.index_dump().unwrap());
}

#[test]
fn a_chain_of_edits_arriving_before_the_item_is_kept_whole() {
    let a = TestStore::new();
    let b = TestStore::new();
    let w = a.create(win("v0", at(1, 1, 1))).unwrap().meta.id;
    for title in ["v1", "v2", "v3"] {
        a.modify(&w, |x: &mut Win| {
            x.title = title.into();
            Ok(())
        })
        .unwrap();
    }
    let pieces = outbox_of(&a);
    assert_eq!(pieces.len(), 4);

    // Each edit waits on the one before, and the first on the creation: the
    // later ones leave the missing dependency unchanged but must be kept.
    for piece in &pieces[1..] {
        b.apply_changes(&w, DocKind::Win, &piece.data).unwrap();
    }
    assert!(b.apply_changes(&w, DocKind::Win, &pieces[0].data).unwrap());

    assert_eq!(b.get::<Win>(&w).unwrap().record.title, "v3");
    assert_eq!(b.get::<Win>(&w).unwrap(), a.get::<Win>(&w).unwrap());
}

#[test]
fn the_outbox_keeps_every_local_change_until_acknowledged() {
    let s = TestStore::new();
    let p = s.create(person("Sam")).unwrap().meta.id;
    let w = s.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    s.set_shared(&w, true).unwrap();

    let all = s.pending_changes(0, 100).unwrap();
    let kinds: Vec<_> = all.iter().map(|c| (c.doc_id.clone(), c.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (p.clone(), DocKind::Person),
            (w.clone(), DocKind::Win),
            (w.clone(), DocKind::Win),
        ]
    );
    assert!(all.windows(2).all(|x| x[0].seq < x[1].seq));
    assert_eq!(s.outbox_len().unwrap(), 3);

    // Paging through the outbox.
    let first = s.pending_changes(0, 2).unwrap();
    assert_eq!(first, all[0..2]);
    assert_eq!(s.pending_changes(first[1].seq, 2).unwrap(), all[2..3]);

    s.acknowledge(&[all[0].seq, all[2].seq]).unwrap();
    assert_eq!(s.pending_changes(0, 100).unwrap(), vec![all[1].clone()]);
    // Acknowledging again, or an unknown seq, is harmless.
    s.acknowledge(&[all[0].seq, 999]).unwrap();
    assert_eq!(s.outbox_len().unwrap(), 1);
}

#[test]
fn an_exported_document_gives_a_new_replica_the_whole_item() {
    let a = TestStore::new();
    let b = TestStore::new();
    let g = a.create(goal("g")).unwrap().meta.id;
    for i in 0..40 {
        a.add_milestone(&g, &format!("step {i}")).unwrap();
    }
    a.set_shared(&g, true).unwrap();

    let (kind, bytes) = a.export_document(&g).unwrap();
    assert_eq!(kind, DocKind::Goal);
    assert!(b.apply_changes(&g, kind, &bytes).unwrap());

    assert_eq!(b.get::<Goal>(&g).unwrap(), a.get::<Goal>(&g).unwrap());
    assert_eq!(a.index_dump().unwrap(), b.index_dump().unwrap());
    // The outbox pieces are already known now.
    let again = b.apply_batch(&outbox_of(&a)).unwrap();
    assert!(again.changed.is_empty());
    assert!(matches!(
        a.export_document(&ItemId::new("nope")),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn a_deletion_reaches_the_other_device() {
    let a = TestStore::new();
    let b = TestStore::new();
    let r = a
        .create(reflection("private thought", at(1, 1, 1)))
        .unwrap()
        .meta
        .id;
    exchange(&a, &b);
    assert!(b.get::<Reflection>(&r).is_ok());

    b.delete(&r).unwrap();
    exchange(&a, &b);

    assert!(matches!(
        a.get::<Reflection>(&r),
        Err(Error::NotFound { .. })
    ));
    assert!(a.search("private", 0).unwrap().is_empty());
    assert_eq!(a.index_dump().unwrap(), Vec::new());
    assert_eq!(a.index_dump().unwrap(), b.index_dump().unwrap());
}

#[test]
fn an_edit_concurrent_with_a_deletion_does_not_bring_the_item_back() {
    let a = TestStore::new();
    let b = TestStore::new();
    let p = a.create(person("Sam")).unwrap().meta.id;
    exchange(&a, &b);

    a.delete(&p).unwrap();
    b.modify(&p, |x: &mut Person| {
        x.notes = "new note".into();
        Ok(())
    })
    .unwrap();
    b.set_shared(&p, true).unwrap();
    exchange(&a, &b);

    for s in [&a, &b] {
        assert!(matches!(s.get::<Person>(&p), Err(Error::NotFound { .. })));
    }
    assert_eq!(a.index_dump().unwrap(), b.index_dump().unwrap());
    assert!(a.index_dump().unwrap().is_empty());
}

#[test]
fn a_batch_keeps_the_good_pieces_and_reports_the_bad_ones() {
    let a = TestStore::new();
    let b = TestStore::new();
    let w = a.create(win("good", at(1, 1, 1))).unwrap().meta.id;
    let p = a.create(person("Sam")).unwrap().meta.id;
    let mut pieces = outbox_of(&a);
    let bad_id = ItemId::new("bad");
    pieces.insert(
        1,
        IncomingChange {
            doc_id: bad_id.clone(),
            kind: DocKind::Win,
            data: b"not automerge at all".to_vec(),
        },
    );
    // The person's changes, claimed to be a goal.
    pieces.push(IncomingChange {
        doc_id: ItemId::new("liar"),
        kind: DocKind::Goal,
        data: pieces[2].data.clone(),
    });

    let applied = b.apply_batch(&pieces).unwrap();

    assert_eq!(applied.changed, vec![w.clone(), p.clone()]);
    let rejected: Vec<_> = applied.rejected.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(rejected, vec!["bad", "liar"]);
    assert!(matches!(
        applied.rejected[0].1,
        Error::MalformedChanges { .. }
    ));
    assert!(matches!(
        applied.rejected[1].1,
        Error::MalformedDocument { kind: "goal", .. }
    ));
    let mut held = b.document_ids().unwrap();
    held.sort();
    let mut expected = vec![w, p];
    expected.sort();
    assert_eq!(held, expected);
}

#[test]
fn changes_for_an_item_of_another_kind_are_refused() {
    let a = TestStore::new();
    let b = TestStore::new();
    let w = a.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    deliver(&a, &b);
    a.set_shared(&w, true).unwrap();
    let last = a.pending_changes(0, 10).unwrap().pop().unwrap();
    let before = b.export_document(&w).unwrap();

    assert!(matches!(
        b.apply_changes(&w, DocKind::Goal, &last.data),
        Err(Error::MalformedDocument { kind: "goal", .. })
    ));
    assert_eq!(b.export_document(&w).unwrap(), before);
}

#[test]
fn removing_the_local_copy_forgets_the_item_without_a_tombstone() {
    let therapist = TestStore::new();
    let client = TestStore::new();
    let w = client
        .create(win("shared win", at(1, 1, 1)))
        .unwrap()
        .meta
        .id;
    let p = client.create(person("Sam")).unwrap().meta.id;
    deliver(&client, &therapist);
    therapist.set_shared(&w, true).unwrap(); // a local change not yet pushed
    let rec = common::Recorder::new();
    let _sub = therapist.subscribe(rec.clone());

    assert!(therapist.remove_local_copy(&w).unwrap());

    assert!(matches!(
        therapist.get::<Win>(&w),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(therapist.document_ids().unwrap(), vec![p.clone()]);
    assert!(therapist.search("shared", 0).unwrap().is_empty());
    assert!(
        therapist
            .pending_changes(0, 100)
            .unwrap()
            .iter()
            .all(|c| c.doc_id != w)
    );
    assert_eq!(
        rec.batches(),
        vec![vec![rapport_core::observer::ItemChange::removed(
            w.clone(),
            DocKind::Win
        )]]
    );
    assert!(!therapist.remove_local_copy(&w).unwrap());
    // The client's copy is untouched: no tombstone was made.
    assert!(client.get::<Win>(&w).is_ok());
    let _ = Utc::now();
}

#[test]
fn a_large_batch_decoded_over_threads_applies_in_order_and_keeps_the_good_pieces() {
    let a = TestStore::new();
    let b = TestStore::new();
    let ids: Vec<ItemId> = (0..150)
        .map(|i| {
            a.create(win(&format!("win number {i}"), at(1, 1, 1)))
                .unwrap()
                .meta
                .id
        })
        .collect();
    let mut pieces = outbox_of(&a);
    assert_eq!(pieces.len(), ids.len());
    for (at, name) in [(70, "bad-70"), (141, "bad-141")] {
        pieces.insert(
            at,
            IncomingChange {
                doc_id: ItemId::new(name),
                kind: DocKind::Win,
                data: b"\x85\x6f\x4a\x83 not automerge".to_vec(),
            },
        );
    }

    let applied = b.apply_batch(&pieces).unwrap();

    assert_eq!(applied.changed, ids, "every good piece, in order");
    let rejected: Vec<_> = applied.rejected.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(rejected, vec!["bad-70", "bad-141"]);
    assert_eq!(b.document_ids().unwrap().len(), ids.len());
    assert_eq!(a.index_dump().unwrap(), b.index_dump().unwrap());
    let found = b.search("149", 0).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, ids[149]);

    // The same page again changes nothing and refuses the same two.
    let again = b.apply_batch(&pieces).unwrap();
    assert!(again.changed.is_empty());
    assert_eq!(again.rejected.len(), 2);
}

#[test]
fn whole_documents_read_while_decoding_index_as_their_source_tombstones_and_repeats_included() {
    let a = TestStore::new();
    let ids: Vec<ItemId> = (0..120)
        .map(|i| {
            a.create(win(&format!("whole win {i}"), at(2, 1, 1)))
                .unwrap()
                .meta
                .id
        })
        .collect();
    for id in ids.iter().step_by(7) {
        a.delete(id).unwrap();
    }
    let whole = |id: &ItemId| {
        let (kind, data) = a.export_document(id).unwrap();
        IncomingChange {
            doc_id: id.clone(),
            kind,
            data,
        }
    };
    // Every document whole (what a new device receives), then a few of them
    // again in the same page: those the store now has take the other path.
    let mut pieces: Vec<_> = ids.iter().map(whole).collect();
    pieces.extend(ids[..5].iter().map(whole));
    let b = TestStore::new();

    let applied = b.apply_batch(&pieces).unwrap();

    assert_eq!(
        applied.changed, ids,
        "each document once; the repeats change nothing"
    );
    assert!(applied.rejected.is_empty());
    assert_eq!(a.index_dump().unwrap(), b.index_dump().unwrap());
    assert!(b.get::<Win>(&ids[0]).is_err(), "a tombstone stays deleted");
    assert_eq!(
        b.index_dump().unwrap().len(),
        120 - 120usize.div_ceil(7),
        "a row per live one"
    );
    assert_eq!(
        b.search("whole", 0).unwrap().len(),
        50,
        "found in full text (one page)"
    );
}
