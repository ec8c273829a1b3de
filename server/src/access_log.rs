//! `GET /v1/access-log`: who else read the caller's documents, and when.

use axum::{Json, extract::State};
use rapport_protocol::AccessLogEntry;

use crate::{AppState, auth::Caller, db, error::ApiResult};

/// The newest entries first; at most this many.
const MAX_ENTRIES: u32 = 1000;

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<AccessLogEntry>>> {
    let entries = state
        .db
        .read(move |tx| db::access_log::list(tx, &caller.account_id, MAX_ENTRIES))
        .await?;
    Ok(Json(entries))
}
