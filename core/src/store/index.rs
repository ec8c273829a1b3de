//! The derived query index: one row per live item for list screens and
//! filters, and an FTS5 table over its text. Derived from the documents only,
//! so it can be dropped and rebuilt with identical results.
//!
//! It knows no record kind: a row is written from the item's envelope and an
//! [`IndexEntry`] handed in, which the writer derived from the record value
//! it holds.

use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;
use rusqlite::{Connection, params, types::Value};

use crate::doc::Envelope;
use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::record::IndexEntry;

/// One row of a list screen or a search result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Summary {
    pub id: ItemId,
    pub kind: DocKind,
    pub at: Option<DateTime<Utc>>,
    pub person_id: Option<ItemId>,
    pub goal_id: Option<ItemId>,
    pub title: String,
    pub shared: bool,
}

/// Filters for [`crate::Store::list`]. Empty `kinds` means every kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListQuery {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub kinds: Vec<DocKind>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub person_id: Option<ItemId>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub goal_id: Option<ItemId>,
    /// Inclusive lower bound on the item's time.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub since: Option<DateTime<Utc>>,
    /// Exclusive upper bound on the item's time.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub until: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub offset: u32,
    /// Page size; 0 means the default of 50. At most [`MAX_PAGE`].
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub limit: u32,
}

/// One page of a list screen: the rows of [`crate::Store::list_page`] and
/// how many items match the query in all, so that a paging UI can show
/// "21 to 40 of 57" and know when to stop. Both come from one read, so they
/// agree even while another thread writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Page {
    /// The rows from the query's offset, at most its limit, newest first.
    pub items: Vec<Summary>,
    /// Every live item matching the query's filters, ignoring offset and
    /// limit. An offset at or past it gives an empty `items`.
    pub total: u64,
}

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

/// Writes the index row of a live item: its envelope, and the entry its
/// record derives ([`crate::record::Record::index`], or the registry's
/// [`super::Indexer`] for a document this device did not write itself).
pub(super) fn put(
    tx: &Connection,
    id: &ItemId,
    envelope: &Envelope,
    entry: &IndexEntry,
) -> Result<()> {
    remove(tx, id)?;
    insert(tx, id, envelope, entry)
}

/// [`put`] for an item that has no row yet (a document new to this
/// device): nothing to remove first. A row already there fails the insert
/// (the id is the table's key) rather than leaving two.
pub(super) fn insert(
    tx: &Connection,
    id: &ItemId,
    envelope: &Envelope,
    entry: &IndexEntry,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO item_index (id, kind, at, person_id, goal_id, title, shared, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id.as_str(),
        envelope.kind.as_str(),
        entry.at.map(|t| t.timestamp_millis()),
        entry.person_id.as_ref().map(ItemId::as_str),
        entry.goal_id.as_ref().map(ItemId::as_str),
        entry.title,
        envelope.shared,
        envelope.updated_at.timestamp_millis(),
    ])?;
    let body = entry.text.join("\n");
    if !body.trim().is_empty() {
        let rowid = tx.last_insert_rowid();
        tx.prepare_cached("INSERT INTO item_text (rowid, body) VALUES (?1, ?2)")?
            .execute(params![rowid, body])?;
    }
    Ok(())
}

/// Refreshes what the row of an item takes from its envelope (sharing, last
/// change), keeping the entry its record derived: for edits that leave the
/// typed record as it was. `false` when the item has no row.
pub(super) fn put_envelope(tx: &Connection, id: &ItemId, envelope: &Envelope) -> Result<bool> {
    let n = tx
        .prepare_cached("UPDATE item_index SET shared = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![
            id.as_str(),
            envelope.shared,
            envelope.updated_at.timestamp_millis(),
        ])?;
    Ok(n > 0)
}

pub(super) fn remove(tx: &Connection, id: &ItemId) -> Result<()> {
    tx.prepare_cached(
        "DELETE FROM item_text WHERE rowid = (SELECT row FROM item_index WHERE id = ?1)",
    )?
    .execute([id.as_str()])?;
    tx.prepare_cached("DELETE FROM item_index WHERE id = ?1")?
        .execute([id.as_str()])?;
    Ok(())
}

pub(super) fn clear(tx: &Connection) -> Result<()> {
    tx.execute_batch("DELETE FROM item_index; DELETE FROM item_text;")?;
    Ok(())
}

const SUMMARY_COLUMNS: &str = "i.id, i.kind, i.at, i.person_id, i.goal_id, i.title, i.shared";

fn page_limit(limit: u32) -> Result<i64> {
    match limit {
        0 => Ok(DEFAULT_PAGE as i64),
        n if n > MAX_PAGE => Err(Error::invalid(
            "limit",
            format!("must be at most {MAX_PAGE}, got {n}"),
        )),
        n => Ok(n as i64),
    }
}

/// The `WHERE` clause of a list query (filters only, no paging) and its
/// arguments: shared by [`list`] and [`count`], so a page and its total
/// always agree on what matches.
fn filters(q: &ListQuery) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if !q.kinds.is_empty() {
        let marks = vec!["?"; q.kinds.len()].join(", ");
        sql.push_str(&format!(" AND i.kind IN ({marks})"));
        args.extend(q.kinds.iter().map(|k| Value::Text(k.as_str().into())));
    }
    if let Some(p) = &q.person_id {
        sql.push_str(" AND i.person_id = ?");
        args.push(Value::Text(p.to_string()));
    }
    if let Some(g) = &q.goal_id {
        sql.push_str(" AND i.goal_id = ?");
        args.push(Value::Text(g.to_string()));
    }
    if let Some(from) = q.since {
        sql.push_str(" AND i.at >= ?");
        args.push(Value::Integer(from.timestamp_millis()));
    }
    if let Some(to) = q.until {
        sql.push_str(" AND i.at < ?");
        args.push(Value::Integer(to.timestamp_millis()));
    }
    (sql, args)
}

pub(super) fn list(tx: &Connection, q: &ListQuery) -> Result<Vec<Summary>> {
    let (filter, mut args) = filters(q);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM item_index i{filter}
         ORDER BY i.at DESC, i.id DESC LIMIT ? OFFSET ?"
    );
    args.push(Value::Integer(page_limit(q.limit)?));
    args.push(Value::Integer(q.offset as i64));
    let mut stmt = tx.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), read_summary)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many live items match the filters of `q`, whatever its offset and
/// limit.
pub(super) fn count(tx: &Connection, q: &ListQuery) -> Result<u64> {
    let (filter, args) = filters(q);
    let sql = format!("SELECT count(*) FROM item_index i{filter}");
    let n: i64 = tx
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The index row of one live item.
pub(super) fn get(tx: &Connection, id: &ItemId) -> Result<Option<Summary>> {
    use rusqlite::OptionalExtension;
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM item_index i WHERE i.id = ?1");
    Ok(tx
        .prepare_cached(&sql)?
        .query_row([id.as_str()], read_summary)
        .optional()?)
}

/// Every live item of this account's own that is marked shared, in id order.
pub(super) fn shared_own(tx: &Connection) -> Result<Vec<Summary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM item_index i
         WHERE i.shared = 1 AND i.id NOT IN (SELECT doc_id FROM doc_owners)
         ORDER BY i.id"
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let rows = stmt.query_map([], read_summary)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Full-text search, best match first. The query is taken as plain words
/// (each a prefix), never as FTS5 syntax, so any input is safe.
pub(super) fn search(tx: &Connection, text: &str, limit: u32) -> Result<Vec<Summary>> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let query = words.join(" ");
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM item_text t JOIN item_index i ON i.row = t.rowid
         WHERE item_text MATCH ?1 ORDER BY bm25(item_text), i.at DESC, i.id LIMIT ?2"
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![query, page_limit(limit)?], read_summary)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn read_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
    let kind: String = r.get(1)?;
    let kind = DocKind::parse(&kind).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Text,
            format!("unknown kind {kind}").into(),
        )
    })?;
    Ok(Summary {
        id: ItemId::new(r.get::<_, String>(0)?),
        kind,
        at: r
            .get::<_, Option<i64>>(2)?
            .and_then(DateTime::from_timestamp_millis),
        person_id: r.get::<_, Option<String>>(3)?.map(ItemId::new),
        goal_id: r.get::<_, Option<String>>(4)?.map(ItemId::new),
        title: r.get(5)?,
        shared: r.get(6)?,
    })
}

/// Every index row with its text in a stable order, for comparing replicas
/// and rebuilds.
pub(super) fn dump(tx: &Connection) -> Result<Vec<(Summary, String)>> {
    let mut stmt = tx.prepare(&format!(
        "SELECT {SUMMARY_COLUMNS}, coalesce(t.body, '') FROM item_index i
         LEFT JOIN item_text t ON t.rowid = i.rowid ORDER BY i.id"
    ))?;
    let rows = stmt.query_map([], |r| Ok((read_summary(r)?, r.get::<_, String>(7)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every row of the `always` kinds whatever their time, plus every row of
/// the `dated` kinds whose time is in `[from, to)`, oldest first: one pass
/// over the index, no paging (for the clinical layer's summaries).
pub(super) fn scan(
    tx: &Connection,
    always: &[DocKind],
    dated: &[DocKind],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Summary>> {
    let marks = |n: usize| vec!["?"; n.max(1)].join(", ");
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM item_index i
         WHERE i.kind IN ({}) OR (i.kind IN ({}) AND i.at >= ? AND i.at < ?)
         ORDER BY i.at, i.id",
        marks(always.len()),
        marks(dated.len()),
    );
    let mut args: Vec<Value> = Vec::new();
    let kinds = |ks: &[DocKind], args: &mut Vec<Value>| {
        if ks.is_empty() {
            args.push(Value::Null);
        }
        args.extend(ks.iter().map(|k| Value::Text(k.as_str().into())));
    };
    kinds(always, &mut args);
    kinds(dated, &mut args);
    args.push(Value::Integer(from.timestamp_millis()));
    args.push(Value::Integer(to.timestamp_millis()));
    let mut stmt = tx.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), read_summary)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
