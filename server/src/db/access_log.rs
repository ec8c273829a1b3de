//! The access log: every delivery of a document to an account other than its owner.

use rapport_protocol::{AccessLogEntry, AccountId, DocKind, ItemId};

use super::{Tx, accounts::parse_time, documents::parse_kind};
use crate::{error::ApiResult, params};

/// Records that `reader` received the document.
pub fn record(
    tx: &Tx<'_>,
    owner: &AccountId,
    reader: &AccountId,
    doc_id: &ItemId,
    kind: DocKind,
    at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO access_log (owner_id, reader_id, doc_id, kind, read_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![owner.0, reader.0, doc_id.0, kind.as_str(), at.to_rfc3339()],
    )?;
    Ok(())
}

/// The owner's log, newest first, at most `limit` entries.
pub fn list(tx: &Tx<'_>, owner: &AccountId, limit: u32) -> ApiResult<Vec<AccessLogEntry>> {
    let rows = tx.query_map(
        "SELECT l.reader_id, a.display_name, l.doc_id, l.kind, l.read_at
         FROM access_log l JOIN accounts a ON a.id = l.reader_id
         WHERE l.owner_id = ?1 ORDER BY l.id DESC LIMIT ?2",
        params![owner.0, limit],
        |row| {
            Ok((
                row.get::<String>(0)?,
                row.get::<String>(1)?,
                row.get::<String>(2)?,
                row.get::<String>(3)?,
                row.get::<String>(4)?,
            ))
        },
    )?;
    let mut entries = Vec::new();
    for (reader, reader_name, doc_id, kind, read_at) in rows {
        entries.push(AccessLogEntry {
            reader: AccountId(reader),
            reader_name,
            doc_id: ItemId(doc_id),
            kind: parse_kind(&kind)?,
            read_at: parse_time(&read_at)?,
        });
    }
    Ok(entries)
}
