//! Every kind of bad input gets a 4xx with the JSON error body and changes
//! nothing, against the real server process.

mod common;

use common::*;
use rapport_protocol::{
    CBOR, DocKind, ErrorCode, Limits, Role, Session, SnapshotRequest, SyncRequest,
};
use reqwest::StatusCode;

/// What the owner's second device sees from the start: the measure of "nothing changed".
fn world(server: &TestServer, email: &str) -> Vec<(String, Vec<u8>)> {
    let probe = server.sign_in(email, "probe");
    let mut got = changes(&server.pull_all(&probe.token, None));
    got.sort();
    server.delete(Some(&probe.token), "/v1/sessions/current");
    got
}

/// Token, path, content type, body, expected status and code.
type Case<'a> = (
    Option<&'a str>,
    &'a str,
    &'a str,
    Vec<u8>,
    StatusCode,
    ErrorCode,
);

fn setup(server: &TestServer) -> (Session, Session) {
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    server.sync(
        &client.token,
        &push(vec![bundle("doc-1", "b1", DocKind::Win, &[], b"w")]),
    );
    (client, therapist)
}

#[test]
fn malformed_bodies_and_wrong_content_types_are_refused() {
    let server = TestServer::start();
    let (client, therapist) = setup(&server);
    let before = world(&server, "ada@example.org");
    let t = Some(client.token.as_str());

    let cases: Vec<Case> = vec![
        (None, "/v1/accounts", "application/json", b"{not json".to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (None, "/v1/accounts", "application/json", br#"{"email":"x@y.z"}"#.to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (None, "/v1/accounts", "application/json", br#"{"email":"x@y.z","password":"password!","role":"admin","display_name":"X"}"#.to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (None, "/v1/accounts", "application/json", br#"{"email":"not-an-email","password":"password!","role":"client","display_name":"X"}"#.to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (None, "/v1/accounts", "application/json", br#"{"email":"x@y.z","password":"short","role":"client","display_name":"X"}"#.to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (None, "/v1/accounts", "application/json", br#"{"email":"x@y.z","password":"password!","role":"client","display_name":"  "}"#.to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (None, "/v1/accounts", "text/plain", br#"{"email":"x@y.z","password":"password!","role":"client","display_name":"X"}"#.to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::UnsupportedMediaType),
        (None, "/v1/sessions", "application/json", b"[]".to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (Some(therapist.token.as_str()), "/v1/invites/redeem", "application/json", b"{}".to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (Some(therapist.token.as_str()), "/v1/invites/redeem", "application/json", br#"{"code":"AB"}"#.to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (t, "/v1/grants", "application/json", br#"{"grantee":"x","scope":{"type":"everything"},"access":"read"}"#.to_vec(), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (t, "/v1/grants", "application/cbor", b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::UnsupportedMediaType),
        (t, "/v1/sync", "application/json", b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::UnsupportedMediaType),
        (t, "/v1/sync", CBOR, vec![0xff, 0x00, 0x13], StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (t, "/v1/sync", CBOR, vec![], StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (t, "/v1/sync", CBOR, cbor(&serde_json::json!({"push": [{"doc_id": "d"}]})), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (t, "/v1/sync", CBOR, cbor(&SyncRequest { wraps: Vec::new(), cursor: Some("not-a-cursor".into()), push: vec![], limit: None }), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (t, "/v1/sync", CBOR, cbor(&SyncRequest { wraps: Vec::new(), cursor: Some("99999999".into()), push: vec![], limit: None }), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (t, "/v1/sync", CBOR, cbor(&push(vec![bundle("doc-2", "b1", DocKind::Win, &[], b"")])), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (t, "/v1/sync", CBOR, cbor(&push(vec![bundle("", "b1", DocKind::Win, &[], b"x")])), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (t, "/v1/sync", CBOR, cbor(&push(vec![bundle("doc-2", "b\n1", DocKind::Win, &[], b"x")])), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
    ];
    for (token, path, content_type, body, status, code) in cases {
        let response = server.post_raw(token, path, content_type, body);
        expect_error(response, status, code);
    }
    let snap = server
        .http
        .put(server.url("/v1/documents/doc-1/snapshot"))
        .bearer_auth(&client.token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .expect("PUT");
    expect_error(
        snap,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
    );
    let snap = server.put_cbor(
        t,
        "/v1/documents/doc-1/snapshot",
        &serde_json::json!({"covers": 3}),
    );
    expect_error(snap, StatusCode::BAD_REQUEST, ErrorCode::BadRequest);

    assert_eq!(world(&server, "ada@example.org"), before);
    // No account was made by the refused sign-ups.
    expect_error(
        server.post_json(
            None,
            "/v1/sessions",
            &serde_json::json!({"email": "x@y.z", "password": "password!", "device_name": "d"}),
        ),
        StatusCode::UNAUTHORIZED,
        ErrorCode::BadCredentials,
    );
}

#[test]
fn missing_wrong_and_revoked_tokens_are_unauthorized() {
    let server = TestServer::start();
    let (client, _) = setup(&server);
    let revoked = server.sign_in("ada@example.org", "old phone");
    server.delete(Some(&revoked.token), "/v1/sessions/current");
    let before = world(&server, "ada@example.org");
    let wrong = "0".repeat(64);
    let tokens: Vec<Option<&str>> = vec![None, Some(&wrong), Some(""), Some(&revoked.token)];
    for token in tokens {
        for path in ["/v1/devices", "/v1/links", "/v1/grants", "/v1/access-log"] {
            expect_error(
                server.get(token, path),
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
            );
        }
        for path in [
            "/v1/sessions/current",
            "/v1/devices/x",
            "/v1/links/x",
            "/v1/grants/x",
            "/v1/documents/doc-1",
        ] {
            expect_error(
                server.delete(token, path),
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
            );
        }
        expect_error(
            server.post_raw(
                token,
                "/v1/sync",
                CBOR,
                cbor(&push(vec![bundle(
                    "doc-1",
                    "evil",
                    DocKind::Win,
                    &[],
                    b"x",
                )])),
            ),
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
        );
        expect_error(
            server.post_json(token, "/v1/invites", &serde_json::json!({})),
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
        );
        expect_error(
            server.delete(token, "/v1/invites/ABCDEFGHJK"),
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
        );
        expect_error(
            server.put_cbor(
                token,
                "/v1/documents/doc-1/snapshot",
                &SnapshotRequest {
                    epoch: 0,
                    covers: vec![],
                    data: b"x".to_vec(),
                },
            ),
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
        );
    }
    // A token in the wrong scheme is not accepted either.
    let response = server
        .http
        .get(server.url("/v1/devices"))
        .header("authorization", format!("Basic {}", client.token))
        .send()
        .expect("GET");
    expect_error(response, StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized);
    assert_eq!(world(&server, "ada@example.org"), before);
}

#[test]
fn oversized_bodies_bundles_and_batches_are_too_large() {
    let server = TestServer::start_with(&[
        "--max-body-bytes",
        "4096",
        "--max-bundle-bytes",
        "1024",
        "--max-batch",
        "3",
        "--max-page",
        "50",
    ]);
    let (client, _) = setup(&server);
    let limits: Limits = json(
        server.get(Some(&client.token), "/v1/limits"),
        StatusCode::OK,
    );
    assert_eq!(
        limits,
        Limits {
            max_body_bytes: 4096,
            max_bundle_bytes: 1024,
            max_batch: 3,
            max_page: 50,
            wrap_format: 2,
        }
    );
    let before = world(&server, "ada@example.org");

    let big_bundle = push(vec![bundle("doc-2", "b1", DocKind::Win, &[], &[7; 1025])]);
    expect_error(
        server.sync_response(&client.token, &big_bundle),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
    );
    let big_body = push(
        (0..3)
            .map(|i| bundle("doc-3", &format!("b{i}"), DocKind::Win, &[], &[7; 1000]))
            .chain([bundle("doc-3", "b9", DocKind::Win, &[], &[7; 1000])])
            .collect(),
    );
    expect_error(
        server.sync_response(&client.token, &big_body),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
    );
    let big_batch = push(
        (0..4)
            .map(|i| bundle("doc-4", &format!("b{i}"), DocKind::Win, &[], b"x"))
            .collect(),
    );
    expect_error(
        server.sync_response(&client.token, &big_batch),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
    );
    let big_json = serde_json::json!({"email": "x@y.z", "password": "p".repeat(5000), "role": "client", "display_name": "X"});
    expect_error(
        server.post_json(None, "/v1/accounts", &big_json),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
    );
    let big_snapshot = SnapshotRequest {
        epoch: 0,
        covers: vec![],
        data: vec![1; 2000],
    };
    expect_error(
        server.put_cbor(
            Some(&client.token),
            "/v1/documents/doc-1/snapshot",
            &big_snapshot,
        ),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
    );

    assert_eq!(world(&server, "ada@example.org"), before);
    // Just under the limits is fine.
    let ok = push(
        (0..3)
            .map(|i| bundle("doc-5", &format!("b{i}"), DocKind::Win, &[], &[7; 1000]))
            .collect(),
    );
    assert_eq!(server.sync(&client.token, &ok).acked.len(), 3);
}

#[test]
fn unknown_and_foreign_ids_are_refused() {
    let server = TestServer::start();
    let (client, therapist) = setup(&server);
    let other = server.sign_up("bob@example.org", Role::Client);
    let before = world(&server, "ada@example.org");
    let snap = SnapshotRequest {
        epoch: 0,
        covers: vec![],
        data: b"x".to_vec(),
    };
    expect_error(
        server.put_cbor(Some(&client.token), "/v1/documents/nope/snapshot", &snap),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    expect_error(
        server.put_cbor(Some(&other.token), "/v1/documents/doc-1/snapshot", &snap),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    expect_error(
        server.delete(Some(&other.token), "/v1/documents/doc-1"),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    expect_error(
        server.delete(Some(&client.token), "/v1/grants/nope"),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    expect_error(
        server.delete(Some(&client.token), "/v1/links/nope"),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    expect_error(
        server.delete(Some(&client.token), "/v1/devices/nope"),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    // A grant to an account that does not exist, or to oneself.
    let body = serde_json::json!({"grantee": "no-such-account", "scope": {"type": "kind", "kind": "win", "tag": null}, "access": "read"});
    expect_error(
        server.post_json(Some(&client.token), "/v1/grants", &body),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    let body = serde_json::json!({"grantee": client.account_id, "scope": {"type": "kind", "kind": "win", "tag": null}, "access": "read"});
    expect_error(
        server.post_json(Some(&client.token), "/v1/grants", &body),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    );
    // Unknown endpoint and wrong method.
    expect_error(
        server.get(Some(&client.token), "/v1/nothing-here"),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    let response = server.get(Some(&client.token), "/v1/sync");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let _: rapport_protocol::ErrorBody = response.json().expect("error body");
    // The therapist (unlinked) can do nothing with the client's document.
    expect_error(
        server.sync_response(
            &therapist.token,
            &push(vec![bundle("doc-1", "t1", DocKind::Win, &[], b"x")]),
        ),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    assert_eq!(world(&server, "ada@example.org"), before);
}

#[test]
fn too_many_requests_are_rate_limited() {
    let server = TestServer::start_with(&["--rate-per-sec", "0.001", "--rate-burst", "5"]);
    let (client, _) = setup(&server); // sign-ups use the per-IP bucket
    let mut limited = None;
    for _ in 0..10 {
        let response = server.get(Some(&client.token), "/v1/limits");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = limited.expect("the sixth request in a burst of five is refused");
    assert!(response.headers().get("retry-after").is_some());
    expect_error(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
    );
    // Health checks are not limited.
    assert_eq!(server.get(None, "/health").status(), StatusCode::OK);
}

#[test]
fn malformed_invite_codes_are_refused_when_cancelling() {
    let server = TestServer::start();
    let (client, _) = setup(&server);
    let long = "A".repeat(5000);
    let hostile = [
        "AB",
        "ABCDEFGHJKL",
        "%00%00%00%00%00%00%00%00%00%00",
        "ABCDE%E2%80%AEFGHJK%20%20",
        long.as_str(),
    ];
    for code in hostile {
        let r = server.delete(Some(&client.token), &format!("/v1/invites/{code}"));
        expect_error(r, StatusCode::BAD_REQUEST, ErrorCode::BadRequest);
    }
    // Many separators around a real length are still refused (bounded work).
    let padded = format!("{}ABCDEFGHJK", "-".repeat(100));
    let r = server.delete(Some(&client.token), &format!("/v1/invites/{padded}"));
    expect_error(r, StatusCode::BAD_REQUEST, ErrorCode::BadRequest);
    // A well-formed code that is not the caller's is simply not found.
    let r = server.delete(Some(&client.token), "/v1/invites/ABCDEFGHJK");
    expect_error(r, StatusCode::NOT_FOUND, ErrorCode::NotFound);
}

/// Found by the `server_request` fuzz target
/// (`fuzz/regressions/server_request/path-param-not-utf8`): axum's `Path`
/// answered a percent-escape that does not decode to UTF-8 in plain text.
#[test]
fn a_path_parameter_that_is_not_utf8_gets_the_json_error_body() {
    let server = TestServer::start();
    let (client, _) = setup(&server);
    let t = Some(client.token.as_str());
    let bad = |response| expect_error(response, StatusCode::BAD_REQUEST, ErrorCode::BadRequest);
    bad(server.get(t, "/v1/keys/%99"));
    for path in [
        "/v1/devices/%FF",
        "/v1/grants/a%C3",
        "/v1/links/%80",
        "/v1/invites/%FE",
        "/v1/documents/%FF",
    ] {
        bad(server.delete(t, path));
    }
    let snap = SnapshotRequest {
        epoch: 0,
        covers: vec![],
        data: b"x".to_vec(),
    };
    bad(server.put_cbor(t, "/v1/documents/%FF/snapshot", &snap));
}
