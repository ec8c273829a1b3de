//! Accounts, devices and their tokens.

use chrono::{DateTime, Utc};
use rapport_protocol::{AccountId, Device, DeviceId, Role};

use super::{Tx, new_id, now};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    params,
};

pub fn role_str(role: Role) -> &'static str {
    match role {
        Role::Client => "client",
        Role::Therapist => "therapist",
    }
}

pub fn parse_role(s: &str) -> ApiResult<Role> {
    match s {
        "client" => Ok(Role::Client),
        "therapist" => Ok(Role::Therapist),
        other => Err(ApiError::Internal(format!(
            "unknown role in storage: {other}"
        ))),
    }
}

pub fn parse_time(s: &str) -> ApiResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| ApiError::Internal(format!("bad timestamp in storage: {e}")))
}

/// Creates an account; `Conflict` if the email is taken.
pub fn create_account(
    tx: &Tx<'_>,
    email: &str,
    password_hash: &str,
    role: Role,
    display_name: &str,
) -> ApiResult<AccountId> {
    let id = new_id();
    // The unique email decides, also between concurrent sign-ups.
    let inserted = tx.execute(
        "INSERT INTO accounts (id, email, password_hash, role, display_name, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (email) DO NOTHING",
        params![
            id,
            email,
            password_hash,
            role_str(role),
            display_name,
            now().to_rfc3339()
        ],
    )?;
    if inserted == 0 {
        return Err(ApiError::conflict(
            "an account with this email exists; sign in",
        ));
    }
    // The account's feed numbers its documents' changes; it starts after
    // the global sequence of schema version 1 (see db::cursor).
    tx.execute(
        "INSERT INTO feeds (account_id, seq)
         VALUES (?1, (SELECT value FROM counters WHERE name = 'seq'))",
        params![id],
    )?;
    Ok(AccountId(id))
}

/// The account id, role and password hash for an email.
pub fn find_by_email(tx: &Tx<'_>, email: &str) -> ApiResult<Option<(AccountId, Role, String)>> {
    let row = tx.query_opt(
        "SELECT id, role, password_hash FROM accounts WHERE email = ?1",
        params![email],
        |row| {
            Ok((
                row.get::<String>(0)?,
                row.get::<String>(1)?,
                row.get::<String>(2)?,
            ))
        },
    )?;
    row.map(|(id, role, hash)| Ok((AccountId(id), parse_role(&role)?, hash)))
        .transpose()
}

/// The email an account signs in with.
pub fn email_of(tx: &Tx<'_>, account: &AccountId) -> ApiResult<String> {
    tx.query_opt(
        "SELECT email FROM accounts WHERE id = ?1",
        params![&account.0],
        |row| row.get(0),
    )?
    .ok_or(ApiError::Unauthorized)
}

/// Replaces the password and signs every other device of the account out.
pub fn change_password(tx: &Tx<'_>, caller: &Caller, password_hash: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE accounts SET password_hash = ?1 WHERE id = ?2",
        params![password_hash, caller.account_id.0],
    )?;
    tx.execute(
        "UPDATE devices SET revoked_at = ?1
         WHERE account_id = ?2 AND id <> ?3 AND revoked_at IS NULL",
        params![now().to_rfc3339(), caller.account_id.0, caller.device_id.0],
    )?;
    Ok(())
}

pub fn display_name(tx: &Tx<'_>, account: &AccountId) -> ApiResult<String> {
    Ok(tx
        .query_opt(
            "SELECT display_name FROM accounts WHERE id = ?1",
            params![&account.0],
            |row| row.get(0),
        )?
        .unwrap_or_default())
}

/// Registers a signed-in device holding a token with this hash.
pub fn create_device(
    tx: &Tx<'_>,
    account: &AccountId,
    name: &str,
    token_hash: &[u8],
) -> ApiResult<DeviceId> {
    let id = new_id();
    tx.execute(
        "INSERT INTO devices (id, account_id, name, token_hash, signed_in_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, account.0, name, token_hash, now().to_rfc3339()],
    )?;
    Ok(DeviceId(id))
}

/// Whether a device last seen (or signed in) at `seen` has been idle longer
/// than `idle`: its token no longer works.
pub fn expired(seen: DateTime<Utc>, idle: chrono::Duration) -> bool {
    now() - seen > idle
}

/// The caller behind a token hash, if the device is not revoked and was
/// used within `idle`, and whether its last-seen time is due for an update
/// ([`touch`], which also renews the token): at most once a minute, so that
/// most requests write nothing for it.
pub fn authenticate(
    tx: &Tx<'_>,
    token_hash: &[u8],
    idle: chrono::Duration,
) -> ApiResult<Option<(Caller, bool)>> {
    let row = tx.query_opt(
        "SELECT d.id, d.account_id, a.role, d.last_seen_at, d.signed_in_at, f.num
             FROM devices d JOIN accounts a ON a.id = d.account_id
             JOIN feeds f ON f.account_id = d.account_id
             WHERE d.token_hash = ?1 AND d.revoked_at IS NULL",
        params![token_hash],
        |row| {
            Ok((
                row.get::<String>(0)?,
                row.get::<String>(1)?,
                row.get::<String>(2)?,
                row.get::<Option<String>>(3)?,
                row.get::<String>(4)?,
                row.get::<i64>(5)?,
            ))
        },
    )?;
    let Some((device_id, account_id, role, last_seen, signed_in, feed)) = row else {
        return Ok(None);
    };
    let last_seen = last_seen.as_deref().map(parse_time).transpose()?;
    if expired(last_seen.map_or_else(|| parse_time(&signed_in), Ok)?, idle) {
        return Ok(None);
    }
    // Renewed often enough that a device in use never expires: once a
    // minute, or four times per lifetime when that is shorter.
    let every = chrono::Duration::seconds(60).min(idle / 4);
    let stale = last_seen.is_none_or(|seen| now() - seen >= every);
    let caller = Caller {
        account_id: AccountId(account_id),
        role: parse_role(&role)?,
        device_id: DeviceId(device_id),
        feed,
    };
    Ok(Some((caller, stale)))
}

/// Notes that the device was seen now.
pub fn touch(tx: &Tx<'_>, device: &DeviceId) -> ApiResult<()> {
    tx.execute(
        "UPDATE devices SET last_seen_at = ?1 WHERE id = ?2",
        params![now().to_rfc3339(), device.0],
    )?;
    Ok(())
}

/// The account's devices that are still signed in (not revoked, not idle
/// beyond `idle`).
pub fn list_devices(
    tx: &Tx<'_>,
    caller: &Caller,
    idle: chrono::Duration,
) -> ApiResult<Vec<Device>> {
    let rows = tx.query_map(
        "SELECT id, name, signed_in_at, last_seen_at FROM devices
         WHERE account_id = ?1 AND revoked_at IS NULL ORDER BY signed_in_at, id",
        params![caller.account_id.0],
        |row| {
            Ok((
                row.get::<String>(0)?,
                row.get::<String>(1)?,
                row.get::<String>(2)?,
                row.get::<Option<String>>(3)?,
            ))
        },
    )?;
    let mut devices = Vec::new();
    for (id, name, signed_in_at, last_seen_at) in rows {
        let signed_in_at = parse_time(&signed_in_at)?;
        let last_seen_at = last_seen_at.as_deref().map(parse_time).transpose()?;
        if expired(last_seen_at.unwrap_or(signed_in_at), idle) {
            continue;
        }
        devices.push(Device {
            current: id == caller.device_id.0,
            device_id: DeviceId(id),
            name,
            signed_in_at,
            last_seen_at,
        });
    }
    Ok(devices)
}

/// Revokes one of the account's devices; its token stops working at once.
pub fn revoke_device(tx: &Tx<'_>, account: &AccountId, device: &str) -> ApiResult<()> {
    let changed = tx.execute(
        "UPDATE devices SET revoked_at = ?1
         WHERE id = ?2 AND account_id = ?3 AND revoked_at IS NULL",
        params![now().to_rfc3339(), device, account.0],
    )?;
    if changed == 0 {
        return Err(ApiError::not_found(
            "no such signed-in device on this account",
        ));
    }
    Ok(())
}
