//! Keeps the server's per-item grants in step with the items marked shared:
//! a client's shared items are readable by every linked therapist, a
//! therapist's notes by the client each is for. Kind grants made with
//! `share_kind` are left alone. The work is skipped while neither the shared
//! set nor the care links changed since the last run.

use std::collections::{BTreeSet, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use rapport_protocol::{
    Access, AccountId, CareLink, DocKind, ErrorCode, Grant, GrantId, GrantRequest, GrantScope,
    ItemId, Role, Session, Tag,
};

use super::keyring::Keyring;
use super::{SyncClient, SyncError, authority, state};
use crate::note::Note;

/// The tag that selects items about a person, blinded with the account's
/// tag key (HMAC): the server matches it without learning who it is.
/// Plain on a client that does not seal ([`super::SyncConfig::end_to_end`]).
pub(crate) fn person_tag(keys: Option<&Keyring>, person: &ItemId) -> Tag {
    blinded(keys, &format!("person:{person}"))
}

/// The tag that selects items about a goal, blinded the same way.
pub(crate) fn goal_tag(keys: Option<&Keyring>, goal: &ItemId) -> Tag {
    blinded(keys, &format!("goal:{goal}"))
}

fn blinded(keys: Option<&Keyring>, tag: &str) -> Tag {
    Tag(keys.map_or_else(|| tag.to_owned(), |k| k.account.blind_tag(tag)))
}

/// Ends access for `grantee`, from this device, whichever device gave it:
/// the kind shares it ends are marked ended in this record (so the
/// account's other devices stop sealing for the grantee too), and every
/// document the grantee could read through them, or was given a key of
/// here, or that is marked shared, starts a new key epoch. `scope` is the
/// one grant revoked; `None` ends everything between the two accounts (the
/// care link ended).
pub(super) fn end_access(
    client: &SyncClient,
    me: &AccountId,
    grantee: &AccountId,
    scope: Option<&GrantScope>,
) -> Result<(), SyncError> {
    let store = &client.store;
    let keys = client.sealing_keys()?;
    let mut docs: BTreeSet<ItemId> = store.wrapped_for(&grantee.0)?.into_iter().collect();
    for (id, share) in authority::kind_share_items(store)? {
        if &share.therapist_id != grantee || share.ended_at.is_some() {
            continue;
        }
        let ended = match scope {
            None => true,
            Some(GrantScope::Kind { kind, tag }) => {
                share.doc_kind() == Some(*kind)
                    && match (tag, &share.person_id) {
                        (None, None) => true,
                        (Some(tag), Some(person)) => &person_tag(keys.as_deref(), person) == tag,
                        _ => false,
                    }
            }
            Some(GrantScope::Document { .. }) => false,
        };
        if ended {
            docs.extend(authority::covered_by(store, me, &share)?);
            store.modify(&id, |s: &mut crate::kind_share::KindShare| {
                s.ended_at = Some(chrono::Utc::now());
                Ok(())
            })?;
        }
    }
    match scope {
        Some(GrantScope::Document { doc_id }) => {
            docs.insert(doc_id.clone());
        }
        Some(GrantScope::Kind { .. }) => {}
        None => docs.extend(store.shared_items()?.into_iter().map(|s| s.id)),
    }
    let ours: Vec<ItemId> = docs
        .into_iter()
        .filter(|d| store.owner_of(d).ok().flatten().is_none_or(|o| &o == me))
        .collect();
    start_new_epochs(client, &ours)
}

/// Starts a new key epoch for each of these documents of this account.
fn start_new_epochs(client: &SyncClient, docs: &[ItemId]) -> Result<(), SyncError> {
    let Some(keys) = client.sealing_keys()? else {
        return Ok(()); // nothing sealed, nothing to rotate
    };
    for doc in docs {
        super::sealing::rotate(&client.store, &keys, doc)?;
    }
    Ok(())
}

/// Brings the server's document grants in line with what is marked shared.
/// True when it made or revoked a grant (an unshared item starts a new key
/// epoch).
pub(super) async fn reconcile(
    client: &SyncClient,
    session: &Session,
    force: bool,
) -> Result<bool, SyncError> {
    let store = &client.store;
    let me = &session.account_id;
    // (document, grantee or None for "every linked therapist")
    let wanted = wanted_locally(client, session.role)?;
    let known_links = state::known_links(store)?.unwrap_or_default();
    if !force && state::sharing_key(store)? == Some(sharing_key(&wanted, &known_links)) {
        return Ok(false); // nothing changed: no request
    }
    let links: Vec<CareLink> = client.get("v1/links").await?;
    remember_links(client, &links)?;

    let therapists: Vec<&AccountId> = links
        .iter()
        .filter(|l| &l.client == me)
        .map(|l| &l.therapist)
        .collect();
    // Only linked accounts can be granted anything (an ended link ends it all).
    let linked: HashSet<&AccountId> = links
        .iter()
        .map(|l| {
            if &l.client == me {
                &l.therapist
            } else {
                &l.client
            }
        })
        .collect();
    let mut desired: BTreeSet<(String, String)> = BTreeSet::new();
    for (doc, grantee) in &wanted {
        match grantee {
            Some(g) if linked.contains(g) => {
                desired.insert((doc.to_string(), g.0.clone()));
            }
            Some(_) => {}
            None => {
                for t in &therapists {
                    desired.insert((doc.to_string(), t.0.clone()));
                }
            }
        }
    }

    let grants: Vec<Grant> = client.get("v1/grants").await?;
    let mut changed = false;
    let mut existing: HashSet<(String, String)> = HashSet::new();
    for grant in grants.iter().filter(|g| &g.owner == me) {
        let GrantScope::Document { doc_id } = &grant.scope else {
            continue; // kind grants are managed by the person, not here
        };
        let pair = (doc_id.0.clone(), grant.grantee.0.clone());
        if desired.contains(&pair) {
            existing.insert(pair);
        } else {
            // The new epoch first: if the answer to the revocation is lost,
            // the next look finds the grant gone and nothing to start it.
            start_new_epochs(client, std::slice::from_ref(doc_id))?;
            revoke(client, &grant.grant_id).await?;
            changed = true;
        }
    }
    for (doc, grantee) in desired.iter().filter(|p| !existing.contains(*p)) {
        let request = GrantRequest {
            grantee: AccountId(grantee.clone()),
            scope: GrantScope::Document {
                doc_id: ItemId(doc.clone()),
            },
            access: Access::Read,
        };
        let _: Grant = client.post("v1/grants", &request).await?;
        changed = true;
    }
    let key = sharing_key(&wanted, &state::known_links(store)?.unwrap_or_default());
    state::set_sharing_key(store, &key)?;
    Ok(changed)
}

/// Revokes a grant on the server. One already gone was revoked by an
/// earlier copy of this request (a retry, or one delivered twice): done.
pub(super) async fn revoke(client: &SyncClient, grant: &GrantId) -> Result<(), SyncError> {
    match client.delete(&format!("v1/grants/{grant}")).await {
        Err(SyncError::Rejected {
            code: ErrorCode::NotFound,
            ..
        }) => Ok(()),
        other => other,
    }
}

/// What this device wants shared, from its own documents.
fn wanted_locally(
    client: &SyncClient,
    role: Role,
) -> Result<Vec<(ItemId, Option<AccountId>)>, SyncError> {
    let store = &client.store;
    let mut wanted = Vec::new();
    // One indexed query on every sync, not a walk over the whole record.
    for summary in store.shared_items()? {
        match (role, summary.kind) {
            (Role::Therapist, DocKind::Note) => {
                let note: Note = store.get::<Note>(&summary.id)?.record;
                wanted.push((summary.id, Some(note.client_id)));
            }
            (Role::Client, kind) if kind != DocKind::Note => wanted.push((summary.id, None)),
            _ => {}
        }
    }
    Ok(wanted)
}

/// Notes the care links last seen, so a change makes the next sync reconcile.
pub(super) fn remember_links(client: &SyncClient, links: &[CareLink]) -> Result<(), SyncError> {
    let mut ids: Vec<&str> = links.iter().map(|l| l.link_id.0.as_str()).collect();
    ids.sort_unstable();
    state::set_known_links(&client.store, &ids.join(","))?;
    Ok(())
}

fn sharing_key(wanted: &[(ItemId, Option<AccountId>)], known_links: &str) -> String {
    let mut hasher = DefaultHasher::new();
    let mut w: Vec<_> = wanted.iter().collect();
    w.sort();
    w.hash(&mut hasher);
    known_links.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
