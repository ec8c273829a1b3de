//! Two server processes on one database: the PostgreSQL deployment shape
//! (stateless processes behind a load balancer). Runs on SQLite too (two
//! processes on one file), where SQLite's file lock is the single writer.

mod common;

use std::collections::BTreeMap;

use common::*;
use rapport_protocol::{DocKind, Role, SyncRequest, SyncResponse};
use reqwest::StatusCode;

/// Generous limits: the test sends many requests quickly.
const ARGS: &[&str] = &["--rate-per-sec", "10000", "--rate-burst", "10000"];

fn at(cursor: &str, bundles: Vec<rapport_protocol::Bundle>) -> SyncRequest {
    SyncRequest {
        wraps: Vec::new(),
        cursor: Some(cursor.to_owned()),
        push: bundles,
        limit: None,
    }
}

/// Counts each (doc, data) pulled, to catch both losses and duplicates.
fn tally(pages: &[SyncResponse], into: &mut BTreeMap<(String, Vec<u8>), usize>) {
    for (doc, data) in changes(pages) {
        *into.entry((doc, data)).or_default() += 1;
    }
}

#[test]
fn two_processes_on_one_database_converge_and_stay_idempotent() {
    let a = TestServer::start_with(ARGS);
    let b = a.start_sharing();
    if TestServer::backend() == "postgres" {
        assert!(a.database.to_string_lossy().starts_with("postgres://"));
    }
    assert_ne!(a.base, b.base, "two processes");

    // One client, two devices, each syncing through its own process; a third
    // device reads alternately through both while the two write.
    let phone = a.sign_up("ada@example.org", Role::Client);
    let laptop = b.sign_in("ada@example.org", "laptop");
    let reader = a.sign_in("ada@example.org", "reader");

    const ROUNDS: usize = 25;
    let write = |server: &TestServer, token: &str, device: &str| {
        let mut cursor = server.sync(token, &SyncRequest::default()).cursor;
        for i in 0..ROUNDS {
            let page = server.sync(
                token,
                &at(
                    &cursor,
                    vec![bundle(
                        &format!("entry-{device}"),
                        &format!("{device}-{i}"),
                        DocKind::Reflection,
                        &[],
                        format!("{device} {i}").as_bytes(),
                    )],
                ),
            );
            assert_eq!(page.acked.len(), 1);
            cursor = page.cursor;
        }
        cursor
    };

    let mut seen = BTreeMap::new();
    let (phone_cursor, laptop_cursor) = std::thread::scope(|s| {
        let p = s.spawn(|| write(&a, &phone.token, "phone"));
        let l = s.spawn(|| write(&b, &laptop.token, "laptop"));
        // Incremental pulls while the writers run: with sequence numbers
        // committing in order, no bundle is skipped and none comes twice.
        let mut cursor: Option<String> = None;
        let mut turn = 0;
        while !(p.is_finished() && l.is_finished()) {
            let server = if turn % 2 == 0 { &a } else { &b };
            turn += 1;
            let pages = server.pull_all(&reader.token, cursor.clone());
            cursor = pages.last().map(|page| page.cursor.clone());
            tally(&pages, &mut seen);
        }
        let pages = b.pull_all(&reader.token, cursor.clone());
        tally(&pages, &mut seen);
        (
            p.join().expect("phone writer"),
            l.join().expect("laptop writer"),
        )
    });
    assert_eq!(seen.len(), 2 * ROUNDS, "every bundle reached the reader");
    assert!(
        seen.values().all(|n| *n == 1),
        "no bundle reached the reader twice: {seen:?}"
    );

    // The two writing devices converge: each gets the other's bundles.
    let phone_got = changes(&a.pull_all(&phone.token, Some(phone_cursor)));
    let laptop_got = changes(&b.pull_all(&laptop.token, Some(laptop_cursor)));
    assert!(
        phone_got.iter().all(|(doc, _)| doc == "entry-laptop"),
        "{phone_got:?}"
    );
    let from_scratch = |server: &TestServer, token: &str| {
        let mut all = changes(&server.pull_all(token, None));
        all.sort();
        all
    };
    let everything = from_scratch(&a, &phone.token);
    assert_eq!(everything, from_scratch(&b, &laptop.token));
    assert_eq!(everything.len(), 2 * ROUNDS);
    assert!(
        laptop_got.iter().all(|(doc, _)| doc == "entry-phone"),
        "{laptop_got:?}"
    );

    // Idempotence across processes: the same bundle pushed through both
    // processes, one after the other and at the same moment, is stored once.
    let retry = bundle(
        "entry-phone",
        "phone-0",
        DocKind::Reflection,
        &[],
        b"phone 0",
    );
    for server in [&a, &b] {
        let page = server.sync(&phone.token, &push(vec![retry.clone()]));
        assert_eq!(page.acked.len(), 1);
    }
    for i in 0..10 {
        let doc = format!("raced-{i}");
        let bundles = vec![bundle(&doc, "first", DocKind::Reflection, &[], b"first")];
        std::thread::scope(|s| {
            let x = s.spawn(|| a.sync_response(&phone.token, &push(bundles.clone())));
            let y = s.spawn(|| b.sync_response(&laptop.token, &push(bundles.clone())));
            for response in [x.join().expect("a"), y.join().expect("b")] {
                assert_eq!(response.status(), StatusCode::OK, "{:?}", response.text());
            }
        });
    }
    let fresh = b.sign_in("ada@example.org", "fresh");
    let all = changes(&b.pull_all(&fresh.token, None));
    assert_eq!(all.len(), 2 * ROUNDS + 10, "each bundle stored once");
    for i in 0..10 {
        assert_eq!(
            all.iter()
                .filter(|(doc, _)| *doc == format!("raced-{i}"))
                .count(),
            1
        );
    }
}
