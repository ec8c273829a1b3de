//! Races between two server processes on one database: a write against the
//! deletion of its document, the revocation of its grant, or the end of
//! the care link behind a grant. Each race runs many times (bounded in
//! time); afterwards the database is read directly for what must not be
//! there. Meant for PostgreSQL (`scripts/test-server-postgres`), where two
//! processes really run transactions side by side; on SQLite the file's
//! single writer serialises them, and the tests check the same invariants.

mod common;

use std::{
    sync::Barrier,
    time::{Duration, Instant},
};

use common::*;
use rapport_protocol::{Access, DocKind, GrantScope, Role, SnapshotRequest, SyncRequest};
use reqwest::StatusCode;

/// Generous limits: the races send many requests quickly.
const ARGS: &[&str] = &["--rate-per-sec", "10000", "--rate-burst", "10000"];
/// Tries per race, and the most time one race may take.
const TRIES: usize = 50;
const BUDGET: Duration = Duration::from_secs(90);

/// One number from the test's database (`$1`, `$2`… in order of appearance:
/// both backends accept them).
fn count(server: &TestServer, sql: &str, params: &[&str]) -> i64 {
    let database = server.database.to_string_lossy().into_owned();
    if database.starts_with("postgres") {
        let mut client =
            postgres::Client::connect(&database, postgres::NoTls).expect("connect to the database");
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|p| p as &(dyn postgres::types::ToSql + Sync))
            .collect();
        client
            .query_one(sql, &params)
            .expect("query")
            .get::<_, i64>(0)
    } else {
        let conn = rusqlite::Connection::open(&database).expect("open the database");
        conn.busy_timeout(Duration::from_secs(5)).expect("timeout");
        conn.query_row(sql, rusqlite::params_from_iter(params.iter()), |row| {
            row.get(0)
        })
        .expect("query")
    }
}

/// Runs `a` and `b` at the same moment, each on its own thread.
fn at_once<A: FnOnce() + Send, B: FnOnce() + Send>(a: A, b: B) {
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            barrier.wait();
            a();
        });
        s.spawn(|| {
            barrier.wait();
            b();
        });
    });
}

/// Bytes still stored for a document: bundles with data, and snapshots.
fn stored_parts(server: &TestServer, doc: &str) -> i64 {
    count(
        server,
        "SELECT (SELECT count(*) FROM bundles WHERE doc_id = $1 AND data IS NOT NULL)
              + (SELECT count(*) FROM snapshots WHERE doc_id = $1)",
        &[doc],
    )
}

/// Runs `one` for try 0, 1, … up to [`TRIES`] or the time budget.
fn repeat(mut one: impl FnMut(usize)) {
    let started = Instant::now();
    let mut tries = 0;
    while tries < TRIES && started.elapsed() < BUDGET {
        one(tries);
        tries += 1;
    }
    assert!(tries >= 10, "only {tries} tries in the time budget");
}

fn push_one(doc: &str, id: &str, data: &[u8]) -> SyncRequest {
    push(vec![bundle(doc, id, DocKind::Reflection, &[], data)])
}

/// One device deletes a document through one process while another device
/// of the owner writes it through the other (`write(server, token, doc)`);
/// afterwards no bytes of the document may remain.
fn race_with_delete(write: impl Fn(&TestServer, &str, &str) + Sync) {
    let a = TestServer::start_with(ARGS);
    let b = a.start_sharing();
    repeat(|i| {
        let email = format!("ada{i}@example.org");
        let phone = a.sign_up(&email, Role::Client);
        let laptop = b.sign_in(&email, "laptop");
        let doc = format!("entry-{i}");
        a.sync(&phone.token, &push_one(&doc, "first", b"first"));
        at_once(
            || {
                let r = a.delete(Some(&phone.token), &format!("/v1/documents/{doc}"));
                assert_eq!(r.status(), StatusCode::NO_CONTENT);
            },
            || write(&b, &laptop.token, &doc),
        );
        assert_eq!(
            stored_parts(&a, &doc),
            0,
            "try {i}: bytes of a deleted document stayed"
        );
    });
}

#[test]
fn a_push_racing_a_delete_leaves_no_bytes() {
    race_with_delete(|server, token, doc| {
        let r = server.sync_response(token, &push_one(doc, "late", b"late bytes"));
        assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text());
    });
}

#[test]
fn a_snapshot_racing_a_delete_leaves_no_bytes() {
    race_with_delete(|server, token, doc| {
        let snapshot = SnapshotRequest {
            epoch: 0,
            covers: vec![],
            data: b"SAVED".to_vec(),
        };
        let path = format!("/v1/documents/{doc}/snapshot");
        let r = server.put_cbor(Some(token), &path, &snapshot);
        // Stored before the deletion, or refused after it.
        assert!(
            [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND].contains(&r.status()),
            "{:?}",
            r.text()
        );
    });
}

#[test]
fn a_push_racing_a_revocation_is_stored_before_it_or_refused() {
    let a = TestServer::start_with(ARGS);
    let b = a.start_sharing();
    repeat(|i| {
        let client = a.sign_up(&format!("ada{i}@example.org"), Role::Client);
        let therapist = b.sign_up(&format!("dr{i}@example.org"), Role::Therapist);
        link(&a, &client, &therapist);
        let doc = format!("plan-{i}");
        a.sync(&client.token, &push_one(&doc, "first", b"first"));
        let g = grant(
            &a,
            &client,
            &therapist,
            GrantScope::Document {
                doc_id: doc.as_str().into(),
            },
            Access::Write,
        );
        at_once(
            || {
                let r = a.delete(Some(&client.token), &format!("/v1/grants/{}", g.grant_id.0));
                assert_eq!(r.status(), StatusCode::NO_CONTENT);
            },
            || {
                let r = b.sync_response(&therapist.token, &push_one(&doc, "late", b"late"));
                assert!(
                    [StatusCode::OK, StatusCode::FORBIDDEN].contains(&r.status()),
                    "{:?}",
                    r.text()
                );
            },
        );
        let after_revocation = count(
            &a,
            "SELECT count(*) FROM bundles b, grants g
             WHERE b.doc_id = $1 AND b.bundle_id = 'late' AND g.id = $2
               AND b.seq > g.revoked_seq",
            &[&doc, &g.grant_id.0],
        );
        assert_eq!(
            after_revocation, 0,
            "try {i}: a bundle was stored after the grant was revoked"
        );
    });
}

#[test]
fn a_grant_racing_the_end_of_its_link_does_not_outlive_it() {
    let a = TestServer::start_with(ARGS);
    let b = a.start_sharing();
    repeat(|i| {
        let client = a.sign_up(&format!("ada{i}@example.org"), Role::Client);
        let therapist = b.sign_up(&format!("dr{i}@example.org"), Role::Therapist);
        let link = link(&a, &client, &therapist);
        at_once(
            || {
                let r = a.delete(
                    Some(&client.token),
                    &format!("/v1/links/{}", link.link_id.0),
                );
                assert_eq!(r.status(), StatusCode::NO_CONTENT);
            },
            || {
                let r = b.post_json(
                    Some(&client.token),
                    "/v1/grants",
                    &rapport_protocol::GrantRequest {
                        grantee: therapist.account_id.clone(),
                        scope: GrantScope::Kind {
                            kind: DocKind::Reflection,
                            tag: None,
                        },
                        access: Access::Read,
                    },
                );
                // Made before the end (and revoked with it), or refused.
                assert!(
                    [StatusCode::CREATED, StatusCode::FORBIDDEN].contains(&r.status()),
                    "{:?}",
                    r.text()
                );
            },
        );
        let live = count(
            &a,
            "SELECT count(*) FROM grants WHERE owner_id = $1 AND revoked_seq IS NULL",
            &[&client.account_id.0],
        );
        assert_eq!(live, 0, "try {i}: a grant outlived its care link");
        // Nothing written after the end reaches the therapist.
        let doc = format!("after-{i}");
        a.sync(
            &client.token,
            &push_one(&doc, "x", b"written after the end"),
        );
        let got = changes(&b.pull_all(&therapist.token, None));
        assert!(got.is_empty(), "try {i}: the therapist read {got:?}");
        let grants: Vec<rapport_protocol::Grant> =
            json(b.get(Some(&therapist.token), "/v1/grants"), StatusCode::OK);
        assert!(grants.is_empty(), "try {i}: {grants:?}");
    });
}

/// A grant whose link has ended gives nothing, even if the grant row was
/// left active (as the race above once left it): every read asks the link.
#[test]
fn reads_check_the_care_link_behind_a_grant() {
    let server = TestServer::start_with(ARGS);
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr@example.org", Role::Therapist);
    let link = link(&server, &client, &therapist);
    server.sync(&client.token, &push_one("entry", "one", b"shared"));
    grant(
        &server,
        &client,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Reflection,
            tag: None,
        },
        Access::Write,
    );
    let before = server.pull_all(&therapist.token, None);
    assert_eq!(changes(&before).len(), 1);
    // End the link behind the server's back, leaving the grant active.
    let sql = "UPDATE links SET ended_at = '2000-01-01T00:00:00+00:00' WHERE id = $1";
    let database = server.database.to_string_lossy().into_owned();
    if database.starts_with("postgres") {
        let mut pg = postgres::Client::connect(&database, postgres::NoTls).expect("connect");
        pg.execute(sql, &[&link.link_id.0]).expect("update");
    } else {
        let conn = rusqlite::Connection::open(&database).expect("open");
        conn.execute(sql, [&link.link_id.0]).expect("update");
    }
    server.sync(&client.token, &push_one("entry", "two", b"after the end"));
    let cursor = before.last().map(|p| p.cursor.clone());
    let after = server.pull_all(&therapist.token, cursor);
    assert!(changes(&after).is_empty());
    assert!(after.iter().any(|p| !p.removed.is_empty()), "{after:?}");
    let r = server.sync_response(&therapist.token, &push_one("entry", "t", b"vandal"));
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let grants: Vec<rapport_protocol::Grant> = json(
        server.get(Some(&therapist.token), "/v1/grants"),
        StatusCode::OK,
    );
    assert!(grants.is_empty());
}

#[test]
fn a_push_racing_the_deletion_of_its_account_leaves_no_bytes() {
    // Before: a push authenticated before the account was deleted, and
    // creating a document, was stored after it: content of a deleted account
    // stayed on the server.
    let a = TestServer::start_with(ARGS);
    let b = a.start_sharing();
    repeat(|i| {
        let email = format!("ada{i}@example.org");
        let phone = a.sign_up(&email, Role::Client);
        let laptop = b.sign_in(&email, "laptop");
        a.sync(
            &phone.token,
            &push_one(&format!("old-{i}"), "first", b"first"),
        );
        at_once(
            || {
                let r = a.send_json(
                    reqwest::Method::DELETE,
                    Some(&phone.token),
                    "/v1/account",
                    &rapport_protocol::DeleteAccountRequest {
                        password: "correct horse battery".into(),
                    },
                );
                assert_eq!(r.status(), StatusCode::NO_CONTENT, "{:?}", r.text());
            },
            || {
                let late = push(vec![
                    bundle(&format!("new-{i}"), "n1", DocKind::Reflection, &[], b"late"),
                    bundle(&format!("old-{i}"), "o2", DocKind::Reflection, &[], b"late"),
                ]);
                // Stored before the deletion (then erased with it), or
                // refused after it.
                let r = b.sync_response(&laptop.token, &late);
                assert!(
                    [StatusCode::OK, StatusCode::UNAUTHORIZED].contains(&r.status()),
                    "{:?}",
                    r.text()
                );
            },
        );
        let stored = count(
            &a,
            "SELECT (SELECT count(*) FROM bundles WHERE data IS NOT NULL AND doc_id IN ($1, $2))
                  + (SELECT count(*) FROM documents WHERE id IN ($1, $2) AND deleted_seq IS NULL)",
            &[&format!("new-{i}"), &format!("old-{i}")],
        );
        assert_eq!(stored, 0, "try {i}: a deleted account's content stayed");
    });
}
