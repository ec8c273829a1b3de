//! `POST /v1/sync` (push a batch, pull a page), snapshots and deletion of
//! documents. The server checks sizes and ids; it never looks inside `data`.

use std::sync::Arc;

use axum::{extract::State, http::StatusCode};
use rapport_protocol::{ItemId, MAX_COVERS, MAX_TAGS, SnapshotRequest, SyncRequest, SyncResponse};

use crate::{
    AppState,
    auth::Caller,
    db::{
        self,
        sync::{Mode, PageLimits, Pushed},
    },
    error::{ApiError, ApiResult},
    extract::{Cbor, PathParam},
};

/// Longest id, tag or cursor accepted, in bytes.
const MAX_ID_BYTES: usize = 200;
/// Longest cursor accepted, in bytes: it holds a position per feed (a
/// therapist reads one per client), about a dozen bytes each.
const MAX_CURSOR_BYTES: usize = 64 * 1024;

/// Ids and tags are short printable strings.
pub fn check_id(what: &str, id: &str) -> ApiResult<()> {
    if id.is_empty() || id.len() > MAX_ID_BYTES || id.chars().any(char::is_control) {
        return Err(ApiError::bad_request(format!(
            "{what} must be 1 to {MAX_ID_BYTES} bytes of printable text"
        )));
    }
    Ok(())
}

fn check_data(state: &AppState, what: &str, data: &[u8]) -> ApiResult<()> {
    if data.is_empty() {
        return Err(ApiError::bad_request(format!("{what} carries no data")));
    }
    if data.len() as u64 > state.limits.max_bundle_bytes {
        return Err(ApiError::too_large(format!(
            "{what} is larger than {} bytes; split it",
            state.limits.max_bundle_bytes
        )));
    }
    Ok(())
}

fn check_request(state: &AppState, req: &SyncRequest) -> ApiResult<()> {
    if req.push.len() > state.limits.max_batch as usize {
        return Err(ApiError::too_large(format!(
            "a push may carry at most {} bundles; split the batch",
            state.limits.max_batch
        )));
    }
    if let Some(cursor) = &req.cursor
        && (cursor.is_empty()
            || cursor.len() > MAX_CURSOR_BYTES
            || cursor.chars().any(char::is_control))
    {
        return Err(ApiError::bad_request(format!(
            "the cursor must be 1 to {MAX_CURSOR_BYTES} bytes of printable text"
        )));
    }
    if req.wraps.len() > db::wraps::MAX_WRAPS {
        return Err(ApiError::too_large(format!(
            "a push may carry at most {} wraps; split the batch",
            db::wraps::MAX_WRAPS
        )));
    }
    for wrap in &req.wraps {
        check_id("wrap doc_id", &wrap.doc_id)?;
        check_id("wrap recipient", &wrap.recipient)?;
        check_id("wrap signer", &wrap.signer)?;
    }
    for bundle in &req.push {
        check_id("bundle_id", &bundle.bundle_id.0)?;
        check_id("doc_id", &bundle.doc_id.0)?;
        if bundle.tags.len() > MAX_TAGS {
            return Err(ApiError::bad_request(format!(
                "a bundle may carry at most {MAX_TAGS} tags"
            )));
        }
        for tag in &bundle.tags {
            check_id("tag", &tag.0)?;
        }
        check_data(state, "a bundle", &bundle.data)?;
    }
    Ok(())
}

/// `POST /v1/sync`
pub async fn sync(
    State(state): State<AppState>,
    caller: Caller,
    Cbor(req): Cbor<SyncRequest>,
) -> ApiResult<Cbor<SyncResponse>> {
    check_request(&state, &req)?;
    let limits = PageLimits {
        items: req
            .limit
            .unwrap_or(state.limits.max_page)
            .clamp(1, state.limits.max_page),
        bytes: state.limits.max_body_bytes,
    };
    let pushed = req.push.len();
    let wraps = req.wraps.len();
    let device = caller.device_id.clone();
    let (caller, req) = (Arc::new(caller), Arc::new(req));
    let stored = if req.push.is_empty() && req.wraps.is_empty() {
        Arc::new(Pushed::default())
    } else {
        let (caller, req) = (Arc::clone(&caller), Arc::clone(&req));
        let quota = state.config.max_account_bytes;
        Arc::new(
            state
                .db
                .write(move |tx| db::sync::store_push(tx, &caller, &req, quota))
                .await?,
        )
    };
    // The page is read after the push committed, off the writer; it writes
    // only when the device's view changed or another account's document is
    // delivered (the access log).
    let read = {
        let (caller, req, stored) = (Arc::clone(&caller), Arc::clone(&req), Arc::clone(&stored));
        state
            .db
            .read(move |tx| db::sync::pull_page(tx, &caller, &req, &stored, limits, Mode::Read))
            .await?
    };
    let response = match read {
        Some(response) => response,
        None => state
            .db
            .write(move |tx| db::sync::pull_page(tx, &caller, &req, &stored, limits, Mode::Write))
            .await?
            .ok_or_else(|| ApiError::Internal("a pull that may write gave up".into()))?,
    };
    tracing::info!(
        %device,
        pushed,
        wraps,
        acked = response.acked.len(),
        pulled = response.changes.len(),
        removed = response.removed.len(),
        more = response.more,
        "synced"
    );
    Ok(Cbor(response))
}

/// `PUT /v1/documents/{id}/snapshot` (owner or writer)
pub async fn put_snapshot(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(doc_id): PathParam<String>,
    Cbor(req): Cbor<SnapshotRequest>,
) -> ApiResult<StatusCode> {
    check_id("document id", &doc_id)?;
    check_data(&state, "the snapshot", &req.data)?;
    if req.covers.len() > MAX_COVERS {
        return Err(ApiError::too_large(format!(
            "a snapshot may cover at most {MAX_COVERS} bundles"
        )));
    }
    for bundle in &req.covers {
        check_id("bundle_id", &bundle.0)?;
    }
    let doc_id = ItemId(doc_id);
    let sealed = req.epoch > 0;
    let quota = state.config.max_account_bytes;
    let store = move |tx: &db::Tx<'_>| {
        let snapshot = (req.epoch, req.data.as_slice());
        db::documents::store_snapshot(tx, &caller, &doc_id, &req.covers, snapshot, quota)
    };
    if sealed {
        // A sealed snapshot may replace plaintext parts: checkpoint so that
        // their bytes leave the WAL too.
        state.db.write_deleting(store).await?;
    } else {
        state.db.write(store).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/documents/{id}` (owner)
pub async fn delete_document(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(doc_id): PathParam<String>,
) -> ApiResult<StatusCode> {
    check_id("document id", &doc_id)?;
    let doc_id = ItemId(doc_id);
    state
        .db
        .write_deleting(move |tx| db::documents::delete(tx, &caller.account_id, &doc_id))
        .await?;
    tracing::info!("document deleted");
    Ok(StatusCode::NO_CONTENT)
}
