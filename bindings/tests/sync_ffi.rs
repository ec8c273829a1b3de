//! `RapportSync` as the shells call it, against a real `rapport-server`
//! process: the async methods are driven by a plain executor with no tokio
//! (as Kotlin coroutines and Swift tasks drive them), and a `#[tokio::test]`
//! checks that dropping the client inside a runtime is fine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

mod support;

use std::sync::{Arc, Mutex};

use std::time::{Duration, SystemTime};

use rapport_ffi::errors::SyncError;
use rapport_ffi::records::{ItemKind, Note, NoteSubject};
use rapport_ffi::store::RapportStore;
use rapport_ffi::sync::{
    GrantScope, RapportSync, Role, SyncSettings, SyncState, SyncStatus, SyncStatusObserver,
};
use support::{Server, block_on};

fn device(server: &Server, dir: &tempfile::TempDir, name: &str) -> Arc<RapportSync> {
    let store = RapportStore::open(dir.path().join(format!("{name}.db")).display().to_string())
        .expect("open store");
    RapportSync::new(
        store,
        SyncSettings {
            server_url: server.url.clone(),
            device_name: name.to_owned(),
            extra_root_certificate_pem: None,
        },
    )
    .expect("sync client")
}

#[derive(Default)]
struct Recorder(Mutex<Vec<SyncStatus>>);

impl SyncStatusObserver for Recorder {
    fn on_status(&self, status: SyncStatus) {
        self.0.lock().unwrap().push(status);
    }
}

#[test]
fn a_client_signs_up_syncs_and_reports_status_from_a_plain_executor() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let phone = device(&server, &dir, "phone");

    let recorder = Arc::new(Recorder::default());
    let handle = phone.subscribe_status(recorder.clone());
    assert_eq!(recorder.0.lock().unwrap()[0].state, SyncState::Idle);

    let session = block_on(phone.sign_up(
        "ada@example.org".into(),
        "correct horse battery".into(),
        Role::Client,
        "Ada".into(),
    ))
    .expect("sign up");
    assert_eq!(session.role, Role::Client);
    assert!(!session.token.is_empty());
    assert_eq!(phone.session(), Some(session.clone()));
    // The token never reaches a log line through Debug.
    let printed = format!("{session:?} {:?}", phone.session());
    assert!(!printed.contains(&session.token), "{printed}");
    assert!(printed.contains("<redacted>") && printed.contains(&session.account_id));

    let report = block_on(phone.sync_now()).expect("sync");
    assert_eq!(report.rejected, 0);
    let status = phone.status();
    assert_eq!(status.state, SyncState::Idle);
    assert!(status.last_synced_at.is_some());
    {
        let seen = recorder.0.lock().unwrap();
        assert!(
            seen.iter()
                .any(|s| matches!(s.state, SyncState::Syncing { .. })),
            "{seen:?}"
        );
        assert_eq!(seen.last().unwrap(), &status);
    }

    handle.cancel();
    let heard = recorder.0.lock().unwrap().len();
    block_on(phone.sync_now()).expect("second sync");
    assert_eq!(recorder.0.lock().unwrap().len(), heard, "cancelled");

    let devices = block_on(phone.devices()).expect("devices");
    assert_eq!(devices.len(), 1);
    assert!(devices[0].current);
    assert!(!devices[0].device_id.is_empty());

    // A second device of the same account, resumed from the kept session.
    let tablet = device(&server, &dir, "tablet");
    tablet.resume(session).expect("resume");
    block_on(tablet.sync_now()).expect("tablet syncs");

    block_on(phone.sign_out()).expect("sign out");
    assert_eq!(phone.session(), None);
    let err = block_on(phone.sync_now()).unwrap_err();
    assert!(matches!(err, SyncError::SignedOut { .. }), "{err:?}");
}

#[test]
fn a_therapist_redeems_an_invite_and_both_see_the_link() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let client = device(&server, &dir, "client");
    let therapist = device(&server, &dir, "therapist");
    block_on(client.sign_up(
        "c@example.org".into(),
        "correct horse battery".into(),
        Role::Client,
        "C".into(),
    ))
    .unwrap();
    block_on(therapist.sign_up(
        "t@example.org".into(),
        "correct horse battery".into(),
        Role::Therapist,
        "Dr T".into(),
    ))
    .unwrap();

    let invite = block_on(client.create_invite()).unwrap();
    let link = block_on(therapist.redeem_invite(invite.code)).unwrap();
    assert_eq!(link.client_name, "C");
    assert_eq!(link.therapist_name, "Dr T");
    let links = block_on(client.links()).unwrap();
    assert_eq!(links, vec![link.clone()]);

    let grant = block_on(client.share_kind(link.therapist.clone(), ItemKind::Win, None)).unwrap();
    assert_eq!(
        grant.scope,
        GrantScope::Kind {
            kind: ItemKind::Win,
            person_id: None
        }
    );
    assert_eq!(block_on(client.grants()).unwrap(), vec![grant.clone()]);
    block_on(client.sync_now()).unwrap();
    assert!(block_on(client.access_log()).unwrap().is_empty());

    let note = therapist
        .write_note(Note {
            client_id: link.client.clone(),
            subject: NoteSubject::Week {
                starting: "2025-03-03".into(),
            },
            text: "Good week of practice.".into(),
            written_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_741_000_000),
        })
        .unwrap();
    assert!(note.meta.shared);
    block_on(therapist.sync_now()).unwrap();
    let pulled = block_on(client.sync_now()).unwrap();
    assert!(pulled.pulled >= 1, "{pulled:?}");

    block_on(client.revoke_grant(grant.grant_id.clone())).unwrap();
    let left = block_on(client.grants()).unwrap();
    assert!(
        left.iter().all(|g| g.grant_id != grant.grant_id),
        "{left:?}"
    );
    assert_eq!(block_on(client.delete_everything()).unwrap(), 0);

    block_on(client.end_link(link.link_id)).unwrap();
    assert!(block_on(therapist.links()).unwrap().is_empty());
}

#[test]
fn wrong_password_and_unreachable_server_are_typed_errors() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let phone = device(&server, &dir, "phone");
    block_on(phone.sign_up(
        "b@example.org".into(),
        "correct horse battery".into(),
        Role::Client,
        "B".into(),
    ))
    .unwrap();
    let err = block_on(phone.sign_in("b@example.org".into(), "wrong".into())).unwrap_err();
    assert!(matches!(err, SyncError::BadCredentials { .. }), "{err:?}");
    assert_eq!(err.to_string(), "wrong email or password");

    let bad = RapportSync::new(
        RapportStore::open(dir.path().join("x.db").display().to_string()).unwrap(),
        SyncSettings {
            server_url: "http://example.org".into(),
            device_name: "x".into(),
            extra_root_certificate_pem: None,
        },
    )
    .unwrap_err();
    assert!(matches!(bad, SyncError::InvalidAddress { .. }), "{bad:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn works_and_drops_inside_a_tokio_runtime_too() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let phone = device(&server, &dir, "phone");
    phone
        .sign_up(
            "d@example.org".into(),
            "correct horse battery".into(),
            Role::Client,
            "D".into(),
        )
        .await
        .unwrap();
    phone.sync_now().await.unwrap();
    drop(phone);
}
