//! The sync protocol end to end: push, pull, cursors, pagination, sharing,
//! revocation, deletion and snapshots, against the real server process.

mod common;

use common::*;
use rapport_protocol::{
    Access, BundleId, DocKind, ErrorCode, GrantScope, RemovalReason, Role, SnapshotRequest,
    SyncRequest, SyncResponse,
};
use reqwest::StatusCode;

fn at(cursor: &str, bundles: Vec<rapport_protocol::Bundle>) -> SyncRequest {
    SyncRequest {
        wraps: Vec::new(),
        cursor: Some(cursor.to_owned()),
        push: bundles,
        limit: None,
    }
}

fn pull(cursor: &str) -> SyncRequest {
    at(cursor, vec![])
}

/// Uploads a snapshot of `doc` covering `covers`; the status.
fn snapshot(
    server: &TestServer,
    token: &str,
    doc: &str,
    covers: &[&str],
    data: &[u8],
) -> StatusCode {
    let request = SnapshotRequest {
        epoch: 0,
        covers: covers.iter().map(|c| (*c).into()).collect(),
        data: data.to_vec(),
    };
    server
        .put_cbor(
            Some(token),
            &format!("/v1/documents/{doc}/snapshot"),
            &request,
        )
        .status()
}

fn removed(page: &SyncResponse) -> Vec<(String, RemovalReason)> {
    page.removed
        .iter()
        .map(|r| (r.doc_id.0.clone(), r.reason))
        .collect()
}

#[test]
fn one_new_entry_is_one_small_request_and_reaches_the_other_device() {
    let server = TestServer::start();
    let phone = server.sign_up("ada@example.org", Role::Client);
    let first = server.sync(&phone.token, &SyncRequest::default());
    assert!(first.changes.is_empty() && !first.more);

    let r = server.sync(
        &phone.token,
        &at(
            &first.cursor,
            vec![bundle("win-1", "b1", DocKind::Win, &[], b"hello")],
        ),
    );
    assert_eq!(r.acked, vec![BundleId::from("b1")]);
    assert!(
        r.changes.is_empty(),
        "the pushing device's own bundle is not echoed"
    );
    assert!(r.removed.is_empty() && !r.more);

    let laptop = server.sign_in("ada@example.org", "laptop");
    let l = server.sync(&laptop.token, &SyncRequest::default());
    assert_eq!(
        changes(std::slice::from_ref(&l)),
        vec![("win-1".to_owned(), b"hello".to_vec())]
    );
    assert_eq!(l.changes[0].owner, phone.account_id);
    assert_eq!(l.changes[0].kind, DocKind::Win);

    let l2 = server.sync(
        &laptop.token,
        &at(
            &l.cursor,
            vec![bundle("win-1", "b2", DocKind::Win, &[], b"edit")],
        ),
    );
    assert!(l2.changes.is_empty());
    let p = server.sync(&phone.token, &pull(&r.cursor));
    assert_eq!(
        changes(std::slice::from_ref(&p)),
        vec![("win-1".to_owned(), b"edit".to_vec())]
    );
    // Nothing new: an empty page.
    let p2 = server.sync(&phone.token, &pull(&p.cursor));
    assert!(p2.changes.is_empty() && p2.removed.is_empty() && !p2.more);
}

#[test]
fn a_retried_push_is_stored_once() {
    let server = TestServer::start();
    let phone = server.sign_up("ada@example.org", Role::Client);
    let batch = vec![
        bundle("win-1", "b1", DocKind::Win, &[], b"one"),
        bundle("win-1", "b1", DocKind::Win, &[], b"one"),
        bundle("win-2", "b1", DocKind::Win, &[], b"two"),
    ];
    let a = server.sync(&phone.token, &push(batch.clone()));
    assert_eq!(a.acked, vec![BundleId::from("b1"), BundleId::from("b1")]);
    // The response was "lost": the same batch again, with a later cursor too.
    let b = server.sync(&phone.token, &push(batch.clone()));
    assert_eq!(b.acked.len(), 2);
    assert!(b.changes.is_empty());
    let c = server.sync(&phone.token, &at(&b.cursor, batch));
    assert_eq!(c.acked.len(), 2);
    assert!(c.changes.is_empty());

    let laptop = server.sign_in("ada@example.org", "laptop");
    let mut got = changes(&server.pull_all(&laptop.token, None));
    got.sort();
    assert_eq!(
        got,
        vec![
            ("win-1".to_owned(), b"one".to_vec()),
            ("win-2".to_owned(), b"two".to_vec())
        ]
    );
}

fn pages_of(server: &TestServer, token: &str, cursor: String, limit: u32) -> Vec<SyncResponse> {
    let mut cursor = cursor;
    let mut pages = Vec::new();
    for _ in 0..50 {
        let page = server.sync(
            token,
            &SyncRequest {
                wraps: Vec::new(),
                cursor: Some(cursor.clone()),
                push: vec![],
                limit: Some(limit),
            },
        );
        assert!(page.changes.len() + page.removed.len() <= limit as usize);
        cursor = page.cursor.clone();
        let more = page.more;
        pages.push(page);
        if !more {
            return pages;
        }
    }
    panic!("pull never finished");
}

#[test]
fn pulls_paginate_across_several_pages() {
    let server = TestServer::start();
    let phone = server.sign_up("ada@example.org", Role::Client);
    let laptop = server.sign_in("ada@example.org", "laptop");
    let start = server.sync(&laptop.token, &SyncRequest::default());

    // 25 new documents reach the laptop in pages of 10.
    let docs: Vec<_> = (0..25)
        .map(|i| {
            bundle(
                &format!("doc-{i:02}"),
                "b0",
                DocKind::Interaction,
                &[],
                &[i],
            )
        })
        .collect();
    server.sync(&phone.token, &push(docs));
    let pages = pages_of(&server, &laptop.token, start.cursor, 10);
    assert_eq!(
        pages.iter().map(|p| p.changes.len()).collect::<Vec<_>>(),
        vec![10, 10, 5]
    );
    assert_eq!(
        pages.iter().map(|p| p.more).collect::<Vec<_>>(),
        vec![true, true, false]
    );
    let mut got: Vec<u8> = changes(&pages).iter().map(|(_, d)| d[0]).collect();
    got.sort();
    assert_eq!(got, (0..25).collect::<Vec<u8>>());

    // 25 edits to one document arrive in push order, each once.
    let edits: Vec<_> = (0..25)
        .map(|i| {
            bundle(
                "doc-00",
                &format!("e{i}"),
                DocKind::Interaction,
                &[],
                &[100 + i],
            )
        })
        .collect();
    server.sync(&phone.token, &push(edits));
    let cursor = pages.last().map(|p| p.cursor.clone()).unwrap_or_default();
    let pages = pages_of(&server, &laptop.token, cursor, 7);
    assert_eq!(pages.len(), 4);
    let got: Vec<u8> = changes(&pages).iter().map(|(_, d)| d[0]).collect();
    assert_eq!(got, (100..125).collect::<Vec<u8>>());

    // A page size of 0 is clamped to 1.
    let page = server.sync(
        &laptop.token,
        &SyncRequest {
            wraps: Vec::new(),
            cursor: None,
            push: vec![],
            limit: Some(0),
        },
    );
    assert_eq!(page.changes.len(), 1);
    assert!(page.more);
}

#[test]
fn a_document_shared_later_arrives_whole() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(&server, &client, &therapist);
    let mut c = server.sync(&client.token, &SyncRequest::default()).cursor;
    for (i, data) in [b"v1", b"v2", b"v3"].iter().enumerate() {
        c = server
            .sync(
                &client.token,
                &at(
                    &c,
                    vec![bundle(
                        "refl-1",
                        &format!("b{i}"),
                        DocKind::Reflection,
                        &[],
                        *data,
                    )],
                ),
            )
            .cursor;
    }
    let t = server.sync(&therapist.token, &SyncRequest::default());
    assert!(t.changes.is_empty(), "nothing shared yet");
    // The client cannot be read by the therapist yet.
    grant(
        &server,
        &client,
        &therapist,
        GrantScope::Document {
            doc_id: "refl-1".into(),
        },
        Access::Read,
    );
    let t2 = server.sync(&therapist.token, &pull(&t.cursor));
    assert_eq!(
        changes(std::slice::from_ref(&t2)),
        vec![
            ("refl-1".to_owned(), b"v1".to_vec()),
            ("refl-1".to_owned(), b"v2".to_vec()),
            ("refl-1".to_owned(), b"v3".to_vec()),
        ]
    );
    // Later edits arrive incrementally.
    server.sync(
        &client.token,
        &at(
            &c,
            vec![bundle("refl-1", "b9", DocKind::Reflection, &[], b"v4")],
        ),
    );
    let t3 = server.sync(&therapist.token, &pull(&t2.cursor));
    assert_eq!(changes(&[t3]), vec![("refl-1".to_owned(), b"v4".to_vec())]);
}

#[test]
fn a_kind_and_tag_grant_follows_the_owners_tags() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(&server, &client, &therapist);
    grant(
        &server,
        &client,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Interaction,
            tag: Some("person:1".into()),
        },
        Access::Read,
    );
    let c = server
        .sync(
            &client.token,
            &push(vec![
                bundle("i1", "b1", DocKind::Interaction, &["person:1"], b"i1"),
                bundle("i2", "b1", DocKind::Interaction, &["person:2"], b"i2"),
                bundle("w1", "b1", DocKind::Win, &["person:1"], b"w1"),
            ]),
        )
        .cursor;
    let t = server.sync(&therapist.token, &SyncRequest::default());
    assert_eq!(
        changes(std::slice::from_ref(&t)),
        vec![("i1".to_owned(), b"i1".to_vec())]
    );

    // The client retags i2 to person:1: it arrives whole (both bundles).
    let c = server
        .sync(
            &client.token,
            &at(
                &c,
                vec![bundle(
                    "i2",
                    "b2",
                    DocKind::Interaction,
                    &["person:1", "x"],
                    b"i2'",
                )],
            ),
        )
        .cursor;
    let t2 = server.sync(&therapist.token, &pull(&t.cursor));
    assert_eq!(
        changes(std::slice::from_ref(&t2)),
        vec![
            ("i2".to_owned(), b"i2".to_vec()),
            ("i2".to_owned(), b"i2'".to_vec())
        ]
    );

    // Retagging i1 away takes it out of the therapist's view.
    server.sync(
        &client.token,
        &at(
            &c,
            vec![bundle(
                "i1",
                "b2",
                DocKind::Interaction,
                &["person:3"],
                b"i1'",
            )],
        ),
    );
    let t3 = server.sync(&therapist.token, &pull(&t2.cursor));
    assert!(t3.changes.is_empty());
    assert_eq!(
        removed(&t3),
        vec![("i1".to_owned(), RemovalReason::Revoked)]
    );
}

#[test]
fn revocation_refuses_at_once_and_lists_the_document_as_removed() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    let l = link(&server, &client, &therapist);
    let c = server
        .sync(
            &client.token,
            &push(vec![
                bundle("goal-1", "b1", DocKind::Goal, &[], b"g"),
                bundle("win-1", "b1", DocKind::Win, &[], b"w"),
                bundle("win-2", "b1", DocKind::Win, &[], b"w2"),
            ]),
        )
        .cursor;
    let g = grant(
        &server,
        &client,
        &therapist,
        GrantScope::Document {
            doc_id: "goal-1".into(),
        },
        Access::Write,
    );
    grant(
        &server,
        &client,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Win,
            tag: None,
        },
        Access::Read,
    );
    // win-1 is readable through two grants.
    grant(
        &server,
        &client,
        &therapist,
        GrantScope::Document {
            doc_id: "win-1".into(),
        },
        Access::Read,
    );
    let t = server.sync(&therapist.token, &SyncRequest::default());
    assert_eq!(changes(std::slice::from_ref(&t)).len(), 3);
    // With the write grant the therapist writes the goal.
    let t = server.sync(
        &therapist.token,
        &at(
            &t.cursor,
            vec![bundle("goal-1", "t1", DocKind::Goal, &[], b"milestone")],
        ),
    );
    assert_eq!(t.acked.len(), 1);

    assert_eq!(
        server
            .delete(Some(&client.token), &format!("/v1/grants/{}", g.grant_id))
            .status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        server.sync_response(
            &therapist.token,
            &at(
                &t.cursor,
                vec![bundle("goal-1", "t2", DocKind::Goal, &[], b"more")],
            ),
        ),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    let t2 = server.sync(&therapist.token, &pull(&t.cursor));
    assert_eq!(
        removed(&t2),
        vec![("goal-1".to_owned(), RemovalReason::Revoked)]
    );
    // The client got the therapist's edit, and not the refused one.
    let got = server.sync(&client.token, &pull(&c));
    assert_eq!(
        changes(&[got]),
        vec![("goal-1".to_owned(), b"milestone".to_vec())]
    );

    // Ending the link removes everything else.
    assert_eq!(
        server
            .delete(Some(&client.token), &format!("/v1/links/{}", l.link_id))
            .status(),
        StatusCode::NO_CONTENT
    );
    let t3 = server.sync(&therapist.token, &pull(&t2.cursor));
    let mut gone = removed(&t3);
    gone.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        gone,
        vec![
            ("win-1".to_owned(), RemovalReason::Revoked),
            ("win-2".to_owned(), RemovalReason::Revoked)
        ]
    );
    // Edits made after that do not reach the therapist.
    server.sync(
        &client.token,
        &push(vec![bundle("win-1", "b2", DocKind::Win, &[], b"private")]),
    );
    let t4 = server.sync(&therapist.token, &pull(&t3.cursor));
    assert!(t4.changes.is_empty() && t4.removed.is_empty());
}

#[test]
fn a_removal_survives_a_lost_response() {
    let server = TestServer::start();
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(&server, &client, &therapist);
    server.sync(
        &client.token,
        &push(vec![bundle("win-1", "b1", DocKind::Win, &[], b"w")]),
    );
    let g = grant(
        &server,
        &client,
        &therapist,
        GrantScope::Document {
            doc_id: "win-1".into(),
        },
        Access::Read,
    );
    let t = server.sync(&therapist.token, &SyncRequest::default());
    server.delete(Some(&client.token), &format!("/v1/grants/{}", g.grant_id));
    let lost = server.sync(&therapist.token, &pull(&t.cursor));
    assert_eq!(removed(&lost).len(), 1);
    // The device never saw that page and asks again from the same cursor.
    let again = server.sync(&therapist.token, &pull(&t.cursor));
    assert_eq!(
        removed(&again),
        vec![("win-1".to_owned(), RemovalReason::Revoked)]
    );
}

#[test]
fn a_deleted_document_is_removed_for_every_reader() {
    let server = TestServer::start();
    let phone = server.sign_up("ada@example.org", Role::Client);
    let laptop = server.sign_in("ada@example.org", "laptop");
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(&server, &phone, &therapist);
    let p = server.sync(
        &phone.token,
        &push(vec![
            bundle("win-1", "b1", DocKind::Win, &[], b"w"),
            bundle("win-2", "b1", DocKind::Win, &[], b"k"),
        ]),
    );
    grant(
        &server,
        &phone,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Win,
            tag: None,
        },
        Access::Read,
    );
    let l = server.sync(&laptop.token, &SyncRequest::default());
    let t = server.sync(&therapist.token, &SyncRequest::default());
    assert_eq!(changes(std::slice::from_ref(&l)).len(), 2);
    assert_eq!(changes(std::slice::from_ref(&t)).len(), 2);

    // Only the owner deletes.
    expect_error(
        server.delete(Some(&therapist.token), "/v1/documents/win-1"),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
    expect_error(
        server.delete(Some(&phone.token), "/v1/documents/nope"),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    assert_eq!(
        server
            .delete(Some(&phone.token), "/v1/documents/win-1")
            .status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        server.delete(Some(&phone.token), "/v1/documents/win-1"),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );

    for (token, cursor) in [
        (&laptop.token, &l.cursor),
        (&therapist.token, &t.cursor),
        (&phone.token, &p.cursor),
    ] {
        let page = server.sync(token, &pull(cursor));
        assert_eq!(
            removed(&page),
            vec![("win-1".to_owned(), RemovalReason::Deleted)]
        );
        assert!(page.changes.is_empty());
    }
    // A late edit from an offline device is acknowledged and dropped.
    let late = server.sync(
        &laptop.token,
        &at(
            &l.cursor,
            vec![bundle("win-1", "b9", DocKind::Win, &[], b"late")],
        ),
    );
    assert_eq!(late.acked, vec![BundleId::from("b9")]);
    let fresh = server.sign_in("ada@example.org", "new phone");
    let got = changes(&server.pull_all(&fresh.token, None));
    assert_eq!(got, vec![("win-2".to_owned(), b"k".to_vec())]);
}

#[test]
fn a_snapshot_replaces_the_bundles_it_covers() {
    let server = TestServer::start();
    let phone = server.sign_up("ada@example.org", Role::Client);
    let laptop = server.sign_in("ada@example.org", "laptop");
    let l = server.sync(&laptop.token, &SyncRequest::default());
    let p = server.sync(
        &phone.token,
        &push(vec![
            bundle("goal-1", "b1", DocKind::Goal, &[], b"c1"),
            bundle("goal-1", "b2", DocKind::Goal, &[], b"c2"),
            bundle("goal-1", "b3", DocKind::Goal, &[], b"c3"),
        ]),
    );
    assert_eq!(
        snapshot(
            &server,
            &phone.token,
            "goal-1",
            &["b1", "b2"],
            b"SAVED(c1,c2)"
        ),
        StatusCode::NO_CONTENT
    );

    // A new reader gets the snapshot and the later bundle only.
    let fresh = server.sign_in("ada@example.org", "tablet");
    let got = changes(&server.pull_all(&fresh.token, None));
    assert_eq!(
        got,
        vec![
            ("goal-1".to_owned(), b"SAVED(c1,c2)".to_vec()),
            ("goal-1".to_owned(), b"c3".to_vec())
        ]
    );
    // A device behind the snapshot gets it too (and what it does not cover).
    let got = changes(&server.pull_all(&laptop.token, Some(l.cursor)));
    assert!(got.contains(&("goal-1".to_owned(), b"SAVED(c1,c2)".to_vec())));
    assert!(got.contains(&("goal-1".to_owned(), b"c3".to_vec())));
    assert!(!got.iter().any(|(_, d)| d == b"c1" || d == b"c2"));
    // The uploader does not get its own snapshot back.
    let own = server.sync(&phone.token, &pull(&p.cursor));
    assert!(own.changes.is_empty());
    // A retried push of a covered bundle is acknowledged, not stored again.
    let retry = server.sync(
        &phone.token,
        &at(
            &own.cursor,
            vec![bundle("goal-1", "b1", DocKind::Goal, &[], b"c1")],
        ),
    );
    assert_eq!(retry.acked, vec![BundleId::from("b1")]);
    let got = changes(&server.pull_all(&fresh.token, None));
    assert_eq!(got.len(), 2);
}

#[test]
fn a_write_grantee_cannot_replace_the_owners_document_by_snapshot() {
    let server = TestServer::start();
    let ada = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(&server, &ada, &therapist);
    server.sync(
        &ada.token,
        &push(vec![
            bundle("plan-1", "ada-1", DocKind::Goal, &[], b"ada's words"),
            bundle("plan-1", "ada-2", DocKind::Goal, &[], b"more of ada's"),
        ]),
    );
    grant(
        &server,
        &ada,
        &therapist,
        GrantScope::Document {
            doc_id: "plan-1".into(),
        },
        Access::Write,
    );
    // The grantee may push bundles, but not compact: a snapshot replaces
    // what every device receives, and bundle ids are guessable.
    let t = server.sync(
        &therapist.token,
        &push(vec![bundle(
            "plan-1",
            "t-1",
            DocKind::Goal,
            &[],
            b"an edit",
        )]),
    );
    assert_eq!(t.acked.len(), 1);
    let covers = ["ada-1", "ada-2", "t-1"];
    let status = snapshot(&server, &therapist.token, "plan-1", &covers, b"ATTACKER");
    assert_eq!(status, StatusCode::FORBIDDEN);
    let fresh = server.sign_in("ada@example.org", "new phone");
    let mut got: Vec<Vec<u8>> = changes(&server.pull_all(&fresh.token, None))
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            b"ada's words".to_vec(),
            b"an edit".to_vec(),
            b"more of ada's".to_vec()
        ]
    );
}

#[test]
fn a_snapshot_drops_only_bundles_its_device_is_known_to_hold() {
    let server = TestServer::start();
    let phone = server.sign_up("ada@example.org", Role::Client);
    let laptop = server.sign_in("ada@example.org", "laptop");
    server.sync(
        &phone.token,
        &push(vec![bundle(
            "goal-1",
            "p1",
            DocKind::Goal,
            &[],
            b"from phone",
        )]),
    );
    // The laptop pushes a bundle the phone has never pulled.
    let l = server.sync(&laptop.token, &SyncRequest::default());
    server.sync(
        &laptop.token,
        &at(
            &l.cursor,
            vec![bundle("goal-1", "l1", DocKind::Goal, &[], b"from laptop")],
        ),
    );
    // The phone lists both (an id is easy to guess): only its own goes.
    assert_eq!(
        snapshot(
            &server,
            &phone.token,
            "goal-1",
            &["p1", "l1"],
            b"SAVED(phone)"
        ),
        StatusCode::NO_CONTENT
    );
    let fresh = server.sign_in("ada@example.org", "tablet");
    let got = changes(&server.pull_all(&fresh.token, None));
    assert_eq!(
        got,
        vec![
            ("goal-1".to_owned(), b"SAVED(phone)".to_vec()),
            ("goal-1".to_owned(), b"from laptop".to_vec())
        ]
    );
    // Once the phone has acknowledged a cursor past the laptop's bundle, a
    // snapshot may cover it.
    let p = server.pull_all(&phone.token, None);
    let cursor = p.last().map(|p| p.cursor.clone()).expect("a page");
    server.sync(
        &phone.token,
        &at(
            &cursor,
            vec![bundle("goal-1", "p2", DocKind::Goal, &[], b"phone again")],
        ),
    );
    assert_eq!(
        snapshot(
            &server,
            &phone.token,
            "goal-1",
            &["p1", "l1", "p2"],
            b"SAVED(all)"
        ),
        StatusCode::NO_CONTENT
    );
    let fresh = server.sign_in("ada@example.org", "tablet 2");
    let got = changes(&server.pull_all(&fresh.token, None));
    assert_eq!(got, vec![("goal-1".to_owned(), b"SAVED(all)".to_vec())]);
}

#[test]
fn others_cannot_write_or_read_a_clients_documents() {
    let server = TestServer::start();
    let ada = server.sign_up("ada@example.org", Role::Client);
    let bob = server.sign_up("bob@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(&server, &ada, &therapist);
    let a = server.sync(
        &ada.token,
        &push(vec![bundle(
            "ada-1",
            "b1",
            DocKind::Reflection,
            &[],
            b"private",
        )]),
    );
    grant(
        &server,
        &ada,
        &therapist,
        GrantScope::Document {
            doc_id: "ada-1".into(),
        },
        Access::Read,
    );

    // Bob reads nothing of Ada's.
    assert!(changes(&server.pull_all(&bob.token, None)).is_empty());
    // Bob and the read-only therapist cannot write it; nothing of the batch is kept.
    for token in [&bob.token, &therapist.token] {
        expect_error(
            server.sync_response(
                token,
                &push(vec![
                    bundle("own-new", "x1", DocKind::Win, &[], b"mine"),
                    bundle("ada-1", "x2", DocKind::Reflection, &[], b"vandal"),
                ]),
            ),
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
        );
        let snap = SnapshotRequest {
            epoch: 0,
            covers: vec![],
            data: b"x".to_vec(),
        };
        let r = server.put_cbor(Some(token), "/v1/documents/ada-1/snapshot", &snap);
        // A stranger is not told the document exists; a reader is refused.
        if *token == bob.token {
            expect_error(r, StatusCode::NOT_FOUND, ErrorCode::NotFound);
        } else {
            expect_error(r, StatusCode::FORBIDDEN, ErrorCode::Forbidden);
        }
    }
    expect_error(
        server.delete(Some(&bob.token), "/v1/documents/ada-1"),
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    );
    let after = server.sync(&ada.token, &pull(&a.cursor));
    assert!(after.changes.is_empty() && after.removed.is_empty());
    // "own-new" was never created: Bob can create it now, as his own.
    let r = server.sync(
        &bob.token,
        &push(vec![bundle("own-new", "x1", DocKind::Win, &[], b"mine")]),
    );
    assert_eq!(r.acked.len(), 1);
    let therapist_view = changes(&server.pull_all(&therapist.token, None));
    assert_eq!(
        therapist_view,
        vec![("ada-1".to_owned(), b"private".to_vec())]
    );
}

#[test]
fn a_therapists_note_is_readable_not_writable_by_the_client() {
    let server = TestServer::start();
    let (client, therapist) = linked_with_a_note(&server);
    grant(
        &server,
        &therapist,
        &client,
        GrantScope::Kind {
            kind: DocKind::Note,
            tag: None,
        },
        Access::Read,
    );
    let c = server.sync(&client.token, &SyncRequest::default());
    assert_eq!(c.changes.len(), 1);
    assert_eq!(c.changes[0].kind, DocKind::Note);
    assert_eq!(c.changes[0].owner, therapist.account_id);
    expect_error(
        server.sync_response(
            &client.token,
            &at(
                &c.cursor,
                vec![bundle("note-1", "c1", DocKind::Note, &[], b"edited")],
            ),
        ),
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    );
}
