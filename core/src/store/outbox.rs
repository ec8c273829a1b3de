//! The outbox: every local change not yet acknowledged by a server, in the
//! order it was made. The sync engine pushes from here; in-process exchange
//! between two stores reads it too.

use rapport_protocol::DocKind;
use rusqlite::{Connection, params};

use crate::error::{Error, Result};
use crate::id::ItemId;

/// One pending local change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingChange {
    /// Position in the outbox; acknowledge by it.
    pub seq: i64,
    pub doc_id: ItemId,
    pub kind: DocKind,
    /// Automerge change bytes.
    pub data: Vec<u8>,
}

pub(super) fn push(tx: &Connection, id: &ItemId, kind: DocKind, data: &[u8]) -> Result<()> {
    tx.prepare_cached("INSERT INTO outbox (doc_id, kind, data) VALUES (?1, ?2, ?3)")?
        .execute(params![id.as_str(), kind.as_str(), data])?;
    Ok(())
}

pub(super) fn pending(
    tx: &Connection,
    after_seq: i64,
    limit: usize,
) -> Result<Vec<OutgoingChange>> {
    let mut stmt = tx.prepare_cached(
        "SELECT seq, doc_id, kind, data FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after_seq, limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, doc_id, kind, data) = row?;
        let kind = DocKind::parse(&kind)
            .ok_or_else(|| Error::Storage(format!("outbox entry {seq} has unknown kind")))?;
        out.push(OutgoingChange {
            seq,
            doc_id: ItemId::new(doc_id),
            kind,
            data,
        });
    }
    Ok(out)
}

pub(super) fn acknowledge(tx: &Connection, seqs: &[i64]) -> Result<()> {
    let mut stmt = tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?;
    for seq in seqs {
        stmt.execute([seq])?;
    }
    Ok(())
}

/// Drops pending changes of a document that is gone for good.
pub(super) fn forget(tx: &Connection, id: &ItemId) -> Result<()> {
    tx.execute("DELETE FROM outbox WHERE doc_id = ?1", [id.as_str()])?;
    Ok(())
}

pub(super) fn len(tx: &Connection) -> Result<usize> {
    let n: i64 = tx.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?;
    Ok(n as usize)
}
