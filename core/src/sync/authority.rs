//! Who may read what, decided from this account's own record, never from
//! the server's word (ADR 0012). The server's `needs_wraps` is a hint: a
//! device seals a document key for a recipient only when its own record
//! says the recipient may read that document, that is:
//!
//! - a client's item marked shared, for a linked therapist;
//! - a client's item that a kind share in force covers ([`KindShare`]), for
//!   the therapist the share names, while linked;
//! - a therapist's note, for the client it is written for, while linked.
//!
//! Anything else is refused, counted, kept in the device's log of refusals
//! and reported in the sync report. The set of linked accounts still comes
//! from the server's list of care links (docs/encryption.md says what that
//! leaves open), but a link alone never widens what is shared.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rapport_protocol::{AccountId, CareLink, DocKind, ItemId, NeedsWrap, Role};
use serde::{Deserialize, Serialize};

use super::SyncError;
use crate::kind_share::KindShare;
use crate::note::Note;
use crate::store::{ListQuery, MAX_PAGE, Store};

/// Why a device refused to seal a key the server asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RefusalReason {
    /// The document is not on this device (never made here, or deleted).
    UnknownDocument,
    /// The document belongs to another account.
    NotOurs,
    /// The recipient is not linked to this account.
    NotLinked,
    /// Nothing in this account's record shares the document with the
    /// recipient (never shared, unshared, or its share ended).
    NotShared,
}

/// A key the server asked this device to seal and that it refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RefusedWrap {
    pub doc_id: ItemId,
    /// The account the server wanted the key sealed for.
    pub recipient: AccountId,
    pub epoch: u32,
    pub reason: RefusalReason,
    pub at: DateTime<Utc>,
}

/// What this account's record authorizes, read once per round of wraps.
pub(super) struct Authority {
    me: AccountId,
    role: Role,
    linked: HashSet<AccountId>,
    shares: Vec<KindShare>,
}

impl Authority {
    pub(super) fn of(
        store: &Store,
        me: &AccountId,
        role: Role,
        links: &[CareLink],
    ) -> Result<Authority, SyncError> {
        let linked = links
            .iter()
            .filter_map(|l| {
                if &l.client == me && role == Role::Client {
                    Some(l.therapist.clone())
                } else if &l.therapist == me && role == Role::Therapist {
                    Some(l.client.clone())
                } else {
                    None
                }
            })
            .collect();
        Ok(Authority {
            me: me.clone(),
            role,
            linked,
            shares: kind_shares(store)?,
        })
    }

    /// Whether this account's record lets `need.grantee` read `need.doc_id`
    /// (the inner result); the outer error is the store's.
    pub(super) fn check(
        &self,
        store: &Store,
        need: &NeedsWrap,
    ) -> Result<Result<(), RefusalReason>, SyncError> {
        let Some(summary) = store.summary(&need.doc_id)? else {
            return Ok(Err(RefusalReason::UnknownDocument));
        };
        if store.owner_of(&need.doc_id)?.is_some_and(|o| o != self.me) {
            return Ok(Err(RefusalReason::NotOurs));
        }
        if !self.linked.contains(&need.grantee) {
            return Ok(Err(RefusalReason::NotLinked));
        }
        let allowed = match (self.role, summary.kind) {
            (_, DocKind::KindShare) => false,
            (Role::Therapist, DocKind::Note) => {
                summary.shared && store.get::<Note>(&need.doc_id)?.record.client_id == need.grantee
            }
            (Role::Therapist, _) | (Role::Client, DocKind::Note) => false,
            (Role::Client, kind) => {
                summary.shared
                    || self
                        .shares
                        .iter()
                        .any(|s| s.covers(&need.grantee, kind, summary.person_id.as_ref()))
            }
        };
        Ok(if allowed {
            Ok(())
        } else {
            Err(RefusalReason::NotShared)
        })
    }
}

/// Every kind share of this record, in force or ended.
pub(super) fn kind_shares(store: &Store) -> Result<Vec<KindShare>, SyncError> {
    Ok(kind_share_items(store)?
        .into_iter()
        .map(|(_, share)| share)
        .collect())
}

/// Every kind share of this record with its id.
pub(super) fn kind_share_items(store: &Store) -> Result<Vec<(ItemId, KindShare)>, SyncError> {
    let query = ListQuery {
        kinds: vec![DocKind::KindShare],
        limit: MAX_PAGE,
        ..Default::default()
    };
    let mut out = Vec::new();
    for summary in store.list(&query)? {
        out.push((
            summary.id.clone(),
            store.get::<KindShare>(&summary.id)?.record,
        ));
    }
    Ok(out)
}

/// This account's documents that `therapist` could read through `share`.
pub(super) fn covered_by(
    store: &Store,
    me: &AccountId,
    share: &KindShare,
) -> Result<Vec<ItemId>, SyncError> {
    let Some(kind) = share.doc_kind() else {
        return Ok(Vec::new());
    };
    let query = ListQuery {
        kinds: vec![kind],
        person_id: share.person_id.clone(),
        limit: MAX_PAGE,
        ..Default::default()
    };
    Ok(store
        .list(&query)?
        .into_iter()
        .filter(|s| {
            store
                .owner_of(&s.id)
                .ok()
                .flatten()
                .is_none_or(|o| &o == me)
        })
        .map(|s| s.id)
        .collect())
}

const REFUSED: &str = "sync.refused_wraps";
/// The most refusals the device keeps (the newest).
const MAX_KEPT: usize = 500;

/// Adds refusals to the device's log of them.
pub(super) fn remember(store: &Store, refused: &[RefusedWrap]) -> Result<(), SyncError> {
    if refused.is_empty() {
        return Ok(());
    }
    let mut all = refusals(store)?;
    all.extend_from_slice(refused);
    let drop = all.len().saturating_sub(MAX_KEPT);
    all.drain(..drop);
    let json = serde_json::to_string(&all)
        .map_err(|e| SyncError::Store(crate::Error::Storage(e.to_string())))?;
    store.set_device_setting(REFUSED, &json)?;
    Ok(())
}

/// The keys this device refused to seal, oldest first.
pub(super) fn refusals(store: &Store) -> Result<Vec<RefusedWrap>, SyncError> {
    Ok(store
        .device_setting(REFUSED)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}
