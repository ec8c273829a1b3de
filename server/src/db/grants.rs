//! Grants: who, besides the owner, may read or write which documents.

use rapport_protocol::{Access, AccountId, DocKind, Grant, GrantId, GrantScope, ItemId, Tag};

use super::{
    Tx, accounts::parse_time, documents, exec::Row, feed_of, links, new_id, next_seq, now,
};
use crate::{
    error::{ApiError, ApiResult},
    params,
};

fn access_str(access: Access) -> &'static str {
    match access {
        Access::Read => "read",
        Access::Write => "write",
    }
}

/// The SQL condition "the care link behind grant `g` is active". Ending a
/// link revokes its grants; every access check asks this too, so that a
/// grant that somehow outlived its link gives nothing.
macro_rules! grant_linked {
    () => {
        "EXISTS (SELECT 1 FROM links l WHERE l.ended_at IS NULL AND (
            (l.client_id = g.owner_id AND l.therapist_id = g.grantee_id)
            OR (l.client_id = g.grantee_id AND l.therapist_id = g.owner_id)))"
    };
}
pub(crate) use grant_linked;

/// The SQL condition "grant `g` covers document `d`" (both aliases bound).
pub const GRANT_COVERS_DOC: &str = concat!(
    "g.owner_id = d.owner_id AND g.revoked_seq IS NULL AND ",
    grant_linked!(),
    " AND (
    (g.scope = 'document' AND g.doc_id = d.id)
    OR (g.scope = 'kind' AND g.kind = d.kind AND (g.tag IS NULL OR EXISTS (
        SELECT 1 FROM doc_tags t WHERE t.doc_id = d.id AND t.tag = g.tag))))"
);

/// The owner grants a linked account access to a document or a kind.
pub fn create(
    tx: &Tx<'_>,
    owner: &AccountId,
    grantee: &AccountId,
    scope: &GrantScope,
    access: Access,
) -> ApiResult<Grant> {
    if grantee == owner {
        return Err(ApiError::bad_request("you cannot grant access to yourself"));
    }
    // Serialises with the end of the link (links::end_link): without it, on
    // PostgreSQL, a grant checked against a link that is ending commits
    // after the end has revoked every grant it could see.
    links::lock_pair(tx, owner, grantee)?;
    if !links::are_linked(tx, owner, grantee)? {
        return Err(ApiError::forbidden(
            "you can share only with an account you have a care link with",
        ));
    }
    let (scope_str, doc_id, kind, tag) = match scope {
        GrantScope::Document { doc_id } => {
            let doc = documents::get(tx, doc_id)?
                .filter(|d| d.deleted_seq.is_none())
                .ok_or_else(|| ApiError::not_found("no such document"))?;
            if doc.owner != *owner {
                return Err(ApiError::forbidden("you can share only documents you own"));
            }
            // Asked again: the grant already made, as for a kind below.
            let made = tx.query_opt(
                "SELECT id, owner_id, grantee_id, scope, doc_id, kind, tag, access, granted_at
                 FROM grants WHERE doc_id = ?1 AND grantee_id = ?2 AND owner_id = ?3
                 AND scope = 'document' AND access = ?4 AND revoked_seq IS NULL
                 ORDER BY seq LIMIT 1",
                params![doc_id.0, grantee.0, owner.0, access_str(access)],
                grant_row,
            )?;
            if let Some(made) = made {
                return grant_from_row(made);
            }
            ("document", Some(doc_id.0.as_str()), None, None)
        }
        GrantScope::Kind { kind, tag } => {
            // Asked again (a retry after a lost answer, or one request
            // delivered twice): the grant already made. Two would take two
            // revocations, and the owner knows of one.
            let same = |g: &Grant| g.owner == *owner && g.grantee == *grantee;
            if let Some(made) = list(tx, owner)?
                .into_iter()
                .find(|g| same(g) && g.scope == *scope && g.access == access)
            {
                return Ok(made);
            }
            (
                "kind",
                None,
                Some(kind.as_str()),
                tag.as_ref().map(|t| t.0.as_str()),
            )
        }
    };
    let id = new_id();
    let granted_at = now();
    let seq = next_seq(tx, feed_of(tx, owner)?)?;
    tx.execute(
        "INSERT INTO grants (id, owner_id, grantee_id, scope, doc_id, kind, tag, access,
             granted_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            owner.0,
            grantee.0,
            scope_str,
            doc_id,
            kind,
            tag,
            access_str(access),
            granted_at.to_rfc3339(),
            seq
        ],
    )?;
    Ok(Grant {
        grant_id: GrantId(id),
        owner: owner.clone(),
        grantee: grantee.clone(),
        scope: scope.clone(),
        access,
        granted_at,
    })
}

type GrantRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

fn grant_row(row: &Row) -> ApiResult<GrantRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
    ))
}

fn grant_from_row(row: GrantRow) -> ApiResult<Grant> {
    let (id, owner, grantee, scope, doc_id, kind, tag, access, granted_at) = row;
    let scope = match (scope.as_str(), doc_id, kind) {
        ("document", Some(doc_id), _) => GrantScope::Document {
            doc_id: ItemId(doc_id),
        },
        ("kind", _, Some(kind)) => GrantScope::Kind {
            kind: DocKind::parse(&kind)
                .ok_or_else(|| ApiError::Internal(format!("unknown kind in storage: {kind}")))?,
            tag: tag.map(Tag),
        },
        _ => return Err(ApiError::Internal("malformed grant in storage".into())),
    };
    Ok(Grant {
        grant_id: GrantId(id),
        owner: AccountId(owner),
        grantee: AccountId(grantee),
        scope,
        access: if access == "write" {
            Access::Write
        } else {
            Access::Read
        },
        granted_at: parse_time(&granted_at)?,
    })
}

/// Active grants the account gave or was given.
pub fn list(tx: &Tx<'_>, account: &AccountId) -> ApiResult<Vec<Grant>> {
    let rows = tx.query_map(
        concat!(
            "SELECT id, owner_id, grantee_id, scope, doc_id, kind, tag, access, granted_at
             FROM grants g WHERE (owner_id = ?1 OR grantee_id = ?1) AND revoked_seq IS NULL
             AND ",
            grant_linked!(),
            " ORDER BY granted_at, seq, id"
        ),
        params![account.0],
        grant_row,
    )?;
    let mut grants = Vec::new();
    for row in rows {
        grants.push(grant_from_row(row)?);
    }
    Ok(grants)
}

/// The owner revokes one grant.
pub fn revoke(tx: &Tx<'_>, owner: &AccountId, grant_id: &str) -> ApiResult<()> {
    let row: Option<(String, String)> = tx.query_opt(
        "SELECT owner_id, grantee_id FROM grants WHERE id = ?1 AND revoked_seq IS NULL",
        params![grant_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    match row {
        None => Err(ApiError::not_found("no such grant")),
        Some((o, _)) if o == owner.0 => {
            let seq = next_seq(tx, feed_of(tx, owner)?)?;
            tx.execute(
                "UPDATE grants SET revoked_seq = ?1 WHERE id = ?2",
                params![seq, grant_id],
            )?;
            Ok(())
        }
        Some((_, g)) if g == owner.0 => Err(ApiError::forbidden("only the owner revokes a grant")),
        Some(_) => Err(ApiError::not_found("no such grant")),
    }
}

/// Revokes every grant between two accounts, both ways (a link ended).
pub fn revoke_between(tx: &Tx<'_>, a: &AccountId, b: &AccountId) -> ApiResult<()> {
    let ids: Vec<(String, String)> = tx.query_map(
        "SELECT id, owner_id FROM grants WHERE revoked_seq IS NULL
         AND ((owner_id = ?1 AND grantee_id = ?2) OR (owner_id = ?2 AND grantee_id = ?1))
         ORDER BY owner_id, id",
        params![a.0, b.0],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    for (id, owner) in ids {
        let seq = next_seq(tx, feed_of(tx, &AccountId(owner))?)?;
        tx.execute(
            "UPDATE grants SET revoked_seq = ?1 WHERE id = ?2",
            params![seq, id],
        )?;
    }
    Ok(())
}

/// True when `account` holds an active write grant covering the document.
pub fn can_write(tx: &Tx<'_>, account: &AccountId, doc_id: &ItemId) -> ApiResult<bool> {
    tx.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM grants g JOIN documents d ON d.id = ?2
             WHERE g.grantee_id = ?1 AND g.access = 'write' AND {GRANT_COVERS_DOC})"
        ),
        params![account.0, doc_id.0],
        |row| row.get(0),
    )
}

/// True when `account` may read the document (owner or any active grant).
pub fn can_read(tx: &Tx<'_>, account: &AccountId, doc_id: &ItemId) -> ApiResult<bool> {
    tx.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM documents d WHERE d.id = ?2 AND d.deleted_seq IS NULL
             AND (d.owner_id = ?1 OR EXISTS (SELECT 1 FROM grants g
                  WHERE g.grantee_id = ?1 AND {GRANT_COVERS_DOC})))"
        ),
        params![account.0, doc_id.0],
        |row| row.get(0),
    )
}
