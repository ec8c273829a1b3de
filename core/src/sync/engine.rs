//! One sync run: push the outbox in batches, sealed, pull pages until the
//! server has nothing more, open and apply each page in one transaction,
//! drop what was revoked or deleted, seal document keys for the grantees the
//! server names, then bring sharing in step. Every request is retried with
//! backoff; pushes are idempotent by bundle id, so a retry never stores twice.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use rapport_crypto::CryptoError;
use rapport_protocol::{
    Bundle, BundleId, CareLink, DocKind, ErrorCode, ItemId, Limits, NeedsWrap, PulledChange,
    Session, SnapshotRequest, SyncRequest, SyncResponse,
};
use reqwest::Method;

use super::authority::{self, Authority, RefusedWrap};
use super::keyring::Keyring;
use super::retry::{retrying, retrying_with};
use super::sealing::{self, Opening};
use super::{SyncClient, SyncError, SyncState, directory, sharing, state, tags_for, upgrade};
use crate::store::IncomingChange;

/// What one sync run moved, in numbers (what the shells show).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncCounts {
    pub pushed: u64,
    pub pulled: u64,
    pub removed: u64,
    /// Pieces from the server that were malformed or failed a check and
    /// were skipped (each also in `refused` when sealing refused it).
    pub rejected: u64,
    /// Document keys sealed for a grantee in this run.
    pub wrapped: u64,
    /// Document keys the server asked this device to seal for someone its
    /// own record does not share them with, refused (each in
    /// `SyncReport::refused_wraps`).
    pub refused_wraps: u64,
    pub requests: u64,
}

/// What one sync run moved: its counts (read through the report:
/// `report.pushed`), and the sealed pieces refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub counts: SyncCounts,
    /// Sealed pieces refused, and why: tampered, moved, replayed into
    /// another document or epoch, or signed by a device the owner never
    /// certified. Nothing of them was applied.
    pub refused: Vec<(ItemId, CryptoError)>,
    /// Keys the server asked for that this account's record does not
    /// authorize: none was sealed. A server that asks for them is lying.
    pub refused_wraps: Vec<RefusedWrap>,
}

impl std::ops::Deref for SyncReport {
    type Target = SyncCounts;

    fn deref(&self) -> &SyncCounts {
        &self.counts
    }
}

/// Leaves room for the request envelope within the server's body limit.
const ENVELOPE_BYTES: u64 = 16 * 1024;
/// Most rounds of "seal the keys the server asked for, push them" in one
/// run (the server names up to 1,000 documents at a time).
const WRAP_ROUNDS: usize = 100;

pub(super) async fn sync_now(client: &SyncClient) -> Result<SyncReport, SyncError> {
    let _one_at_a_time = client.running.lock().await;
    sync_held(client).await
}

/// [`sync_now`] for a caller that already holds `client.running` (replacing
/// the account key syncs first, and nothing may sync between its steps).
pub(super) async fn sync_held(client: &SyncClient) -> Result<SyncReport, SyncError> {
    client.set_status(
        SyncState::Syncing {
            pushed: 0,
            pulled: 0,
        },
        None,
    );
    match run(client).await {
        Ok(report) => {
            let now = Utc::now();
            state::set_last_synced_at(&client.store, now)?;
            client.set_status(SyncState::Idle, Some(now));
            Ok(report)
        }
        Err(err) => {
            let reason = err.to_string();
            let state = match err {
                SyncError::Offline { .. } => SyncState::Offline { reason },
                _ => SyncState::Error { reason },
            };
            client.set_status(state, None);
            Err(err)
        }
    }
}

/// One run's fixed inputs.
struct Run<'a> {
    client: &'a SyncClient,
    session: Session,
    /// `None` on a client that syncs plaintext (see `SyncConfig::end_to_end`).
    keys: Option<Arc<Keyring>>,
    limits: Limits,
}

async fn run(client: &SyncClient) -> Result<SyncReport, SyncError> {
    let session = client.session().ok_or(SyncError::NotSignedIn)?;
    let keys = client.sealing_keys()?;
    let limits = limits(client, &session.token).await?;
    let before = client.traffic().requests;
    if let Some(keys) = &keys {
        directory::publish(client, &session.token, keys).await?;
    }
    let run = Run {
        client,
        session,
        keys,
        limits,
    };
    let mut report = SyncReport::default();
    let reseal = match &run.keys {
        Some(keys) => upgrade::pending(&client.store, keys)?,
        None => Vec::new(),
    };
    exchange(&run, &mut report).await?;
    if !reseal.is_empty() {
        reseal_on_server(&run, reseal).await?;
    }
    upload_snapshots(&run).await?;
    if sharing::reconcile(client, &run.session, false).await? {
        // Grants changed: the server now asks for the grantees' keys.
        exchange(&run, &mut report).await?;
    }
    report.counts.requests = client.traffic().requests - before;
    Ok(report)
}

/// Pushes and pulls until both sides are in step, then seals the document
/// keys the server asked for and pushes them, until it asks for none.
async fn exchange(run: &Run<'_>, report: &mut SyncReport) -> Result<(), SyncError> {
    for _ in 0..WRAP_ROUNDS {
        let needs = push_and_pull(run, report).await?;
        if needs.is_empty() {
            return Ok(());
        }
        let wrapped = wrap_for_grantees(run, &needs, report).await?;
        if wrapped == 0 {
            return Ok(()); // nothing this device can seal now
        }
        report.counts.wrapped += wrapped;
    }
    Ok(())
}

/// Seals each asked-for key for its grantee, whose keys are fetched again
/// and compared with the pinned ones first.
async fn wrap_for_grantees(
    run: &Run<'_>,
    needs: &[NeedsWrap],
    report: &mut SyncReport,
) -> Result<u64, SyncError> {
    let store = &run.client.store;
    let Some(keys) = &run.keys else {
        return Ok(0);
    };
    // The server's list is a hint: each key is sealed only for a recipient
    // this account's own record authorizes (`authority`).
    let links: Vec<CareLink> = run.client.get("v1/links").await?;
    let authority = Authority::of(store, &run.session.account_id, run.session.role, &links)?;
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    for need in needs {
        match authority.check(store, need)? {
            Ok(()) => allowed.push(need.clone()),
            Err(reason) => refused.push(RefusedWrap {
                doc_id: need.doc_id.clone(),
                recipient: need.grantee.clone(),
                epoch: need.epoch,
                reason,
                at: Utc::now(),
            }),
        }
    }
    if !refused.is_empty() {
        tracing::warn!(
            count = refused.len(),
            "refused to seal document keys the server asked for: this record does not share them"
        );
        authority::remember(store, &refused)?;
        report.counts.refused_wraps += refused.len() as u64;
        report.refused_wraps.extend(refused);
    }
    let needs = &allowed[..];
    let mut grantees: Vec<&str> = needs.iter().map(|n| n.grantee.0.as_str()).collect();
    grantees.sort_unstable();
    grantees.dedup();
    let mut wrapped = 0;
    for grantee in grantees {
        let public = match directory::learn(run.client, &run.session.token, grantee).await {
            Ok(public) => public,
            // Not published yet (never synced with this version): its
            // documents wait; the server asks again at a later sync.
            Err(SyncError::Rejected {
                code: ErrorCode::NotFound,
                ..
            }) => {
                tracing::info!(%grantee, "no published keys yet; sealing for it later");
                continue;
            }
            Err(e) => return Err(e),
        };
        // The keys are read in order, then sealed over the cores.
        let mut wanted = Vec::new();
        for need in needs.iter().filter(|n| n.grantee.0 == grantee) {
            wanted.extend(sealing::grantee_wrap(
                store,
                keys,
                &need.doc_id,
                need.epoch,
            )?);
        }
        let sealed =
            sealing::seal_for_grantee(keys, grantee, &public, &wanted, run.limits.wrap_format)?;
        wrapped += sealed.len() as u64;
        sealing::keep_all(store, &sealed, false)?;
    }
    Ok(wrapped)
}

/// The push/pull loop; answers what the server said still needs a wrap.
async fn push_and_pull(
    run: &Run<'_>,
    report: &mut SyncReport,
) -> Result<Vec<NeedsWrap>, SyncError> {
    let client = run.client;
    let store = &client.store;
    let me = run.session.account_id.clone();
    let actor = store.device_actor();
    let mut cursor = state::cursor(store)?;
    let mut needs: Vec<NeedsWrap>;
    let mut stale_tries = 0;
    let mut pull_only = false;
    let mut next_page: Option<NextPage> = None;

    loop {
        // A page asked for ahead was asked with nothing to push: this round
        // sends what it sent.
        let asked_ahead = next_page.take();
        let ahead = asked_ahead.is_some();
        // Push: the oldest pending changes that fit one request, sealed.
        // Changes to documents another account owns are not ours to push.
        let mut push = Vec::new();
        let mut seq_of: HashMap<BundleId, i64> = HashMap::new();
        let mut not_ours = Vec::new();
        let mut budget = run.limits.max_body_bytes.saturating_sub(ENVELOPE_BYTES);
        let pending = if pull_only || ahead {
            Vec::new()
        } else {
            store.pending_changes(0, run.limits.max_batch as usize)?
        };
        for change in pending {
            if store.owner_of(&change.doc_id)?.is_some_and(|o| o != me) {
                not_ours.push(change.seq);
                continue;
            }
            let bundle_id = BundleId(format!("{actor}-{}", change.seq));
            let (epoch, data) = seal_change(run, &change, &bundle_id.0).await?;
            let size = data.len() as u64;
            if size > run.limits.max_bundle_bytes {
                return Err(SyncError::Rejected {
                    code: rapport_protocol::ErrorCode::TooLarge,
                    message: format!(
                        "a change to {} is {size} bytes, more than the server takes",
                        change.doc_id
                    ),
                });
            }
            if size > budget && !push.is_empty() {
                break;
            }
            budget = budget.saturating_sub(size);
            seq_of.insert(bundle_id.clone(), change.seq);
            push.push(Bundle {
                bundle_id,
                doc_id: change.doc_id.clone(),
                kind: change.kind,
                tags: tags_for(store, run.keys.as_deref(), &change.doc_id)?,
                epoch,
                data,
            });
        }
        if !not_ours.is_empty() {
            tracing::warn!(
                count = not_ours.len(),
                "dropping local edits to documents owned by another account"
            );
            store.acknowledge(&not_ours)?;
        }
        // Keys sealed here that the server does not hold yet go first, so
        // that the bundles sealed under them are readable at once.
        let wraps_out = if pull_only || ahead || run.keys.is_none() {
            Vec::new()
        } else {
            // A wrap sealed before another device started a newer epoch
            // (the answer to the push that would have carried it was lost,
            // say) would be refused as stale at every push from now on.
            store.skip_superseded_wraps()?;
            store.wraps_to_upload(crate::sync::MAX_WRAPS_PER_PUSH)?
        };
        let wraps = wraps_out
            .iter()
            .map(|w| sealing::decode_wrap(&w.body))
            .collect::<Result<Vec<_>, _>>()?;
        let pushed_now = push.len();
        let request = SyncRequest {
            cursor: cursor.clone(),
            push,
            wraps,
            limit: Some(run.limits.max_page),
        };
        let answer: Result<SyncResponse, SyncError> = match asked_ahead {
            Some(next) => next.answer().await,
            None => {
                retrying(client, || {
                    client
                        .transport
                        .cbor(Method::POST, "v1/sync", &run.session.token, &request)
                })
                .await
            }
        };
        let response = match answer {
            Err(SyncError::Rejected {
                code: ErrorCode::StaleEpoch,
                ..
            }) if stale_tries < 3 => {
                // Another device started a new epoch: pull its wrap, then
                // seal again and push again.
                stale_tries += 1;
                pull_only = true;
                continue;
            }
            other => other?,
        };
        store.wraps_uploaded(&wraps_out)?;

        let acked: Vec<i64> = response
            .acked
            .iter()
            .filter_map(|id| seq_of.get(id).copied())
            .collect();
        let pushed: Vec<(ItemId, String)> = request
            .push
            .iter()
            .filter(|b| response.acked.contains(&b.bundle_id))
            .map(|b| (b.doc_id.clone(), b.bundle_id.0.clone()))
            .collect();
        store.record_pushed(&pushed)?;
        store.acknowledge(&acked)?;
        report.counts.pushed += acked.len() as u64;

        let owners: Vec<(ItemId, String)> = response
            .changes
            .iter()
            .filter(|c| c.owner != me)
            .map(|c| (c.doc_id.clone(), c.owner.0.clone()))
            .collect();
        store.set_owners(&owners)?;
        if let Some(keys) = &run.keys {
            sealing::receive_wraps(store, keys, &response.wraps)?;
        }
        // More to pull and nothing to push: the next page is asked for now,
        // so that the server reads it while this one is opened and applied.
        if response.more
            && acked.len() == pushed_now
            && store.outbox_len()? == 0
            && (run.keys.is_none() || store.wraps_to_upload(1)?.is_empty())
        {
            next_page = Some(NextPage::ask(run, &response.cursor));
        }
        let incoming = open_page(run, response.changes, report).await?;
        let applied = apply(client, incoming).await?;
        report.counts.pulled += applied.changed.len() as u64;
        report.counts.rejected += applied.rejected.len() as u64;
        for (id, err) in &applied.rejected {
            tracing::warn!(doc = %id, error = %err, "skipped a malformed piece from the server");
        }
        for removal in &response.removed {
            let id = removal.doc_id.clone();
            if let Some(keys) = &run.keys {
                keys.forget(&id);
            }
            if store.remove_local_copy(&id)? {
                report.counts.removed += 1;
            }
        }
        // Each answer lists everything still lacking a wrap: the last one counts.
        needs = response.needs_wraps;
        state::set_cursor(store, &response.cursor)?;
        cursor = Some(response.cursor);
        client.set_status(
            SyncState::Syncing {
                pushed: report.pushed,
                pulled: report.pulled,
            },
            None,
        );

        // A round that pushed nothing looks again for what was written
        // meanwhile.
        let was_pull_only = std::mem::take(&mut pull_only) || ahead;
        let more_to_push = (pushed_now > 0 || was_pull_only) && store.outbox_len()? > 0;
        let more_wraps = !wraps_out.is_empty() && !store.wraps_to_upload(1)?.is_empty();
        if acked.len() < pushed_now {
            return Err(SyncError::Protocol(
                "the server did not acknowledge every pushed change".into(),
            ));
        }
        if !response.more && !more_to_push && !more_wraps {
            break;
        }
    }
    Ok(needs)
}

/// The next page of a pull, asked for while this one is opened and applied
/// (the request carries nothing but the cursor). Dropped unanswered (an
/// error on this page), it is cancelled; the server's answer changes
/// nothing there, and the cursor this device keeps moves only once a page
/// is applied.
struct NextPage(tokio::task::JoinHandle<Result<SyncResponse, SyncError>>);

impl NextPage {
    fn ask(run: &Run<'_>, cursor: &str) -> NextPage {
        let transport = Arc::clone(&run.client.transport);
        let token = run.session.token.clone();
        let config = &run.client.config;
        let (attempts, backoff) = (config.max_attempts, config.retry_backoff);
        let request = SyncRequest {
            cursor: Some(cursor.to_owned()),
            push: Vec::new(),
            wraps: Vec::new(),
            limit: Some(run.limits.max_page),
        };
        NextPage(tokio::spawn(async move {
            retrying_with(attempts, backoff, || {
                transport.cbor(Method::POST, "v1/sync", &token, &request)
            })
            .await
        }))
    }

    async fn answer(mut self) -> Result<SyncResponse, SyncError> {
        (&mut self.0)
            .await
            .map_err(|e| SyncError::Protocol(format!("asking for the next page failed: {e}")))?
    }
}

impl Drop for NextPage {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Seals one outgoing change, learning this account's devices first if a
/// key was sealed by one not seen yet.
async fn seal_change(
    run: &Run<'_>,
    change: &crate::store::OutgoingChange,
    bundle_id: &str,
) -> Result<(u32, Vec<u8>), SyncError> {
    let store = &run.client.store;
    let Some(keys) = &run.keys else {
        return Ok((0, change.data.clone())); // plaintext, as before encryption
    };
    for _ in 0..2 {
        match sealing::seal(
            store,
            keys,
            &change.doc_id,
            change.kind,
            bundle_id,
            &change.data,
        )? {
            Opening::Opened(sealed) => return Ok(sealed),
            Opening::UnknownSigner { account } => {
                directory::learn(run.client, &run.session.token, &account).await?;
            }
            Opening::Refused(err) => return Err(err.into()),
            Opening::Waiting => break,
        }
    }
    Err(SyncError::Protocol(format!(
        "the key of document {} cannot be opened on this device yet; sync again",
        change.doc_id
    )))
}

/// A sealed piece to open: where it waited (if it did), its document, kind,
/// owner, envelope and bytes.
type Piece = (
    Option<i64>,
    ItemId,
    DocKind,
    String,
    sealing::Envelope,
    Vec<u8>,
);

/// Opens a page's sealed pieces, and the pieces that waited for a key that
/// may have arrived with it. A piece without its key yet waits; one that
/// fails a check is refused and reported.
async fn open_page(
    run: &Run<'_>,
    changes: Vec<PulledChange>,
    report: &mut SyncReport,
) -> Result<Vec<IncomingChange>, SyncError> {
    let store = &run.client.store;
    let Some(keys) = &run.keys else {
        // A client that does not seal applies plain bytes and leaves sealed
        // ones aside (it could not open them).
        return Ok(changes
            .into_iter()
            .filter(|c| !rapport_crypto::is_sealed(&c.data))
            .map(|c| IncomingChange {
                doc_id: c.doc_id,
                kind: c.kind,
                data: c.data,
            })
            .collect());
    };
    let mut pieces: Vec<Piece> = Vec::new();
    let waiting = store.waiting_pieces()?;
    for piece in waiting {
        let Some(kind) = DocKind::parse(&piece.kind) else {
            continue;
        };
        let owner = store
            .owner_of(&piece.doc_id)?
            .unwrap_or_else(|| run.session.account_id.clone());
        let envelope = sealing::Envelope {
            bundle_id: piece.bundle_id,
            device_id: piece.device_id,
            epoch: piece.epoch,
        };
        pieces.push((
            Some(piece.seq),
            piece.doc_id,
            kind,
            owner.0,
            envelope,
            piece.data,
        ));
    }
    for change in changes {
        let envelope = sealing::Envelope {
            bundle_id: change.bundle_id.map(|b| b.0).unwrap_or_default(),
            device_id: change.device_id.map(|d| d.0).unwrap_or_default(),
            epoch: change.epoch,
        };
        pieces.push((
            None,
            change.doc_id,
            change.kind,
            change.owner.0,
            envelope,
            change.data,
        ));
    }
    let mut learned: Vec<String> = Vec::new();
    let mut incoming = Vec::new();
    let mut still_waiting = Vec::new();
    let mut done_waiting = Vec::new();
    // The store is read piece by piece; the signatures and seals, which
    // read nothing, are then checked over the cores.
    let mut prepared = Vec::with_capacity(pieces.len());
    let mut seen = sealing::SeenSigners::default();
    for (_, doc, kind, owner, envelope, data) in &pieces {
        prepared.push((
            sealing::prepare(store, keys, &mut seen, doc, *kind, owner, envelope, data)?,
            data.as_slice(),
        ));
    }
    let outcomes = crate::cores::map(prepared, |(prepared, data)| {
        prepared.and_then(|p| p.open(data))
    });
    for ((waited, doc, kind, owner, envelope, data), mut outcome) in
        pieces.into_iter().zip(outcomes)
    {
        // Signed by a device not seen yet: learn the account's devices
        // (once per page) and try again; the pieces were all checked
        // before, so each one from that device comes here.
        if let Opening::UnknownSigner { account } = &outcome {
            if !learned.contains(account) {
                directory::learn(run.client, &run.session.token, account).await?;
                learned.push(account.clone());
            }
            outcome = sealing::open(store, keys, &doc, kind, &owner, &envelope, &data)?;
        }
        match outcome {
            Opening::Opened(plain) => {
                done_waiting.extend(waited);
                incoming.push(IncomingChange {
                    doc_id: doc,
                    kind,
                    data: plain,
                });
            }
            Opening::Waiting => {
                if waited.is_none() {
                    still_waiting.push(crate::store::WaitingPiece {
                        seq: 0,
                        doc_id: doc,
                        kind: kind.as_str().to_owned(),
                        data,
                        bundle_id: envelope.bundle_id,
                        device_id: envelope.device_id,
                        epoch: envelope.epoch,
                    });
                }
            }
            Opening::UnknownSigner { .. } => {
                done_waiting.extend(waited);
                refuse(report, doc, CryptoError::BadSignature { what: "bundle" });
            }
            Opening::Refused(err) => {
                done_waiting.extend(waited);
                refuse(report, doc, err);
            }
        }
    }
    store.keep_waiting(&still_waiting)?;
    store.drop_waiting(&done_waiting)?;
    Ok(incoming)
}

fn refuse(report: &mut SyncReport, doc: ItemId, err: CryptoError) {
    tracing::warn!(doc = %doc, error = %err, "refused a sealed piece from the server");
    report.counts.rejected += 1;
    report.refused.push((doc, err));
}

/// Once this device has pushed this many bundles of one document, it uploads
/// a snapshot so the server can drop them.
pub const SNAPSHOT_AFTER: usize = 32;

/// The upgrade: a sealed snapshot of each document synced in plaintext
/// before, which replaces the plaintext parts on the server. What fails
/// for a reason that may pass is tried again at the next sync.
async fn reseal_on_server(run: &Run<'_>, docs: Vec<ItemId>) -> Result<(), SyncError> {
    let store = &run.client.store;
    let mut left = docs.clone();
    for doc in docs {
        match upload_sealed_snapshot(run, &doc, Vec::new()).await {
            Ok(())
            | Err(SyncError::Rejected {
                code: ErrorCode::NotFound | ErrorCode::Forbidden,
                ..
            }) => left.retain(|d| d != &doc),
            Err(SyncError::Store(crate::error::Error::NotFound { .. })) => {
                left.retain(|d| d != &doc);
            }
            Err(e) => {
                upgrade::set(store, &left)?;
                return Err(e);
            }
        }
        upgrade::set(store, &left)?;
    }
    Ok(())
}

/// Seals the whole document and stores it on the server as a snapshot
/// covering `covers`.
async fn upload_sealed_snapshot(
    run: &Run<'_>,
    doc: &ItemId,
    covers: Vec<String>,
) -> Result<(), SyncError> {
    let client = run.client;
    let (kind, data) = client.store.export_document(doc)?;
    let change = crate::store::OutgoingChange {
        seq: 0,
        doc_id: doc.clone(),
        kind,
        data,
    };
    // A snapshot has no id on the wire: it is sealed with the empty one
    // (a pushed bundle's id is never empty).
    let (epoch, data) = seal_change(run, &change, "").await?;
    let request = SnapshotRequest {
        covers: covers.into_iter().map(BundleId).collect(),
        epoch,
        data,
    };
    let path = format!("v1/documents/{doc}/snapshot");
    let _: serde_json::Value = retrying(client, || {
        client
            .transport
            .cbor(Method::PUT, &path, &run.session.token, &request)
    })
    .await?;
    Ok(())
}

/// Uploads a snapshot of each document with enough pushed bundles, sealed
/// under the document's current key.
async fn upload_snapshots(run: &Run<'_>) -> Result<(), SyncError> {
    let client = run.client;
    let store = &client.store;
    let me = &run.session.account_id;
    for (doc, bundles) in store.pushed_at_least(SNAPSHOT_AFTER)? {
        if store.owner_of(&doc)?.is_some_and(|o| &o != me) {
            store.forget_pushed(&doc, &bundles)?;
            continue;
        }
        let stored = match upload_sealed_snapshot(run, &doc, bundles.clone()).await {
            Err(SyncError::Store(crate::error::Error::NotFound { .. })) => {
                store.forget_pushed(&doc, &bundles)?;
                continue;
            }
            other => other,
        };
        match stored {
            Ok(_) => store.forget_pushed(&doc, &bundles)?,
            // Deleted on the server, too large, or a new epoch started
            // meanwhile: keep the bundles.
            Err(SyncError::Rejected { code, .. }) => {
                tracing::warn!(doc = %doc, ?code, "snapshot refused");
                store.forget_pushed(&doc, &bundles)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Applies a page off the async threads: it is a blocking SQLite transaction.
async fn apply(
    client: &SyncClient,
    incoming: Vec<IncomingChange>,
) -> Result<crate::store::Applied, SyncError> {
    if incoming.is_empty() {
        return Ok(crate::store::Applied::default());
    }
    let store = std::sync::Arc::clone(&client.store);
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::CurrentThread => {
            tokio::task::block_in_place(|| store.apply_batch(&incoming)).map_err(SyncError::from)
        }
        _ => store.apply_batch(&incoming).map_err(SyncError::from),
    }
}

async fn limits(client: &SyncClient, token: &str) -> Result<Limits, SyncError> {
    if let Some(limits) = client.limits.lock().ok().and_then(|l| l.clone()) {
        return Ok(limits);
    }
    let limits: Limits = retrying(client, || {
        client
            .transport
            .json::<(), Limits>(Method::GET, "v1/limits", Some(token), None)
    })
    .await?;
    if let Ok(mut l) = client.limits.lock() {
        *l = Some(limits.clone());
    }
    Ok(limits)
}
