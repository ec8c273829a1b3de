//! The server as a process: restarts keep everything, TLS, and refusing
//! plain HTTP on a public address.

mod common;

use std::process::Command;

use common::*;
use rapport_protocol::{
    Access, AccessLogEntry, CareLink, DocKind, Grant, GrantScope, Role, SyncRequest,
};
use reqwest::StatusCode;

#[test]
fn a_restart_keeps_accounts_tokens_documents_grants_and_cursors() {
    let mut server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(&server, &client, &therapist);
    let c = server.sync(
        &client.token,
        &push(vec![
            bundle("win-1", "b1", DocKind::Win, &["t"], b"one"),
            bundle("win-1", "b2", DocKind::Win, &["t"], b"two"),
        ]),
    );
    grant(
        &server,
        &client,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Win,
            tag: Some("t".into()),
        },
        Access::Read,
    );
    let t = server.sync(&therapist.token, &SyncRequest::default());
    assert_eq!(changes(std::slice::from_ref(&t)).len(), 2);

    server.restart();

    // Tokens still work; the data, links, grants and log are all there.
    let links: Vec<CareLink> = json(server.get(Some(&client.token), "/v1/links"), StatusCode::OK);
    assert_eq!(links.len(), 1);
    let grants: Vec<Grant> = json(
        server.get(Some(&therapist.token), "/v1/grants"),
        StatusCode::OK,
    );
    assert_eq!(grants.len(), 1);
    let log: Vec<AccessLogEntry> = json(
        server.get(Some(&client.token), "/v1/access-log"),
        StatusCode::OK,
    );
    assert_eq!(log.len(), 1);
    let fresh = server.sign_in("ada@example.org", "after restart");
    let got = changes(&server.pull_all(&fresh.token, None));
    assert_eq!(
        got,
        vec![
            ("win-1".to_owned(), b"one".to_vec()),
            ("win-1".to_owned(), b"two".to_vec())
        ]
    );
    // Cursors from before the restart continue where they were.
    server.sync(
        &client.token,
        &SyncRequest {
            wraps: Vec::new(),
            cursor: Some(c.cursor.clone()),
            push: vec![bundle("win-1", "b3", DocKind::Win, &["t"], b"three")],
            limit: None,
        },
    );
    let t2 = server.sync(
        &therapist.token,
        &SyncRequest {
            wraps: Vec::new(),
            cursor: Some(t.cursor),
            push: vec![],
            limit: None,
        },
    );
    assert_eq!(
        changes(&[t2]),
        vec![("win-1".to_owned(), b"three".to_vec())]
    );
    // A retried push from before the restart is still recognised.
    let retry = server.sync(
        &client.token,
        &push(vec![bundle("win-1", "b1", DocKind::Win, &["t"], b"one")]),
    );
    assert_eq!(retry.acked.len(), 1);
    assert_eq!(changes(&server.pull_all(&fresh.token, None)).len(), 3);
}

#[test]
fn with_a_certificate_it_speaks_https() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("certificate");
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).expect("write cert");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write key");
    let server = TestServer::start_with(&[
        "--tls-cert",
        cert.to_str().expect("path"),
        "--tls-key",
        key.to_str().expect("path"),
    ]);
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let session = server.sign_up("ada@example.org", Role::Client);
    let page = server.sync(
        &session.token,
        &push(vec![bundle("d", "b", DocKind::Win, &[], b"x")]),
    );
    assert_eq!(page.acked.len(), 1);
    // Plain HTTP to the TLS port gets no answer.
    let plain = server.base.replacen("https://", "http://", 1);
    assert!(
        server
            .http
            .get(format!("{plain}/health"))
            .send()
            .map(|r| !r.status().is_success())
            .unwrap_or(true)
    );
}

#[test]
fn plain_http_on_a_public_address_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_rapport-server"))
        .args(["--listen", "0.0.0.0:0", "--database"])
        .arg(dir.path().join("db.sqlite3"))
        .output()
        .expect("run rapport-server");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to serve plain HTTP on 0.0.0.0:0"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-insecure-http"), "{stderr}");
    assert!(output.stdout.is_empty(), "it never announced an address");
}

#[test]
fn a_missing_certificate_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_rapport-server"))
        .args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(dir.path().join("missing-cert.pem"))
        .arg("--tls-key")
        .arg(dir.path().join("missing-key.pem"))
        .arg("--database")
        .arg(dir.path().join("db.sqlite3"))
        .output()
        .expect("run rapport-server");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("loading TLS certificate and key"),
        "{stderr}"
    );
}

/// Starts the binary on `database`, checks it answers, stops it with
/// SIGTERM; answers its exit status and what it wrote on stderr.
fn serve_then_terminate(database: &str, extra: &[&str]) -> (std::process::ExitStatus, String) {
    use std::io::{BufRead, BufReader};
    install_crypto_provider();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport-server"))
        .args(["--listen", "127.0.0.1:0", "--database", database])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start rapport-server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .trim()
        .strip_prefix("rapport-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    let limits = reqwest::blocking::get(format!("{url}/v1/limits")).expect("GET /v1/limits");
    assert_eq!(limits.status(), StatusCode::OK);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(killed.success());
    let output = child.wait_with_output().expect("wait");
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    // Before: on PostgreSQL the connection pool was dropped on an async
    // thread at shutdown, and the server panicked on its way out.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("server.sqlite3");
    let (status, stderr) = serve_then_terminate(&file.to_string_lossy(), &[]);
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let Some(admin) = postgres_admin_url() else {
        return;
    };
    // --create-database makes the database the URL names, as a SQLite file
    // is made.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!("rapport_test_create_{}_{nanos}", std::process::id());
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let (status, stderr) = serve_then_terminate(&url, &["--create-database"]);
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect");
    let created = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .expect("pg_database")
        .is_some();
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .expect("drop");
    assert!(created, "--create-database made no database");
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
