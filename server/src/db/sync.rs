//! Push, then pull.
//!
//! Everything that can change what a device must hear about takes a number
//! of its feed (the owner account's sequence): bundles, snapshots, and the
//! rows of `device_docs`, which record when a document entered a device's
//! view (delivered whole) and when it left (a removal). A pull returns, feed
//! by feed and in sequence order within each, every such event after the
//! device's position in that feed; the cursor holds one position per feed
//! ([`Cursor`]). Because the view of each device is reconciled with what the
//! account may read before each pull, a grant, a revocation, a newly
//! matching tag or a deletion all show up on the next pull.
//!
//! A push is stored in a write transaction ([`store_push`]); the page is
//! then pulled in a read-only transaction ([`pull_page`]), which writes
//! nothing unless the device's view changes or a document of another account
//! is delivered (the access log): then it runs again as a write
//! ([`pull_page`] answers `None`). An up-to-date device costs one query
//! after its token.

use std::collections::{HashMap, HashSet};

use rapport_protocol::{
    AccountId, Bundle, BundleId, DeviceId, ItemId, PulledChange, Removal, RemovalReason,
    SyncRequest, SyncResponse,
};

use super::{
    Tx, access_log,
    cursor::{Cursor, Partial},
    documents::{self, DocMeta},
    exec::Dialect,
    grants, legacy_seq, next_seq, next_seq_storing, now, over_quota, recount_storage, wraps,
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

/// Whether a sync may write: a read-only one gives up (`None`) where it
/// would have to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Read,
    Write,
}

/// A feed the caller reads, and its last committed sequence number.
#[derive(Debug, Clone, Copy)]
struct Feed {
    num: i64,
    head: i64,
    /// The caller's own feed, when it has ever granted anything: only then
    /// may it owe grantees wraps.
    granting: bool,
}

/// The feeds an account reads: its own, and those of every account that has
/// ever granted it something (revoked grants too: their removals live there).
/// Every change to what the account may read takes a number in one of them.
fn feeds(tx: &Tx<'_>, caller: &Caller, cursor: &Cursor) -> ApiResult<Vec<Feed>> {
    let feeds: Vec<Feed> = tx.query_map(
        "SELECT num, seq,
             CASE WHEN EXISTS (SELECT 1 FROM grants WHERE owner_id = ?1) THEN 1 ELSE 0 END
         FROM feeds WHERE account_id = ?1
         UNION
         SELECT f.num, f.seq, 0 FROM grants g JOIN feeds f ON f.account_id = g.owner_id
         WHERE g.grantee_id = ?1
         ORDER BY 1",
        params![caller.account_id.0],
        |row| {
            Ok(Feed {
                num: row.get(0)?,
                head: row.get(1)?,
                granting: row.get::<i64>(2)? == 1,
            })
        },
    )?;
    let foreign =
        || ApiError::bad_request("the cursor is from another server; sync again without one");
    for (num, seq) in cursor.positions() {
        match feeds.iter().find(|f| f.num == num) {
            Some(feed) if seq <= feed.head => {}
            _ => return Err(foreign()),
        }
    }
    if let Some(partial) = cursor.partial()
        && !feeds
            .iter()
            .any(|f| f.num == partial.feed && partial.whole_seq <= f.head)
    {
        return Err(foreign());
    }
    if let Some(seq) = cursor.legacy()
        && seq > legacy_seq(tx)?
    {
        return Err(foreign());
    }
    Ok(feeds)
}

/// What a push stored: the bundle ids to acknowledge, and where each of the
/// caller's bundles sits (so that the pull does not echo them back).
#[derive(Debug, Default)]
pub struct Pushed {
    pub acked: Vec<BundleId>,
    seqs: HashSet<FeedSeq>,
}

/// Stores the push and the wraps of a request (a write transaction), and
/// records the cursor the device sent as what it holds (for compaction:
/// [`documents::store_snapshot`]). The page is pulled afterwards, in a
/// transaction of its own ([`pull_page`]), so that the single writer (and,
/// on PostgreSQL, the feed's row lock) is held only for what writes.
/// `quota` is the most bytes an account's record may hold
/// (`--max-account-bytes`): a push that would take the record past it is
/// refused whole.
pub fn store_push(
    tx: &Tx<'_>,
    caller: &Caller,
    request: &SyncRequest,
    quota: u64,
) -> ApiResult<Pushed> {
    let cursor = Cursor::parse(request.cursor.as_deref())?;
    // The token was checked before this transaction began: the account may
    // have been deleted, or the device signed out, since.
    still_signed_in(tx, caller)?;
    // A device left with a replaced account key seals under keys a lost
    // device may hold: nothing of it is stored until it has the new key.
    super::keys::check_current(tx, caller)?;
    // A cursor from another server is refused before anything is stored.
    feeds(tx, caller, &cursor)?;
    let (acked, seqs) = push(tx, caller, &request.push, quota)?;
    wraps::store(tx, caller, &request.wraps)?;
    if let Some(text) = &request.cursor {
        tx.execute(
            "UPDATE devices SET acked_cursor = ?1
             WHERE id = ?2 AND (acked_cursor IS NULL OR acked_cursor <> ?1)",
            params![text, caller.device_id.0],
        )?;
    }
    Ok(Pushed { acked, seqs })
}

/// Pulls one page for the calling device, after `pushed` (empty for a pull
/// alone). In [`Mode::Read`] it answers `None` where it would write: the
/// device's view changed, or a document of another account is delivered.
pub fn pull_page(
    tx: &Tx<'_>,
    caller: &Caller,
    request: &SyncRequest,
    pushed: &Pushed,
    limits: PageLimits,
    mode: Mode,
) -> ApiResult<Option<SyncResponse>> {
    let cursor = Cursor::parse(request.cursor.as_deref())?;
    // Told on a pull too, so a device that only reads learns it needs the
    // new key rather than failing to open what arrives.
    super::keys::check_current(tx, caller)?;
    let feeds = feeds(tx, caller, &cursor)?;
    if mode == Mode::Read && !cursor.is_start() && feeds.iter().all(|f| cursor.at(f.num) == f.head)
    {
        // Up to date: nothing in any feed it reads moved, so neither did
        // its view.
        let cursor = Cursor::from_positions(feeds.iter().map(|f| (f.num, f.head)));
        return Ok(Some(SyncResponse {
            cursor: cursor.encode(),
            acked: pushed.acked.clone(),
            ..SyncResponse::default()
        }));
    }
    // When nothing moved in the feeds it reads but what this very push
    // stored (to documents it holds), its view cannot have changed: the
    // reconciliation, which reads every document it may read, is skipped.
    // Any other event (another device's document, a grant, a deletion, a
    // number a retry left unused) makes the counts differ.
    let only_its_push = !cursor.is_start()
        && !pushed.seqs.is_empty()
        && feeds.iter().all(|f| {
            let from = cursor.at(f.num);
            let ours = pushed
                .seqs
                .iter()
                .filter(|(feed, seq)| *feed == f.num && *seq > from)
                .count();
            usize::try_from(f.head - from).is_ok_and(|moved| moved == ours)
        });
    if !only_its_push && !reconcile(tx, caller, mode)? {
        return Ok(None);
    }
    // The view's changes took numbers: read the heads again.
    let feeds = match mode {
        Mode::Read => feeds,
        Mode::Write => self::feeds(tx, caller, &cursor)?,
    };
    let Some(mut response) = pull(tx, caller, &cursor, &feeds, &pushed.seqs, limits, mode)? else {
        return Ok(None);
    };
    response.acked.clone_from(&pushed.acked);
    if feeds.iter().any(|f| f.granting) {
        response.needs_wraps = wraps::needed(tx, &caller.account_id)?;
    }
    Ok(Some(response))
}

/// Refuses a caller whose device was signed out or whose account was
/// deleted after its token was checked.
fn still_signed_in(tx: &Tx<'_>, caller: &Caller) -> ApiResult<()> {
    tx.query_opt(
        "SELECT 1 FROM devices WHERE id = ?1 AND revoked_at IS NULL",
        params![caller.device_id.0],
        |row| row.get::<i64>(0),
    )?
    .map(|_| ())
    .ok_or(ApiError::Unauthorized)
}

/// A position in a feed: (feed, seq).
type FeedSeq = (i64, i64);

/// Stores the batch; every bundle is checked before anything is kept (the
/// caller's transaction rolls back on the first error). Answers the bundle
/// ids to acknowledge and where each was stored.
fn push(
    tx: &Tx<'_>,
    caller: &Caller,
    bundles: &[Bundle],
    quota: u64,
) -> ApiResult<(Vec<BundleId>, HashSet<FeedSeq>)> {
    let me = &caller.account_id;
    let mut acked = Vec::new();
    let mut seen = HashSet::new();
    let mut pushed_seqs = HashSet::new();
    // Feeds whose storage count took bytes that were not stored (a bundle
    // stored before): counted again from their data at the end.
    let mut recount = HashSet::new();
    let size = |bundle: &Bundle| bundle.data.len() as u64;
    for bundle in bundles {
        if !seen.insert((&bundle.doc_id, &bundle.bundle_id)) {
            continue;
        }
        let mut doc = documents::get(tx, &bundle.doc_id)?;
        if doc.is_none() {
            // Another process may create the same document at the same time
            // (two devices of one account): the primary key decides, and the
            // loser goes on as for an existing document.
            let seq = next_seq_storing(tx, caller.feed, size(bundle), quota)?
                .ok_or_else(|| over_quota(quota))?;
            if tx.dialect() == Dialect::Postgres {
                // The number locks the feed, which deleting the account
                // takes first: look again now that it cannot change.
                still_signed_in(tx, caller)?;
            }
            if documents::create(tx, &bundle.doc_id, me, bundle.kind, seq)? {
                let created = DocMeta {
                    owner: me.clone(),
                    kind: bundle.kind,
                    deleted_seq: None,
                    feed: caller.feed,
                    epoch: 0,
                    tagged: false,
                };
                documents::update_from_owner(
                    tx,
                    &created,
                    &bundle.doc_id,
                    bundle.kind,
                    bundle.epoch,
                    &bundle.tags,
                )?;
                insert_bundle(tx, caller, bundle, (caller.feed, seq))?;
                // The creating device holds the document from its first bundle.
                tx.execute(
                    "INSERT INTO device_docs (device_id, doc_id, active, whole, since_seq, feed)
                     VALUES (?1, ?2, 1, 0, ?3, ?4)",
                    params![caller.device_id.0, bundle.doc_id.0, seq, caller.feed],
                )?;
                pushed_seqs.insert((caller.feed, seq));
                acked.push(bundle.bundle_id.clone());
                continue;
            }
            // Lost the race: the bytes counted above are counted below again.
            recount.insert(caller.feed);
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
        } else if let Err(stale) = wraps::check_epoch(&doc, &bundle.doc_id, bundle.epoch) {
            // A retry of a bundle stored before the key epoch moved on is
            // acknowledged; a new bundle of an old epoch is refused.
            pushed_seqs.insert(stored_seq(tx, bundle)?.ok_or(stale)?);
        } else {
            let Some(seq) = next_seq_storing(tx, doc.feed, size(bundle), quota)? else {
                // At the quota: a retry of a bundle stored before is still
                // acknowledged; anything new is refused.
                let stored = stored_seq(tx, bundle)?.ok_or_else(|| over_quota(quota))?;
                recount.insert(doc.feed);
                pushed_seqs.insert(stored);
                acked.push(bundle.bundle_id.clone());
                continue;
            };
            let at = (doc.feed, seq);
            // The number locks the feed's row, which a deletion or a
            // revocation of this document also takes: on PostgreSQL (READ
            // COMMITTED) what was read above may have changed while this
            // waited, so look again now that nothing else can change it.
            // SQLite's single writer makes the first look final.
            let doc = if tx.dialect() == Dialect::Postgres {
                match documents::get(tx, &bundle.doc_id)? {
                    Some(now) if now.deleted_seq.is_none() => {
                        wraps::check_epoch(&now, &bundle.doc_id, bundle.epoch)?;
                        if !owner && !grants::can_write(tx, me, &bundle.doc_id)? {
                            return Err(ApiError::forbidden(format!(
                                "you may not write document {}; nothing of this push was stored",
                                bundle.doc_id
                            )));
                        }
                        now
                    }
                    // Deleted meanwhile: acknowledged and dropped, as above.
                    _ => {
                        acked.push(bundle.bundle_id.clone());
                        continue;
                    }
                }
            } else {
                doc
            };
            match insert_bundle(tx, caller, bundle, at)? {
                // Stored before (a retry), or meanwhile by a concurrent push
                // of the same bundle through another process: the unique
                // constraint keeps one copy; `seq` stays unused, a harmless
                // gap.
                Some(stored) => {
                    recount.insert(doc.feed);
                    pushed_seqs.insert(stored);
                }
                None => {
                    pushed_seqs.insert(at);
                    if owner {
                        documents::update_from_owner(
                            tx,
                            &doc,
                            &bundle.doc_id,
                            bundle.kind,
                            bundle.epoch,
                            &bundle.tags,
                        )?;
                    }
                }
            }
        }
        acked.push(bundle.bundle_id.clone());
    }
    for feed in recount {
        if recount_storage(tx, feed)? > quota {
            return Err(over_quota(quota));
        }
    }
    Ok((acked, pushed_seqs))
}

fn stored_seq(tx: &Tx<'_>, bundle: &Bundle) -> ApiResult<Option<FeedSeq>> {
    tx.query_opt(
        "SELECT feed, seq FROM bundles WHERE doc_id = ?1 AND bundle_id = ?2",
        params![bundle.doc_id.0, bundle.bundle_id.0],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// Stores a bundle at `at`; if the same bundle id is already stored for the
/// document, stores nothing and returns where the stored one is.
fn insert_bundle(
    tx: &Tx<'_>,
    caller: &Caller,
    bundle: &Bundle,
    (feed, seq): FeedSeq,
) -> ApiResult<Option<FeedSeq>> {
    let inserted = tx.execute(
        "INSERT INTO bundles (feed, seq, doc_id, bundle_id, device_id, data, pushed_at, epoch)
         VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6, ?8)
         ON CONFLICT (doc_id, bundle_id) DO NOTHING",
        params![
            seq,
            bundle.doc_id.0,
            bundle.bundle_id.0,
            caller.device_id.0,
            bundle.data,
            now().to_rfc3339(),
            feed,
            bundle.epoch
        ],
    )?;
    if inserted == 1 {
        return Ok(None);
    }
    stored_seq(tx, bundle)?
        .map(Some)
        .ok_or_else(|| ApiError::Internal("a conflicting bundle vanished".into()))
}

/// Every live document the account may read: its own and those granted
/// (by a grant whose care link is still active).
const READABLE: &str = concat!(
    "
    SELECT d.id FROM documents d WHERE d.owner_id = ?1 AND d.deleted_seq IS NULL
    UNION
    SELECT d.id FROM grants g JOIN documents d ON d.owner_id = g.owner_id
    WHERE g.grantee_id = ?1 AND d.deleted_seq IS NULL AND ",
    grants::grant_linked!(),
    " AND (
        (g.scope = 'document' AND g.doc_id = d.id AND g.revoked_seq IS NULL)
        OR (g.scope = 'kind' AND g.kind = d.kind AND g.revoked_seq IS NULL AND (g.tag IS NULL
            OR EXISTS (SELECT 1 FROM doc_tags t WHERE t.doc_id = d.id AND t.tag = g.tag))))"
);

/// Brings the device's view in line with what the account may read now.
/// False, with nothing changed, when it would have to write in [`Mode::Read`].
fn reconcile(tx: &Tx<'_>, caller: &Caller, mode: Mode) -> ApiResult<bool> {
    let params = params![caller.account_id.0, caller.device_id.0];
    // One query: (0, document, -, feed) for each that arrived, (1,
    // document, deleted, feed) for each that left; each in feed order, so
    // that transactions take feed locks in one order.
    let changes: Vec<(i64, String, i64, i64)> = tx.query_map(
        &format!(
            "SELECT 0, r.id, 0, f.num FROM ({READABLE}) r
             JOIN documents d ON d.id = r.id JOIN feeds f ON f.account_id = d.owner_id
             WHERE NOT EXISTS (SELECT 1 FROM device_docs dd
             WHERE dd.device_id = ?2 AND dd.doc_id = r.id AND dd.active = 1)
             UNION ALL
             SELECT 1, dd.doc_id, CASE WHEN d.deleted_seq IS NULL THEN 0 ELSE 1 END, dd.feed
             FROM device_docs dd
             LEFT JOIN documents d ON d.id = dd.doc_id
             WHERE dd.device_id = ?2 AND dd.active = 1 AND dd.doc_id NOT IN ({READABLE})
             ORDER BY 1, 4, 2"
        ),
        params,
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    )?;
    let (arrived, left): (Vec<_>, Vec<_>) = changes.into_iter().partition(|c| c.0 == 0);
    if arrived.is_empty() && left.is_empty() {
        return Ok(true);
    }
    if mode == Mode::Read {
        return Ok(false);
    }
    for (_, doc_id, _, feed) in arrived {
        let seq = next_seq(tx, feed)?;
        tx.execute(
            "INSERT INTO device_docs (device_id, doc_id, active, whole, since_seq, feed)
             VALUES (?1, ?2, 1, 1, ?3, ?4)
             ON CONFLICT (device_id, doc_id) DO UPDATE SET active = 1, whole = 1,
                 since_seq = excluded.since_seq, removed_seq = NULL, removed_reason = NULL",
            params![caller.device_id.0, doc_id, seq, feed],
        )?;
    }
    for (_, doc_id, deleted, feed) in left {
        let seq = next_seq(tx, feed)?;
        tx.execute(
            "UPDATE device_docs SET active = 0, removed_seq = ?1, removed_reason = ?2
             WHERE device_id = ?3 AND doc_id = ?4",
            params![
                seq,
                if deleted == 1 { "deleted" } else { "revoked" },
                caller.device_id.0,
                doc_id
            ],
        )?;
    }
    Ok(true)
}

#[derive(Debug)]
enum Event {
    /// The document entered the device's view: send every part up to `seq`.
    Whole { doc_id: String },
    /// One bundle or snapshot, by table and sequence number.
    Part { table: &'static str, doc_id: String },
    /// A document key sealed for the caller's account.
    Wrap,
    Removed {
        doc_id: String,
        reason: RemovalReason,
    },
}

/// The page being filled, across feeds.
#[derive(Default)]
struct Page {
    response: SyncResponse,
    items: u64,
    bytes: u64,
    docs: HashMap<String, documents::DocMeta>,
    /// Documents of other accounts delivered (for their owners' access log).
    read_docs: Vec<(ItemId, AccountId, rapport_protocol::DocKind)>,
    /// A document delivered whole that did not fit: how far this page got.
    partial: Option<Partial>,
}

/// One page: each feed in turn, from the device's position in it, until the
/// page is full. The cursor moves in every feed the page covers.
fn pull(
    tx: &Tx<'_>,
    caller: &Caller,
    cursor: &Cursor,
    feeds: &[Feed],
    pushed_seqs: &HashSet<FeedSeq>,
    limits: PageLimits,
    mode: Mode,
) -> ApiResult<Option<SyncResponse>> {
    let mut page = Page::default();
    let mut positions = Vec::with_capacity(feeds.len());
    for feed in feeds {
        let from = cursor.at(feed.num);
        let to = if page.response.more || from == feed.head {
            from
        } else {
            let partial = cursor.partial().filter(|p| p.feed == feed.num);
            pull_feed(
                tx,
                caller,
                *feed,
                from,
                partial,
                pushed_seqs,
                limits,
                &mut page,
            )?
        };
        positions.push((feed.num, to));
    }
    if !page.read_docs.is_empty() {
        if mode == Mode::Read {
            return Ok(None);
        }
        let at = now();
        for (doc_id, owner, kind) in &page.read_docs {
            access_log::record(tx, owner, &caller.account_id, doc_id, *kind, at)?;
        }
    }
    page.response.cursor = Cursor::from_positions(positions)
        .with_partial(page.partial)
        .encode();
    Ok(Some(page.response))
}

/// The events of one feed after a position, in one query: five streams,
/// each in sequence order and cut at `?3` rows: (stream, seq, doc_id, n).
/// 0: documents that entered the view (delivered whole; `?6` is one a
/// previous page sent part of); 1 and 2: bundles and snapshots (n: bytes);
/// 3: wraps for the account `?7`; 4: removals (n: 1 deleted, 0 revoked).
const EVENTS: &str = "
    SELECT * FROM (SELECT 0 AS stream, dd.since_seq AS seq, dd.doc_id AS doc_id,
            CAST(0 AS BIGINT) AS n
        FROM device_docs dd WHERE dd.device_id = ?1 AND dd.feed = ?5 AND dd.active = 1
          AND dd.since_seq > ?2 AND dd.since_seq <= ?4
          AND (dd.whole = 1 OR ?2 = 0 OR dd.since_seq = ?6)
        ORDER BY dd.since_seq LIMIT ?3) AS whole_docs
    UNION ALL SELECT * FROM (SELECT 1, p.seq, p.doc_id, CAST(length(p.data) AS BIGINT)
        FROM bundles p
        JOIN device_docs dd ON dd.device_id = ?1 AND dd.doc_id = p.doc_id AND dd.active = 1
        WHERE p.feed = ?5 AND p.seq > ?2 AND p.seq <= ?4 AND p.seq > dd.since_seq
          AND p.data IS NOT NULL AND NOT (p.device_id = ?1 AND ?2 > 0)
        ORDER BY p.seq LIMIT ?3) AS bundle_parts
    UNION ALL SELECT * FROM (SELECT 2, p.seq, p.doc_id, CAST(length(p.data) AS BIGINT)
        FROM snapshots p
        JOIN device_docs dd ON dd.device_id = ?1 AND dd.doc_id = p.doc_id AND dd.active = 1
        WHERE p.feed = ?5 AND p.seq > ?2 AND p.seq <= ?4 AND p.seq > dd.since_seq
          AND p.data IS NOT NULL AND NOT (p.device_id = ?1 AND ?2 > 0)
        ORDER BY p.seq LIMIT ?3) AS snapshot_parts
    UNION ALL SELECT * FROM (SELECT 3, w.seq, w.doc_id, CAST(length(w.body) AS BIGINT)
        FROM wraps w
        JOIN device_docs dd ON dd.device_id = ?1 AND dd.doc_id = w.doc_id AND dd.active = 1
        WHERE w.feed = ?5 AND w.recipient_id = ?7 AND w.seq > ?2 AND w.seq <= ?4
          AND w.seq > dd.since_seq AND w.device_id <> ?1
        ORDER BY w.seq LIMIT ?3) AS wrap_events
    UNION ALL SELECT * FROM (SELECT 4, removed_seq, doc_id,
            CAST(CASE WHEN removed_reason = 'deleted' THEN 1 ELSE 0 END AS BIGINT)
        FROM device_docs
        WHERE device_id = ?1 AND feed = ?5 AND active = 0 AND ?2 > 0 AND removed_seq > ?2
          AND removed_seq <= ?4
        ORDER BY removed_seq LIMIT ?3) AS removals";

/// Adds the events of one feed after `from` to the page; the position in the
/// feed the page reaches (and `more` set if it stopped short of the head).
/// `partial` names a document delivered whole of which the last page sent
/// only the first parts (it is the event right after `from`).
#[allow(clippy::too_many_arguments)]
fn pull_feed(
    tx: &Tx<'_>,
    caller: &Caller,
    feed: Feed,
    from: i64,
    partial: Option<Partial>,
    pushed_seqs: &HashSet<FeedSeq>,
    limits: PageLimits,
    page: &mut Page,
) -> ApiResult<i64> {
    // Every event of the feed up to `head` has committed (a feed's numbers
    // commit in order); later ones may commit while this pull runs, on
    // PostgreSQL, and wait for the next pull.
    let head = feed.head;
    let fetch = i64::from(limits.items) + 1;
    let device = &caller.device_id.0;
    let rows: Vec<(i64, i64, String, i64)> = tx.query_map(
        EVENTS,
        params![
            device,
            from,
            fetch,
            head,
            feed.num,
            partial.map_or(-1, |p| p.whole_seq),
            caller.account_id.0
        ],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    )?;
    // The events of a stream cut at `fetch` rows are complete only up to its
    // last row; the page may not run past the lowest such horizon.
    let mut horizon = i64::MAX;
    for stream in 0..5 {
        let cut: Vec<i64> = rows
            .iter()
            .filter(|(s, ..)| *s == stream)
            .map(|(_, seq, ..)| *seq)
            .collect();
        if cut.len() as i64 >= fetch
            && let Some(last) = cut.iter().max()
        {
            horizon = horizon.min(*last);
        }
    }
    let mut events: Vec<(i64, u64, Event)> = rows
        .into_iter()
        .map(|(stream, seq, doc_id, n)| {
            let size = u64::try_from(n).unwrap_or(0);
            let event = match stream {
                0 => Event::Whole { doc_id },
                1 => Event::Part {
                    table: "bundles",
                    doc_id,
                },
                2 => Event::Part {
                    table: "snapshots",
                    doc_id,
                },
                3 => Event::Wrap,
                _ => Event::Removed {
                    doc_id,
                    reason: if n == 1 {
                        RemovalReason::Deleted
                    } else {
                        RemovalReason::Revoked
                    },
                },
            };
            (seq, if stream == 4 { 0 } else { size }, event)
        })
        .collect();
    events.sort_by_key(|(seq, _, _)| *seq);

    let own_part = |device_id: &str, seq: i64| {
        device_id == device.as_str()
            && ((from > 0 && seq > from) || pushed_seqs.contains(&(feed.num, seq)))
    };
    let mut page_end = head;
    for (seq, size, event) in events {
        if seq > horizon {
            page_end = horizon;
            page.response.more = true;
            break;
        }
        if let Event::Whole { doc_id } = &event {
            let sent = partial.filter(|p| p.whole_seq == seq).map(|p| p.sent);
            let outcome = pull_whole(
                tx,
                caller,
                feed,
                seq,
                doc_id,
                sent,
                pushed_seqs,
                limits,
                page,
            )?;
            match outcome {
                Whole::Sent => continue,
                // The next page starts with it, or goes on with it.
                Whole::Later | Whole::Partly => {
                    page_end = seq - 1;
                    page.response.more = true;
                    break;
                }
            }
        }
        if page.items > 0
            && (page.items + 1 > u64::from(limits.items) || page.bytes + size > limits.bytes)
        {
            page_end = seq - 1;
            page.response.more = true;
            break;
        }
        page.items += 1;
        page.bytes += size;
        match event {
            Event::Removed { doc_id, reason } => {
                page.response.removed.push(Removal {
                    doc_id: ItemId(doc_id),
                    reason,
                });
            }
            Event::Wrap => {
                let body: Vec<u8> = tx.query_row(
                    "SELECT body FROM wraps WHERE feed = ?1 AND seq = ?2",
                    params![feed.num, seq],
                    |row| row.get(0),
                )?;
                page.response.wraps.push(wraps::decode(&body)?);
            }
            Event::Part { table, doc_id } => {
                let part = stored_part(tx, table, feed.num, seq)?;
                if !own_part(&part.device_id, seq) {
                    let meta = doc_meta(tx, &mut page.docs, &doc_id)?;
                    page.response.changes.push(change(&doc_id, &meta, part));
                    note_read(tx, caller, page, &doc_id)?;
                }
            }
            // Sent above.
            Event::Whole { .. } => {}
        }
    }
    Ok(page_end.max(from))
}

/// Notes a document of another account delivered, for its owner's access log.
fn note_read(tx: &Tx<'_>, caller: &Caller, page: &mut Page, doc_id: &str) -> ApiResult<()> {
    let meta = doc_meta(tx, &mut page.docs, doc_id)?;
    if meta.owner != caller.account_id && !page.read_docs.iter().any(|(d, _, _)| d.0 == doc_id) {
        page.read_docs
            .push((ItemId(doc_id.to_owned()), meta.owner.clone(), meta.kind));
    }
    Ok(())
}

/// What became of a document to deliver whole.
enum Whole {
    /// Sent (what was left of it).
    Sent,
    /// Its first parts sent, and the page is full: [`Page::partial`] notes
    /// how far it got.
    Partly,
    /// It does not fit on this page: the next page starts with it.
    Later,
}

/// Sends the parts of a document that entered the device's view (at `seq`),
/// after those a previous page `sent`. Whatever its size, a page carries at
/// least one part, so a document larger than a page arrives over several.
#[allow(clippy::too_many_arguments)]
fn pull_whole(
    tx: &Tx<'_>,
    caller: &Caller,
    feed: Feed,
    seq: i64,
    doc_id: &str,
    sent: Option<(i64, i64)>,
    pushed_seqs: &HashSet<FeedSeq>,
    limits: PageLimits,
    page: &mut Page,
) -> ApiResult<Whole> {
    let device = caller.device_id.0.as_str();
    let parts: Vec<WholePart> = whole_parts(tx, doc_id, seq)?
        .into_iter()
        .filter(|p| sent.is_none_or(|s| (p.order, p.seq) > s))
        // What the device pushed in this very request it has.
        .filter(|p| !(p.device_id == device && pushed_seqs.contains(&(feed.num, p.seq))))
        .collect();
    let cost = parts.len().max(1) as u64;
    let size: u64 = parts.iter().map(|p| p.size).sum();
    let fits = page.items + cost <= u64::from(limits.items) && page.bytes + size <= limits.bytes;
    if page.items > 0 && !fits {
        return Ok(Whole::Later);
    }
    let meta = doc_meta(tx, &mut page.docs, doc_id)?;
    if sent.is_none() {
        page.response
            .wraps
            .extend(wraps::of_document(tx, doc_id, &caller.account_id, seq)?);
    }
    if parts.is_empty() {
        page.items += 1;
        return Ok(Whole::Sent);
    }
    let mut last_sent = None;
    for part in &parts {
        if let Some(sent) = last_sent
            && (page.items + 1 > u64::from(limits.items) || page.bytes + part.size > limits.bytes)
        {
            page.partial = Some(Partial {
                feed: feed.num,
                whole_seq: seq,
                sent,
            });
            note_read(tx, caller, page, doc_id)?;
            return Ok(Whole::Partly);
        }
        let table = if part.order == 0 {
            "snapshots"
        } else {
            "bundles"
        };
        let stored = stored_part(tx, table, feed.num, part.seq)?;
        page.response.changes.push(change(doc_id, &meta, stored));
        page.items += 1;
        page.bytes += part.size;
        last_sent = Some((part.order, part.seq));
    }
    note_read(tx, caller, page, doc_id)?;
    Ok(Whole::Sent)
}

/// One part of a document delivered whole, without its bytes.
struct WholePart {
    /// Snapshots (0) come before bundles (1).
    order: i64,
    seq: i64,
    device_id: String,
    size: u64,
}

/// The snapshots, then the bundles, of a document up to `up_to`, each in
/// sequence order: a saved document first, then the changes after it.
fn whole_parts(tx: &Tx<'_>, doc_id: &str, up_to: i64) -> ApiResult<Vec<WholePart>> {
    tx.query_map(
        "SELECT 0, seq, device_id, length(data) FROM snapshots WHERE doc_id = ?1 AND seq <= ?2
         UNION ALL
         SELECT 1, seq, device_id, length(data) FROM bundles
         WHERE doc_id = ?1 AND seq <= ?2 AND data IS NOT NULL
         ORDER BY 1, 2",
        params![doc_id, up_to],
        |row| {
            Ok(WholePart {
                order: row.get(0)?,
                seq: row.get(1)?,
                device_id: row.get(2)?,
                size: u64::try_from(row.get::<i64>(3)?).unwrap_or(0),
            })
        },
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
    let meta = documents::get(tx, &ItemId(doc_id.to_owned()))?
        .ok_or_else(|| ApiError::Internal("a pulled document has no metadata".into()))?;
    cache.insert(doc_id.to_owned(), meta.clone());
    Ok(meta)
}

/// A bundle or snapshot as stored, with what its envelope carries.
struct StoredPart {
    /// `None` for a snapshot.
    bundle_id: Option<String>,
    device_id: String,
    epoch: i64,
    data: Vec<u8>,
}

fn stored_part(tx: &Tx<'_>, table: &str, feed: i64, seq: i64) -> ApiResult<StoredPart> {
    let bundle_id = if table == "bundles" {
        "bundle_id"
    } else {
        "CAST(NULL AS TEXT)"
    };
    tx.query_row(
        &format!(
            "SELECT {bundle_id}, device_id, epoch, data FROM {table} WHERE feed = ?1 AND seq = ?2"
        ),
        params![feed, seq],
        |row| {
            Ok(StoredPart {
                bundle_id: row.get(0)?,
                device_id: row.get(1)?,
                epoch: row.get(2)?,
                data: row.get(3)?,
            })
        },
    )
}

fn change(doc_id: &str, meta: &documents::DocMeta, part: StoredPart) -> PulledChange {
    PulledChange {
        doc_id: ItemId(doc_id.to_owned()),
        kind: meta.kind,
        owner: meta.owner.clone(),
        data: part.data,
        bundle_id: part.bundle_id.map(BundleId),
        device_id: Some(DeviceId(part.device_id)),
        epoch: u32::try_from(part.epoch).unwrap_or(0),
    }
}
