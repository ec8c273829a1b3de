//! Availability (issue 10, hole 5): a client cannot hold a connection with
//! slow headers or a stalled body, a JSON body is small, and a CBOR body of
//! many tiny elements is refused while it is decoded.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use rapport_protocol::{ErrorCode, Role};
use reqwest::StatusCode;

fn connect(server: &TestServer) -> TcpStream {
    let addr = server.base.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("read timeout");
    stream
}

/// Reads until the server closes the connection; answers what it sent.
fn read_to_close(mut stream: TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn slow_headers_lose_their_connection() {
    let server = TestServer::start_with(&["--header-timeout-secs", "1"]);
    let mut stream = connect(&server);
    // Half a request line and one header, then nothing.
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .expect("write");
    let (_, waited) = read_to_close(stream);
    assert!(
        waited < Duration::from_secs(15),
        "the connection stayed open {waited:?}"
    );
    // A complete request on a new connection is served.
    let ok = server.get(None, "/health");
    assert_eq!(ok.status(), StatusCode::OK);
}

#[test]
fn a_stalled_body_gets_408_and_its_connection_back() {
    let server = TestServer::start_with(&["--request-timeout-secs", "1"]);
    let mut stream = connect(&server);
    stream
        .write_all(
            b"POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
        )
        .expect("write");
    let (answer, waited) = read_to_close(stream);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\":\"timeout\""), "{answer}");
    assert!(waited < Duration::from_secs(15), "{waited:?}");
}

#[test]
fn a_json_body_is_at_most_64_kib() {
    let server = TestServer::start();
    let huge = format!(
        "{{\"email\":\"a@example.org\",\"password\":\"{}\",\"device_name\":\"x\"}}",
        "p".repeat(200 * 1024)
    );
    let reply = server.post_raw(None, "/v1/sessions", "application/json", huge.into_bytes());
    assert_eq!(reply.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The rest of the body stays unread, so the connection is not reused.
    assert_eq!(
        reply
            .headers()
            .get(reqwest::header::CONNECTION)
            .map(|v| v.as_bytes()),
        Some(&b"close"[..])
    );
    let body: rapport_protocol::ErrorBody = reply.json().expect("an error body");
    assert_eq!(body.error, ErrorCode::TooLarge);
    // The same client goes on, on a new connection.
    for _ in 0..20 {
        assert_eq!(server.get(None, "/health").status(), StatusCode::OK);
    }
}

#[test]
fn a_cbor_push_of_many_tiny_elements_is_refused_while_decoding() {
    let server = TestServer::start();
    let client = server.sign_up("amp@example.org", Role::Client);
    // More bundles than a push may carry, each tiny: the body stays far
    // under the body limit.
    let one = bundle("d", "b", rapport_protocol::DocKind::Win, &[], b"x");
    let request = rapport_protocol::SyncRequest {
        push: vec![one; rapport_protocol::MAX_PUSH + 1],
        ..Default::default()
    };
    let mut body = Vec::new();
    ciborium::into_writer(&request, &mut body).expect("encode");
    assert!(body.len() < 2 * 1024 * 1024, "{} bytes", body.len());
    let reply = server.post_raw(
        Some(&client.token),
        "/v1/sync",
        rapport_protocol::CBOR,
        body,
    );
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
    let error: rapport_protocol::ErrorBody = reply.json().expect("an error body");
    assert!(error.message.contains("more than"), "{}", error.message);
    // The server is still there for others.
    assert_eq!(server.get(None, "/health").status(), StatusCode::OK);
}

#[test]
fn a_document_larger_than_a_page_arrives_over_several_pages() {
    // Before: a document that entered a device's view was sent whole in one
    // page, whatever its size (a 60 x 4 MiB document gave a 252 MB answer).
    let server =
        TestServer::start_with(&["--max-body-bytes", "4096", "--max-bundle-bytes", "1024"]);
    let owner = server.sign_up("ada@example.org", Role::Client);
    let mut pushed = Vec::new();
    for batch in 0..4 {
        let bundles: Vec<_> = (0..3)
            .map(|i| {
                let n = batch * 3 + i;
                let data = vec![u8::try_from(n).expect("small"); 1000];
                pushed.push(data.clone());
                bundle(
                    "big",
                    &format!("b{n}"),
                    rapport_protocol::DocKind::Win,
                    &[],
                    &data,
                )
            })
            .collect();
        server.sync(&owner.token, &push(bundles));
    }
    server.sync(
        &owner.token,
        &push(vec![bundle(
            "small",
            "s1",
            rapport_protocol::DocKind::Win,
            &[],
            b"tiny",
        )]),
    );

    let second = server.sign_in("ada@example.org", "second phone");
    let pages = server.pull_all(&second.token, None);
    assert!(
        pages.len() >= 3,
        "12,000 bytes in pages of 4,096: {} pages",
        pages.len()
    );
    for page in &pages {
        let bytes: usize = page.changes.iter().map(|c| c.data.len()).sum();
        assert!(bytes <= 4096, "a page carried {bytes} bytes");
    }
    let got = changes(&pages);
    let big: Vec<Vec<u8>> = got
        .iter()
        .filter(|(doc, _)| doc == "big")
        .map(|(_, data)| data.clone())
        .collect();
    assert_eq!(big, pushed, "every part once, in order");
    assert_eq!(got.iter().filter(|(doc, _)| doc == "small").count(), 1);

    // A device that already holds everything is up to date afterwards.
    let last = pages.last().expect("a page").cursor.clone();
    let again = server.pull_all(&second.token, Some(last));
    assert_eq!(changes(&again), vec![]);
}

#[test]
fn a_cursor_naming_a_partial_document_is_checked() {
    let server = TestServer::start();
    let owner = server.sign_up("ada@example.org", Role::Client);
    server.sync(
        &owner.token,
        &push(vec![bundle(
            "d",
            "b1",
            rapport_protocol::DocKind::Win,
            &[],
            b"x",
        )]),
    );
    let cursor = server.pull_all(&owner.token, None)[0].cursor.clone();
    let feed = cursor.split(':').next().expect("a feed");
    for text in [
        format!("{cursor}|999999:1:1:1"),
        format!("{cursor}|{feed}:99999:1:1"),
        format!("{cursor}|{feed}:1:7:1"),
        format!("{cursor}|{feed}:1:1"),
    ] {
        let response = server.sync_response(
            &owner.token,
            &rapport_protocol::SyncRequest {
                cursor: Some(text.clone()),
                ..Default::default()
            },
        );
        expect_error(response, StatusCode::BAD_REQUEST, ErrorCode::BadRequest);
    }
}

#[test]
fn a_record_is_held_to_its_storage_quota() {
    // Before: no quota at all; an account could fill the server's disk.
    let server = TestServer::start_with(&["--max-account-bytes", "3000"]);
    let owner = server.sign_up("ada@example.org", Role::Client);
    let other = server.sign_up("bo@example.org", Role::Client);
    let win = rapport_protocol::DocKind::Win;
    server.sync(
        &owner.token,
        &push(vec![bundle("a", "a1", win, &[], &[1; 1000])]),
    );
    server.sync(
        &owner.token,
        &push(vec![bundle("b", "b1", win, &[], &[2; 1000])]),
    );

    // 1,000 + 1,000 + 1,500 > 3,000: refused whole, nothing of it kept.
    let over = push(vec![
        bundle("c", "c1", win, &[], &[3; 500]),
        bundle("a", "a2", win, &[], &[4; 1000]),
    ]);
    let body = expect_error(
        server.sync_response(&owner.token, &over),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
    );
    assert!(body.message.contains("quota"), "{}", body.message);
    let second = server.sign_in("ada@example.org", "second phone");
    let held: Vec<String> = changes(&server.pull_all(&second.token, None))
        .into_iter()
        .map(|(doc, _)| doc)
        .collect();
    assert_eq!(held, ["a", "b"], "nothing of the refused push was stored");

    // A retry of a stored bundle is still acknowledged at the quota.
    server.sync(
        &owner.token,
        &push(vec![bundle("b", "b2", win, &[], &[5; 900])]),
    );
    let retry = server.sync(
        &owner.token,
        &push(vec![bundle("b", "b2", win, &[], &[5; 900])]),
    );
    assert_eq!(retry.acked.len(), 1);
    expect_error(
        server.sync_response(
            &owner.token,
            &push(vec![bundle("b", "b3", win, &[], &[6; 200])]),
        ),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
    );

    // Another account has its own quota.
    server.sync(
        &other.token,
        &push(vec![bundle("z", "z1", win, &[], &[7; 2500])]),
    );

    // Deleting frees the space.
    let response = server.delete(Some(&owner.token), "/v1/documents/a");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    server.sync(
        &owner.token,
        &push(vec![bundle("c", "c1", win, &[], &[3; 1000])]),
    );

    // A snapshot that frees what it covers is taken at the quota; one that
    // would grow the record past it is refused.
    let snapshot = |covers: Vec<&str>, size: usize| rapport_protocol::SnapshotRequest {
        epoch: 0,
        covers: covers
            .into_iter()
            .map(|id| rapport_protocol::BundleId(id.to_owned()))
            .collect(),
        data: vec![8; size],
    };
    let response = server.put_cbor(
        Some(&owner.token),
        "/v1/documents/b/snapshot",
        &snapshot(vec!["b1", "b2"], 1200),
    );
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "{:?}",
        response.text()
    );
    expect_error(
        server.put_cbor(
            Some(&owner.token),
            "/v1/documents/c/snapshot",
            &snapshot(vec![], 1000),
        ),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
    );
}
