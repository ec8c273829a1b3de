//! Bad input gets a typed error and writes nothing: empty required fields,
//! out-of-range numbers, unknown ids, wrong kinds, malformed change bytes,
//! files that are not ours or are newer, hostile search strings, page limits.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at, goal, interaction, person, reflection, win};
use rapport_core::checkin::{MoodCheckIn, Phq9CheckIn};
use rapport_core::goal::Goal;
use rapport_core::journal::{Feeling, Interaction, Win};
use rapport_core::record::MAX_TEXT_BYTES;
use rapport_core::store::{ListQuery, MAX_PAGE, SCHEMA_VERSION};
use rapport_core::{DocKind, Error, ItemId, Store};

/// The whole state a write could touch.
fn snapshot(
    s: &Store,
) -> (
    Vec<ItemId>,
    usize,
    Vec<(rapport_core::store::Summary, String)>,
) {
    (
        s.document_ids().unwrap(),
        s.outbox_len().unwrap(),
        s.index_dump().unwrap(),
    )
}

fn expect_invalid<T: std::fmt::Debug>(result: Result<T, Error>, field: &str) {
    match result {
        Err(Error::Invalid { field: got, .. }) => assert_eq!(got, field),
        other => panic!("expected Invalid {{ field: {field} }}, got {other:?}"),
    }
}

#[test]
fn empty_required_fields_and_out_of_range_numbers_are_refused_and_write_nothing() {
    let s = TestStore::new();
    let sam = s.create(person("Sam")).unwrap().meta.id;
    let before = snapshot(&s);

    expect_invalid(s.create(win(" \n\t", at(1, 1, 1))), "title");
    expect_invalid(s.create(reflection("", at(1, 1, 1))), "text");
    expect_invalid(s.create(goal("")), "title");
    expect_invalid(s.create(person("")), "nickname");
    let mut i = interaction(&sam, at(1, 1, 1), "x");
    i.mood_before = Some(11);
    expect_invalid(s.create(i), "mood_before");
    let mut i = interaction(&sam, at(1, 1, 1), "x");
    i.feelings = vec![Feeling {
        label: "angry".into(),
        intensity: 11,
    }];
    expect_invalid(s.create(i), "feelings.intensity");
    let mut i = interaction(&sam, at(1, 1, 1), "x");
    i.feelings = vec![Feeling {
        label: "".into(),
        intensity: 1,
    }];
    expect_invalid(s.create(i), "feelings.label");
    let mut i = interaction(&sam, at(1, 1, 1), "x");
    i.options = vec!["".into()];
    expect_invalid(s.create(i), "options");
    expect_invalid(
        s.create(interaction(&ItemId::new(""), at(1, 1, 1), "x")),
        "person_id",
    );
    let mut w = win("w", at(1, 1, 1));
    w.details = "x".repeat(MAX_TEXT_BYTES + 1);
    expect_invalid(s.create(w), "details");
    expect_invalid(
        s.check_in_mood(MoodCheckIn {
            at: at(1, 1, 1),
            rating: 11,
            event: String::new(),
            crisis: false,
        }),
        "rating",
    );
    for items in [vec![0; 8], vec![0; 10], vec![4, 0, 0, 0, 0, 0, 0, 0, 0]] {
        expect_invalid(
            s.check_in_phq9(Phq9CheckIn {
                at: at(1, 1, 1),
                items,
            }),
            "items",
        );
    }

    assert_eq!(snapshot(&s), before);
}

#[test]
fn an_invalid_edit_leaves_the_item_as_it_was() {
    let s = TestStore::new();
    let sam = s.create(person("Sam")).unwrap().meta.id;
    let i = s.create(interaction(&sam, at(1, 1, 1), "x")).unwrap();
    let before = snapshot(&s);
    let doc = s.export_document(&i.id).unwrap();

    let mut bad = i.record.clone();
    bad.mood_after = Some(42);
    expect_invalid(s.update(&i.id, bad), "mood_after");
    expect_invalid(
        s.modify(&i.id, |x: &mut Interaction| {
            x.what_i_said = "fine".into();
            x.mood_before = Some(99);
            Ok(())
        }),
        "mood_before",
    );
    // An error from inside the change closure is passed through as is.
    let err = s
        .modify(&i.id, |x: &mut Interaction| {
            x.what_i_said = "fine".into();
            Err(Error::Invalid {
                field: "custom",
                reason: "no".into(),
            })
        })
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Invalid {
            field: "custom",
            ..
        }
    ));

    assert_eq!(snapshot(&s), before);
    assert_eq!(s.export_document(&i.id).unwrap(), doc);
    assert_eq!(s.get::<Interaction>(&i.id).unwrap(), i);
}

#[test]
fn unknown_ids_and_wrong_kinds_are_not_found() {
    let s = TestStore::new();
    let w = s.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    let nope = ItemId::new("00000000-0000-0000-0000-000000000000");
    let before = snapshot(&s);

    assert!(matches!(
        s.get::<Win>(&nope),
        Err(Error::NotFound { kind: "win", .. })
    ));
    assert!(matches!(
        s.get::<Goal>(&w),
        Err(Error::NotFound { kind: "goal", .. })
    ));
    assert!(matches!(
        s.update(&w, goal("g")),
        Err(Error::NotFound { kind: "goal", .. })
    ));
    assert!(matches!(s.delete(&nope), Err(Error::NotFound { .. })));
    assert!(matches!(s.kind_of(&nope), Err(Error::NotFound { .. })));
    assert!(matches!(
        s.add_milestone(&w, "m"),
        Err(Error::NotFound { kind: "goal", .. })
    ));
    assert!(!s.remove_local_copy(&nope).unwrap());
    let err = s.get::<Goal>(&nope).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no goal with id 00000000-0000-0000-0000-000000000000"
    );

    assert_eq!(snapshot(&s), before);
}

#[test]
fn malformed_or_truncated_change_bytes_are_refused_and_the_document_stays_as_it_was() {
    let a = TestStore::new();
    let b = TestStore::new();
    let w = a.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    common::deliver(&a, &b);
    a.modify(&w, |x: &mut Win| {
        x.details = "an edit that will be mangled on the way".into();
        Ok(())
    })
    .unwrap();
    a.set_shared(&w, true).unwrap();
    let changes = a.pending_changes(0, 10).unwrap();
    let edit = changes[1].data.clone();
    let two = [changes[1].data.clone(), changes[2].data.clone()].concat();

    let before = b.export_document(&w).unwrap();
    let state = snapshot(&b);
    let got = b.get::<Win>(&w).unwrap();

    let mut flipped = edit.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xff;
    let mut garbage_tail = edit.clone();
    garbage_tail.extend_from_slice(b"\x85\x6f\x4a\x83 trailing junk");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("text", b"hello, this is not automerge".to_vec()),
        ("truncated", edit[..edit.len() - 3].to_vec()),
        ("header only", edit[..8].to_vec()),
        ("flipped byte", flipped),
        ("second of two truncated", two[..two.len() - 4].to_vec()),
        ("garbage after a good change", garbage_tail),
    ];
    for (what, data) in cases {
        match b.apply_changes(&w, DocKind::Win, &data) {
            Err(Error::MalformedChanges { doc_id }) => assert_eq!(doc_id, w.as_str(), "{what}"),
            other => panic!("{what}: expected MalformedChanges, got {other:?}"),
        }
        assert_eq!(b.export_document(&w).unwrap(), before, "{what}");
        assert_eq!(b.get::<Win>(&w).unwrap(), got, "{what}");
        assert_eq!(snapshot(&b), state, "{what}");
    }
    // The same bytes for a document this device has never seen store nothing.
    let fresh = ItemId::new("fresh");
    assert!(matches!(
        b.apply_changes(&fresh, DocKind::Win, &edit[..edit.len() - 3]),
        Err(Error::MalformedChanges { .. })
    ));
    assert!(matches!(
        b.export_document(&fresh),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(snapshot(&b), state);

    // The intact bytes still apply afterwards.
    assert!(b.apply_changes(&w, DocKind::Win, &two).unwrap());
    assert_eq!(b.get::<Win>(&w).unwrap(), a.get::<Win>(&w).unwrap());
    // A store that refused bad bytes reopens fine.
    let b = b.reopen();
    assert_eq!(b.get::<Win>(&w).unwrap(), a.get::<Win>(&w).unwrap());
}

#[test]
fn a_text_file_is_not_our_database_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let text = "Dear diary, this is a plain text file and not a database at all.\n".repeat(20);
    std::fs::write(&path, &text).unwrap();

    match Store::open(&path) {
        Err(Error::NotOurDatabase { path: p }) => assert_eq!(p, path),
        other => panic!("expected NotOurDatabase, got {other:?}"),
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn another_apps_sqlite_file_is_not_our_database_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ana');",
        )
        .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();

    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotOurDatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("is not a Rapport database"));
    assert_eq!(std::fs::read(&path).unwrap(), bytes);

    // Another app that happens to set its own application_id, with no tables.
    let path2 = dir.path().join("other2.db");
    {
        let conn = rusqlite::Connection::open(&path2).unwrap();
        conn.pragma_update(None, "application_id", 0x1234_5678)
            .unwrap();
    }
    assert!(matches!(
        Store::open(&path2),
        Err(Error::NotOurDatabase { .. })
    ));
}

#[test]
fn a_database_from_a_newer_schema_is_refused_untouched() {
    let s = TestStore::new();
    let w = s.create(win("w", at(1, 1, 1))).unwrap().meta.id;
    let path = s.path();
    drop(s.store);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }

    match Store::open(&path) {
        Err(Error::NewerSchema { found, supported }) => {
            assert_eq!(found, SCHEMA_VERSION + 1);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION + 1);
    drop(conn);

    // Back at our version, everything is still there.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.get::<Win>(&w).unwrap().record.title, "w");
}

#[test]
fn hostile_search_strings_never_error() {
    let s = TestStore::new();
    let mut w = win("Said \"no\" politely", at(1, 1, 1));
    w.details = "NEAR the station, AND OR NOT * ^ column:body".into();
    let w = s.create(w).unwrap().meta.id;
    s.create(reflection("Robert'); DROP TABLE documents;--", at(1, 2, 1)))
        .unwrap();

    let long = "word ".repeat(20_000);
    let huge_word = "x".repeat(100_000);
    let hostile = [
        "\"",
        "\"\"",
        "\"unterminated",
        "NEAR(",
        "NEAR(a b, 2)",
        "*",
        "**",
        "a*b",
        "AND OR",
        "AND",
        "NOT",
        "-",
        "^start",
        "body:station",
        "{body}: x",
        "(((",
        ")",
        "'; DROP TABLE documents; --",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "\0",
        "🙂",
        "²",
        "é́́",
        long.as_str(),
        huge_word.as_str(),
    ];
    for text in hostile {
        let result = s.search(text, 0);
        assert!(
            result.is_ok(),
            "{:?}: {result:?}",
            &text[..text.len().min(20)]
        );
    }
    // Operators are taken as plain words.
    let hits =
        |t: &str| -> Vec<ItemId> { s.search(t, 0).unwrap().into_iter().map(|x| x.id).collect() };
    assert_eq!(hits("NEAR"), vec![w.clone()]);
    assert_eq!(hits("AND OR"), vec![w.clone()]);
    assert_eq!(hits("\"no\""), vec![w.clone()]);
    assert_eq!(hits("column:body"), vec![w]);
    assert_eq!(hits("DROP TABLE").len(), 1);
    // And nothing was dropped.
    assert_eq!(s.document_ids().unwrap().len(), 2);
}

#[test]
fn page_limits_over_the_maximum_are_refused() {
    let s = TestStore::new();
    s.create(win("w", at(1, 1, 1))).unwrap();
    for limit in [MAX_PAGE + 1, u32::MAX] {
        expect_invalid(
            s.list(&ListQuery {
                limit,
                ..Default::default()
            }),
            "limit",
        );
        expect_invalid(s.search("w", limit), "limit");
    }
    let max = s
        .list(&ListQuery {
            limit: MAX_PAGE,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(max.len(), 1);
    assert_eq!(s.search("w", MAX_PAGE).unwrap().len(), 1);
    // A huge offset is simply past the end.
    assert!(
        s.list(&ListQuery {
            offset: u32::MAX,
            ..Default::default()
        })
        .unwrap()
        .is_empty()
    );
}

#[test]
fn error_messages_name_fields_and_ids_never_content() {
    let s = TestStore::new();
    let mut w = win("my secret title", at(1, 1, 1));
    w.details = "s".repeat(MAX_TEXT_BYTES + 1);
    let err = s.create(w).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("details: is longer than {MAX_TEXT_BYTES} bytes")
    );
    assert!(!err.to_string().contains("secret"));
}
