//! The record encrypted at rest: nothing written can be read from the files
//! without the key, the right key opens it, a wrong or missing key is a
//! clear error that changes nothing.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{at, reflection};
use rapport_core::store::DatabaseKey;
use rapport_core::{Error, Store};

const MARKER: &[u8] = b"zanzibarmarker";

/// Whether any file of the record (database, WAL) contains the marker.
fn marker_on_disk(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().any(|entry| {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        bytes.windows(MARKER.len()).any(|w| w == MARKER)
    })
}

fn write_marker(store: &Store) -> rapport_core::ItemId {
    let text = format!("I told {} how I felt", String::from_utf8_lossy(MARKER));
    store
        .create(reflection(&text, at(3, 1, 9)))
        .unwrap()
        .meta
        .id
}

#[test]
fn an_encrypted_record_leaves_no_readable_text_on_disk() {
    let key = DatabaseKey::random().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("record.db");
    let store = Store::open_encrypted(&path, &key).unwrap();
    let id = write_marker(&store);
    // Both while open (the WAL holds the write) and after closing.
    assert!(!marker_on_disk(dir.path()));
    drop(store);
    assert!(!marker_on_disk(dir.path()));

    let store = Store::open_encrypted(&path, &key).unwrap();
    let hits = store.search("zanzibarmarker", 10).unwrap();
    assert_eq!(hits.iter().map(|s| &s.id).collect::<Vec<_>>(), vec![&id]);
}

#[test]
fn the_control_an_unencrypted_record_shows_its_text() {
    // Shows that the check above can fail: plain SQLite keeps the text readable.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("record.db")).unwrap();
    write_marker(&store);
    drop(store);
    assert!(marker_on_disk(dir.path()));
}

#[test]
fn a_wrong_or_missing_key_is_refused_and_changes_nothing() {
    let key = DatabaseKey::random().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("record.db");
    let store = Store::open_encrypted(&path, &key).unwrap();
    let id = write_marker(&store);
    drop(store);
    let before = std::fs::read(&path).unwrap();

    let wrong = DatabaseKey::random().unwrap();
    let err = Store::open_encrypted(&path, &wrong).unwrap_err();
    assert!(matches!(err, Error::WrongKey { .. }), "{err}");
    assert!(
        err.to_string().contains("cannot be opened with this key"),
        "{err}"
    );
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotOurDatabase { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let store = Store::open_encrypted(&path, &key).unwrap();
    assert!(store.get::<rapport_core::journal::Reflection>(&id).is_ok());
}

#[test]
fn keys_are_exactly_32_bytes_and_never_printed() {
    for len in [0, 16, 31, 33, 64] {
        let err = DatabaseKey::from_bytes(&vec![7u8; len]).unwrap_err();
        assert!(
            matches!(err, Error::Invalid { field: "key", .. }),
            "{len}: {err}"
        );
    }
    let key = DatabaseKey::from_bytes(&[0xab; 32]).unwrap();
    assert_eq!(format!("{key:?}"), "DatabaseKey(…)");
    assert_ne!(
        DatabaseKey::random().unwrap(),
        DatabaseKey::random().unwrap()
    );
}

#[test]
fn an_unencrypted_file_is_not_opened_as_an_encrypted_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("record.db");
    let store = Store::open(&path).unwrap();
    write_marker(&store);
    drop(store);
    let err = Store::open_encrypted(&path, &DatabaseKey::random().unwrap()).unwrap_err();
    assert!(matches!(err, Error::WrongKey { .. }), "{err}");
}
