//! The key directory (`PUT /v1/keys`, `GET /v1/keys/{account}`) and the
//! optional passphrase-sealed backup of the account key
//! (`PUT`/`GET`/`DELETE /v1/keys/backup`). Public keys and sealed bytes
//! only: no secret key ever reaches the server (docs/encryption.md).

use axum::{Json, extract::State, http::StatusCode};
use rapport_protocol::{AccountId, KeyBackup, PublicKeys, PublishKeys, RotateKeys};

use crate::{
    AppState,
    auth::Caller,
    db,
    error::{ApiError, ApiResult},
    extract::{JsonBody, PathParam},
    sync::check_id,
};

/// A sealed backup is a key, a salt, a nonce and parameters: small.
const MAX_BACKUP_BYTES: usize = 1024;

/// `PUT /v1/keys`
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<PublishKeys>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| db::keys::publish(tx, &caller, &req.account, &req.device))
        .await?;
    tracing::info!("keys published");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/keys/rotate`: the account key replaced (a device was lost).
pub async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<RotateKeys>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| db::keys::rotate(tx, &caller, &req.rotation, &req.device, &req.tags))
        .await?;
    tracing::info!("account keys replaced");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/keys/{account}`
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(account): PathParam<String>,
) -> ApiResult<Json<PublicKeys>> {
    check_id("account id", &account)?;
    let account = AccountId(account);
    let keys = state
        .db
        .read(move |tx| db::keys::get(tx, &caller.account_id, &account))
        .await?;
    Ok(Json(keys))
}

/// `PUT /v1/keys/backup`
pub async fn put_backup(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<KeyBackup>,
) -> ApiResult<StatusCode> {
    if req.sealed.is_empty() || req.sealed.len() > MAX_BACKUP_BYTES {
        return Err(ApiError::bad_request(format!(
            "a key backup is 1 to {MAX_BACKUP_BYTES} bytes"
        )));
    }
    state
        .db
        .write(move |tx| db::keys::put_backup(tx, &caller.account_id, &req.sealed))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/keys/backup`
pub async fn get_backup(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<KeyBackup>> {
    let sealed = state
        .db
        .read(move |tx| db::keys::get_backup(tx, &caller.account_id))
        .await?;
    Ok(Json(KeyBackup { sealed }))
}

/// `DELETE /v1/keys/backup`
pub async fn delete_backup(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| db::keys::delete_backup(tx, &caller.account_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
