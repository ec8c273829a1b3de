//! Push and pull in one transaction.
//!
//! Everything that can change what a device must hear about takes a value of
//! one global sequence: bundles, snapshots, and the rows of `device_docs`,
//! which record when a document entered a device's view (delivered whole)
//! and when it left (a removal). A pull returns, in sequence order, every such
//! event after the device's cursor; the cursor is the last sequence number
//! the page covers. Because the view of each device is reconciled with what
//! the account may read at the start of each pull, a grant, a revocation, a
//! newly matching tag or a deletion all show up on the next pull.

use std::collections::{HashMap, HashSet};

use rapport_protocol::{
    AccountId, Bundle, BundleId, DocId, PulledChange, Removal, RemovalReason, SyncRequest,
    SyncResponse,
};

use super::{
    Tx, access_log, current_seq, documents,
    exec::{Param, Value},
    grants, next_seq, now,
};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    params,
};

/// What one pull may return.
#[derive(Debug, Clone, Copy)]
pub struct PageLimits {
    /// Most changes plus removals (a document delivered whole counts each part).
    pub items: u32,
    /// Most bytes of document data.
    pub bytes: u64,
}

/// Parses an opaque cursor; `None` is the start.
pub fn parse_cursor(cursor: Option<&str>) -> ApiResult<i64> {
    match cursor {
        None => Ok(0),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|seq| *seq >= 0)
            .ok_or_else(|| ApiError::bad_request("malformed cursor; sync again without one")),
    }
}

/// Pushes the batch, then pulls one page for the calling device.
pub fn sync(
    tx: &Tx<'_>,
    caller: &Caller,
    request: &SyncRequest,
    limits: PageLimits,
) -> ApiResult<SyncResponse> {
    let cursor = parse_cursor(request.cursor.as_deref())?;
    if cursor > current_seq(tx)? {
        return Err(ApiError::bad_request(
            "the cursor is from another server; sync again without one",
        ));
    }
    let (acked, pushed_seqs) = push(tx, caller, &request.push)?;
    tx.execute(
        "UPDATE devices SET acked_seq = CASE WHEN acked_seq < ?1 THEN ?1 ELSE acked_seq END
         WHERE id = ?2",
        params![cursor, caller.device_id.0],
    )?;
    reconcile(tx, caller)?;
    let mut response = pull(tx, caller, cursor, &pushed_seqs, limits)?;
    response.acked = acked;
    Ok(response)
}

/// Stores the batch; every bundle is checked before anything is kept (the
/// caller's transaction rolls back on the first error).
fn push(
    tx: &Tx<'_>,
    caller: &Caller,
    bundles: &[Bundle],
) -> ApiResult<(Vec<BundleId>, HashSet<i64>)> {
    let me = &caller.account_id;
    let mut acked = Vec::new();
    let mut seen = HashSet::new();
    let mut pushed_seqs = HashSet::new();
    for bundle in bundles {
        if !seen.insert((&bundle.doc_id, &bundle.bundle_id)) {
            continue;
        }
        let mut doc = documents::get(tx, &bundle.doc_id)?;
        if doc.is_none() {
            // Another process may create the same document at the same time
            // (two devices of one account): the primary key decides, and the
            // loser goes on as for an existing document.
            let seq = next_seq(tx)?;
            if documents::create(tx, &bundle.doc_id, me, bundle.kind, seq)? {
                documents::set_kind_and_tags(tx, &bundle.doc_id, bundle.kind, &bundle.tags)?;
                insert_bundle(tx, caller, bundle, seq)?;
                // The creating device holds the document from its first bundle.
                tx.execute(
                    "INSERT INTO device_docs (device_id, doc_id, active, whole, since_seq)
                     VALUES (?1, ?2, 1, 0, ?3)",
                    params![caller.device_id.0, bundle.doc_id.0, seq],
                )?;
                pushed_seqs.insert(seq);
                acked.push(bundle.bundle_id.clone());
                continue;
            }
            doc = documents::get(tx, &bundle.doc_id)?;
        }
        let doc = doc.ok_or_else(|| ApiError::Internal("a created document vanished".into()))?;
        let owner = doc.owner == *me;
        if !owner && !grants::can_write(tx, me, &bundle.doc_id)? {
            return Err(if doc.deleted_seq.is_some() {
                ApiError::not_found("no such document")
            } else {
                ApiError::forbidden(format!(
                    "you may not write document {}; nothing of this push was stored",
                    bundle.doc_id
                ))
            });
        }
        if doc.deleted_seq.is_some() {
            // Edits to a deleted document are acknowledged and dropped,
            // so that one deletion does not block a device's outbox.
        } else if let Some(seq) = stored_seq(tx, bundle)? {
            pushed_seqs.insert(seq);
        } else {
            let seq = next_seq(tx)?;
            match insert_bundle(tx, caller, bundle, seq)? {
                // Stored meanwhile by a concurrent push of the same bundle
                // (a retry through another process): the unique constraint
                // keeps one copy; `seq` stays unused, a harmless gap.
                Some(stored) => {
                    pushed_seqs.insert(stored);
                }
                None => {
                    pushed_seqs.insert(seq);
                    if owner {
                        documents::set_kind_and_tags(
                            tx,
                            &bundle.doc_id,
                            bundle.kind,
                            &bundle.tags,
                        )?;
                    }
                }
            }
        }
        acked.push(bundle.bundle_id.clone());
    }
    Ok((acked, pushed_seqs))
}

fn stored_seq(tx: &Tx<'_>, bundle: &Bundle) -> ApiResult<Option<i64>> {
    tx.query_opt(
        "SELECT seq FROM bundles WHERE doc_id = ?1 AND bundle_id = ?2",
        params![bundle.doc_id.0, bundle.bundle_id.0],
        |row| row.get(0),
    )
}

/// Stores a bundle at `seq`; if the same bundle id is already stored for the
/// document, stores nothing and returns the stored one's sequence number.
fn insert_bundle(
    tx: &Tx<'_>,
    caller: &Caller,
    bundle: &Bundle,
    seq: i64,
) -> ApiResult<Option<i64>> {
    let inserted = tx.execute(
        "INSERT INTO bundles (seq, doc_id, bundle_id, device_id, data, pushed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (doc_id, bundle_id) DO NOTHING",
        params![
            seq,
            bundle.doc_id.0,
            bundle.bundle_id.0,
            caller.device_id.0,
            bundle.data,
            now().to_rfc3339()
        ],
    )?;
    if inserted == 1 {
        return Ok(None);
    }
    stored_seq(tx, bundle)?
        .map(Some)
        .ok_or_else(|| ApiError::Internal("a conflicting bundle vanished".into()))
}

/// Every live document the account may read: its own and those granted.
const READABLE: &str = "
    SELECT d.id FROM documents d WHERE d.owner_id = ?1 AND d.deleted_seq IS NULL
    UNION
    SELECT d.id FROM grants g JOIN documents d ON d.owner_id = g.owner_id
    WHERE g.grantee_id = ?1 AND d.deleted_seq IS NULL AND (
        (g.scope = 'document' AND g.doc_id = d.id AND g.revoked_seq IS NULL)
        OR (g.scope = 'kind' AND g.kind = d.kind AND g.revoked_seq IS NULL AND (g.tag IS NULL
            OR EXISTS (SELECT 1 FROM doc_tags t WHERE t.doc_id = d.id AND t.tag = g.tag))))";

/// Brings the device's view in line with what the account may read now.
fn reconcile(tx: &Tx<'_>, caller: &Caller) -> ApiResult<()> {
    let params = params![caller.account_id.0, caller.device_id.0];
    let arrived: Vec<String> = tx.query_map(
        &format!(
            "SELECT r.id FROM ({READABLE}) r WHERE NOT EXISTS (SELECT 1 FROM device_docs dd
             WHERE dd.device_id = ?2 AND dd.doc_id = r.id AND dd.active = 1) ORDER BY r.id"
        ),
        params,
        |row| row.get(0),
    )?;
    for doc_id in arrived {
        let seq = next_seq(tx)?;
        tx.execute(
            "INSERT INTO device_docs (device_id, doc_id, active, whole, since_seq)
             VALUES (?1, ?2, 1, 1, ?3)
             ON CONFLICT (device_id, doc_id) DO UPDATE SET active = 1, whole = 1,
                 since_seq = excluded.since_seq, removed_seq = NULL, removed_reason = NULL",
            params![caller.device_id.0, doc_id, seq],
        )?;
    }
    let left: Vec<(String, bool)> = tx.query_map(
        &format!(
            "SELECT dd.doc_id, d.deleted_seq IS NOT NULL FROM device_docs dd
             LEFT JOIN documents d ON d.id = dd.doc_id
             WHERE dd.device_id = ?2 AND dd.active = 1 AND dd.doc_id NOT IN ({READABLE})
             ORDER BY dd.doc_id"
        ),
        params,
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    for (doc_id, deleted) in left {
        let seq = next_seq(tx)?;
        tx.execute(
            "UPDATE device_docs SET active = 0, removed_seq = ?1, removed_reason = ?2
             WHERE device_id = ?3 AND doc_id = ?4",
            params![
                seq,
                if deleted { "deleted" } else { "revoked" },
                caller.device_id.0,
                doc_id
            ],
        )?;
    }
    Ok(())
}

#[derive(Debug)]
enum Event {
    /// The document entered the device's view: send every part up to `seq`.
    Whole { doc_id: String },
    /// One bundle or snapshot, by table and sequence number.
    Part { table: &'static str, doc_id: String },
    Removed {
        doc_id: String,
        reason: RemovalReason,
    },
}

/// One page of events after `cursor`, in sequence order.
fn pull(
    tx: &Tx<'_>,
    caller: &Caller,
    cursor: i64,
    pushed_seqs: &HashSet<i64>,
    limits: PageLimits,
) -> ApiResult<SyncResponse> {
    // Every event up to `head` has committed (sequence numbers commit in
    // order); later ones may commit while this pull runs, on PostgreSQL, and
    // wait for the next pull.
    let head = current_seq(tx)?;
    let fetch = i64::from(limits.items) + 1;
    let device = &caller.device_id.0;
    let mut events: Vec<(i64, u64, Event)> = Vec::new();
    // The events of a stream cut at `fetch` rows are complete only up to its
    // last row; the page may not run past the lowest such horizon.
    let mut horizon = i64::MAX;
    let mut collect = |rows: Vec<(i64, u64, Event)>| {
        if rows.len() as i64 >= fetch
            && let Some((seq, _, _)) = rows.last()
        {
            horizon = horizon.min(*seq);
        }
        events.extend(rows);
    };

    collect(query_events(
        tx,
        "SELECT dd.since_seq, dd.doc_id,
             (SELECT COALESCE(sum(length(b.data)), 0) FROM bundles b
              WHERE b.doc_id = dd.doc_id AND b.seq <= dd.since_seq)
           + (SELECT COALESCE(sum(length(s.data)), 0) FROM snapshots s
              WHERE s.doc_id = dd.doc_id AND s.seq <= dd.since_seq)
         FROM device_docs dd WHERE dd.device_id = ?1 AND dd.active = 1
           AND dd.since_seq > ?2 AND dd.since_seq <= ?4 AND (dd.whole = 1 OR ?2 = 0)
         ORDER BY dd.since_seq LIMIT ?3",
        params![device, cursor, fetch, head],
        |doc_id, _| Event::Whole { doc_id },
    )?);
    for table in ["bundles", "snapshots"] {
        collect(query_events(
            tx,
            &format!(
                "SELECT p.seq, p.doc_id, length(p.data) FROM {table} p
                 JOIN device_docs dd ON dd.device_id = ?1 AND dd.doc_id = p.doc_id AND dd.active = 1
                 WHERE p.seq > ?2 AND p.seq <= ?4 AND p.seq > dd.since_seq AND p.data IS NOT NULL
                   AND NOT (p.device_id = ?1 AND ?2 > 0)
                 ORDER BY p.seq LIMIT ?3"
            ),
            params![device, cursor, fetch, head],
            |doc_id, _| Event::Part { table, doc_id },
        )?);
    }
    if cursor > 0 {
        collect(query_events(
            tx,
            "SELECT removed_seq, doc_id, removed_reason FROM device_docs
             WHERE device_id = ?1 AND active = 0 AND removed_seq > ?2 AND removed_seq <= ?4
             ORDER BY removed_seq LIMIT ?3",
            params![device, cursor, fetch, head],
            |doc_id, reason| Event::Removed {
                doc_id,
                reason: if reason == "deleted" {
                    RemovalReason::Deleted
                } else {
                    RemovalReason::Revoked
                },
            },
        )?);
    }
    events.sort_by_key(|(seq, _, _)| *seq);

    let own_part = |device_id: &str, seq: i64| {
        device_id == device.as_str() && ((cursor > 0 && seq > cursor) || pushed_seqs.contains(&seq))
    };
    let mut response = SyncResponse::default();
    let mut docs: HashMap<String, documents::DocMeta> = HashMap::new();
    let mut read_docs: Vec<(DocId, AccountId, rapport_protocol::DocKind)> = Vec::new();
    let (mut items, mut bytes) = (0u64, 0u64);
    let mut page_end = head;
    for (seq, size, event) in events {
        if seq > horizon {
            page_end = horizon;
            response.more = true;
            break;
        }
        let cost = match &event {
            Event::Whole { doc_id } => count_parts(tx, doc_id, seq)?.max(1),
            _ => 1,
        };
        if items > 0 && (items + cost > u64::from(limits.items) || bytes + size > limits.bytes) {
            page_end = seq - 1;
            response.more = true;
            break;
        }
        items += cost;
        bytes += size;
        let changes_before = response.changes.len();
        let doc_id = match event {
            Event::Removed { doc_id, reason } => {
                response.removed.push(Removal {
                    doc_id: DocId(doc_id),
                    reason,
                });
                continue;
            }
            Event::Whole { doc_id } => {
                let meta = doc_meta(tx, &mut docs, &doc_id)?;
                for (part_seq, part_device, data) in whole_parts(tx, &doc_id, seq)? {
                    if !own_part(&part_device, part_seq) {
                        response.changes.push(change(&doc_id, &meta, data));
                    }
                }
                doc_id
            }
            Event::Part { table, doc_id } => {
                let (part_device, data): (String, Vec<u8>) = tx.query_row(
                    &format!("SELECT device_id, data FROM {table} WHERE seq = ?1"),
                    params![seq],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )?;
                if !own_part(&part_device, seq) {
                    let meta = doc_meta(tx, &mut docs, &doc_id)?;
                    response.changes.push(change(&doc_id, &meta, data));
                }
                doc_id
            }
        };
        if response.changes.len() > changes_before {
            let meta = doc_meta(tx, &mut docs, &doc_id)?;
            if meta.owner != caller.account_id && !read_docs.iter().any(|(d, _, _)| d.0 == doc_id) {
                read_docs.push((DocId(doc_id), meta.owner.clone(), meta.kind));
            }
        }
    }
    let at = now();
    for (doc_id, owner, kind) in read_docs {
        access_log::record(tx, &owner, &caller.account_id, &doc_id, kind, at)?;
    }
    response.cursor = page_end.max(cursor).to_string();
    Ok(response)
}

fn query_events(
    tx: &Tx<'_>,
    sql: &str,
    params: &[Param<'_>],
    make: impl Fn(String, String) -> Event,
) -> ApiResult<Vec<(i64, u64, Event)>> {
    tx.query_map(sql, params, |row| {
        let seq: i64 = row.get(0)?;
        let doc_id: String = row.get(1)?;
        // Column 2 is a byte count, or a removal's reason.
        let (size, extra) = match row.value(2)? {
            Value::Int(n) => (u64::try_from(*n).unwrap_or(0), String::new()),
            Value::Text(t) => (0, t.clone()),
            _ => (0, String::new()),
        };
        Ok((seq, size, make(doc_id, extra)))
    })
}

fn count_parts(tx: &Tx<'_>, doc_id: &str, up_to: i64) -> ApiResult<u64> {
    let n: i64 = tx.query_row(
        "SELECT (SELECT count(*) FROM bundles WHERE doc_id = ?1 AND seq <= ?2 AND data IS NOT NULL)
              + (SELECT count(*) FROM snapshots WHERE doc_id = ?1 AND seq <= ?2)",
        params![doc_id, up_to],
        |row| row.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The snapshots, then the bundles, of a document up to `up_to`, each in
/// sequence order: a saved document first, then the changes after it.
fn whole_parts(tx: &Tx<'_>, doc_id: &str, up_to: i64) -> ApiResult<Vec<(i64, String, Vec<u8>)>> {
    tx.query_map(
        "SELECT 0, seq, device_id, data FROM snapshots WHERE doc_id = ?1 AND seq <= ?2
         UNION ALL
         SELECT 1, seq, device_id, data FROM bundles
         WHERE doc_id = ?1 AND seq <= ?2 AND data IS NOT NULL
         ORDER BY 1, 2",
        params![doc_id, up_to],
        |row| Ok((row.get(1)?, row.get(2)?, row.get(3)?)),
    )
}

fn doc_meta(
    tx: &Tx<'_>,
    cache: &mut HashMap<String, documents::DocMeta>,
    doc_id: &str,
) -> ApiResult<documents::DocMeta> {
    if let Some(meta) = cache.get(doc_id) {
        return Ok(meta.clone());
    }
    let meta = documents::get(tx, &DocId(doc_id.to_owned()))?
        .ok_or_else(|| ApiError::Internal("a pulled document has no metadata".into()))?;
    cache.insert(doc_id.to_owned(), meta.clone());
    Ok(meta)
}

fn change(doc_id: &str, meta: &documents::DocMeta, data: Vec<u8>) -> PulledChange {
    PulledChange {
        doc_id: DocId(doc_id.to_owned()),
        kind: meta.kind,
        owner: meta.owner.clone(),
        data,
    }
}
