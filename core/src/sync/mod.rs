//! The sync engine: signs a device in, pushes the outbox, pulls what changed,
//! applies it, keeps sharing in step with the items marked shared, and
//! reports a status for the UI. Offline-first: with no server every local
//! write is kept and the next sync catches up.
//!
//! Network work is async (reqwest on tokio); the record itself stays a
//! blocking, local [`Store`].

mod authority;
mod cbor;
mod directory;
mod engine;
mod error;
mod http;
mod keyring;
mod replace_key;
mod retry;
mod sealing;
mod sharing;
mod state;
mod status;
mod upgrade;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rapport_crypto::{AccountKey, PairingRequest, RecoveryKit};
use rapport_protocol::{
    AccessLogEntry, AccountId, CareLink, Device, DeviceId, DocKind, Grant, GrantId, GrantRequest,
    GrantScope, Invite, KeyBackup, LinkId, RedeemInviteRequest, Role, Session, SignInRequest,
    SignUpRequest, Tag,
};
use reqwest::Method;

pub use authority::{RefusalReason, RefusedWrap};
pub use engine::{SNAPSHOT_AFTER, SyncCounts, SyncReport};
pub use error::SyncError;
pub use http::Traffic;
pub use keyring::Keyring;
pub use status::{StatusObserver, SyncState, SyncStatus};

use crate::id::ItemId;
use crate::note::Note;
use crate::observer::{Listeners, Subscription};
use crate::record::Item;
use crate::store::Store;

/// How to reach the server and how hard to try.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// `https://…`; plain `http://` only to loopback.
    pub server_url: String,
    /// Extra trusted certificates (PEM), for a server with its own CA.
    pub extra_root_certificates_pem: Option<String>,
    /// Shown in the account's device list.
    pub device_name: String,
    /// Tries per request before giving up (network errors, 5xx, 429).
    pub max_attempts: u32,
    /// Pause before the first retry; doubled each time.
    pub retry_backoff: Duration,
    /// Seal everything end to end (the default). Off only for a shell that
    /// does not hand over an account key yet: it then syncs plaintext
    /// Automerge bytes as before encryption, and cannot read sealed ones.
    pub end_to_end: bool,
}

impl SyncConfig {
    pub fn new(server_url: impl Into<String>, device_name: impl Into<String>) -> Self {
        SyncConfig {
            server_url: server_url.into(),
            extra_root_certificates_pem: None,
            device_name: device_name.into(),
            max_attempts: 4,
            retry_backoff: Duration::from_millis(250),
            end_to_end: true,
        }
    }
}

/// Signs in and keeps one store in step with one server.
#[derive(Debug)]
pub struct SyncClient {
    store: Arc<Store>,
    config: SyncConfig,
    /// Shared with the request for the next page that a pull sends ahead.
    transport: Arc<http::Transport>,
    session: Mutex<Option<Session>>,
    status: Mutex<SyncStatus>,
    status_listeners: Listeners<dyn StatusObserver>,
    /// One sync at a time.
    running: tokio::sync::Mutex<()>,
    limits: Mutex<Option<rapport_protocol::Limits>>,
    /// The account key the shell handed over (from the platform keystore).
    account_key: Mutex<Option<KeptKey>>,
    /// The keys in use, once both the session and the account key are known.
    keyring: Mutex<Option<Arc<Keyring>>>,
}

/// The account key's bytes in memory: never printed, wiped when dropped.
struct KeptKey(zeroize::Zeroizing<[u8; 32]>);

impl std::fmt::Debug for KeptKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(rapport_protocol::REDACTED)
    }
}

/// Most wraps in one push: the server's limit (each push's answer runs the
/// server's "which documents still need a wrap" query, so fewer, larger
/// pushes share a large share faster; 1,000 wraps are about 330 KB).
pub(crate) const MAX_WRAPS_PER_PUSH: usize = rapport_protocol::MAX_WRAPS;

impl SyncClient {
    pub fn new(store: Arc<Store>, config: SyncConfig) -> Result<SyncClient, SyncError> {
        let transport = http::Transport::new(
            &config.server_url,
            config.extra_root_certificates_pem.as_deref(),
        )?;
        let status = SyncStatus {
            state: SyncState::Idle,
            last_synced_at: state::last_synced_at(&store)?,
        };
        Ok(SyncClient {
            store,
            config,
            transport: Arc::new(transport),
            session: Mutex::new(None),
            status: Mutex::new(status),
            status_listeners: Listeners::default(),
            running: tokio::sync::Mutex::new(()),
            limits: Mutex::new(None),
            account_key: Mutex::new(None),
            keyring: Mutex::new(None),
        })
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Creates an account and signs this device in.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        role: Role,
        display_name: &str,
    ) -> Result<Session, SyncError> {
        let request = SignUpRequest {
            email: email.to_owned(),
            password: password.to_owned(),
            role,
            display_name: display_name.to_owned(),
            device_name: Some(self.config.device_name.clone()),
        };
        let session: Session = self
            .transport
            .json(Method::POST, "v1/accounts", None, Some(&request))
            .await?;
        // A new account gets a new account key unless one was handed over,
        // and publishes its public keys at once so others can share with it.
        if self.config.end_to_end && self.account_key_bytes().is_none() {
            self.use_account_key(&AccountKey::generate());
        }
        self.resume(session.clone())?;
        if self.config.end_to_end {
            self.publish_keys().await?;
        }
        Ok(session)
    }

    /// Signs this device in. Keep the returned session in the platform
    /// keystore and hand it back with [`SyncClient::resume`] on next launch.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Session, SyncError> {
        let request = SignInRequest {
            email: email.to_owned(),
            password: password.to_owned(),
            device_name: self.config.device_name.clone(),
        };
        let session: Session = self
            .transport
            .json(Method::POST, "v1/sessions", None, Some(&request))
            .await?;
        self.resume(session.clone())?;
        Ok(session)
    }

    /// Publishes this account's public keys and this device's certificate
    /// (once per device; sync does it too).
    pub async fn publish_keys(&self) -> Result<(), SyncError> {
        let keys = self.keyring()?;
        let token = self.token()?;
        directory::publish(self, &token, &keys).await
    }

    /// Uses a session kept from an earlier sign-in.
    pub fn resume(&self, session: Session) -> Result<(), SyncError> {
        state::adopt_account(&self.store, &session.account_id.0)?;
        if let Ok(mut s) = self.session.lock() {
            *s = Some(session);
        }
        self.set_keyring();
        Ok(())
    }

    /// Hands this device the account key (kept by the shell in the platform
    /// keystore, beside the database key). Without it nothing syncs: every
    /// item is sealed on the device before it leaves (docs/encryption.md).
    pub fn use_account_key(&self, key: &AccountKey) {
        if let Ok(mut k) = self.account_key.lock() {
            *k = Some(KeptKey(key.to_bytes()));
        }
        self.set_keyring();
    }

    /// Forgets the account key on this device (a pairing whose codes did not
    /// match, or a key typed for the wrong account): nothing syncs until
    /// another one is handed over.
    pub fn forget_account_key(&self) {
        if let Ok(mut k) = self.account_key.lock() {
            *k = None;
        }
        self.set_keyring();
    }

    /// The account key, for the shell to keep in the platform keystore. A
    /// new account's key is made at sign-up: keep it, and print the
    /// recovery kit. Lost with every device and the kit, the record is lost.
    pub fn account_key(&self) -> Option<AccountKey> {
        self.account_key_bytes().map(AccountKey::from_bytes)
    }

    fn account_key_bytes(&self) -> Option<[u8; 32]> {
        self.account_key
            .lock()
            .ok()
            .and_then(|k| k.as_ref().map(|k| *k.0))
    }

    /// The account key as printable words with a checksum, to write down.
    pub fn recovery_kit(&self) -> Result<RecoveryKit, SyncError> {
        self.account_key()
            .map(|k| RecoveryKit::new(&k))
            .ok_or(SyncError::NoAccountKey)
    }

    /// Restores the account key on this device from a recovery kit.
    ///
    /// Signed in, it first asks the server for the account's published
    /// public keys: a kit of another account is refused at once
    /// ([`SyncError::WrongAccountKey`]) and nothing changes. Offline, or
    /// before sign-in, or before the account published its keys, there is
    /// nothing to compare with and the kit is taken as typed.
    pub async fn use_recovery_kit(&self, kit: &str) -> Result<(), SyncError> {
        let key = RecoveryKit::parse(kit)?;
        if let Some(session) = self.session() {
            match directory::check_own_key(self, &session, &key).await {
                Ok(()) | Err(SyncError::Offline { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        self.use_account_key(&key);
        Ok(())
    }

    /// On an existing device: seals the account key to a new device's
    /// pairing offer. Both devices then show the same 6-digit code, which the
    /// person compares before the new device is trusted.
    pub fn seal_for_pairing(&self, offer: &str) -> Result<(Vec<u8>, String), SyncError> {
        let key = self.account_key().ok_or(SyncError::NoAccountKey)?;
        let account = self.session().ok_or(SyncError::NotSignedIn)?.account_id;
        Ok(rapport_crypto::seal_for_pairing(&key, &account.0, offer)?)
    }

    /// On the new device: opens what the existing device sealed to this
    /// device's pairing offer, takes the account key, and answers the code
    /// to compare with the other device's. If the person says the codes
    /// differ, call [`SyncClient::forget_account_key`] before any sync.
    pub fn accept_pairing(
        &self,
        request: &PairingRequest,
        sealed: &[u8],
    ) -> Result<String, SyncError> {
        let account = self.session().ok_or(SyncError::NotSignedIn)?.account_id;
        let (key, code) = request.accept(&account.0, sealed)?;
        self.use_account_key(&key);
        Ok(code)
    }

    /// Keeps the account key on the server, sealed under a passphrase
    /// (Argon2id, then XChaCha20-Poly1305, on this device): the server cannot
    /// open it; a forgotten passphrase cannot be reset.
    pub async fn back_up_account_key(&self, passphrase: &str) -> Result<(), SyncError> {
        let key = self.account_key().ok_or(SyncError::NoAccountKey)?;
        let passphrase = passphrase.to_owned();
        let sealed =
            tokio::task::spawn_blocking(move || rapport_crypto::seal_backup(&key, &passphrase))
                .await
                .map_err(|e| SyncError::Protocol(format!("sealing the backup: {e}")))??;
        let token = self.token()?;
        let _: serde_json::Value = self
            .transport
            .json(
                Method::PUT,
                "v1/keys/backup",
                Some(&token),
                Some(&KeyBackup { sealed }),
            )
            .await?;
        Ok(())
    }

    /// Restores the account key from the server's passphrase backup.
    pub async fn restore_account_key(&self, passphrase: &str) -> Result<(), SyncError> {
        let backup: KeyBackup = self.get("v1/keys/backup").await?;
        let passphrase = passphrase.to_owned();
        let key = tokio::task::spawn_blocking(move || {
            rapport_crypto::open_backup(&backup.sealed, &passphrase)
        })
        .await
        .map_err(|e| SyncError::Protocol(format!("opening the backup: {e}")))??;
        self.use_account_key(&key);
        Ok(())
    }

    /// The safety number of this account and another (a linked therapist or
    /// client), from the keys pinned here: both people read theirs aloud in
    /// session; a difference means someone swapped keys.
    pub async fn safety_number(&self, other: &AccountId) -> Result<String, SyncError> {
        let keys = self.keyring()?;
        let token = self.token()?;
        let theirs = directory::pinned(self, &token, &other.0).await?;
        Ok(rapport_crypto::safety_number(
            &keys.account_id,
            &keys.account.public(),
            &other.0,
            &theirs,
        ))
    }

    fn set_keyring(&self) {
        let keyring = match (self.session(), self.account_key()) {
            (Some(session), Some(key)) => Some(Arc::new(Keyring::new(
                &session.account_id.0,
                key,
                &session.device_id.0,
            ))),
            _ => None,
        };
        if let Ok(mut k) = self.keyring.lock() {
            *k = keyring;
        }
    }

    /// The keys in use, or `None` on a client that syncs plaintext
    /// ([`SyncConfig::end_to_end`] off and no account key handed over).
    pub(crate) fn sealing_keys(&self) -> Result<Option<Arc<Keyring>>, SyncError> {
        match self.keyring() {
            Ok(keys) => Ok(Some(keys)),
            Err(SyncError::NoAccountKey) if !self.config.end_to_end => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The keys in use: signed in, with the account key.
    pub(crate) fn keyring(&self) -> Result<Arc<Keyring>, SyncError> {
        self.session().ok_or(SyncError::NotSignedIn)?;
        self.keyring
            .lock()
            .ok()
            .and_then(|k| k.clone())
            .ok_or(SyncError::NoAccountKey)
    }

    pub fn session(&self) -> Option<Session> {
        self.session.lock().ok().and_then(|s| s.clone())
    }

    /// Signs this device out on the server and forgets the session.
    pub async fn sign_out(&self) -> Result<(), SyncError> {
        let token = self.token()?;
        let result: Result<serde_json::Value, _> = self
            .transport
            .json::<(), _>(Method::DELETE, "v1/sessions/current", Some(&token), None)
            .await;
        if let Ok(mut s) = self.session.lock() {
            *s = None;
        }
        self.set_keyring();
        match result {
            Ok(_) | Err(SyncError::SessionExpired) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub async fn devices(&self) -> Result<Vec<Device>, SyncError> {
        self.get("v1/devices").await
    }

    pub async fn revoke_device(&self, device: &DeviceId) -> Result<(), SyncError> {
        self.delete(&format!("v1/devices/{device}")).await
    }

    /// A client's short-lived, single-use code for a therapist to redeem.
    pub async fn create_invite(&self) -> Result<Invite, SyncError> {
        self.post("v1/invites", &serde_json::json!({})).await
    }

    /// A therapist redeems a client's invite and becomes linked.
    pub async fn redeem_invite(&self, code: &str) -> Result<CareLink, SyncError> {
        let request = RedeemInviteRequest {
            code: code.trim().to_owned(),
        };
        self.post("v1/invites/redeem", &request).await
    }

    /// The care links of this account. A change since the last look makes
    /// the next sync bring sharing in step.
    pub async fn links(&self) -> Result<Vec<CareLink>, SyncError> {
        let links: Vec<CareLink> = self.get("v1/links").await?;
        sharing::remember_links(self, &links)?;
        Ok(links)
    }

    /// Ends a care link; every grant between the two accounts ends with it.
    /// New key epochs start first, as in [`SyncClient::revoke_grant`].
    pub async fn end_link(&self, link: &LinkId) -> Result<(), SyncError> {
        let links: Vec<CareLink> = self.get("v1/links").await?;
        if let Some(ended) = links.iter().find(|l| &l.link_id == link) {
            let me = self.session().ok_or(SyncError::NotSignedIn)?.account_id;
            let other = if ended.client == me {
                &ended.therapist
            } else {
                &ended.client
            };
            sharing::end_access(self, &me, other, None)?;
        }
        self.delete(&format!("v1/links/{link}")).await?;
        self.links().await.map(|_| ())
    }

    /// Brings the server's grants in line with the items marked shared now,
    /// even if nothing seems to have changed.
    pub async fn refresh_sharing(&self) -> Result<(), SyncError> {
        let session = self.session().ok_or(SyncError::NotSignedIn)?;
        sharing::reconcile(self, &session, true).await.map(|_| ())
    }

    /// Shares every item of a kind (present and future) with a linked
    /// therapist; with `person`, only items about that person. Syncs, so
    /// that the keys of the items it covers are sealed for the therapist.
    pub async fn share_kind(
        &self,
        therapist: &AccountId,
        kind: DocKind,
        person: Option<&ItemId>,
    ) -> Result<Grant, SyncError> {
        let request = GrantRequest {
            grantee: therapist.clone(),
            scope: GrantScope::Kind {
                kind,
                tag: match person {
                    Some(p) => Some(sharing::person_tag(self.sealing_keys()?.as_deref(), p)),
                    None => None,
                },
            },
            access: rapport_protocol::Access::Read,
        };
        let grant: Grant = self.post("v1/grants", &request).await?;
        // The authority to seal keys for the therapist is this record's own
        // (`sync::authority`), synced to the account's other devices.
        self.store.create(crate::kind_share::KindShare::new(
            therapist.clone(),
            kind,
            person.cloned(),
        ))?;
        // The therapist can read only once this device sealed the keys of
        // the matching items for them: sync now, which does it.
        self.sync_now().await?;
        Ok(grant)
    }

    pub async fn grants(&self) -> Result<Vec<Grant>, SyncError> {
        self.get("v1/grants").await
    }

    /// Revokes a grant, starting a new key epoch for every document the
    /// grantee held a key of: what is written afterwards is sealed for those
    /// who keep access only. What the grantee already saw stays seen. The
    /// epochs start before the revocation is sent, so that a revocation
    /// whose answer is lost has started them too (a retry no longer finds
    /// the grant, nor its grantee).
    pub async fn revoke_grant(&self, grant: &GrantId) -> Result<(), SyncError> {
        let grants = self.grants().await?;
        match grants.iter().find(|g| &g.grant_id == grant) {
            Some(revoked) => {
                let me = self.session().ok_or(SyncError::NotSignedIn)?.account_id;
                sharing::end_access(self, &me, &revoked.grantee, Some(&revoked.scope))?;
                sharing::revoke(self, grant).await
            }
            None => self.delete(&format!("v1/grants/{grant}")).await,
        }
    }

    /// The kind grants this client gave, for previewing what the therapist
    /// sees (`Whose::TherapistView`): with the items marked shared, they are
    /// exactly what the server lets a linked therapist read.
    pub async fn therapist_view_grants(
        &self,
    ) -> Result<Vec<crate::clinical::KindGrant>, SyncError> {
        let me = self.session().ok_or(SyncError::NotSignedIn)?.account_id;
        let keys = self.sealing_keys()?;
        let grants = self.grants().await?;
        // Tags reach the server blinded: match them against this record's people.
        let people: Vec<(Tag, ItemId)> = self
            .store
            .list(&crate::store::ListQuery {
                kinds: vec![DocKind::Person],
                limit: crate::store::MAX_PAGE,
                ..Default::default()
            })?
            .into_iter()
            .map(|s| (sharing::person_tag(keys.as_deref(), &s.id), s.id))
            .collect();
        Ok(grants
            .into_iter()
            .filter(|g| g.owner == me)
            .filter_map(|g| match g.scope {
                GrantScope::Kind { kind, tag: None } => Some(crate::clinical::KindGrant {
                    kind,
                    person_id: None,
                }),
                GrantScope::Kind {
                    kind,
                    tag: Some(tag),
                } => people.iter().find(|(t, _)| *t == tag).map(|(_, person)| {
                    crate::clinical::KindGrant {
                        kind,
                        person_id: Some(person.clone()),
                    }
                }),
                GrantScope::Document { .. } => None,
            })
            .collect())
    }

    /// The document keys the server asked this device to seal for someone
    /// this account's record does not share them with, refused (oldest
    /// first, the newest 500). Local: the server is the one that asked.
    pub fn refused_wraps(&self) -> Result<Vec<RefusedWrap>, SyncError> {
        authority::refusals(&self.store)
    }

    /// Every read of this account's items by someone else.
    pub async fn access_log(&self) -> Result<Vec<AccessLogEntry>, SyncError> {
        self.get("v1/access-log").await
    }

    /// A therapist writes a feedback note; it is shared with its client at
    /// the next sync (and kept locally until then).
    pub fn write_note(&self, note: Note) -> Result<Item<Note>, SyncError> {
        let item = self.store.create(note)?;
        self.store.set_shared(&item.id, true)?;
        Ok(self.store.get(&item.id)?)
    }

    /// Deletes everything of this account, on the server and here. Syncs
    /// first, so that documents made on the account's other devices are
    /// known; then deletes each of this account's own documents on the
    /// server (`DELETE /v1/documents/{id}`; a 404 means it never got there
    /// or is gone already); then deletes everything on this device
    /// ([`Store::delete_everything`]). The account's other devices and every
    /// therapist holding a shared copy drop theirs at their next sync.
    /// Returns how many documents the server deleted. Offline, nothing is
    /// deleted anywhere; a failure midway can be retried.
    pub async fn delete_everything(&self) -> Result<usize, SyncError> {
        let session = self.session().ok_or(SyncError::NotSignedIn)?;
        let me = session.account_id.0;
        self.sync_now().await?;
        let owners = self.store.owner_map()?;
        let mut deleted = 0;
        for id in self.store.document_ids()? {
            if owners.get(&id).is_some_and(|owner| owner != &me) {
                // Someone else's (a therapist's note): only the local copy goes.
                continue;
            }
            let path = format!("v1/documents/{id}");
            match retry::retrying(self, || self.delete(&path)).await {
                Ok(()) => deleted += 1,
                Err(SyncError::Rejected {
                    code: rapport_protocol::ErrorCode::NotFound,
                    ..
                }) => {}
                Err(e) => return Err(e),
            }
        }
        self.store.delete_everything()?;
        Ok(deleted)
    }

    /// Pushes, pulls and applies until both sides are in step.
    pub async fn sync_now(&self) -> Result<SyncReport, SyncError> {
        engine::sync_now(self).await
    }

    pub fn status(&self) -> SyncStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The UI hears every status change; the current status comes first.
    pub fn subscribe_status(&self, observer: Arc<dyn StatusObserver>) -> Subscription {
        observer.on_status(&self.status());
        self.status_listeners.subscribe(observer)
    }

    /// Requests and body bytes since this client was made.
    pub fn traffic(&self) -> Traffic {
        self.transport.traffic()
    }

    fn set_status(&self, state: SyncState, synced_at: Option<chrono::DateTime<chrono::Utc>>) {
        let status = {
            let Ok(mut s) = self.status.lock() else {
                return;
            };
            s.state = state;
            if synced_at.is_some() {
                s.last_synced_at = synced_at;
            }
            s.clone()
        };
        self.status_listeners.each(|l| l.on_status(&status));
    }

    fn token(&self) -> Result<String, SyncError> {
        self.session()
            .map(|s| s.token)
            .ok_or(SyncError::NotSignedIn)
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, SyncError> {
        let token = self.token()?;
        self.transport
            .json::<(), T>(Method::GET, path, Some(&token), None)
            .await
    }

    async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SyncError> {
        let token = self.token()?;
        self.transport
            .json(Method::POST, path, Some(&token), Some(body))
            .await
    }

    async fn delete(&self, path: &str) -> Result<(), SyncError> {
        let token = self.token()?;
        self.transport
            .json::<(), serde_json::Value>(Method::DELETE, path, Some(&token), None)
            .await
            .map(|_| ())
    }
}

/// The tags a pushed document carries, so kind grants can select it:
/// blinded with the account's tag key, so the server never learns which
/// person or goal an item is about.
pub(crate) fn tags_for(
    store: &Store,
    keys: Option<&Keyring>,
    id: &ItemId,
) -> Result<Vec<Tag>, SyncError> {
    Ok(match store.summary(id)? {
        None => Vec::new(),
        Some(s) => s
            .person_id
            .iter()
            .map(|p| sharing::person_tag(keys, p))
            .chain(s.goal_id.iter().map(|g| sharing::goal_tag(keys, g)))
            .collect(),
    })
}
