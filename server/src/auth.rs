//! Bearer tokens and passwords: generation, hashing, and the [`Caller`]
//! extractor that authenticates every protected request.
//!
//! A token is 32 random bytes in hex; the server stores only its SHA-256, so a
//! leaked database does not sign anyone in. Passwords are hashed with Argon2id.

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::SaltString,
};
use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use rapport_protocol::{AccountId, DeviceId, Role};
use sha2::{Digest, Sha256};

use crate::{
    AppState, db,
    error::{ApiError, ApiResult},
};

/// The authenticated account and device behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: AccountId,
    pub role: Role,
    pub device_id: DeviceId,
    /// The account's feed (the sequence its documents' changes take).
    pub feed: i64,
}

/// Fills `buf` from the operating system's random source.
pub fn random_bytes(buf: &mut [u8]) -> ApiResult<()> {
    getrandom::fill(buf).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))
}

/// A new opaque bearer token.
pub fn new_token() -> ApiResult<String> {
    let mut bytes = [0u8; 32];
    random_bytes(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// What the database keeps of a token (or an invite code).
pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn argon2(memory_kib: u32) -> ApiResult<Argon2<'static>> {
    let params = Params::new(memory_kib.max(Params::MIN_M_COST), 2, 1, None)
        .map_err(|e| ApiError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str, memory_kib: u32) -> ApiResult<String> {
    let mut salt = [0u8; 16];
    random_bytes(&mut salt)?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(format!("salt: {e}")))?;
    argon2(memory_kib)?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::Internal(format!("hashing password: {e}")))
}

/// Checks a password against a stored PHC string (parameters come from the string).
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// What the rate limit's middleware learnt of a request's token, kept in
/// the request's extensions so that the token is looked up once.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Option<Caller>);

/// The bearer token of a request, trimmed; `None` without a usable one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The caller behind a request's token, if it names a signed-in device.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<Caller>> {
    let Some(token) = bearer(headers) else {
        return Ok(None);
    };
    let token_hash = hash_secret(token);
    let idle = state.config.token_idle();
    let Some((caller, stale)) = state
        .db
        .read_single(move |tx| db::accounts::authenticate(tx, &token_hash, idle))
        .await?
    else {
        return Ok(None);
    };
    if stale {
        let device = caller.device_id.clone();
        state
            .db
            .write(move |tx| db::accounts::touch(tx, &device))
            .await?;
    }
    Ok(Some(caller))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let caller = match parts.extensions.get::<Authenticated>() {
            Some(Authenticated(caller)) => caller.clone(),
            None => authenticate(state, &parts.headers).await?,
        }
        .ok_or(ApiError::Unauthorized)?;
        tracing::Span::current().record("account", tracing::field::display(&caller.account_id));
        Ok(caller)
    }
}
