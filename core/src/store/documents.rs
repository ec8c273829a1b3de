//! Durable storage of Automerge documents: a snapshot per document plus the
//! incremental changes since, compacted once enough have piled up.

use automerge::{ActorId, AutoCommit};
use rapport_protocol::DocKind;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::id::ItemId;

/// Changes kept beside the snapshot before they are folded into it.
const COMPACT_AFTER: i64 = 32;

/// A loaded document with the kind it was stored under.
#[derive(Debug)]
pub struct Loaded {
    pub doc: AutoCommit,
    pub kind: DocKind,
}

/// Loads a document, or `None` if this device has never seen it.
pub(super) fn load(tx: &Connection, id: &ItemId, actor: &ActorId) -> Result<Option<Loaded>> {
    let row: Option<(String, Vec<u8>)> = tx
        .prepare_cached("SELECT kind, snapshot FROM documents WHERE id = ?1")?
        .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((kind, snapshot)) = row else {
        return Ok(None);
    };
    let kind = DocKind::parse(&kind)
        .ok_or_else(|| Error::Storage(format!("document {id} has unknown kind {kind}")))?;
    let corrupt = |e: automerge::AutomergeError| {
        Error::Storage(format!("document {id} is damaged on this device: {e}"))
    };
    let mut doc = AutoCommit::new().with_actor(actor.clone());
    if !snapshot.is_empty() {
        doc.load_incremental(&snapshot).map_err(corrupt)?;
    }
    let mut stmt =
        tx.prepare_cached("SELECT data FROM doc_changes WHERE doc_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([id.as_str()])?;
    while let Some(row) = rows.next()? {
        let data: Vec<u8> = row.get(0)?;
        doc.load_incremental(&data).map_err(corrupt)?;
    }
    Ok(Some(Loaded { doc, kind }))
}

/// Stores a document this device has not had before.
pub(super) fn insert(tx: &Connection, id: &ItemId, kind: DocKind, snapshot: &[u8]) -> Result<()> {
    tx.prepare_cached("INSERT INTO documents (id, kind, snapshot) VALUES (?1, ?2, ?3)")?
        .execute(params![id.as_str(), kind.as_str(), snapshot])?;
    Ok(())
}

/// Appends changes to a stored document, compacting when due.
pub(super) fn append(
    tx: &Connection,
    id: &ItemId,
    data: &[u8],
    doc: &mut AutoCommit,
) -> Result<()> {
    tx.prepare_cached("INSERT INTO doc_changes (doc_id, data) VALUES (?1, ?2)")?
        .execute(params![id.as_str(), data])?;
    let pending: i64 = tx
        .prepare_cached("SELECT count(*) FROM doc_changes WHERE doc_id = ?1")?
        .query_row([id.as_str()], |r| r.get(0))?;
    // A document still waiting for missing changes keeps its raw pieces: a
    // save would not include the changes queued for their dependencies.
    if pending >= COMPACT_AFTER && doc.get_missing_deps(&[]).is_empty() {
        compact(tx, id, doc)?;
    }
    Ok(())
}

/// Replaces snapshot and changes by one fresh snapshot.
pub(super) fn compact(tx: &Connection, id: &ItemId, doc: &mut AutoCommit) -> Result<()> {
    let snapshot = doc.save();
    tx.execute(
        "UPDATE documents SET snapshot = ?2 WHERE id = ?1",
        params![id.as_str(), snapshot],
    )?;
    tx.execute("DELETE FROM doc_changes WHERE doc_id = ?1", [id.as_str()])?;
    Ok(())
}

/// Forgets a document entirely (a revoked share, a real deletion).
pub(super) fn remove(tx: &Connection, id: &ItemId) -> Result<bool> {
    tx.execute("DELETE FROM doc_changes WHERE doc_id = ?1", [id.as_str()])?;
    let n = tx.execute("DELETE FROM documents WHERE id = ?1", [id.as_str()])?;
    Ok(n > 0)
}

/// Every stored document id with its kind, for index rebuilds and export.
pub(super) fn all_ids(tx: &Connection) -> Result<Vec<ItemId>> {
    let mut stmt = tx.prepare("SELECT id FROM documents ORDER BY id")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids.into_iter().map(ItemId::new).collect())
}
