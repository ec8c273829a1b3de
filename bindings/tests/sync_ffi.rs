//! `RapportSync` as the shells call it, against a real `rapport-server`
//! process: the async methods are driven by a plain executor with no tokio
//! (as Kotlin coroutines and Swift tasks drive them), and a `#[tokio::test]`
//! checks that dropping the client inside a runtime is fine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

mod support;

use std::sync::{Arc, Mutex};

use chrono::DateTime;
use rapport_core::DocKind as ItemKind;
use rapport_core::journal::Win;
use rapport_core::note::{Note, NoteSubject};
use rapport_core::sync::{SyncState, SyncStatus};
use rapport_ffi::errors::SyncError;
use rapport_ffi::keys::PairingOffer;
use rapport_ffi::store::RapportStore;
use rapport_ffi::sync::{RapportSync, SyncSettings, SyncStatusObserver};
use rapport_protocol::{ErrorCode, GrantScope, Role};
use support::{Server, block_on};

fn device(server: &Server, dir: &tempfile::TempDir, name: &str) -> Arc<RapportSync> {
    device_and_store(server, dir, name).0
}

fn device_and_store(
    server: &Server,
    dir: &tempfile::TempDir,
    name: &str,
) -> (Arc<RapportSync>, Arc<RapportStore>) {
    let store = RapportStore::open(dir.path().join(format!("{name}.db")).display().to_string())
        .expect("open store");
    let sync = RapportSync::new(
        Arc::clone(&store),
        SyncSettings {
            server_url: server.url.clone(),
            device_name: name.to_owned(),
            extra_root_certificate_pem: None,
        },
    )
    .expect("sync client");
    (sync, store)
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
    assert!(printed.contains("<redacted>") && printed.contains(session.account_id.as_str()));

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
    assert!(!devices[0].device_id.as_str().is_empty());

    // A second device of the same account, resumed from the kept session:
    // without the account key it cannot sync; with the kit it does.
    let tablet = device(&server, &dir, "tablet");
    tablet.resume(session).expect("resume");
    let err = block_on(tablet.sync_now()).unwrap_err();
    assert!(matches!(err, SyncError::NoAccountKey), "{err:?}");
    block_on(tablet.use_recovery_kit(phone.recovery_kit().expect("kit"))).expect("kit");
    assert_eq!(tablet.account_key(), phone.account_key());
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
    // A refusal carries the protocol's code as a typed value.
    let err = block_on(client.redeem_invite(invite.code.clone())).unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::Refused {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "{err:?}"
    );
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
            tag: None
        }
    );
    assert_eq!(block_on(client.grants()).unwrap(), vec![grant.clone()]);
    block_on(client.sync_now()).unwrap();
    assert!(block_on(client.access_log()).unwrap().is_empty());

    let note = therapist
        .write_note(Note {
            client_id: link.client.clone(),
            subject: NoteSubject::Week {
                starting: "2025-03-03".parse().unwrap(),
            },
            text: "Good week of practice.".into(),
            written_at: DateTime::from_timestamp(1_741_000_000, 0).unwrap(),
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
    // The one document of the client's record: the kind share, kept (ended)
    // so that every device of the client knows the share ended.
    assert_eq!(block_on(client.delete_everything()).unwrap(), 1);

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
    assert!(matches!(err, SyncError::BadCredentials), "{err:?}");
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

#[test]
fn a_paired_device_shows_the_same_code_and_reads_the_first_ones_items() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let (phone, phone_store) = device_and_store(&server, &dir, "phone");
    let (tablet, tablet_store) = device_and_store(&server, &dir, "tablet");
    block_on(phone.sign_up(
        "p@example.org".into(),
        "correct horse battery".into(),
        Role::Client,
        "P".into(),
    ))
    .unwrap();
    let key = phone.account_key().expect("a new account has a key");
    assert_eq!(key.len(), 32);
    let win = phone_store
        .add_win(Win {
            occurred_at: DateTime::from_timestamp(1_741_000_000, 0).unwrap(),
            title: "Asked for help".into(),
            details: String::new(),
            goal: None,
        })
        .unwrap();
    block_on(phone.sync_now()).unwrap();

    block_on(tablet.sign_in("p@example.org".into(), "correct horse battery".into())).unwrap();
    assert_eq!(tablet.account_key(), None);
    let offer = PairingOffer::new();
    let seal = phone.seal_for_pairing(offer.offer()).expect("seal");
    let code = tablet
        .accept_pairing(offer.clone(), seal.sealed.clone())
        .expect("accept");
    assert_eq!(code, seal.code);
    assert_eq!(code.len(), 6);
    assert_eq!(tablet.account_key(), Some(key.clone()));
    block_on(tablet.sync_now()).unwrap();
    assert_eq!(
        tablet_store.get_win(win.meta.id).unwrap().win.title,
        "Asked for help"
    );

    // Nothing that holds the key prints it.
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let printed = format!("{seal:?} {offer:?} {phone:?}");
    assert!(
        !printed.contains(&hex) && !printed.contains(&format!("{key:?}")),
        "{printed}"
    );
    assert!(
        !printed.contains(&format!("{:?}", seal.sealed)),
        "{printed}"
    );
}

#[test]
fn a_mistyped_kit_a_short_key_and_no_key_are_typed_errors() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let phone = device(&server, &dir, "phone");
    let err = phone.recovery_kit().unwrap_err();
    assert!(matches!(err, SyncError::NoAccountKey), "{err:?}");
    block_on(phone.sign_up(
        "m@example.org".into(),
        "correct horse battery".into(),
        Role::Client,
        "M".into(),
    ))
    .unwrap();
    let kit = phone.recovery_kit().unwrap();
    let typo = {
        let mut chars: Vec<char> = kit.chars().collect();
        chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let err = block_on(phone.use_recovery_kit(typo)).unwrap_err();
    assert!(matches!(err, SyncError::Sealing { .. }), "{err:?}");
    assert_eq!(
        phone.recovery_kit().unwrap(),
        kit,
        "a bad kit changes nothing"
    );

    let err = phone.use_account_key(vec![7; 31]).unwrap_err();
    assert!(matches!(err, SyncError::Sealing { .. }), "{err:?}");
    assert!(err.to_string().starts_with("account_key:"), "{err}");
    assert_eq!(phone.recovery_kit().unwrap(), kit);
}

#[test]
fn a_client_and_its_therapist_see_the_same_safety_number() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let client = device(&server, &dir, "client");
    let therapist = device(&server, &dir, "therapist");
    let c = block_on(client.sign_up(
        "sc@example.org".into(),
        "correct horse battery".into(),
        Role::Client,
        "C".into(),
    ))
    .unwrap();
    let t = block_on(therapist.sign_up(
        "st@example.org".into(),
        "correct horse battery".into(),
        Role::Therapist,
        "T".into(),
    ))
    .unwrap();
    let invite = block_on(client.create_invite()).unwrap();
    block_on(therapist.redeem_invite(invite.code)).unwrap();
    let theirs = block_on(therapist.safety_number(c.account_id)).unwrap();
    let ours = block_on(client.safety_number(t.account_id)).unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(ours.split(' ').count(), 4, "{ours}");

    // The passphrase backup: a new device restores the key with it.
    block_on(client.back_up_account_key("a long backup passphrase".into())).unwrap();
    let laptop = device(&server, &dir, "laptop");
    block_on(laptop.sign_in("sc@example.org".into(), "correct horse battery".into())).unwrap();
    let err = block_on(laptop.restore_account_key("wrong passphrase".into())).unwrap_err();
    assert!(matches!(err, SyncError::Sealing { .. }), "{err:?}");
    block_on(laptop.restore_account_key("a long backup passphrase".into())).unwrap();
    assert_eq!(laptop.account_key(), client.account_key());
}
