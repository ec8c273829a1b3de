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

use chrono::NaiveDate;
use rapport_core::clinical::SessionSummary;
use rapport_core::note::Note;
use rapport_core::sync::{
    RefusedWrap, StatusObserver, SyncClient, SyncConfig, SyncCounts, SyncStatus,
};
use rapport_core::{DocKind, ItemId};
use rapport_protocol::{
    self as wire, AccessLogEntry, AccountId, CareLink, Device, DeviceId, Grant, GrantId, Invite,
    LinkId, Role, Session,
};

use crate::errors::SyncError;
use crate::store::RapportStore;
use crate::stored::StoredNote;

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

/// Told every sync status change, the current status first. Implemented in
/// Kotlin or Swift; called on a sync thread.
#[uniffi::export(with_foreign)]
pub trait SyncStatusObserver: Send + Sync {
    fn on_status(&self, status: SyncStatus);
}

struct Forward(Arc<dyn SyncStatusObserver>);

impl StatusObserver for Forward {
    fn on_status(&self, status: &SyncStatus) {
        self.0.on_status(status.clone());
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
                status: 0,
                reason: format!("could not start the sync threads: {e}"),
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
    ) -> Result<Session, SyncError> {
        self.run(move |c| async move { c.sign_up(&email, &password, role, &display_name).await })
            .await
    }

    /// Signs this device in to an existing account.
    pub async fn sign_in(&self, email: String, password: String) -> Result<Session, SyncError> {
        self.run(move |c| async move { c.sign_in(&email, &password).await })
            .await
    }

    /// Uses a session kept from an earlier sign-in (no network).
    pub fn resume(&self, session: Session) -> Result<(), SyncError> {
        Ok(self.client.resume(session)?)
    }

    /// The session in use, if signed in.
    pub fn session(&self) -> Option<Session> {
        self.client.session()
    }

    /// Signs this device out on the server and forgets the session.
    pub async fn sign_out(&self) -> Result<(), SyncError> {
        self.run(|c| async move { c.sign_out().await }).await
    }

    pub async fn devices(&self) -> Result<Vec<Device>, SyncError> {
        self.run(|c| async move { c.devices().await }).await
    }

    /// Signs another device of the account out.
    pub async fn revoke_device(&self, device_id: DeviceId) -> Result<(), SyncError> {
        self.run(move |c| async move { c.revoke_device(&device_id).await })
            .await
    }

    /// A client's short-lived, single-use code for a therapist to redeem.
    pub async fn create_invite(&self) -> Result<Invite, SyncError> {
        self.run(|c| async move { c.create_invite().await }).await
    }

    /// A therapist redeems a client's invite and becomes linked.
    pub async fn redeem_invite(&self, code: String) -> Result<CareLink, SyncError> {
        self.run(move |c| async move { c.redeem_invite(&code).await })
            .await
    }

    /// The care links of this account.
    pub async fn links(&self) -> Result<Vec<CareLink>, SyncError> {
        self.run(|c| async move { c.links().await }).await
    }

    /// Ends a care link; every grant between the two accounts ends with it.
    pub async fn end_link(&self, link_id: LinkId) -> Result<(), SyncError> {
        self.run(move |c| async move { c.end_link(&link_id).await })
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
        therapist: AccountId,
        kind: DocKind,
        person_id: Option<ItemId>,
    ) -> Result<Grant, SyncError> {
        self.run(move |c| async move { c.share_kind(&therapist, kind, person_id.as_ref()).await })
            .await
    }

    /// Grants this account gave and was given.
    pub async fn grants(&self) -> Result<Vec<Grant>, SyncError> {
        self.run(|c| async move { c.grants().await }).await
    }

    /// Revokes a grant this account gave; the therapist's copies go at their
    /// next sync.
    pub async fn revoke_grant(&self, grant_id: GrantId) -> Result<(), SyncError> {
        self.run(move |c| async move { c.revoke_grant(&grant_id).await })
            .await
    }

    /// Every read of this account's items by someone else.
    pub async fn access_log(&self) -> Result<Vec<AccessLogEntry>, SyncError> {
        self.run(|c| async move { c.access_log().await }).await
    }

    /// The client's preview of what the therapist will see before the next
    /// session: the session summary of only the items shared one by one or
    /// through a kind grant (asks the server for the grants). Without
    /// `since`, since the last session; `until` is included.
    pub async fn therapist_view_summary(
        &self,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<SessionSummary, SyncError> {
        let kind_grants = self
            .run(|c| async move { c.therapist_view_grants().await })
            .await?;
        let whose = rapport_core::clinical::Whose::TherapistView { kind_grants };
        let store = Arc::clone(self.client.store());
        // SQLite reads run on a worker of the sync runtime, never on the
        // caller's thread.
        let read = self.runtime()?.spawn_blocking(move || {
            crate::clinical::summary_of(&store, &whose, since, until, today)
        });
        Ok(AbortOnDrop(read).finish().await??)
    }

    /// A therapist writes a feedback note; it is shared with its client at
    /// the next sync and kept on this device until then (no network here).
    pub fn write_note(&self, note: Note) -> Result<StoredNote, SyncError> {
        Ok(self.client.write_note(note)?.into())
    }

    /// Pushes, pulls and applies until both sides are in step.
    pub async fn sync_now(&self) -> Result<SyncCounts, SyncError> {
        self.run(|c| async move { Ok(c.sync_now().await?.counts) })
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
    /// The document keys the server asked this device to seal for someone
    /// the account's own record does not share them with, all refused
    /// (oldest first). Non-empty means the server asked for more than it
    /// should: show it. Local; `sync_now`'s counts say how many were new.
    pub fn refused_wraps(&self) -> Result<Vec<RefusedWrap>, SyncError> {
        Ok(self.client.refused_wraps()?)
    }

    pub fn status(&self) -> SyncStatus {
        self.client.status()
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
            status: 0,
            reason: "the sync client is shutting down".into(),
        })
    }
}

/// A task that is aborted if the future awaiting it is dropped: what a
/// cancelled coroutine or Swift `Task` does to the uniffi future.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn finish(mut self) -> Result<T, SyncError> {
        (&mut self.0).await.map_err(|e| SyncError::Server {
            status: 0,
            reason: format!("the sync task stopped: {e}"),
        })
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        // A no-op once the task has finished.
        self.0.abort();
    }
}
