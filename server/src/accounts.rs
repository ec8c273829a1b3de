//! Sign-up, sign-in, sign-out, and the devices signed in to an account.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use rapport_protocol::{Device, Session, SignInRequest, SignUpRequest};

use crate::{
    AppState,
    auth::{self, Caller},
    db,
    error::{ApiError, ApiResult},
    extract::JsonBody,
};

fn normalise_email(email: &str) -> ApiResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(ApiError::bad_request("enter a valid email address"))
    }
}

fn check_name(what: &str, name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request(format!(
            "the {what} must have 1 to 100 characters"
        )));
    }
    Ok(name.to_owned())
}

fn check_password(password: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if !(8..=1024).contains(&n) {
        return Err(ApiError::bad_request(
            "the password must have 8 to 1024 characters",
        ));
    }
    Ok(())
}

async fn new_session(
    state: &AppState,
    account_id: rapport_protocol::AccountId,
    role: rapport_protocol::Role,
    device_name: String,
) -> ApiResult<Session> {
    let token = auth::new_token()?;
    let token_hash = auth::hash_secret(&token);
    let account = account_id.clone();
    let device_id = state
        .db
        .write(move |tx| db::accounts::create_device(tx, &account, &device_name, &token_hash))
        .await?;
    Ok(Session {
        account_id,
        role,
        device_id,
        token,
    })
}

/// `POST /v1/accounts`: creates an account and signs the device in.
pub async fn sign_up(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<SignUpRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let email = normalise_email(&req.email)?;
    let display_name = check_name("display name", &req.display_name)?;
    check_password(&req.password)?;
    let hash = state.passwords.hash(req.password).await?;
    let role = req.role;
    let account_id = state
        .db
        .write(move |tx| db::accounts::create_account(tx, &email, &hash, role, &display_name))
        .await?;
    tracing::info!(account = %account_id, ?role, "account created");
    let session = new_session(&state, account_id, role, "first device".to_owned()).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// Checks an email and password, under the account's failure count
/// ([`crate::lockout`]) and the hashing gate; `BadCredentials` if wrong.
pub async fn verify_credentials(
    state: &AppState,
    email: &str,
    password: String,
) -> ApiResult<(rapport_protocol::AccountId, rapport_protocol::Role)> {
    state.lockout.check(email)?;
    let wanted = email.to_owned();
    let found = state
        .db
        .read(move |tx| db::accounts::find_by_email(tx, &wanted))
        .await?;
    let stored = found
        .as_ref()
        // An unknown email is checked against a hash no password matches, so that
        // it takes as long as a wrong password.
        .map_or(state.dummy_hash.to_string(), |(_, _, hash)| hash.clone());
    let ok = state.passwords.verify(password, stored).await?;
    match found.filter(|_| ok) {
        Some((account_id, role, _)) => {
            state.lockout.succeeded(email);
            Ok((account_id, role))
        }
        None => {
            state.lockout.failed(email);
            Err(ApiError::BadCredentials)
        }
    }
}

/// `POST /v1/sessions`: signs a device in with email and password.
pub async fn sign_in(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<SignInRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let device_name = check_name("device name", &req.device_name)?;
    let email = normalise_email(&req.email).map_err(|_| ApiError::BadCredentials)?;
    let (account_id, role) = verify_credentials(&state, &email, req.password).await?;
    let session = new_session(&state, account_id, role, device_name).await?;
    tracing::info!(account = %session.account_id, device = %session.device_id, "signed in");
    Ok((StatusCode::CREATED, Json(session)))
}

/// `DELETE /v1/sessions/current`: signs the calling device out.
pub async fn sign_out(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    let device = caller.device_id.0.clone();
    state
        .db
        .write(move |tx| db::accounts::revoke_device(tx, &caller.account_id, &device))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/devices`
pub async fn list_devices(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Device>>> {
    let devices = state
        .db
        .read(move |tx| db::accounts::list_devices(tx, &caller))
        .await?;
    Ok(Json(devices))
}

/// `DELETE /v1/devices/{id}`: revokes one of the caller's devices.
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: Caller,
    Path(device_id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| db::accounts::revoke_device(tx, &caller.account_id, &device_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
