//! `RapportSync`: signing in, care links, sharing and syncing one
//! `RapportStore` with one server, as the shells see it. A thin object over
//! `rapport_core::sync::SyncClient`.
//!
//! The core's engine runs on tokio (reqwest, timers), so `RapportSync` keeps
//! its own small runtime and runs every network call on it; the awaited
//! `JoinHandle` works from any executor, so Kotlin coroutines and Swift tasks
//! never need tokio. When the shell cancels (a coroutine or a `Task`), uniffi
//! drops the future, and dropping it aborts the task: the Rust work stops at
//! its next await instead of completing unseen.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use rapport_core::sync::{
    StatusObserver, SyncClient, SyncConfig, SyncReport as CoreReport, SyncState as CoreState,
    SyncStatus as CoreStatus,
};
use rapport_protocol as wire;

use crate::clinical::SessionSummary;
use crate::errors::{StoreError, SyncError};
use crate::records::{ItemKind, Note, StoredNote, item_id, system_time};
use crate::store::RapportStore;

/// How to reach the sync server.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncSettings {
    /// `https://…`; plain `http://` only to this device (loopback).
    pub server_url: String,
    /// Shown in the account's device list.
    pub device_name: String,
    /// An extra trusted certificate (PEM), for a server with its own CA.
    #[uniffi(default = None)]
    pub extra_root_certificate_pem: Option<String>,
}

/// The role of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Role {
    Client,
    Therapist,
}

impl From<wire::Role> for Role {
    fn from(role: wire::Role) -> Self {
        match role {
            wire::Role::Client => Role::Client,
            wire::Role::Therapist => Role::Therapist,
        }
    }
}

impl From<Role> for wire::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::Client => wire::Role::Client,
            Role::Therapist => wire::Role::Therapist,
        }
    }
}

/// A signed-in device. Keep it in the platform keystore (it holds the bearer
/// token) and hand it back with `resume` on the next launch.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionInfo {
    pub account_id: String,
    pub role: Role,
    pub device_id: String,
    pub token: String,
}

/// Never prints the token: sessions end up in logs and crash reports.
impl std::fmt::Debug for SessionInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionInfo")
            .field("account_id", &self.account_id)
            .field("role", &self.role)
            .field("device_id", &self.device_id)
            .field("token", &wire::REDACTED)
            .finish()
    }
}

impl From<wire::Session> for SessionInfo {
    fn from(s: wire::Session) -> Self {
        SessionInfo {
            account_id: s.account_id.0,
            role: s.role.into(),
            device_id: s.device_id.0,
            token: s.token,
        }
    }
}

impl From<SessionInfo> for wire::Session {
    fn from(s: SessionInfo) -> Self {
        wire::Session {
            account_id: wire::AccountId(s.account_id),
            role: s.role.into(),
            device_id: wire::DeviceId(s.device_id),
            token: s.token,
        }
    }
}

/// A device signed in to the account.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Device {
    pub device_id: String,
    pub name: String,
    pub signed_in_at: SystemTime,
    pub last_seen_at: Option<SystemTime>,
    /// This device.
    pub current: bool,
}

impl From<wire::Device> for Device {
    fn from(d: wire::Device) -> Self {
        Device {
            device_id: d.device_id.0,
            name: d.name,
            signed_in_at: system_time(d.signed_in_at),
            last_seen_at: d.last_seen_at.map(system_time),
            current: d.current,
        }
    }
}

/// A client's short-lived, single-use code for a therapist to redeem.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Invite {
    pub code: String,
    pub expires_at: SystemTime,
}

impl From<wire::Invite> for Invite {
    fn from(i: wire::Invite) -> Self {
        Invite {
            code: i.code,
            expires_at: system_time(i.expires_at),
        }
    }
}

/// A client and a therapist linked by an invite.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CareLink {
    pub link_id: String,
    pub client: String,
    pub client_name: String,
    pub therapist: String,
    pub therapist_name: String,
    pub linked_at: SystemTime,
}

impl From<wire::CareLink> for CareLink {
    fn from(l: wire::CareLink) -> Self {
        CareLink {
            link_id: l.link_id.0,
            client: l.client.0,
            client_name: l.client_name,
            therapist: l.therapist.0,
            therapist_name: l.therapist_name,
            linked_at: system_time(l.linked_at),
        }
    }
}

/// What a grant covers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum GrantScope {
    /// One item.
    Item { item_id: String },
    /// Every item of a kind, present and future; with `person_id`, only
    /// those about that person of the inventory.
    Kind {
        kind: ItemKind,
        person_id: Option<String>,
    },
    /// Every item of a kind carrying an opaque label this version does not
    /// name (e.g. a goal).
    KindTagged { kind: ItemKind, tag: String },
}

/// What a grantee may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Access {
    Read,
    Write,
}

/// Access one account gave another.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Grant {
    pub grant_id: String,
    pub owner: String,
    pub grantee: String,
    pub scope: GrantScope,
    pub access: Access,
    pub granted_at: SystemTime,
}

impl From<wire::Grant> for Grant {
    fn from(g: wire::Grant) -> Self {
        let scope = match g.scope {
            wire::GrantScope::Document { doc_id } => GrantScope::Item { item_id: doc_id.0 },
            wire::GrantScope::Kind { kind, tag: None } => GrantScope::Kind {
                kind: kind.into(),
                person_id: None,
            },
            wire::GrantScope::Kind {
                kind,
                tag: Some(tag),
            } => match tag.0.strip_prefix(PERSON_TAG) {
                Some(person) => GrantScope::Kind {
                    kind: kind.into(),
                    person_id: Some(person.to_owned()),
                },
                None => GrantScope::KindTagged {
                    kind: kind.into(),
                    tag: tag.0,
                },
            },
        };
        Grant {
            grant_id: g.grant_id.0,
            owner: g.owner.0,
            grantee: g.grantee.0,
            scope,
            access: match g.access {
                wire::Access::Read => Access::Read,
                wire::Access::Write => Access::Write,
            },
            granted_at: system_time(g.granted_at),
        }
    }
}

/// The tag the core puts on items about a person (`sync::sharing`).
const PERSON_TAG: &str = "person:";

/// A read of one of this account's items by someone else.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccessLogEntry {
    pub reader: String,
    pub reader_name: String,
    pub item_id: String,
    pub kind: ItemKind,
    pub read_at: SystemTime,
}

impl From<wire::AccessLogEntry> for AccessLogEntry {
    fn from(e: wire::AccessLogEntry) -> Self {
        AccessLogEntry {
            reader: e.reader.0,
            reader_name: e.reader_name,
            item_id: e.doc_id.0,
            kind: e.kind.into(),
            read_at: system_time(e.read_at),
        }
    }
}

/// What one sync run moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    pub pushed: u64,
    pub pulled: u64,
    pub removed: u64,
    /// Pieces from the server that were malformed and skipped.
    pub rejected: u64,
    pub requests: u64,
}

impl From<CoreReport> for SyncReport {
    fn from(r: CoreReport) -> Self {
        SyncReport {
            pushed: r.pushed,
            pulled: r.pulled,
            removed: r.removed,
            rejected: r.rejected,
            requests: r.requests,
        }
    }
}

/// What sync is doing now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SyncState {
    Idle,
    /// A sync is running: changes pushed and pulled so far in this run.
    Syncing {
        pushed: u64,
        pulled: u64,
    },
    /// The server could not be reached; local writes are kept.
    Offline {
        reason: String,
    },
    /// The last sync failed for another reason.
    Error {
        reason: String,
    },
}

/// The status the UI shows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    pub state: SyncState,
    pub last_synced_at: Option<SystemTime>,
}

impl From<&CoreStatus> for SyncStatus {
    fn from(s: &CoreStatus) -> Self {
        let state = match &s.state {
            CoreState::Idle => SyncState::Idle,
            CoreState::Syncing { pushed, pulled } => SyncState::Syncing {
                pushed: *pushed,
                pulled: *pulled,
            },
            CoreState::Offline { reason } => SyncState::Offline {
                reason: reason.clone(),
            },
            CoreState::Error { reason } => SyncState::Error {
                reason: reason.clone(),
            },
        };
        SyncStatus {
            state,
            last_synced_at: s.last_synced_at.map(system_time),
        }
    }
}

/// Told every sync status change, the current status first. Implemented in
/// Kotlin or Swift; called on a sync thread.
#[uniffi::export(with_foreign)]
pub trait SyncStatusObserver: Send + Sync {
    fn on_status(&self, status: SyncStatus);
}

struct Forward(Arc<dyn SyncStatusObserver>);

impl StatusObserver for Forward {
    fn on_status(&self, status: &CoreStatus) {
        self.0.on_status(status.into());
    }
}

/// One status subscription. `cancel()` or dropping it (Kotlin `close()`,
/// Swift releasing it) ends it.
#[derive(Debug, uniffi::Object)]
pub struct StatusHandle {
    subscription: Mutex<Option<rapport_core::observer::Subscription>>,
}

#[uniffi::export]
impl StatusHandle {
    /// Ends the subscription now; later calls do nothing.
    pub fn cancel(&self) {
        let taken = self
            .subscription
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(taken);
    }
}

/// Signs a device in and keeps one store in step with one server.
#[derive(uniffi::Object)]
pub struct RapportSync {
    pub(crate) client: Arc<SyncClient>,
    /// Always `Some` until drop, which shuts it down without blocking (the
    /// last reference may go on any thread, even one of its own workers).
    runtime: Option<tokio::runtime::Runtime>,
}

/// Prints the session (its token redacted) and never the client: the core's
/// `SyncClient` Debug shows the account key's bytes.
impl std::fmt::Debug for RapportSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RapportSync")
            .field("session", &self.session())
            .field("account_key", &wire::REDACTED)
            .finish_non_exhaustive()
    }
}

impl Drop for RapportSync {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[uniffi::export]
impl RapportSync {
    /// A sync client for `store`; nothing is sent until a call needs it.
    #[uniffi::constructor]
    pub fn new(store: Arc<RapportStore>, settings: SyncSettings) -> Result<Arc<Self>, SyncError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("rapport-sync")
            .enable_all()
            .build()
            .map_err(|e| SyncError::Server {
                message: format!("could not start the sync threads: {e}"),
            })?;
        let mut config = SyncConfig::new(settings.server_url, settings.device_name);
        config.extra_root_certificates_pem = settings.extra_root_certificate_pem;
        let client = {
            let _in_runtime = runtime.enter();
            SyncClient::new(Arc::clone(&store.inner), config)?
        };
        Ok(Arc::new(RapportSync {
            client: Arc::new(client),
            runtime: Some(runtime),
        }))
    }

    /// Creates an account and signs this device in.
    pub async fn sign_up(
        &self,
        email: String,
        password: String,
        role: Role,
        display_name: String,
    ) -> Result<SessionInfo, SyncError> {
        self.run(move |c| async move {
            c.sign_up(&email, &password, role.into(), &display_name)
                .await
                .map(Into::into)
        })
        .await
    }

    /// Signs this device in to an existing account.
    pub async fn sign_in(&self, email: String, password: String) -> Result<SessionInfo, SyncError> {
        self.run(move |c| async move { c.sign_in(&email, &password).await.map(Into::into) })
            .await
    }

    /// Uses a session kept from an earlier sign-in (no network).
    pub fn resume(&self, session: SessionInfo) -> Result<(), SyncError> {
        Ok(self.client.resume(session.into())?)
    }

    /// The session in use, if signed in.
    pub fn session(&self) -> Option<SessionInfo> {
        self.client.session().map(Into::into)
    }

    /// Signs this device out on the server and forgets the session.
    pub async fn sign_out(&self) -> Result<(), SyncError> {
        self.run(|c| async move { c.sign_out().await }).await
    }

    pub async fn devices(&self) -> Result<Vec<Device>, SyncError> {
        self.run(|c| async move { Ok(c.devices().await?.into_iter().map(Into::into).collect()) })
            .await
    }

    /// Signs another device of the account out.
    pub async fn revoke_device(&self, device_id: String) -> Result<(), SyncError> {
        self.run(move |c| async move { c.revoke_device(&wire::DeviceId(device_id)).await })
            .await
    }

    /// A client's short-lived, single-use code for a therapist to redeem.
    pub async fn create_invite(&self) -> Result<Invite, SyncError> {
        self.run(|c| async move { c.create_invite().await.map(Into::into) })
            .await
    }

    /// A therapist redeems a client's invite and becomes linked.
    pub async fn redeem_invite(&self, code: String) -> Result<CareLink, SyncError> {
        self.run(move |c| async move { c.redeem_invite(&code).await.map(Into::into) })
            .await
    }

    /// The care links of this account.
    pub async fn links(&self) -> Result<Vec<CareLink>, SyncError> {
        self.run(|c| async move { Ok(c.links().await?.into_iter().map(Into::into).collect()) })
            .await
    }

    /// Ends a care link; every grant between the two accounts ends with it.
    pub async fn end_link(&self, link_id: String) -> Result<(), SyncError> {
        self.run(move |c| async move { c.end_link(&wire::LinkId(link_id)).await })
            .await
    }

    /// Brings the server's grants in line with the items marked shared now.
    pub async fn refresh_sharing(&self) -> Result<(), SyncError> {
        self.run(|c| async move { c.refresh_sharing().await }).await
    }

    /// Shares every item of `kind` (present and future) with a linked
    /// therapist; with `person_id`, only items about that person.
    pub async fn share_kind(
        &self,
        therapist: String,
        kind: ItemKind,
        person_id: Option<String>,
    ) -> Result<Grant, SyncError> {
        let person = person_id
            .map(|p| item_id("person_id", p))
            .transpose()
            .map_err(store_error)?;
        self.run(move |c| async move {
            c.share_kind(&wire::AccountId(therapist), kind.into(), person.as_ref())
                .await
                .map(Into::into)
        })
        .await
    }

    /// Grants this account gave and was given.
    pub async fn grants(&self) -> Result<Vec<Grant>, SyncError> {
        self.run(|c| async move { Ok(c.grants().await?.into_iter().map(Into::into).collect()) })
            .await
    }

    /// Revokes a grant this account gave; the therapist's copies go at their
    /// next sync.
    pub async fn revoke_grant(&self, grant_id: String) -> Result<(), SyncError> {
        self.run(move |c| async move { c.revoke_grant(&wire::GrantId(grant_id)).await })
            .await
    }

    /// Every read of this account's items by someone else.
    pub async fn access_log(&self) -> Result<Vec<AccessLogEntry>, SyncError> {
        self.run(|c| async move { Ok(c.access_log().await?.into_iter().map(Into::into).collect()) })
            .await
    }

    /// The client's preview of what the therapist will see before the next
    /// session: the session summary of only the items shared one by one or
    /// through a kind grant (asks the server for the grants). Days as ISO
    /// strings; without `from`, since the last session.
    pub async fn therapist_view_summary(
        &self,
        from: Option<String>,
        to: Option<String>,
        today: String,
    ) -> Result<SessionSummary, SyncError> {
        let kind_grants = self
            .run(|c| async move { c.therapist_view_grants().await })
            .await?;
        let whose = rapport_core::clinical::Whose::TherapistView { kind_grants };
        let store = Arc::clone(self.client.store());
        // SQLite reads run on a worker of the sync runtime, never on the
        // caller's thread.
        let read = self
            .runtime()?
            .spawn_blocking(move || crate::clinical::summary_of(&store, &whose, from, to, today));
        match AbortOnDrop(read).finish().await {
            Ok(summary) => summary.map_err(store_error),
            Err(e) => Err(e),
        }
    }

    /// A therapist writes a feedback note; it is shared with its client at
    /// the next sync and kept on this device until then (no network here).
    pub fn write_note(&self, note: Note) -> Result<StoredNote, SyncError> {
        let note = rapport_core::note::Note::try_from(note).map_err(store_error)?;
        Ok(self.client.write_note(note)?.into())
    }

    /// Pushes, pulls and applies until both sides are in step.
    pub async fn sync_now(&self) -> Result<SyncReport, SyncError> {
        self.run(|c| async move { c.sync_now().await.map(Into::into) })
            .await
    }

    /// Deletes everything of this account on the server and on this device;
    /// the other devices and every therapist drop their copies at their next
    /// sync. Returns how many documents the server deleted. Offline, nothing
    /// is deleted anywhere.
    pub async fn delete_everything(&self) -> Result<u64, SyncError> {
        self.run(|c| async move {
            let deleted = c.delete_everything().await?;
            Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
        })
        .await
    }

    /// The status now.
    pub fn status(&self) -> SyncStatus {
        (&self.client.status()).into()
    }

    /// `observer` hears the current status at once, then every change until
    /// the handle is cancelled or dropped.
    pub fn subscribe_status(&self, observer: Arc<dyn SyncStatusObserver>) -> Arc<StatusHandle> {
        let subscription = self.client.subscribe_status(Arc::new(Forward(observer)));
        Arc::new(StatusHandle {
            subscription: Mutex::new(Some(subscription)),
        })
    }
}

/// A bad argument from the shell, said as the store says it.
fn store_error(err: StoreError) -> SyncError {
    SyncError::Store {
        message: err.to_string(),
    }
}

impl RapportSync {
    /// Runs `work` on the sync runtime and waits for it from any executor.
    pub(crate) async fn run<T, F, Fut>(&self, work: F) -> Result<T, SyncError>
    where
        F: FnOnce(Arc<SyncClient>) -> Fut,
        Fut: Future<Output = Result<T, rapport_core::sync::SyncError>> + Send + 'static,
        T: Send + 'static,
    {
        let task = self.runtime()?.spawn(work(Arc::clone(&self.client)));
        AbortOnDrop(task).finish().await?.map_err(Into::into)
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime, SyncError> {
        self.runtime.as_ref().ok_or_else(|| SyncError::Server {
            message: "the sync client is shutting down".into(),
        })
    }
}

/// A task that is aborted if the future awaiting it is dropped: what a
/// cancelled coroutine or Swift `Task` does to the uniffi future.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn finish(mut self) -> Result<T, SyncError> {
        (&mut self.0).await.map_err(|e| SyncError::Server {
            message: format!("the sync task stopped: {e}"),
        })
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        // A no-op once the task has finished.
        self.0.abort();
    }
}
