//! Invite codes and care links between a client and a therapist.

use chrono::{DateTime, Utc};
use rapport_protocol::{AccountId, CareLink, LinkId};

use super::{Tx, accounts::parse_time, exec::Row, grants, new_id, now};
use crate::{
    error::{ApiError, ApiResult},
    params,
};

/// Stores an invite (by the hash of its code) for a client.
pub fn create_invite(
    tx: &Tx<'_>,
    client: &AccountId,
    code_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO invites (code_hash, client_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            code_hash,
            client.0,
            now().to_rfc3339(),
            expires_at.to_rfc3339()
        ],
    )?;
    Ok(())
}

/// The one answer to a code that cannot be redeemed, whatever the reason.
pub fn unusable_code() -> ApiError {
    ApiError::not_found(
        "this invite code cannot be used: it is unknown, used, expired or cancelled; \
         ask your client for a new one",
    )
}

/// The client cancels one of its unused invites (by the hash of its code).
pub fn cancel_invite(tx: &Tx<'_>, client: &AccountId, code_hash: &[u8]) -> ApiResult<()> {
    let deleted = tx.execute(
        "DELETE FROM invites WHERE code_hash = ?1 AND client_id = ?2 AND used_at IS NULL",
        params![code_hash, client.0],
    )?;
    if deleted == 0 {
        return Err(ApiError::not_found("no such unused invite of yours"));
    }
    Ok(())
}

/// A therapist redeems an invite: checks it, marks it used, links the two.
pub fn redeem_invite(tx: &Tx<'_>, therapist: &AccountId, code_hash: &[u8]) -> ApiResult<CareLink> {
    let invite = tx.query_opt(
        "SELECT client_id, expires_at, used_at FROM invites WHERE code_hash = ?1",
        params![code_hash],
        |row| {
            Ok((
                row.get::<String>(0)?,
                row.get::<String>(1)?,
                row.get::<Option<String>>(2)?,
            ))
        },
    )?;
    // Unknown, used, expired or cancelled: one answer, so that the answer
    // tells nothing about codes one does not hold.
    let Some((client_id, expires_at, None)) = invite else {
        return Err(unusable_code());
    };
    if parse_time(&expires_at)? <= now() {
        return Err(unusable_code());
    }
    let client = AccountId(client_id);
    // One link per pair, also when two invites are redeemed at once.
    lock_pair(tx, &client, therapist)?;
    if active_link(tx, &client, therapist)?.is_some() {
        return Err(ApiError::conflict(
            "you are already linked with this client",
        ));
    }
    // A code is used once, also when redeemed twice at the same moment.
    let marked = tx.execute(
        "UPDATE invites SET used_at = ?1, used_by = ?2 WHERE code_hash = ?3 AND used_at IS NULL",
        params![now().to_rfc3339(), therapist.0, code_hash],
    )?;
    if marked == 0 {
        return Err(unusable_code());
    }
    let id = new_id();
    tx.execute(
        "INSERT INTO links (id, client_id, therapist_id, linked_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, client.0, therapist.0, now().to_rfc3339()],
    )?;
    get_link(tx, &id)?.ok_or_else(|| ApiError::Internal("link vanished".into()))
}

/// Serialises, until the transaction ends, everything that makes, ends or
/// relies on a link between two accounts (either way round): redeeming,
/// ending, granting. A no-op on SQLite, whose writes are serial already.
pub fn lock_pair(tx: &Tx<'_>, a: &AccountId, b: &AccountId) -> ApiResult<()> {
    let (lo, hi) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    tx.lock(&format!("link:{}:{}", lo.0, hi.0))
}

/// The active link between a client and a therapist, if any.
pub fn active_link(
    tx: &Tx<'_>,
    client: &AccountId,
    therapist: &AccountId,
) -> ApiResult<Option<String>> {
    tx.query_opt(
        "SELECT id FROM links WHERE client_id = ?1 AND therapist_id = ?2 AND ended_at IS NULL",
        params![client.0, therapist.0],
        |row| row.get(0),
    )
}

/// True when the two accounts share an active care link (either way round).
pub fn are_linked(tx: &Tx<'_>, a: &AccountId, b: &AccountId) -> ApiResult<bool> {
    Ok(active_link(tx, a, b)?.is_some() || active_link(tx, b, a)?.is_some())
}

const LINK_SELECT: &str = "SELECT l.id, l.client_id, c.display_name, l.therapist_id,
        t.display_name, l.linked_at
    FROM links l JOIN accounts c ON c.id = l.client_id JOIN accounts t ON t.id = l.therapist_id";

fn link_from_row(row: &Row) -> ApiResult<(CareLink, String)> {
    Ok((
        CareLink {
            link_id: LinkId(row.get(0)?),
            client: AccountId(row.get(1)?),
            client_name: row.get(2)?,
            therapist: AccountId(row.get(3)?),
            therapist_name: row.get(4)?,
            linked_at: DateTime::<Utc>::MIN_UTC,
        },
        row.get(5)?,
    ))
}

fn finish(pair: (CareLink, String)) -> ApiResult<CareLink> {
    let (mut link, linked_at) = pair;
    link.linked_at = parse_time(&linked_at)?;
    Ok(link)
}

fn get_link(tx: &Tx<'_>, id: &str) -> ApiResult<Option<CareLink>> {
    tx.query_opt(
        &format!("{LINK_SELECT} WHERE l.id = ?1 AND l.ended_at IS NULL"),
        params![id],
        link_from_row,
    )?
    .map(finish)
    .transpose()
}

/// The caller's active links, as client or as therapist.
pub fn list_links(tx: &Tx<'_>, account: &AccountId) -> ApiResult<Vec<CareLink>> {
    let rows = tx.query_map(
        &format!(
            "{LINK_SELECT} WHERE (l.client_id = ?1 OR l.therapist_id = ?1) AND l.ended_at IS NULL
             ORDER BY l.linked_at, l.id"
        ),
        params![account.0],
        link_from_row,
    )?;
    let mut links = Vec::new();
    for row in rows {
        links.push(finish(row)?);
    }
    Ok(links)
}

/// The client ends a link; every grant between the two is revoked with it.
pub fn end_link(tx: &Tx<'_>, client: &AccountId, link_id: &str) -> ApiResult<()> {
    let Some(link) = get_link(tx, link_id)? else {
        return Err(ApiError::not_found("no such care link"));
    };
    if link.client != *client {
        if link.therapist == *client {
            return Err(ApiError::forbidden("only the client ends a care link"));
        }
        return Err(ApiError::not_found("no such care link"));
    }
    // Grants made meanwhile (grants::create takes the same lock) are seen
    // by the revocation below; a concurrent end of the same link finds it
    // ended once the lock is its.
    lock_pair(tx, &link.client, &link.therapist)?;
    if get_link(tx, link_id)?.is_none() {
        return Err(ApiError::not_found("no such care link"));
    }
    tx.execute(
        "UPDATE links SET ended_at = ?1 WHERE id = ?2",
        params![now().to_rfc3339(), link_id],
    )?;
    grants::revoke_between(tx, &link.client, &link.therapist)?;
    super::wraps::delete_between(tx, &link.client, &link.therapist)?;
    Ok(())
}
