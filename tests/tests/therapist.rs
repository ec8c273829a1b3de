//! A client shares part of the record with a therapist: the therapist sees
//! exactly what was shared, loses it on revocation, and every read is logged.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeZone, Utc};
use rapport_core::inventory::{Person, Ring};
use rapport_core::journal::{Channel, Interaction, Reflection, Win};
use rapport_core::note::{Note, NoteSubject};
use rapport_core::{DocKind, ItemId};
use rapport_protocol::Role;
use rapport_tests::{Device, Server, link};

fn ids(device: &Device) -> BTreeSet<ItemId> {
    device
        .store
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

struct Record {
    mum: ItemId,
    boss: ItemId,
    with_mum: ItemId,
    with_boss: ItemId,
    win: ItemId,
    private: ItemId,
}

fn write_record(client: &Device) -> Record {
    let at = Utc.with_ymd_and_hms(2026, 4, 6, 18, 0, 0).unwrap();
    let s = &client.store;
    let mum = s
        .create(Person::new("Mum", "mother", Ring::Inner))
        .unwrap()
        .meta
        .id;
    let boss = s
        .create(Person::new("R.", "manager", Ring::Outer))
        .unwrap()
        .meta
        .id;
    let mut i = Interaction::new(mum.clone(), at, Channel::Phone);
    i.what_i_wanted = "to be listened to".into();
    let with_mum = s.create(i).unwrap().meta.id;
    let with_boss = s
        .create(Interaction::new(boss.clone(), at, Channel::InPerson))
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
    let private = s
        .create(Reflection {
            written_at: at,
            text: "just for me".into(),
            person_id: None,
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    Record {
        mum,
        boss,
        with_mum,
        with_boss,
        win,
        private,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn therapist_sees_exactly_the_shared_items_and_loses_them_on_revocation() {
    let server = Server::start();
    let client = Device::sign_up(&server.url, "dana@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.eve@example.org", Role::Therapist).await;
    let r = write_record(&client);
    let care = link(&client, &therapist).await;
    client.sync.links().await.unwrap();

    // One item by its toggle, all interactions with Mum by a kind grant.
    client.store.set_shared(&r.win, true).unwrap();
    client.sync().await;
    let kind_grant = client
        .sync
        .share_kind(&care.therapist, DocKind::Interaction, Some(&r.mum))
        .await
        .unwrap();

    // The client's preview of the therapist's view knows the kind grant.
    assert_eq!(
        client.sync.therapist_view_grants().await.unwrap(),
        vec![rapport_core::clinical::KindGrant {
            kind: DocKind::Interaction,
            person_id: Some(r.mum.clone()),
        }]
    );

    therapist.sync().await;
    assert_eq!(
        ids(&therapist),
        BTreeSet::from([r.win.clone(), r.with_mum.clone()])
    );
    let seen = therapist
        .store
        .get::<Interaction>(&r.with_mum)
        .unwrap()
        .record;
    assert_eq!(seen.what_i_wanted, "to be listened to");
    assert_eq!(
        therapist.store.owner_of(&r.win).unwrap(),
        Some(care.client.clone())
    );
    for hidden in [&r.private, &r.with_boss, &r.boss, &r.mum] {
        assert!(therapist.store.get::<Reflection>(hidden).is_err());
    }

    // The access log lists both reads, and nothing else.
    let log = client.sync.access_log().await.unwrap();
    let read: BTreeSet<String> = log.iter().map(|e| e.doc_id.0.clone()).collect();
    assert_eq!(
        read,
        BTreeSet::from([r.win.to_string(), r.with_mum.to_string()])
    );
    assert!(log.iter().all(|e| e.reader == care.therapist));

    // A later interaction with Mum arrives through the kind grant.
    let at = Utc.with_ymd_and_hms(2026, 4, 8, 18, 0, 0).unwrap();
    let later = client
        .store
        .create(Interaction::new(r.mum.clone(), at, Channel::Text))
        .unwrap()
        .meta
        .id;
    client.sync().await;
    therapist.sync().await;
    assert!(ids(&therapist).contains(&later));

    // Making the win private again and revoking the kind grant removes both.
    client.store.set_shared(&r.win, false).unwrap();
    client.sync().await;
    client
        .sync
        .revoke_grant(&kind_grant.grant_id)
        .await
        .unwrap();
    let report = therapist.sync().await;
    assert_eq!(report.removed, 3);
    assert!(ids(&therapist).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_the_link_removes_everything_and_notes_reach_the_client_read_only() {
    let server = Server::start();
    let client = Device::sign_up(&server.url, "fay@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.gil@example.org", Role::Therapist).await;
    let r = write_record(&client);
    let care = link(&client, &therapist).await;
    client.sync.links().await.unwrap();
    client.store.set_shared(&r.win, true).unwrap();
    client.sync().await;
    therapist.sync().await;
    assert_eq!(ids(&therapist), BTreeSet::from([r.win.clone()]));

    // The therapist leaves a note on the win; the client receives it.
    let note = therapist
        .sync
        .write_note(Note {
            client_id: care.client.clone(),
            subject: NoteSubject::Item { id: r.win.clone() },
            text: "Well done holding the boundary".into(),
            written_at: Utc::now(),
        })
        .unwrap();
    therapist.sync().await;
    client.sync().await;
    let received = client.store.get::<Note>(&note.id).unwrap().record;
    assert_eq!(received.text, "Well done holding the boundary");
    assert_eq!(
        client.store.owner_of(&note.id).unwrap(),
        Some(care.therapist.clone())
    );

    // The note is read-only on the client: editing, deleting or unsharing
    // it is refused with a typed error and changes nothing.
    let edit = client.store.modify(&note.id, |n: &mut Note| {
        n.text = "changed by the client".into();
        Ok(())
    });
    assert!(
        matches!(&edit, Err(rapport_core::Error::ReadOnly { owner, .. }) if owner == &care.therapist.0),
        "{edit:?}"
    );
    assert!(matches!(
        client.store.delete(&note.id),
        Err(rapport_core::Error::ReadOnly { .. })
    ));
    assert!(matches!(
        client.store.set_shared(&note.id, false),
        Err(rapport_core::Error::ReadOnly { .. })
    ));
    assert_eq!(
        client.store.get::<Note>(&note.id).unwrap().record.text,
        "Well done holding the boundary"
    );
    assert_eq!(client.store.outbox_len().unwrap(), 0);
    client.sync().await;
    therapist.sync().await;
    assert_eq!(
        therapist.store.get::<Note>(&note.id).unwrap().record.text,
        "Well done holding the boundary"
    );

    // Week notes work too.
    let week = NaiveDate::from_ymd_opt(2026, 4, 6).unwrap();
    therapist
        .sync
        .write_note(Note {
            client_id: care.client.clone(),
            subject: NoteSubject::Week { starting: week },
            text: "A hard week, handled with care".into(),
            written_at: Utc::now(),
        })
        .unwrap();

    client.sync.end_link(&care.link_id).await.unwrap();
    let report = therapist.sync().await;
    assert_eq!(report.removed, 1);
    assert!(therapist.store.get::<Win>(&r.win).is_err());
}

/// A kind grant over many items seals their keys on several threads at once
/// (from 64 wraps on): every one of them opens on the therapist's device.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_grant_over_many_items_seals_every_key() {
    let server = Server::start();
    let client = Device::sign_up(&server.url, "gil@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.hal@example.org", Role::Therapist).await;
    let at = Utc.with_ymd_and_hms(2026, 5, 4, 19, 0, 0).unwrap();
    let wins: BTreeSet<ItemId> = (0..150)
        .map(|n| {
            client
                .store
                .create(Win {
                    occurred_at: at,
                    title: format!("Win {n}"),
                    details: format!("said what I needed, time {n}"),
                    goal: None,
                })
                .unwrap()
                .meta
                .id
        })
        .collect();
    let care = link(&client, &therapist).await;
    client.sync.links().await.unwrap();
    client.sync().await;
    client
        .sync
        .share_kind(&care.therapist, DocKind::Win, None)
        .await
        .unwrap();
    therapist.sync().await;
    // All of them (a list's default page is 50).
    let page = therapist
        .store
        .list_page(&rapport_core::store::ListQuery {
            limit: rapport_core::store::MAX_PAGE,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 150);
    let seen: BTreeSet<ItemId> = page.items.into_iter().map(|s| s.id).collect();
    assert_eq!(seen, wins);
    for id in &wins {
        let win = therapist.store.get::<Win>(id).unwrap().record;
        assert!(win.details.starts_with("said what I needed"), "{id}");
    }
}
