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
    let body: rapport_protocol::ErrorBody = reply.json().expect("an error body");
    assert_eq!(body.error, ErrorCode::TooLarge);
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
