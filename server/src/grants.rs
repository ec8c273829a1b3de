//! Sharing: an owner grants a linked account read or write access to one
//! document or to a kind (optionally narrowed by a tag), and may revoke it.

use axum::{Json, extract::State, http::StatusCode};
use rapport_protocol::{Grant, GrantRequest, GrantScope};

use crate::{
    AppState,
    auth::Caller,
    db,
    error::ApiResult,
    extract::{JsonBody, PathParam},
    sync::check_id,
};

/// `POST /v1/grants`
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<GrantRequest>,
) -> ApiResult<(StatusCode, Json<Grant>)> {
    match &req.scope {
        GrantScope::Document { doc_id } => check_id("doc_id", &doc_id.0)?,
        GrantScope::Kind { tag: Some(tag), .. } => check_id("tag", &tag.0)?,
        GrantScope::Kind { tag: None, .. } => {}
    }
    check_id("grantee", &req.grantee.0)?;
    let grant = state
        .db
        .write(move |tx| {
            db::grants::create(tx, &caller.account_id, &req.grantee, &req.scope, req.access)
        })
        .await?;
    tracing::info!(grant = %grant.grant_id, "grant made");
    Ok((StatusCode::CREATED, Json(grant)))
}

/// `GET /v1/grants`: grants the caller gave and was given.
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Grant>>> {
    let grants = state
        .db
        .read(move |tx| db::grants::list(tx, &caller.account_id))
        .await?;
    Ok(Json(grants))
}

/// `DELETE /v1/grants/{id}` (owner)
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(grant_id): PathParam<String>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| db::grants::revoke(tx, &caller.account_id, &grant_id))
        .await?;
    tracing::info!("grant revoked");
    Ok(StatusCode::NO_CONTENT)
}
