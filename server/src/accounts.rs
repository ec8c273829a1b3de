//! Sign-up, sign-in, sign-out, the devices signed in to an account, and the
//! account itself: changing its password, deleting it.

use axum::{Json, extract::State, http::StatusCode};
use rapport_protocol::{
    ChangePasswordRequest, DeleteAccountRequest, Device, Role, Session, SignInRequest,
    SignUpRequest,
};

use crate::{
    AppState,
    auth::{self, Caller},
    db,
    error::{ApiError, ApiResult},
    extract::{JsonBody, PathParam},
    passwords::check_new_password,
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

/// Characters that reorder or hide text: bidirectional controls and
/// zero-width characters. In a name they can make "Dr. Smith" read as
/// someone else on the other person's screen.
fn is_deceptive(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{180E}' | '\u{FEFF}')
}

fn check_name(what: &str, name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request(format!(
            "the {what} must have 1 to 100 characters"
        )));
    }
    if name.chars().any(|c| c.is_control() || is_deceptive(c)) {
        return Err(ApiError::bad_request(format!(
            "the {what} must not contain control, direction or zero-width characters"
        )));
    }
    Ok(name.to_owned())
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
///
/// A taken email answers `409`: the person signing up must learn whether
/// they now hold an account, and without a channel beside this answer (the
/// server sends no mail) nothing can tell them but the answer itself. What
/// it does hide: the time (the password is hashed first, and creating the
/// account and its device is one transaction either way) and, for a
/// therapist sign-up the server refuses, whether the email exists (the role
/// is checked first). See `docs/protocol.md`.
pub async fn sign_up(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<SignUpRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let email = normalise_email(&req.email)?;
    let display_name = check_name("display name", &req.display_name)?;
    let device_name = match &req.device_name {
        Some(name) => check_name("device name", name)?,
        None => "first device".to_owned(),
    };
    check_new_password(&req.password, &email)?;
    let role = req.role;
    if role == Role::Therapist && !state.config.may_be_therapist(&email) {
        return Err(ApiError::forbidden(
            "this server does not let this email hold the therapist role; ask its operator",
        ));
    }
    let hash = state.passwords.hash(req.password).await?;
    let token = auth::new_token()?;
    let token_hash = auth::hash_secret(&token);
    let (account_id, device_id) = state
        .db
        .write(move |tx| {
            let account = db::accounts::create_account(tx, &email, &hash, role, &display_name)?;
            let device = db::accounts::create_device(tx, &account, &device_name, &token_hash)?;
            Ok((account, device))
        })
        .await?;
    tracing::info!(account = %account_id, ?role, "account created");
    let session = Session {
        account_id,
        role,
        device_id,
        token,
    };
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
    let idle = state.config.token_idle();
    let devices = state
        .db
        .read(move |tx| db::accounts::list_devices(tx, &caller, idle))
        .await?;
    Ok(Json(devices))
}

/// `DELETE /v1/devices/{id}`: revokes one of the caller's devices.
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(device_id): PathParam<String>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| db::accounts::revoke_device(tx, &caller.account_id, &device_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Asks a signed-in caller for the account's password again, under the
/// same failure count as sign-in; the account's email.
async fn verify_callers_password(
    state: &AppState,
    caller: &Caller,
    password: String,
) -> ApiResult<String> {
    let account = caller.account_id.clone();
    let email = state
        .db
        .read(move |tx| db::accounts::email_of(tx, &account))
        .await?;
    verify_credentials(state, &email, password).await?;
    Ok(email)
}

/// `PUT /v1/account/password`: the current password, then the new one;
/// every other device is signed out.
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    let email = verify_callers_password(&state, &caller, req.current_password).await?;
    check_new_password(&req.new_password, &email)?;
    let hash = state.passwords.hash(req.new_password).await?;
    state
        .db
        .write(move |tx| db::accounts::change_password(tx, &caller, &hash))
        .await?;
    tracing::info!("password changed; other devices signed out");
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/account`: with the password, deletes the account and what
/// it owns ([`db::erase`]).
pub async fn delete_account(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<DeleteAccountRequest>,
) -> ApiResult<StatusCode> {
    verify_callers_password(&state, &caller, req.password).await?;
    let account = caller.account_id;
    state
        .db
        .write_deleting(move |tx| db::erase::delete_account(tx, &account))
        .await?;
    tracing::info!("account deleted");
    Ok(StatusCode::NO_CONTENT)
}
