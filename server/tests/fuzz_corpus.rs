//! The `server_request` fuzz target on stable: its committed corpus, every
//! crash it found, and the seeds it started from go through the target's
//! body (`rapport_server::fuzz::Harness`: the real router in process on a
//! SQLite database), which panics when the server fails (500) or answers
//! an error without the JSON error body.

#[path = "../../fuzz/replay.rs"]
mod replay;

use rapport_protocol::{
    Bundle, DocKind, SignInRequest, SignUpRequest, SnapshotRequest, SyncRequest, Wrap,
};
use rapport_server::fuzz::{Harness, PASSWORD, ROUTES};

const TARGET: &str = "server_request";

const JSON: u8 = 0;
const CBOR: u8 = 1;
const NO_TYPE: u8 = 2;
const NOBODY: u8 = 0;
const CLIENT: u8 = 1 << 2;
const THERAPIST: u8 = 2 << 2;
const HEADER: u8 = 3 << 2;

/// The input for one request (the layout is in `rapport_server::fuzz`).
fn input(method: &str, path: &str, flags: u8, tail: &str, body: &[u8]) -> Vec<u8> {
    let route = ROUTES
        .iter()
        .position(|r| *r == (method, path))
        .unwrap_or_else(|| panic!("no route {method} {path}"));
    let tail_len = u8::try_from(tail.len()).expect("a short tail");
    [&[route as u8, flags, tail_len][..], tail.as_bytes(), body].concat()
}

fn json(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).expect("json")
}

fn cbor(value: &impl serde::Serialize) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("cbor");
    out
}

fn hex(byte: u8, n: usize) -> String {
    format!("{byte:02x}").repeat(n)
}

/// One well-formed request per route, a few with a wrong content type or
/// no token, and Authorization headers that are not a bearer token.
fn seeds() -> Vec<Vec<u8>> {
    let sign_up = json(&SignUpRequest {
        email: "seed@fuzz.example".into(),
        password: "a seed's long passphrase".into(),
        role: rapport_protocol::Role::Client,
        display_name: "Seed".into(),
        device_name: Some("phone".into()),
    });
    let sign_in = json(&SignInRequest {
        email: Harness::email(0),
        password: PASSWORD.into(),
        device_name: "laptop".into(),
    });
    let keys = format!(
        r#"{{"account":{{"x25519":"{}","ed25519":"{}"}},"device":{{"account_id":"acct","device_id":"dev","device_public":"{}","signature":"{}"}}}}"#,
        hex(0x20, 32),
        hex(0x1b, 32),
        hex(0x29, 32),
        hex(0xa1, 64)
    );
    let bundle = Bundle {
        bundle_id: "bundle-1".into(),
        doc_id: "doc-1".into(),
        kind: DocKind::Win,
        tags: vec!["t1.tag".into()],
        epoch: 1,
        data: b"RPB\x01sealed".to_vec(),
    };
    let wrap = Wrap {
        doc_id: "doc-1".into(),
        epoch: 2,
        recipient: "acct".into(),
        to_owner: true,
        sealed_key: vec![7; 72],
        previous: vec![8; 56],
        signer: "dev".into(),
        signature: vec![9; 64],
        format: 1,
    };
    let push = cbor(&SyncRequest {
        cursor: None,
        push: vec![bundle],
        wraps: vec![wrap],
        limit: Some(10),
    });
    let pull = cbor(&SyncRequest {
        cursor: Some("1:0,2:5".into()),
        ..SyncRequest::default()
    });
    let snapshot = cbor(&SnapshotRequest {
        covers: vec!["bundle-1".into()],
        epoch: 1,
        data: b"RPB\x01snapshot".to_vec(),
    });
    vec![
        input("POST", "/v1/accounts", JSON, "", &sign_up),
        input("POST", "/v1/accounts", CBOR, "", &sign_up),
        input("POST", "/v1/sessions", JSON, "", &sign_in),
        input("DELETE", "/v1/sessions/current", NO_TYPE | NOBODY, "", b""),
        input("DELETE", "/v1/account", JSON | CLIENT, "", br#"{"password":"not the password"}"#),
        input(
            "PUT",
            "/v1/account/password",
            JSON | CLIENT,
            "",
            br#"{"current_password":"wrong one","new_password":"a new long passphrase"}"#,
        ),
        input("GET", "/v1/devices", NO_TYPE | CLIENT, "", b""),
        input("DELETE", "/v1/devices/{}", NO_TYPE | CLIENT, "dev-unknown", b""),
        input("POST", "/v1/invites", NO_TYPE | CLIENT, "", b""),
        input("POST", "/v1/invites/redeem", JSON | THERAPIST, "", br#"{"code":"ABCD-EFGH"}"#),
        input("DELETE", "/v1/invites/{}", NO_TYPE | CLIENT, "ABCD-EFGH", b""),
        input("GET", "/v1/links", NO_TYPE | THERAPIST, "", b""),
        input("DELETE", "/v1/links/{}", NO_TYPE | CLIENT, "link-1", b""),
        input(
            "POST",
            "/v1/grants",
            JSON | CLIENT,
            "",
            br#"{"grantee":"acct-2","scope":{"type":"kind","kind":"win","tag":"t1.x"},"access":"read"}"#,
        ),
        input(
            "POST",
            "/v1/grants",
            JSON | CLIENT,
            "",
            br#"{"grantee":"acct-2","scope":{"type":"document","doc_id":"doc-1"},"access":"write"}"#,
        ),
        input("GET", "/v1/grants", NO_TYPE | CLIENT, "", b""),
        input("DELETE", "/v1/grants/{}", NO_TYPE | CLIENT, "grant-1", b""),
        input("GET", "/v1/access-log", NO_TYPE | CLIENT, "?limit=5", b""),
        input("PUT", "/v1/keys", JSON | CLIENT, "", keys.as_bytes()),
        input("PUT", "/v1/keys/backup", JSON | CLIENT, "", br#"{"sealed":[82,80,75,1,0,0]}"#),
        input("GET", "/v1/keys/backup", NO_TYPE | CLIENT, "", b""),
        input("DELETE", "/v1/keys/backup", NO_TYPE | CLIENT, "", b""),
        input("GET", "/v1/keys/{}", NO_TYPE | THERAPIST, "acct-1", b""),
        input("POST", "/v1/sync", CBOR | CLIENT, "", &push),
        input("POST", "/v1/sync", CBOR | THERAPIST, "", &pull),
        input("POST", "/v1/sync", JSON | CLIENT, "", &pull),
        input("PUT", "/v1/documents/{}/snapshot", CBOR | CLIENT, "doc-1", &snapshot),
        input("DELETE", "/v1/documents/{}", NO_TYPE | CLIENT, "doc-1", b""),
        input("GET", "/v1/limits", NO_TYPE | NOBODY, "", b""),
        input("GET", "/health", NO_TYPE | NOBODY, "", b""),
        input("PATCH", "/v1/sync", CBOR | CLIENT, "", &pull),
        input("GET", "/v2/{}", NO_TYPE | NOBODY, "anything", b""),
        input("GET", "/v1/devices", NO_TYPE | HEADER, "Bearer not-a-token", b""),
        input("GET", "/v1/devices", NO_TYPE | HEADER, "Basic Zm9vOmJhcg==", b""),
    ]
}

#[test]
fn the_server_request_corpus_and_regressions_pass_the_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let harness = Harness::new(dir.path());
    replay::replay(TARGET, &seeds(), |data| harness.request(data));
}

#[test]
#[ignore = "writes the seeds into fuzz/corpus for a first fuzzing run"]
fn write_seeds() {
    replay::write_seeds(TARGET, &seeds());
}
