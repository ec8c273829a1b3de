//! The on-device schema and its forward migrations.
//!
//! `application_id` marks the file as ours; `user_version` is the schema
//! version. A file from a newer version is refused rather than guessed at.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// 'RAPT'
pub const APPLICATION_ID: i64 = 0x5241_5054;

/// The schema version this build writes.
pub const VERSION: i64 = 3;

const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- One row per item: a compacted Automerge snapshot ...
CREATE TABLE documents (
    id       TEXT PRIMARY KEY,
    kind     TEXT NOT NULL,
    snapshot BLOB NOT NULL
);
-- ... plus the incremental changes since it, folded in by compaction.
CREATE TABLE doc_changes (
    seq    INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    data   BLOB NOT NULL
);
CREATE INDEX doc_changes_by_doc ON doc_changes (doc_id, seq);
-- Every local change the server has not acknowledged yet.
CREATE TABLE outbox (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    kind   TEXT NOT NULL,
    data   BLOB NOT NULL
);
-- The derived query index: rebuildable from the documents at any time.
CREATE TABLE item_index (
    -- An alias of the rowid, so it stays stable across VACUUM: item_text uses it.
    row        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    at         INTEGER,
    person_id  TEXT,
    goal_id    TEXT,
    title      TEXT NOT NULL,
    shared     INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX item_index_by_time ON item_index (at DESC, id);
CREATE INDEX item_index_by_kind ON item_index (kind, at DESC);
CREATE INDEX item_index_by_person ON item_index (person_id, at DESC);
CREATE INDEX item_index_by_goal ON item_index (goal_id, at DESC);
-- Full text, keyed by the rowid of the item's index row: FTS5 cannot index
-- a text id, and a lookup by an unindexed column scans the whole table.
CREATE VIRTUAL TABLE item_text USING fts5 (
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- The account that owns a document received from someone else (a therapist
-- device holding what its clients shared, a client holding a therapist's note).
-- Documents not listed here belong to this device's own account.
CREATE TABLE doc_owners (
    doc_id TEXT PRIMARY KEY,
    owner  TEXT NOT NULL
);
-- Bundles this device pushed and the server acknowledged, per document,
-- since the last snapshot it uploaded: a snapshot lets the server drop them.
CREATE TABLE pushed_bundles (
    doc_id    TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    PRIMARY KEY (doc_id, bundle_id)
);
-- Settings of this device only (never synced), e.g. crisis resources.
CREATE TABLE device_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

/// Version 2: end-to-end encryption (docs/adr/0008). Only sealed keys and
/// public keys: the account key stays in the platform keystore and in memory.
const V2: &str = r#"
-- Document keys sealed for this account (its own documents, or shared with
-- it), one per epoch: opened in memory with the account key. `uploaded` is
-- 0 until the server holds a wrap this device made.
CREATE TABLE doc_wraps (
    doc_id    TEXT NOT NULL,
    epoch     INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    body      BLOB NOT NULL,
    uploaded  INTEGER NOT NULL,
    PRIMARY KEY (doc_id, epoch, recipient)
);
CREATE INDEX doc_wraps_pending ON doc_wraps (uploaded) WHERE uploaded = 0;
-- Other accounts' public keys, pinned when first seen, and the devices
-- they certified.
CREATE TABLE pinned_keys (
    account_id  TEXT PRIMARY KEY,
    public_keys BLOB NOT NULL
);
CREATE TABLE peer_devices (
    device_id  TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    public_key BLOB NOT NULL
);
-- Sealed pieces from the server whose key has not arrived yet.
CREATE TABLE sealed_waiting (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    kind   TEXT NOT NULL,
    data   BLOB NOT NULL
);
"#;

/// Version 3, end-to-end encryption's second step:
/// - a device may have had more than one key (the account key was replaced
///   after a device was lost, and every device key derives from it), so a
///   peer device is kept once per public key: what it signed under an
///   earlier key still verifies;
/// - sealed bundles of format 2 (docs/encryption.md) are bound to what their
///   envelope says: a piece waiting for its key keeps it. Rows from before
///   hold format 1 pieces, which carry their own (the defaults).
const V3: &str = r#"
CREATE TABLE peer_device_keys (
    device_id  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    public_key BLOB NOT NULL,
    PRIMARY KEY (device_id, public_key)
);
INSERT INTO peer_device_keys (device_id, account_id, public_key)
    SELECT device_id, account_id, public_key FROM peer_devices;
DROP TABLE peer_devices;
ALTER TABLE sealed_waiting ADD COLUMN bundle_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sealed_waiting ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sealed_waiting ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
"#;

/// Brings a freshly opened connection to [`VERSION`], or refuses the file.
pub fn migrate(conn: &mut Connection, path: &std::path::Path) -> Result<()> {
    let not_ours = || Error::NotOurDatabase {
        path: path.to_owned(),
    };
    // A file that is not SQLite at all fails on its first read.
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|_| not_ours())?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|_| not_ours())?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|_| not_ours())?;

    if app_id != APPLICATION_ID {
        if tables > 0 || app_id != 0 {
            return Err(not_ours());
        }
    } else if version > VERSION {
        return Err(Error::NewerSchema {
            found: version,
            supported: VERSION,
        });
    }

    if app_id == APPLICATION_ID && version == VERSION {
        return Ok(()); // current: no write, no disk flush on every open
    }
    let tx = conn.transaction()?;
    let mut from = if app_id == APPLICATION_ID { version } else { 0 };
    while from < VERSION {
        upgrade_from(&tx, from)?;
        from += 1;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}

fn upgrade_from(tx: &rusqlite::Transaction<'_>, version: i64) -> Result<()> {
    match version {
        0 => tx.execute_batch(V1)?,
        1 => tx.execute_batch(V2)?,
        2 => tx.execute_batch(V3)?,
        _ => {
            return Err(Error::Storage(format!(
                "no migration from schema {version}"
            )));
        }
    }
    Ok(())
}
