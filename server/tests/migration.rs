//! Schema version 1 to 2 (docs/adr/0007-sequence-per-feed.md) on a real
//! version-1 database: `fixtures/v1.sql` is the dump of a SQLite file that the
//! server of commit 169139b (schema 1, one global sequence) wrote while
//! running [`v1_world`]; `fixtures/v1.json` holds the tokens and numeric
//! cursors it handed out. The current server opens it, migrates it, and must
//! deliver every bundle exactly once, keep the old tokens, and continue the
//! old numeric cursors where they were.
//!
//! Regenerate (only if the scenario changes) with a build of the old server:
//! `RAPPORT_V1_SERVER=/path/to/old/rapport-server cargo test -p rapport-server
//! --test migration -- --ignored write_v1_fixture` (needs the `sqlite3` tool).

mod common;

use std::{collections::BTreeMap, path::Path};

use common::*;
use rapport_protocol::{Access, DocKind, GrantScope, Role, SyncRequest, SyncResponse};
use serde::{Deserialize, Serialize};

const V1_DUMP: &str = include_str!("fixtures/v1.sql");
const V1_WORLD: &str = include_str!("fixtures/v1.json");

/// What the version-1 server handed out.
#[derive(Debug, Serialize, Deserialize)]
struct V1World {
    client_token: String,
    therapist_token: String,
    /// A second device of the client, which pulled everything once on
    /// version 1 before the second push.
    phone_token: String,
    /// The client's cursor after its first push (one number).
    client_cursor: String,
    /// The phone's cursor after that pull (one number).
    phone_cursor: String,
    /// The therapist's cursor after its first pull (one number).
    therapist_cursor: String,
    /// What the phone pulled from `phone_cursor` on version 1, after the
    /// second push.
    phone_from_cursor: Vec<(String, String)>,
}

fn pull(cursor: &str) -> SyncRequest {
    SyncRequest {
        wraps: Vec::new(),
        cursor: Some(cursor.to_owned()),
        push: vec![],
        limit: None,
    }
}

fn text(pages: &[SyncResponse]) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = changes(pages)
        .into_iter()
        .map(|(doc, data)| (doc, String::from_utf8(data).expect("text data")))
        .collect();
    got.sort();
    got
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    v.sort();
    v
}

/// The scenario, run against the version-1 server to make the fixture.
fn v1_world(server: &TestServer) -> V1World {
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(server, &client, &therapist);
    let first = server.sync(
        &client.token,
        &push(vec![
            bundle("win-1", "b1", DocKind::Win, &["t"], b"one"),
            bundle("win-1", "b2", DocKind::Win, &["t"], b"two"),
            bundle("refl-1", "b3", DocKind::Reflection, &[], b"three"),
        ]),
    );
    assert_eq!(first.acked.len(), 3);
    let phone = server.sign_in("ada@example.org", "phone");
    let pages = server.pull_all(&phone.token, None);
    assert_eq!(
        text(&pages),
        pairs(&[("refl-1", "three"), ("win-1", "one"), ("win-1", "two")])
    );
    let phone_cursor = pages.last().expect("a page").cursor.clone();
    grant(
        server,
        &client,
        &therapist,
        GrantScope::Kind {
            kind: DocKind::Win,
            tag: None,
        },
        Access::Read,
    );
    let seen = server.pull_all(&therapist.token, None);
    assert_eq!(text(&seen), pairs(&[("win-1", "one"), ("win-1", "two")]));
    let therapist_cursor = seen.last().expect("a page").cursor.clone();
    let second = server.sync(
        &client.token,
        &SyncRequest {
            wraps: Vec::new(),
            cursor: Some(first.cursor.clone()),
            push: vec![
                bundle("win-1", "b4", DocKind::Win, &["t"], b"four"),
                bundle("refl-1", "b5", DocKind::Reflection, &[], b"five"),
            ],
            limit: None,
        },
    );
    assert_eq!(second.acked.len(), 2);
    // What the numeric cursor meant on version 1.
    let phone_from_cursor = text(&server.pull_all(&phone.token, Some(phone_cursor.clone())));
    assert_eq!(
        phone_from_cursor,
        pairs(&[("refl-1", "five"), ("win-1", "four")])
    );
    V1World {
        client_token: client.token,
        therapist_token: therapist.token,
        phone_token: phone.token,
        client_cursor: first.cursor,
        phone_cursor,
        therapist_cursor,
        phone_from_cursor,
    }
}

#[test]
#[ignore = "regenerates fixtures/v1.*; needs RAPPORT_V1_SERVER (the server of 169139b) and sqlite3"]
fn write_v1_fixture() {
    let old = std::env::var("RAPPORT_V1_SERVER").expect("RAPPORT_V1_SERVER");
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("v1.sqlite3");
    let mut server = TestServer::start_binary(Path::new(&old), &database, &[]);
    let world = v1_world(&server);
    server.stop();
    let dump = std::process::Command::new("sqlite3")
        .arg(&database)
        .arg(".dump")
        .output()
        .expect("run sqlite3");
    assert!(dump.status.success());
    let dump = String::from_utf8(dump.stdout).expect("UTF-8 dump");
    assert!(
        dump.contains("CREATE TABLE counters"),
        "not a version-1 file"
    );
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(&fixtures).expect("fixtures dir");
    std::fs::write(
        fixtures.join("v1.sql"),
        format!(
            "-- A SQLite file written by rapport-server at commit 169139b (schema 1);\n\
             -- made by `write_v1_fixture` in tests/migration.rs. Do not edit.\n\
             {dump}PRAGMA user_version = 1;\n"
        ),
    )
    .expect("write v1.sql");
    std::fs::write(
        fixtures.join("v1.json"),
        serde_json::to_string_pretty(&world).expect("JSON") + "\n",
    )
    .expect("write v1.json");
}

/// The fixture as a SQLite file at schema version 1.
fn v1_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("rapport.sqlite3");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(V1_DUMP).expect("load the v1 dump");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("user_version");
    assert_eq!(version, 1);
    path
}

#[test]
fn a_version_1_database_keeps_every_bundle_token_and_cursor() {
    let world: V1World = serde_json::from_str(V1_WORLD).expect("v1.json");
    let dir = tempfile::tempdir().expect("temp dir");
    let database = v1_file(dir.path());
    let binary = Path::new(env!("CARGO_BIN_EXE_rapport-server"));
    let mut server = TestServer::start_binary(binary, &database, &[]);

    // Migrated: version 2, one feed per account.
    {
        let conn = rusqlite::Connection::open(&database).expect("open");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .expect("user_version");
        assert_eq!(
            version, 6,
            "migrated through v2, the encryption schema v3, the quota schema v4 and v5 to \
             the key rotations of v6"
        );
        let feeds: i64 = conn
            .query_row("SELECT count(*) FROM feeds", [], |row| row.get(0))
            .expect("feeds");
        assert_eq!(feeds, 2);
        // Each account's storage count starts at what it holds.
        let (counted, held): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT sum(stored_bytes) FROM feeds),
                        (SELECT sum(length(data)) FROM bundles)
                      + (SELECT COALESCE(sum(length(data)), 0) FROM snapshots)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .expect("stored bytes");
        assert!(held > 0);
        assert_eq!(counted, held);
    }

    // A new device of the client pulls every bundle exactly once.
    let all = pairs(&[
        ("refl-1", "five"),
        ("refl-1", "three"),
        ("win-1", "four"),
        ("win-1", "one"),
        ("win-1", "two"),
    ]);
    let fresh = server.sign_in("ada@example.org", "after migration");
    let pages = server.pull_all(&fresh.token, None);
    assert_eq!(text(&pages), all);
    let fresh_cursor = pages.last().expect("a page").cursor.clone();
    assert!(
        fresh_cursor.contains(':'),
        "a per-feed cursor: {fresh_cursor}"
    );

    // Old tokens still work, and old numeric cursors continue where they
    // were: the phone gets from its version-1 cursor what version 1 gave it,
    // the two bundles pushed after it.
    assert_eq!(
        text(&server.pull_all(&world.phone_token, Some(world.phone_cursor.clone()))),
        world.phone_from_cursor
    );
    assert_eq!(
        world.phone_from_cursor,
        pairs(&[("refl-1", "five"), ("win-1", "four")])
    );
    // The therapist gets only the win pushed after its cursor, once.
    let therapist = server.pull_all(&world.therapist_token, Some(world.therapist_cursor.clone()));
    assert_eq!(text(&therapist), pairs(&[("win-1", "four")]));
    let therapist_cursor = therapist.last().expect("a page").cursor.clone();
    assert!(therapist_cursor.contains(':'), "{therapist_cursor}");

    // From there on, per-feed cursors: nothing twice, each new bundle once,
    // also across a restart on the migrated file.
    assert!(
        text(&server.pull_all(&world.therapist_token, Some(therapist_cursor.clone()))).is_empty()
    );
    let after = server.sync(
        &world.client_token,
        &SyncRequest {
            wraps: Vec::new(),
            cursor: Some(world.client_cursor.clone()),
            push: vec![bundle("win-1", "b6", DocKind::Win, &["t"], b"six")],
            limit: None,
        },
    );
    assert_eq!(after.acked.len(), 1);
    server.restart();
    let t = server.sync(&world.therapist_token, &pull(&therapist_cursor));
    assert_eq!(text(&[t]), pairs(&[("win-1", "six")]));
    let more = server.pull_all(&fresh.token, Some(fresh_cursor));
    assert_eq!(text(&more), pairs(&[("win-1", "six")]));

    // Every bundle once for one more new device, and no bundle lost a feed.
    let last = server.sign_in("ada@example.org", "last");
    let mut tally: BTreeMap<(String, String), usize> = BTreeMap::new();
    for change in text(&server.pull_all(&last.token, None)) {
        *tally.entry(change).or_default() += 1;
    }
    assert!(tally.values().all(|n| *n == 1), "{tally:?}");
    assert_eq!(tally.len(), 6);
}
