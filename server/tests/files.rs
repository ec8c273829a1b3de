//! What the SQLite backend leaves on disk: a private data folder and files,
//! and no bytes of a deleted document (`secure_delete`, and a WAL
//! checkpoint after the deletion). PostgreSQL keeps its own files.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use rapport_protocol::{DocKind, Role};
use reqwest::StatusCode;

fn sqlite_files(database: &Path) -> Vec<PathBuf> {
    let mut files = vec![database.to_owned()];
    for suffix in ["-wal", "-shm"] {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        if path.exists() {
            files.push(path);
        }
    }
    files
}

/// Whether any of the database's files holds these bytes.
fn files_contain(database: &Path, needle: &[u8]) -> bool {
    sqlite_files(database).iter().any(|file| {
        let bytes = std::fs::read(file).expect("read a database file");
        bytes.windows(needle.len()).any(|w| w == needle)
    })
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    if TestServer::backend() != "sqlite" {
        return;
    }
    let server = TestServer::start();
    server.sign_up("ada@example.org", Role::Client);
    let dir = server.database.parent().expect("a folder");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    for file in sqlite_files(&server.database) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[test]
fn a_deleted_documents_bytes_leave_the_database_files() {
    if TestServer::backend() != "sqlite" {
        return;
    }
    let server = TestServer::start();
    let ada = server.sign_up("ada@example.org", Role::Client);
    let secret = b"MY-VERY-PRIVATE-REFLECTION-0123456789-abcdefghij".to_vec();
    let page = server.sync(
        &ada.token,
        &push(vec![
            bundle("entry-1", "b1", DocKind::Reflection, &[], &secret),
            bundle("keep-1", "k1", DocKind::Reflection, &[], b"unrelated"),
        ]),
    );
    assert_eq!(page.acked.len(), 2);
    let contains = |needle: &[u8]| files_contain(&server.database, needle);
    assert!(contains(&secret), "the test should see stored bytes");
    let r = server.delete(Some(&ada.token), "/v1/documents/entry-1");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(!contains(&secret), "deleted bytes stayed on disk");
}

#[test]
fn a_deleted_accounts_email_name_and_bytes_leave_the_database_files() {
    if TestServer::backend() != "sqlite" {
        return;
    }
    let server = TestServer::start();
    let email = "zelda.unique-marker@example.org";
    let zelda = server.sign_up(email, Role::Client);
    let secret = b"ZELDA-PRIVATE-JOURNAL-9876543210-zyxwvutsrq".to_vec();
    server.sync(
        &zelda.token,
        &push(vec![bundle(
            "z-1",
            "b1",
            DocKind::Interaction,
            &["person:zz-tag-marker"],
            &secret,
        )]),
    );
    let contains = |needle: &[u8]| files_contain(&server.database, needle);
    for needle in [&secret[..], email.as_bytes(), b"zz-tag-marker"] {
        assert!(contains(needle), "the test should see what is stored");
    }
    let r = server.send_json(
        reqwest::Method::DELETE,
        Some(&zelda.token),
        "/v1/account",
        &rapport_protocol::DeleteAccountRequest {
            password: "correct horse battery".into(),
        },
    );
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for needle in [
        &secret[..],
        email.as_bytes(),
        b"zz-tag-marker",
        b"zelda.unique-marker",
    ] {
        assert!(
            !contains(needle),
            "{} stayed on disk",
            String::from_utf8_lossy(needle)
        );
    }
}
