//! The sync engine's answers to bad addresses, bad credentials and revoked
//! sessions: typed errors, a status that says why, and nothing lost.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use rapport_core::Store;
use rapport_core::journal::Reflection;
use rapport_core::sync::{SyncClient, SyncConfig, SyncError, SyncState};
use rapport_protocol::{ErrorCode, Role};
use rapport_tests::{Device, PASSWORD, Server};

fn store() -> (tempfile::TempDir, Arc<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path().join("r.sqlite3")).unwrap());
    (dir, store)
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    let (_dir, store) = store();
    for url in [
        "http://sync.example.org",
        "http://10.0.0.5:8787",
        "http://[2001:db8::1]/",
    ] {
        let err = SyncClient::new(Arc::clone(&store), SyncConfig::new(url, "phone")).unwrap_err();
        assert!(matches!(err, SyncError::InsecureUrl { .. }), "{url}: {err}");
    }
    for url in ["ftp://example.org", "not a url", "https://"] {
        let err = SyncClient::new(Arc::clone(&store), SyncConfig::new(url, "phone")).unwrap_err();
        assert!(
            matches!(err, SyncError::InvalidServerUrl { .. }),
            "{url}: {err}"
        );
    }
    for url in [
        "http://127.0.0.1:8787",
        "http://localhost:1",
        "http://[::1]:2",
        "https://sync.example.org",
    ] {
        SyncClient::new(Arc::clone(&store), SyncConfig::new(url, "phone")).unwrap();
    }
    let mut config = SyncConfig::new("https://sync.example.org", "phone");
    config.extra_root_certificates_pem = Some("-----BEGIN CERTIFICATE-----\nnope\n".into());
    assert!(SyncClient::new(store, config).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_unknown_account_and_duplicate_sign_up() {
    let server = Server::start();
    let _ana = Device::sign_up(&server.url, "ana@example.org", Role::Client).await;
    let other = Device::new(&server.url, "phone");
    assert!(matches!(
        other
            .sync
            .sign_in("ana@example.org", "wrong password")
            .await,
        Err(SyncError::BadCredentials)
    ));
    assert!(matches!(
        other.sync.sign_in("nobody@example.org", PASSWORD).await,
        Err(SyncError::BadCredentials)
    ));
    let err = other
        .sync
        .sign_up("ana@example.org", PASSWORD, Role::Client, "Ana")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::Rejected {
                code: ErrorCode::Conflict,
                ..
            }
        ),
        "{err}"
    );
    assert!(matches!(
        other.sync.sync_now().await,
        Err(SyncError::NotSignedIn)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_is_told_to_sign_in_again_and_keeps_its_writes() {
    let server = Server::start();
    let phone = Device::sign_up(&server.url, "hal@example.org", Role::Client).await;
    let lost = Device::sign_in(&server.url, "hal@example.org", &phone).await;
    let lost_id = lost.sync.session().unwrap().device_id;
    phone.sync.revoke_device(&lost_id).await.unwrap();

    lost.store
        .create(Reflection {
            written_at: chrono::Utc::now(),
            text: "written after the revocation".into(),
            person_id: None,
            goal: None,
        })
        .unwrap();
    let err = lost.sync.sync_now().await.unwrap_err();
    assert!(matches!(err, SyncError::SessionExpired), "{err}");
    assert!(matches!(lost.sync.status().state, SyncState::Error { .. }));
    assert_eq!(lost.store.outbox_len().unwrap(), 1);

    let devices = phone.sync.devices().await.unwrap();
    assert_eq!(devices.len(), 1);
    assert!(devices[0].current);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cannot_redeem_and_a_therapist_cannot_invite() {
    let server = Server::start();
    let client = Device::sign_up(&server.url, "ida@example.org", Role::Client).await;
    let therapist = Device::sign_up(&server.url, "dr.jo@example.org", Role::Therapist).await;
    let err = therapist.sync.create_invite().await.unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::Rejected {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "{err}"
    );
    let invite = client.sync.create_invite().await.unwrap();
    let err = client.sync.redeem_invite(&invite.code).await.unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::Rejected {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "{err}"
    );
    therapist.sync.redeem_invite(&invite.code).await.unwrap();
    let err = therapist
        .sync
        .redeem_invite(&invite.code)
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Rejected { .. }), "{err}");
}
