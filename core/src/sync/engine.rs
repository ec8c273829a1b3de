//! One sync run: push the outbox in batches, pull pages until the server has
//! nothing more, apply each page in one transaction, drop what was revoked
//! or deleted, then bring sharing in step. Every request is retried with
//! backoff; pushes are idempotent by bundle id, so a retry never stores twice.

use std::collections::HashMap;
use std::future::Future;

use chrono::Utc;
use rapport_protocol::{
    Bundle, BundleId, DocId, Limits, SnapshotRequest, SyncRequest, SyncResponse,
};
use reqwest::Method;

use super::{SyncClient, SyncError, SyncState, sharing, state, tags_for};
use crate::id::ItemId;
use crate::store::IncomingChange;

/// What one sync run moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u64,
    pub pulled: u64,
    pub removed: u64,
    /// Pieces from the server that were malformed and skipped.
    pub rejected: u64,
    pub requests: u64,
}

/// Leaves room for the request envelope within the server's body limit.
const ENVELOPE_BYTES: u64 = 16 * 1024;

pub(super) async fn sync_now(client: &SyncClient) -> Result<SyncReport, SyncError> {
    let _one_at_a_time = client.running.lock().await;
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

async fn run(client: &SyncClient) -> Result<SyncReport, SyncError> {
    let session = client.session().ok_or(SyncError::NotSignedIn)?;
    let me = session.account_id.0.clone();
    let limits = limits(client, &session.token).await?;
    let store = &client.store;
    let actor = store.device_actor();
    let before = client.traffic().requests;
    let mut report = SyncReport::default();
    let mut cursor = state::cursor(store)?;

    loop {
        // Push: the oldest pending changes that fit one request. Changes to
        // documents another account owns are not ours to push.
        let mut push = Vec::new();
        let mut seq_of: HashMap<BundleId, i64> = HashMap::new();
        let mut not_ours = Vec::new();
        let mut budget = limits.max_body_bytes.saturating_sub(ENVELOPE_BYTES);
        for change in store.pending_changes(0, limits.max_batch as usize)? {
            if store.owner_of(&change.doc_id)?.is_some_and(|o| o != me) {
                not_ours.push(change.seq);
                continue;
            }
            let size = change.data.len() as u64;
            if size > limits.max_bundle_bytes {
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
            let bundle_id = BundleId(format!("{actor}-{}", change.seq));
            seq_of.insert(bundle_id.clone(), change.seq);
            push.push(Bundle {
                bundle_id,
                doc_id: DocId(change.doc_id.to_string()),
                kind: change.kind,
                tags: tags_for(store, &change.doc_id)?,
                data: change.data,
            });
        }
        if !not_ours.is_empty() {
            tracing::warn!(
                count = not_ours.len(),
                "dropping local edits to documents owned by another account"
            );
            store.acknowledge(&not_ours)?;
        }
        let pushed_now = push.len();
        let request = SyncRequest {
            cursor: cursor.clone(),
            push,
            limit: Some(limits.max_page),
        };
        let response: SyncResponse = retrying(client, || {
            client
                .transport
                .cbor(Method::POST, "v1/sync", &session.token, &request)
        })
        .await?;

        let acked: Vec<i64> = response
            .acked
            .iter()
            .filter_map(|id| seq_of.get(id).copied())
            .collect();
        let pushed: Vec<(ItemId, String)> = request
            .push
            .iter()
            .filter(|b| response.acked.contains(&b.bundle_id))
            .map(|b| (ItemId::new(b.doc_id.0.clone()), b.bundle_id.0.clone()))
            .collect();
        store.record_pushed(&pushed)?;
        store.acknowledge(&acked)?;
        report.pushed += acked.len() as u64;

        let owners: Vec<(ItemId, String)> = response
            .changes
            .iter()
            .filter(|c| c.owner.0 != me)
            .map(|c| (ItemId::new(c.doc_id.0.clone()), c.owner.0.clone()))
            .collect();
        store.set_owners(&owners)?;
        let incoming: Vec<IncomingChange> = response
            .changes
            .into_iter()
            .map(|c| IncomingChange {
                doc_id: ItemId::new(c.doc_id.0),
                kind: c.kind,
                data: c.data,
            })
            .collect();
        let applied = apply(client, incoming).await?;
        report.pulled += applied.changed.len() as u64;
        report.rejected += applied.rejected.len() as u64;
        for (id, err) in &applied.rejected {
            tracing::warn!(doc = %id, error = %err, "skipped a malformed piece from the server");
        }
        for removal in &response.removed {
            if store.remove_local_copy(&ItemId::new(removal.doc_id.0.clone()))? {
                report.removed += 1;
            }
        }
        state::set_cursor(store, &response.cursor)?;
        cursor = Some(response.cursor);
        client.set_status(
            SyncState::Syncing {
                pushed: report.pushed,
                pulled: report.pulled,
            },
            None,
        );

        let more_to_push = pushed_now > 0 && store.outbox_len()? > 0;
        if acked.len() < pushed_now {
            return Err(SyncError::Protocol(
                "the server did not acknowledge every pushed change".into(),
            ));
        }
        if !response.more && !more_to_push {
            break;
        }
    }

    upload_snapshots(client, &session.token, &me).await?;
    sharing::reconcile(client, &session, false).await?;
    report.requests = client.traffic().requests - before;
    Ok(report)
}

/// Once this device has pushed this many bundles of one document, it uploads
/// a snapshot so the server can drop them.
pub const SNAPSHOT_AFTER: usize = 32;

/// Uploads a snapshot of each document with enough pushed bundles.
async fn upload_snapshots(client: &SyncClient, token: &str, me: &str) -> Result<(), SyncError> {
    let store = &client.store;
    for (doc, bundles) in store.pushed_at_least(SNAPSHOT_AFTER)? {
        if store.owner_of(&doc)?.is_some_and(|o| o != me) {
            store.forget_pushed(&doc, &bundles)?;
            continue;
        }
        let (_, data) = match store.export_document(&doc) {
            Ok(saved) => saved,
            Err(crate::error::Error::NotFound { .. }) => {
                store.forget_pushed(&doc, &bundles)?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let request = SnapshotRequest {
            covers: bundles.iter().cloned().map(BundleId).collect(),
            data,
        };
        let path = format!("v1/documents/{doc}/snapshot");
        let stored: Result<serde_json::Value, SyncError> = retrying(client, || {
            client.transport.cbor(Method::PUT, &path, token, &request)
        })
        .await;
        match stored {
            Ok(_) => store.forget_pushed(&doc, &bundles)?,
            // Deleted on the server, or too large to send: keep the bundles.
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

/// Runs `call` until it succeeds, fails for good, or runs out of tries.
pub(super) async fn retrying<T, F, Fut>(client: &SyncClient, call: F) -> Result<T, SyncError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, SyncError>>,
{
    let mut pause = client.config.retry_backoff;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(err) if err.is_transient() && attempt < client.config.max_attempts => {
                tracing::debug!(attempt, error = %err, "retrying after a pause");
                tokio::time::sleep(pause).await;
                pause = pause.saturating_mul(2);
                attempt += 1;
            }
            other => return other,
        }
    }
}
