//! Items another account owns (a therapist's note on the client's device)
//! are read-only here, `owner_of` says whose an item is, and deleting
//! everything on a device removes others' copies without pushing anything.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use common::{TestStore, at, deliver, goal, win};
use rapport_core::goal::Goal;
use rapport_core::note::{Note, NoteSubject};
use rapport_core::store::ListQuery;
use rapport_core::{Error, ItemId, Store};

const THERAPIST: &str = "acct-therapist";

/// A client's store holding a shared win of its own and a note the
/// therapist wrote on it, delivered the way the sync engine does: the
/// changes applied, then the owner recorded.
fn client_with_a_note() -> (TestStore, ItemId, ItemId) {
    let client = TestStore::new();
    let own = client
        .create(win("Said no kindly", at(3, 2, 9)))
        .unwrap()
        .meta
        .id;
    client.set_shared(&own, true).unwrap();
    acknowledge_all(&client);

    let therapist = TestStore::new();
    let note = therapist
        .create(Note {
            client_id: "acct-client".into(),
            subject: NoteSubject::Item { id: own.clone() },
            text: "Well done holding the boundary".into(),
            written_at: at(3, 3, 10),
        })
        .unwrap()
        .meta
        .id;
    therapist.set_shared(&note, true).unwrap();
    deliver(&therapist, &client);
    client
        .set_owners(&[(note.clone(), THERAPIST.into())])
        .unwrap();
    assert_eq!(client.outbox_len().unwrap(), 0, "receiving pushes nothing");
    (client, own, note)
}

/// As if a server acknowledged everything pushed so far.
fn acknowledge_all(store: &Store) {
    let seqs: Vec<i64> = store
        .pending_changes(0, 10_000)
        .unwrap()
        .into_iter()
        .map(|c| c.seq)
        .collect();
    store.acknowledge(&seqs).unwrap();
}

fn is_read_only(result: Result<(), Error>, id: &ItemId) -> bool {
    matches!(
        &result,
        Err(Error::ReadOnly { kind: "note", id: got, owner }) if got == id.as_str() && owner == THERAPIST
    )
}

#[test]
fn a_received_note_cannot_be_deleted_or_unshared_and_nothing_changes() {
    let (client, _, note) = client_with_a_note();
    let before = client.get::<Note>(&note).unwrap();
    let dump = client.index_dump().unwrap();

    assert!(is_read_only(client.delete(&note), &note));
    assert!(is_read_only(client.set_shared(&note, false), &note));
    // Sharing what is already shared is refused too: the answer does not
    // depend on whether the call would have changed anything.
    assert!(is_read_only(client.set_shared(&note, true), &note));
    let edit = client.modify(&note, |n: &mut Note| {
        n.text = "changed by the client".into();
        Ok(())
    });
    assert!(matches!(edit, Err(Error::ReadOnly { .. })), "{edit:?}");

    assert_eq!(client.get::<Note>(&note).unwrap(), before);
    assert!(client.get::<Note>(&note).unwrap().shared);
    assert_eq!(client.index_dump().unwrap(), dump);
    assert_eq!(client.outbox_len().unwrap(), 0, "nothing queued to push");
}

#[test]
fn any_kind_owned_by_another_account_is_read_only_and_the_own_stay_writable() {
    let client = TestStore::new();
    let other = TestStore::new();
    let theirs = other.create(goal("their goal")).unwrap().meta.id;
    deliver(&other, &client);
    client
        .set_owners(&[(theirs.clone(), "acct-other".into())])
        .unwrap();
    let outbox = client.outbox_len().unwrap();

    assert!(matches!(
        client.delete(&theirs),
        Err(Error::ReadOnly { kind: "goal", .. })
    ));
    assert!(matches!(
        client.set_shared(&theirs, true),
        Err(Error::ReadOnly { kind: "goal", .. })
    ));
    assert!(client.get::<Goal>(&theirs).is_ok());
    assert_eq!(client.outbox_len().unwrap(), outbox);

    // The client's own items are unaffected.
    let own = client.create(goal("own goal")).unwrap().meta.id;
    client.set_shared(&own, true).unwrap();
    client.delete(&own).unwrap();
    assert!(client.get::<Goal>(&own).is_err());
}

#[test]
fn owner_of_names_the_other_account_and_none_for_the_own_whatever_the_input() {
    let (client, own, note) = client_with_a_note();
    assert_eq!(client.owner_of(&note).unwrap().as_deref(), Some(THERAPIST));
    assert_eq!(client.owner_of(&own).unwrap(), None);

    // Hostile or stale ids: nothing recorded, so no other owner; never an error.
    for id in ["", "no-such-id", "'; DROP TABLE doc_owners; --", "\u{0}x"] {
        assert_eq!(client.owner_of(&ItemId::new(id)).unwrap(), None, "{id:?}");
    }
    // A deleted item of one's own is still one's own.
    client.delete(&own).unwrap();
    assert_eq!(client.owner_of(&own).unwrap(), None);
    // The owner is still known after the tables above were "attacked".
    assert_eq!(client.owner_of(&note).unwrap().as_deref(), Some(THERAPIST));

    // A note the therapist deleted keeps its owner (its tombstone is theirs).
    let client2 = TestStore::new();
    let therapist = TestStore::new();
    let gone = therapist
        .create(Note {
            client_id: "acct-client".into(),
            subject: NoteSubject::Week {
                starting: NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
            },
            text: "a week".into(),
            written_at: at(3, 3, 10),
        })
        .unwrap()
        .meta
        .id;
    therapist.delete(&gone).unwrap();
    deliver(&therapist, &client2);
    client2
        .set_owners(&[(gone.clone(), THERAPIST.into())])
        .unwrap();
    assert!(client2.get::<Note>(&gone).is_err());
    assert_eq!(client2.owner_of(&gone).unwrap().as_deref(), Some(THERAPIST));

    // A copy removed for good (a revoked share) has no owner left.
    assert!(client.remove_local_copy(&note).unwrap());
    assert_eq!(client.owner_of(&note).unwrap(), None);
}

#[test]
fn deleting_everything_on_a_client_removes_received_notes_and_pushes_nothing() {
    let (client, own, note) = client_with_a_note();
    // A local change not yet pushed goes too: deleting everything keeps no
    // outbox, so it pushes no delete of the therapist's note (nor anything).
    client.create(win("written offline", at(3, 4, 9))).unwrap();
    assert_eq!(client.outbox_len().unwrap(), 1);

    assert_eq!(client.delete_everything().unwrap(), 3);
    assert!(client.document_ids().unwrap().is_empty());
    assert_eq!(client.outbox_len().unwrap(), 0);
    assert!(client.documents_owned_by(THERAPIST).unwrap().is_empty());
    assert_eq!(client.owner_of(&note).unwrap(), None);
    assert!(client.get::<Note>(&note).is_err());
    assert!(client.summary(&own).unwrap().is_none());
    let page = client.list_page(&ListQuery::default()).unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.total, 0);

    // The store is usable again afterwards, and a fresh write is the only
    // thing in the outbox.
    client.create(win("a new start", at(4, 1, 9))).unwrap();
    assert_eq!(client.outbox_len().unwrap(), 1);
}
