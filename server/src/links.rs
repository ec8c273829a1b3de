//! Care links: a client invites, a therapist redeems, the client may end it.

use axum::{Json, extract::State, http::StatusCode};
use rapport_protocol::{CareLink, Invite, RedeemInviteRequest, Role};

use crate::{
    AppState,
    auth::{self, Caller},
    db,
    error::{ApiError, ApiResult},
    extract::{JsonBody, PathParam},
};

/// Invite codes use digits and capitals that cannot be mistaken for one
/// another (no 0/O, 1/I/L, U/V).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";
/// 10 symbols of 29: about 48.6 bits, for a single-use code that expires.
const CODE_LEN: usize = 10;

fn new_code() -> ApiResult<String> {
    let mut code = String::with_capacity(CODE_LEN);
    // Rejection sampling keeps every symbol equally likely.
    let limit = 256 - 256 % ALPHABET.len();
    while code.len() < CODE_LEN {
        let mut buf = [0u8; 16];
        auth::random_bytes(&mut buf)?;
        for byte in buf {
            if usize::from(byte) < limit && code.len() < CODE_LEN {
                code.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
    }
    Ok(code)
}

/// Upper-cases and strips separators, so "abcd-efgh 23" is accepted.
fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The stored hash of a typed code; 400 if it cannot be a code at all.
fn code_hash(typed: &str) -> ApiResult<Vec<u8>> {
    let code = normalise_code(typed);
    let typable = typed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    if code.len() != CODE_LEN || typed.len() > 4 * CODE_LEN || !typable {
        return Err(ApiError::bad_request(format!(
            "an invite code has {CODE_LEN} letters and digits"
        )));
    }
    Ok(auth::hash_secret(&code))
}

/// `POST /v1/invites` (client)
pub async fn create_invite(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<(StatusCode, Json<Invite>)> {
    if caller.role != Role::Client {
        return Err(ApiError::forbidden("only a client invites a therapist"));
    }
    let code = new_code()?;
    let code_hash = auth::hash_secret(&code);
    let ttl = chrono::Duration::from_std(state.config.invite_ttl())
        .map_err(|_| ApiError::Internal("invite lifetime out of range".into()))?;
    let expires_at = db::now() + ttl;
    state
        .db
        .write(move |tx| db::links::create_invite(tx, &caller.account_id, &code_hash, expires_at))
        .await?;
    Ok((StatusCode::CREATED, Json(Invite { code, expires_at })))
}

/// `POST /v1/invites/redeem` (therapist)
pub async fn redeem_invite(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<RedeemInviteRequest>,
) -> ApiResult<Json<CareLink>> {
    if caller.role != Role::Therapist {
        return Err(ApiError::forbidden("only a therapist redeems an invite"));
    }
    let code_hash = code_hash(&req.code)?;
    let link = state
        .db
        .write(move |tx| db::links::redeem_invite(tx, &caller.account_id, &code_hash))
        .await?;
    tracing::info!(link = %link.link_id, "care link made");
    Ok(Json(link))
}

/// `DELETE /v1/invites/{code}` (the client that made it): the code can no
/// longer be redeemed.
pub async fn cancel_invite(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(code): PathParam<String>,
) -> ApiResult<StatusCode> {
    let code_hash = code_hash(&code)?;
    state
        .db
        .write(move |tx| db::links::cancel_invite(tx, &caller.account_id, &code_hash))
        .await?;
    tracing::info!("invite cancelled");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/links`
pub async fn list_links(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<CareLink>>> {
    let links = state
        .db
        .read(move |tx| db::links::list_links(tx, &caller.account_id))
        .await?;
    Ok(Json(links))
}

/// `DELETE /v1/links/{id}` (client): ends the link and revokes its grants.
pub async fn end_link(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(link_id): PathParam<String>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| db::links::end_link(tx, &caller.account_id, &link_id))
        .await?;
    tracing::info!("care link ended");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_unambiguous_and_normalise() {
        let code = new_code().expect("code");
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        let typed = format!("{}-{} ", &code[..5].to_lowercase(), &code[5..]);
        assert_eq!(normalise_code(&typed), code);
    }
}
