//! `POST /v1/keys/rotate`: replacing an account key after a lost device.
//! Only the account's own signed-in device, with a statement signed by the
//! published key and the next one, replaces it; everything else is refused
//! and changes nothing. Afterwards the other devices are refused a sync
//! until they publish under the new key.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestServer, bundle, expect_error, grant, json, link, push};
use rapport_crypto::{AccountKey, DeviceCertificate};
use rapport_protocol::{
    Access, DocKind, ErrorCode, Grant, GrantScope, KeyBackup, PublicKeys, PublishKeys, Role,
    RotateKeys, Session, Tag, TagRename,
};
use reqwest::{Method, StatusCode};

fn certificate(key: &AccountKey, session: &Session) -> DeviceCertificate {
    key.certify_device(
        &session.account_id.0,
        &session.device_id.0,
        &key.device_key(&session.device_id.0).public(),
    )
}

fn publish(server: &TestServer, session: &Session, key: &AccountKey) -> StatusCode {
    let request = PublishKeys {
        account: key.public(),
        device: certificate(key, session),
    };
    server
        .send_json(Method::PUT, Some(&session.token), "/v1/keys", &request)
        .status()
}

fn keys(server: &TestServer, session: &Session) -> PublicKeys {
    json(
        server.get(
            Some(&session.token),
            &format!("/v1/keys/{}", session.account_id.0),
        ),
        StatusCode::OK,
    )
}

fn rotate(
    server: &TestServer,
    session: &Session,
    request: &RotateKeys,
) -> reqwest::blocking::Response {
    server.post_json(Some(&session.token), "/v1/keys/rotate", request)
}

#[test]
fn only_a_statement_signed_by_the_published_key_and_the_next_replaces_it() {
    let server = TestServer::start();
    let phone = server.sign_up("kim@example.org", Role::Client);
    let tablet = server.sign_in("kim@example.org", "tablet");
    let other = server.sign_up("lou@example.org", Role::Client);
    let (old, next) = (AccountKey::generate(), AccountKey::generate());
    assert_eq!(publish(&server, &phone, &old), StatusCode::NO_CONTENT);
    assert_eq!(publish(&server, &tablet, &old), StatusCode::NO_CONTENT);
    server.sync(
        &phone.token,
        &push(vec![bundle("doc-k", "b1", DocKind::Win, &["t1.old"], b"w")]),
    );
    let therapist = server.sign_up("dr.mo@example.org", Role::Therapist);
    link(&server, &phone, &therapist);
    let by_tag = |tag: &str| GrantScope::Kind {
        kind: DocKind::Win,
        tag: Some(Tag(tag.into())),
    };
    grant(&server, &phone, &therapist, by_tag("t1.old"), Access::Read);
    let backup = KeyBackup {
        sealed: vec![7; 104],
    };
    let r = server.send_json(Method::PUT, Some(&phone.token), "/v1/keys/backup", &backup);
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    let good = RotateKeys {
        rotation: old.rotation_to(&phone.account_id.0, &next),
        device: certificate(&next, &phone),
        tags: vec![TagRename {
            from: Tag("t1.old".into()),
            to: Tag("t1.new".into()),
        }],
    };
    let bad = |request: &RotateKeys, session: &Session, status, code| {
        expect_error(rotate(&server, session, request), status, code);
    };
    // A statement not signed by the published key (a forger holding neither).
    let stranger = AccountKey::generate();
    let mut forged = stranger.rotation_to(&phone.account_id.0, &next);
    forged.previous = old.public();
    bad(
        &RotateKeys {
            rotation: forged,
            ..good.clone()
        },
        &phone,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    );
    // A flipped bit in the next key's signature.
    let mut flipped = good.clone();
    flipped.rotation.by_next[0] ^= 1;
    bad(
        &flipped,
        &phone,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    );
    // Well signed, but from keys that are not the published ones.
    let elsewhere = RotateKeys {
        rotation: stranger.rotation_to(&phone.account_id.0, &next),
        ..good.clone()
    };
    bad(
        &elsewhere,
        &phone,
        StatusCode::CONFLICT,
        ErrorCode::Conflict,
    );
    // The certificate signed by the old key, or for the tablet.
    let old_cert = RotateKeys {
        device: certificate(&old, &phone),
        ..good.clone()
    };
    bad(
        &old_cert,
        &phone,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    );
    let tablet_cert = RotateKeys {
        device: certificate(&next, &tablet),
        ..good.clone()
    };
    bad(
        &tablet_cert,
        &phone,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    );
    // Another account's device sending it.
    bad(
        &good,
        &other,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    );
    // No token; malformed JSON; too many renames.
    let r = server.post_json(None, "/v1/keys/rotate", &good);
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized);
    let r = server.post_raw(
        Some(&phone.token),
        "/v1/keys/rotate",
        "application/json",
        br#"{"rotation": {"account_id": 7}}"#.to_vec(),
    );
    expect_error(r, StatusCode::BAD_REQUEST, ErrorCode::BadRequest);
    let many = RotateKeys {
        tags: (0..10_001)
            .map(|i| TagRename {
                from: Tag(format!("t1.{i}")),
                to: Tag(format!("t1.n{i}")),
            })
            .collect(),
        ..good.clone()
    };
    let r = rotate(&server, &phone, &many);
    assert!(
        matches!(
            r.status(),
            StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE
        ),
        "{}",
        r.status()
    );
    // None of that changed anything.
    let before = keys(&server, &phone);
    assert_eq!(before.account, old.public());
    assert!(before.rotations.is_empty() && before.retired_devices.is_empty());
    server.sync(&tablet.token, &push(vec![]));

    // The real one: the next keys, the old certificates retired, the backup
    // deleted, the tag renamed; the tablet refused until it publishes anew.
    assert_eq!(
        rotate(&server, &phone, &good).status(),
        StatusCode::NO_CONTENT
    );
    let after = keys(&server, &phone);
    assert_eq!(after.account, next.public());
    assert_eq!(after.rotations, vec![good.rotation.clone()]);
    assert_eq!(after.devices, vec![good.device.clone()]);
    assert_eq!(after.retired_devices.len(), 2);
    let r = server.get(Some(&phone.token), "/v1/keys/backup");
    expect_error(r, StatusCode::NOT_FOUND, ErrorCode::NotFound);
    let grants: Vec<Grant> = json(server.get(Some(&phone.token), "/v1/grants"), StatusCode::OK);
    assert_eq!(grants.len(), 1);
    assert_eq!(
        grants[0].scope,
        by_tag("t1.new"),
        "the tag grant follows the new tag key"
    );
    // The therapist still reads the document, now by its renamed tag.
    let seen = server.pull_all(&therapist.token, None);
    assert!(
        seen.iter()
            .flat_map(|page| &page.changes)
            .any(|c| c.doc_id.0 == "doc-k")
    );
    let r = server.sync_response(&tablet.token, &push(vec![]));
    expect_error(r, StatusCode::CONFLICT, ErrorCode::KeyRotated);
    let r = server.sync_response(
        &tablet.token,
        &push(vec![bundle("doc-k", "b2", DocKind::Win, &[], b"x")]),
    );
    expect_error(r, StatusCode::CONFLICT, ErrorCode::KeyRotated);
    // The tablet with the old key cannot publish; with the new one it can.
    assert_eq!(publish(&server, &tablet, &old), StatusCode::CONFLICT);
    assert_eq!(publish(&server, &tablet, &next), StatusCode::NO_CONTENT);
    server.sync(&tablet.token, &push(vec![]));

    // Sent again (a lost answer): accepted, nothing doubled. A thief holding
    // the old key cannot start another chain from it.
    assert_eq!(
        rotate(&server, &phone, &good).status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(keys(&server, &phone).rotations.len(), 1);
    let thief = AccountKey::generate();
    let fork = RotateKeys {
        rotation: old.rotation_to(&phone.account_id.0, &thief),
        device: certificate(&thief, &phone),
        tags: vec![],
    };
    bad(&fork, &phone, StatusCode::CONFLICT, ErrorCode::Conflict);
    assert_eq!(keys(&server, &phone).account, next.public());
}
