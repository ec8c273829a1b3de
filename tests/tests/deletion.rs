//! Deleting everything: the client's documents go from the server, from the
//! client's other devices and from the therapist's device; a fresh device of
//! the account pulls nothing.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use rapport_core::inventory::{Person, Ring};
use rapport_core::journal::{Channel, Interaction, Reflection, Win};
use rapport_protocol::Role;
use rapport_tests::{Device, Server, link};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_everything_removes_the_record_everywhere() {
    let server = Server::start();
    let client = Device::sign_up(&server.url, "hana@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.ida@example.org", Role::Therapist).await;
    link(&client, &therapist).await;
    client.sync.links().await.unwrap();

    let at = Utc.with_ymd_and_hms(2026, 4, 6, 18, 0, 0).unwrap();
    let s = &client.store;
    let mum = s
        .create(Person::new("Mum", "mother", Ring::Inner))
        .unwrap()
        .meta
        .id;
    let call = s
        .create(Interaction::new(mum, at, Channel::Phone))
        .unwrap()
        .meta
        .id;
    let win = s
        .create(Win {
            occurred_at: at,
            title: "Said no kindly".into(),
            details: String::new(),
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    s.set_shared(&win, true).unwrap();
    s.set_shared(&call, true).unwrap();
    client.sync().await;

    // A second device of the account writes something the first has not seen.
    let tablet = Device::sign_in(&server.url, "hana@example.org", &client).await;
    tablet.sync().await;
    tablet
        .store
        .create(Reflection {
            written_at: at,
            text: "from the tablet".into(),
            person_id: None,
            goal: None,
        })
        .unwrap();
    tablet.sync().await;

    therapist.sync().await;
    assert_eq!(therapist.store.document_ids().unwrap().len(), 2);

    // A document never pushed (still in the outbox) is fine too: the
    // deletion syncs first, then deletes.
    s.create(Reflection {
        written_at: at,
        text: "written offline".into(),
        person_id: None,
        goal: None,
    })
    .unwrap();
    let deleted = client.sync.delete_everything().await.unwrap();
    assert_eq!(
        deleted, 5,
        "person, call, win, the offline reflection and the tablet's"
    );
    assert!(client.store.document_ids().unwrap().is_empty());
    assert_eq!(client.store.outbox_len().unwrap(), 0);

    // The therapist's copies are removed at the next sync.
    let report = therapist.sync().await;
    assert_eq!(report.removed, 2);
    assert!(therapist.store.document_ids().unwrap().is_empty());

    // The other device drops its copies; a fresh device pulls nothing.
    tablet.sync().await;
    assert!(tablet.store.list(&Default::default()).unwrap().is_empty());
    let fresh = Device::sign_in(&server.url, "hana@example.org", &client).await;
    let report = fresh.sync().await;
    assert_eq!(report.pulled, 0);
    assert!(fresh.store.document_ids().unwrap().is_empty());

    // Deleting again is harmless.
    assert_eq!(client.sync.delete_everything().await.unwrap(), 0);
}
