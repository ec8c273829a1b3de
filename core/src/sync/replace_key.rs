//! Replacing the account key, to cut off a lost device for good
//! (docs/encryption.md, "Replacing the account key"). Every device key and
//! the first key of every document derive from the account key, so a lost
//! device's copy of it would open everything written later. The device
//! that stays:
//!
//! 1. syncs, so that every document of the account is on the server;
//! 2. starts a new epoch for each of them, its key derived from the new
//!    account key and wrapped for the owner under it, with every older key;
//! 3. has the server switch to the new public keys (a statement signed by the
//!    old key and the new one, which peers follow from their pin), publish
//!    its new certificate, retire the others, delete the passphrase backup
//!    and rename the account's blinded tags;
//! 4. takes the new key and syncs: the new epochs go up, and the server
//!    asks for each grantee's wrap of them.
//!
//! Nothing syncs between the steps. The other devices of the account are
//! refused a sync until they get the new key (pairing, or the new kit).

use std::collections::BTreeSet;

use rapport_crypto::{AccountKey, Wrap};
use rapport_protocol::{RotateKeys, Session, TagRename};
use reqwest::Method;

use super::keyring::Keyring;
use super::retry::retrying;
use super::{SyncClient, SyncError, directory, engine, sealing, tags_for};
use crate::id::ItemId;

/// Syncs at most this often to empty the outbox before the documents are
/// listed; writes that keep arriving make the replacement wait for later.
const DRAIN_TRIES: usize = 3;

impl SyncClient {
    /// Replaces the account key with `next`, after a device was lost or
    /// stolen (revoke it first with [`SyncClient::revoke_device`]): what is
    /// written from now on cannot be read with the old key, even by someone
    /// who holds it and a full copy of the server's database. Needs the
    /// server.
    ///
    /// The shell makes `next` ([`AccountKey::generate`]) and keeps it in the
    /// keystore *before* calling, beside the current key; when the call
    /// returns it keeps `next` as the account key. If the app stops
    /// half-way, it calls this again with the same `next` at the next start,
    /// before any sync: the server's side is not done twice and the same
    /// document keys come out.
    ///
    /// Afterwards: the old recovery kit and the passphrase backup open
    /// nothing new (the server deletes the backup): show the new kit and
    /// offer a new backup. Every other device of the account syncs again
    /// only once it has the new key (pair it, or enter the new kit): until
    /// then it is refused with [`SyncError::AccountKeyReplaced`] and keeps
    /// what it wrote. Linked therapists follow the new keys on their next
    /// sync; the safety number changes, so compare it again in session.
    /// What the lost device already read stays read.
    pub async fn replace_account_key(&self, next: &AccountKey) -> Result<(), SyncError> {
        let session = self.session().ok_or(SyncError::NotSignedIn)?;
        let old = self.keyring()?;
        if next.public() == old.account.public() {
            return Err(SyncError::Protocol(
                "the new account key is the one in use; make a new one".into(),
            ));
        }
        let replaced = {
            let _one_at_a_time = self.running.lock().await;
            let published = directory::fetch(self, &session.token, &session.account_id.0).await?;
            // Done half-way before (the server already has the new keys).
            let resumed = published.account == next.public();
            if !resumed && published.account != old.account.public() {
                return Err(SyncError::AccountKeyReplaced);
            }
            let docs = if resumed {
                documents_on_server(self, &session)?.0
            } else {
                drained(self, &session).await?
            };
            let next_keys = Keyring::new(
                &old.account_id,
                AccountKey::from_bytes(*next.to_bytes()),
                &old.device_id,
            );
            let wraps = new_epochs(self, &old, &next_keys, &docs, resumed)?;
            let device =
                next.certify_device(&old.account_id, &old.device_id, &next_keys.device.public());
            let request = RotateKeys {
                rotation: old.account.rotation_to(&old.account_id, next),
                device: device.clone(),
                tags: tag_renames(self, &old, &next_keys, &docs)?,
            };
            let _: serde_json::Value = retrying(self, || {
                self.transport.json(
                    Method::POST,
                    "v1/keys/rotate",
                    Some(&session.token),
                    Some(&request),
                )
            })
            .await?;
            sealing::keep_all(&self.store, &wraps, false)?;
            self.use_account_key(next);
            let keys = self.keyring()?;
            directory::published(self, &keys, &next.public(), &device)?;
            tracing::info!(documents = docs.len(), "account key replaced");
            engine::sync_held(self).await
        };
        replaced.map(|_| ())
    }
}

/// Syncs until no own document has a change waiting, then lists them: all
/// are on the server.
async fn drained(client: &SyncClient, session: &Session) -> Result<Vec<ItemId>, SyncError> {
    for _ in 0..DRAIN_TRIES {
        engine::sync_held(client).await?;
        let (docs, waiting) = documents_on_server(client, session)?;
        if waiting == 0 {
            return Ok(docs);
        }
    }
    Err(SyncError::Protocol(
        "new writes kept arriving while the account key was being replaced; try again".into(),
    ))
}

/// This account's documents that the server holds, and how many own
/// documents have changes still waiting to be pushed (left out: one made
/// since the last sync is not on the server). The documents are listed
/// before the waiting changes, so one made in between counts as waiting.
fn documents_on_server(
    client: &SyncClient,
    session: &Session,
) -> Result<(Vec<ItemId>, usize), SyncError> {
    let store = &client.store;
    let owners = store.owner_map()?;
    let me = &session.account_id.0;
    let own: Vec<ItemId> = store
        .document_ids()?
        .into_iter()
        .filter(|id| owners.get(id).is_none_or(|owner| owner == me))
        .collect();
    let waiting: BTreeSet<ItemId> = store
        .pending_changes(0, usize::MAX)?
        .into_iter()
        .map(|c| c.doc_id)
        .filter(|id| owners.get(id).is_none_or(|owner| owner == me))
        .collect();
    let on_server: Vec<ItemId> = own.into_iter().filter(|id| !waiting.contains(id)).collect();
    Ok((on_server, waiting.len()))
}

/// The new epoch of each document, wrapped under the new key. Resumed, a
/// document that already moved (its wrap kept before the stop) is skipped.
fn new_epochs(
    client: &SyncClient,
    old: &Keyring,
    next: &Keyring,
    docs: &[ItemId],
    resumed: bool,
) -> Result<Vec<Wrap>, SyncError> {
    let store = &client.store;
    let mut wraps = Vec::with_capacity(docs.len());
    for doc in docs {
        match sealing::replacement_wrap(store, old, next, doc) {
            Ok(wrap) => wraps.push(wrap),
            Err(_) if resumed && sealing::opens_current(store, next, doc)? => {}
            Err(err) => return Err(err),
        }
    }
    Ok(wraps)
}

/// Each blinded tag the account's documents carry, under the old tag key
/// and the new one, for the server to rename in place.
fn tag_renames(
    client: &SyncClient,
    old: &Keyring,
    next: &Keyring,
    docs: &[ItemId],
) -> Result<Vec<TagRename>, SyncError> {
    let mut renames = BTreeSet::new();
    for doc in docs {
        let before = tags_for(&client.store, Some(old), doc)?;
        let after = tags_for(&client.store, Some(next), doc)?;
        renames.extend(
            before
                .into_iter()
                .zip(after)
                .map(|(from, to)| (from.0, to.0)),
        );
    }
    Ok(renames
        .into_iter()
        .map(|(from, to)| TagRename {
            from: rapport_protocol::Tag(from),
            to: rapport_protocol::Tag(to),
        })
        .collect())
}
