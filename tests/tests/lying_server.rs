//! A server that lies, played by a proxy in front of the real server that
//! rewrites its sync answers: it asks a client's device to seal document
//! keys for whoever it likes. The device seals only for recipients its own
//! record shares the document with, refuses the rest, counts them and keeps
//! them in its log. And access that ends on any of the client's devices
//! (a kind share revoked elsewhere, a care link ended) starts new key
//! epochs: read with the ex-therapist's keys and a copy of the server's
//! database, nothing written afterwards opens.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use rapport_core::ItemId;
use rapport_core::journal::{Reflection, Win};
use rapport_core::sync::RefusalReason;
use rapport_crypto::DocKey;
use rapport_protocol::{AccountId, DocKind, GrantScope, NeedsWrap, Role, SyncResponse};
use rapport_tests::fault_proxy::FaultProxy;
use rapport_tests::server_copy::{bundles_of, db, keys_in_database, opens};
use rapport_tests::{Device, Server, link};

fn win(device: &Device, title: &str) -> ItemId {
    device
        .store
        .create(Win {
            occurred_at: Utc.with_ymd_and_hms(2026, 5, 6, 8, 0, 0).unwrap(),
            title: title.into(),
            details: String::new(),
            goal: None,
        })
        .unwrap()
        .meta
        .id
}

fn retitle(device: &Device, id: &ItemId, title: &str) {
    device
        .store
        .modify(id, |w: &mut Win| {
            w.title = title.into();
            Ok(())
        })
        .unwrap();
}

fn account(device: &Device) -> AccountId {
    device.sync.session().unwrap().account_id
}

/// From now on every sync answer also asks for these wraps.
fn ask_for_wraps(proxy: &FaultProxy, asked: Vec<NeedsWrap>) {
    proxy.lie("POST", "/v1/sync", move |_, body| {
        let mut answer: SyncResponse = ciborium::from_reader(&body[..]).unwrap();
        answer.needs_wraps.extend(asked.iter().cloned());
        let mut out = Vec::new();
        ciborium::into_writer(&answer, &mut out).unwrap();
        out
    });
}

fn need(doc: &ItemId, grantee: &AccountId, epoch: u32) -> NeedsWrap {
    NeedsWrap {
        doc_id: doc.clone(),
        grantee: grantee.clone(),
        epoch,
    }
}

/// How many wraps of `doc` the server holds for `recipient`.
fn wraps_for(server: &Server, doc: &ItemId, recipient: &AccountId) -> i64 {
    db(server)
        .query_row(
            "SELECT COUNT(*) FROM wraps WHERE doc_id = ?1 AND recipient_id = ?2",
            [doc.as_str(), recipient.as_str()],
            |r| r.get(0),
        )
        .unwrap()
}

/// Whether a holder of `therapist`'s account key, with the server's whole
/// database, opens any bundle of `doc` sealed at `from_epoch` or later.
fn opens_from(server: &Server, therapist: &Device, doc: &ItemId, from_epoch: u32) -> bool {
    let id = account(therapist);
    let keys: Vec<DocKey> = keys_in_database(server, &id.0, &therapist.sync.account_key().unwrap())
        .into_values()
        .collect();
    let newer: Vec<_> = bundles_of(server, doc, "win")
        .into_iter()
        .filter(|(labels, _)| labels.epoch >= from_epoch)
        .collect();
    assert!(
        !newer.is_empty(),
        "something was written at epoch {from_epoch}"
    );
    newer
        .iter()
        .any(|(labels, bundle)| opens(bundle, labels, &keys, server))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_is_sealed_only_for_whom_the_owners_record_shares_it_with() {
    let server = Server::start_sqlite();
    let proxy = FaultProxy::start(&server.url, 1).await;
    let client = Device::sign_up(&proxy.url, "ana@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.bo@example.org", Role::Therapist).await;
    // An account the server made up for itself, with published keys.
    let stranger = Device::sign_up(&server.url, "eve@example.org", Role::Therapist).await;
    link(&client, &therapist).await;
    therapist.sync().await;
    stranger.sync().await;
    let private = client
        .store
        .create(Reflection {
            written_at: Utc.with_ymd_and_hms(2026, 5, 6, 21, 0, 0).unwrap(),
            text: "never shared".into(),
            person_id: None,
            goal: None,
        })
        .unwrap()
        .meta
        .id;
    let shared = win(&client, "shared");
    client.store.set_shared(&shared, true).unwrap();
    let honest = client.sync().await;
    assert_eq!(honest.counts.refused_wraps, 0);
    assert!(
        honest.counts.wrapped >= 1,
        "the shared win's key was sealed"
    );

    let (t, s) = (account(&therapist), account(&stranger));
    ask_for_wraps(
        &proxy,
        vec![
            need(&private, &s, 1),
            need(&private, &t, 1),
            need(&shared, &s, 1),
            need(&ItemId("no-such-document".into()), &t, 1),
        ],
    );
    let report = client.sync().await;
    assert!(proxy.lies_told() > 0);
    let mut reasons: Vec<(String, String, RefusalReason)> = report
        .refused_wraps
        .iter()
        .map(|r| (r.doc_id.to_string(), r.recipient.to_string(), r.reason))
        .collect();
    reasons.sort();
    reasons.dedup();
    let mut expected = vec![
        (private.to_string(), s.to_string(), RefusalReason::NotLinked),
        (private.to_string(), t.to_string(), RefusalReason::NotShared),
        (shared.to_string(), s.to_string(), RefusalReason::NotLinked),
        (
            "no-such-document".to_owned(),
            t.to_string(),
            RefusalReason::UnknownDocument,
        ),
    ];
    expected.sort();
    assert_eq!(reasons, expected);
    assert_eq!(
        report.counts.refused_wraps,
        report.refused_wraps.len() as u64
    );
    // Kept on the device, for the app to show.
    let log = client.sync.refused_wraps().unwrap();
    assert!(log.len() >= 4, "{log:?}");

    // Nothing was sealed for either: not on the server, not readable.
    assert_eq!(wraps_for(&server, &private, &s), 0);
    assert_eq!(wraps_for(&server, &private, &t), 0);
    assert_eq!(wraps_for(&server, &shared, &s), 0);
    therapist.sync().await;
    stranger.sync().await;
    assert!(therapist.store.get::<Reflection>(&private).is_err());
    assert!(stranger.store.get::<Reflection>(&private).is_err());
    assert!(stranger.store.get::<Win>(&shared).is_err());
    // What is shared stays shared.
    assert_eq!(
        therapist.store.get::<Win>(&shared).unwrap().record.title,
        "shared"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_an_unshare_the_new_epoch_is_not_sealed_for_the_therapist_when_asked() {
    let server = Server::start_sqlite();
    let proxy = FaultProxy::start(&server.url, 2).await;
    let client = Device::sign_up(&proxy.url, "cai@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.dee@example.org", Role::Therapist).await;
    link(&client, &therapist).await;
    therapist.sync().await;
    let entry = win(&client, "before");
    client.store.set_shared(&entry, true).unwrap();
    client.sync().await;
    therapist.sync().await;
    assert_eq!(
        therapist.store.get::<Win>(&entry).unwrap().record.title,
        "before"
    );

    client.store.set_shared(&entry, false).unwrap();
    client.sync().await; // the grant is revoked and epoch 2 starts
    ask_for_wraps(&proxy, vec![need(&entry, &account(&therapist), 2)]);
    retitle(&client, &entry, "after the unshare");
    let report = client.sync().await;
    assert!(
        report
            .refused_wraps
            .iter()
            .any(|r| r.doc_id == entry && r.reason == RefusalReason::NotShared),
        "{:?}",
        report.refused_wraps
    );
    assert!(!opens_from(&server, &therapist, &entry, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_share_lives_in_the_record_and_ends_from_any_device() {
    let server = Server::start_sqlite();
    let proxy = FaultProxy::start(&server.url, 3).await;
    let phone = Device::sign_up(&proxy.url, "dia@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.eli@example.org", Role::Therapist).await;
    let care = link(&phone, &therapist).await;
    phone.sync.links().await.unwrap();
    therapist.sync().await;
    let first = win(&phone, "first");
    let grant = phone
        .sync
        .share_kind(&care.therapist, DocKind::Win, None)
        .await
        .unwrap();
    therapist.sync().await;
    assert_eq!(
        therapist.store.get::<Win>(&first).unwrap().record.title,
        "first"
    );

    // The tablet learns the share from the record, and seals for it.
    let tablet = Device::sign_in(&proxy.url, "dia@example.org", &phone).await;
    tablet.sync().await;
    let second = win(&tablet, "second, from the tablet");
    let report = tablet.sync().await;
    assert_eq!(report.counts.refused_wraps, 0, "{:?}", report.refused_wraps);
    therapist.sync().await;
    assert_eq!(
        therapist.store.get::<Win>(&second).unwrap().record.title,
        "second, from the tablet"
    );

    // Revoked on the tablet, which did not make the grant.
    let revoked = tablet.sync.grants().await.unwrap();
    assert!(
        revoked
            .iter()
            .any(|g| g.grant_id == grant.grant_id && matches!(g.scope, GrantScope::Kind { .. }))
    );
    tablet.sync.revoke_grant(&grant.grant_id).await.unwrap();
    tablet.sync().await;
    phone.sync().await;
    // The server asks the phone to seal the new epoch for the therapist.
    ask_for_wraps(
        &proxy,
        vec![
            need(&first, &care.therapist, 2),
            need(&second, &care.therapist, 2),
        ],
    );
    retitle(&phone, &first, "first, after the revocation");
    retitle(&tablet, &second, "second, after the revocation");
    let report = phone.sync().await;
    assert!(
        report
            .refused_wraps
            .iter()
            .all(|r| r.reason == RefusalReason::NotShared)
            && report.refused_wraps.iter().any(|r| r.doc_id == first),
        "{:?}",
        report.refused_wraps
    );
    tablet.sync().await;
    assert!(!opens_from(&server, &therapist, &first, 2));
    assert!(!opens_from(&server, &therapist, &second, 2));
    // The client's own devices read both.
    phone.sync().await;
    assert_eq!(
        phone.store.get::<Win>(&second).unwrap().record.title,
        "second, after the revocation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_a_care_link_on_another_device_starts_new_epochs() {
    let server = Server::start_sqlite();
    let phone = Device::sign_up(&server.url, "eda@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.fay@example.org", Role::Therapist).await;
    let care = link(&phone, &therapist).await;
    phone.sync.links().await.unwrap();
    therapist.sync().await;
    let by_kind = win(&phone, "shared by kind");
    phone
        .sync
        .share_kind(&care.therapist, DocKind::Win, None)
        .await
        .unwrap();
    therapist.sync().await;
    assert!(therapist.store.get::<Win>(&by_kind).is_ok());

    let tablet = Device::sign_in(&server.url, "eda@example.org", &phone).await;
    tablet.sync().await;
    tablet.sync.end_link(&care.link_id).await.unwrap();
    tablet.sync().await;
    phone.sync().await;
    retitle(&phone, &by_kind, "after the link ended");
    phone.sync().await;
    assert!(!opens_from(&server, &therapist, &by_kind, 2));
}
