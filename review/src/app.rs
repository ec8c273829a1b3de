//! The running app: the therapist's encrypted record, the sync client, the
//! care links, and the background sync.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use rapport_core::store::DatabaseKey;
use rapport_core::sync::{SyncClient, SyncConfig, SyncState};
use rapport_core::{ItemId, Store};
use rapport_protocol::{CareLink, Role, Session};

use crate::config::Config;
use crate::error::ReviewError;
use crate::guard::Auth;
use crate::keys::Keystore;

/// The record's file in the data folder.
pub const STORE_FILE: &str = "review.sqlite3";

/// Device settings of this app (never synced).
const LINKS_SETTING: &str = "review.links";
const REVIEWED_PREFIX: &str = "review.reviewed.";

/// Keystore entries.
const STORE_KEY: &str = "store-key";
const SESSION: &str = "session";
/// The account key (end-to-end encryption), beside the session.
const ACCOUNT_KEY: &str = "account-key";

#[derive(Debug)]
pub struct App {
    pub store: Arc<Store>,
    pub sync: SyncClient,
    pub server_url: String,
    pub auth: Auth,
    keys: Keystore,
    today: Option<NaiveDate>,
    sync_every: Duration,
    port: u16,
    /// The last sync failure shown beside the status, if any.
    last_error: Mutex<Option<String>>,
    /// Whether each client check-in is a safety flag (and what it says):
    /// a client's documents change only when a sync brings changes, so this
    /// is dropped then, and filled again for the caseload right after.
    flag_cache: Mutex<HashMap<ItemId, Option<String>>>,
}

impl App {
    /// Opens (or creates) the record and resumes a kept session.
    pub fn open(config: &Config) -> Result<App, ReviewError> {
        let dir = config.data_dir()?;
        create_private_dir(&dir)?;
        let keys = Keystore::choose(&dir, config.key_file_fallback)?;
        let key = match keys.get(STORE_KEY)? {
            Some(hex_key) => {
                let bytes = hex::decode(hex_key.trim())
                    .map_err(|_| ReviewError::Keystore("the kept store key is damaged".into()))?;
                DatabaseKey::from_bytes(&bytes)?
            }
            None => {
                let key = DatabaseKey::random()?;
                keys.set(STORE_KEY, &hex::encode(key.as_bytes()))?;
                key
            }
        };
        let store = Arc::new(Store::open_encrypted(dir.join(STORE_FILE), &key)?);
        let sync = SyncClient::new(
            Arc::clone(&store),
            SyncConfig::new(config.server.clone(), "Rapport Review (desktop)"),
        )?;
        if let Some(kept) = keys.get(ACCOUNT_KEY)? {
            let bytes: [u8; 32] = hex::decode(kept.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| ReviewError::Keystore("the kept account key is damaged".into()))?;
            sync.use_account_key(&rapport_crypto::AccountKey::from_bytes(bytes));
        }
        if let Some(kept) = keys.get(SESSION)?
            && let Ok(session) = serde_json::from_str::<Session>(&kept)
        {
            sync.resume(session)?;
        }
        Ok(App {
            store,
            sync,
            server_url: config.server.clone(),
            auth: Auth::new()?,
            keys,
            today: config.today,
            sync_every: Duration::from_secs(config.sync_every.max(5)),
            port: 0,
            last_error: Mutex::new(None),
            flag_cache: Mutex::new(HashMap::new()),
        })
    }

    /// The app once its port is known.
    pub fn started(mut self, port: u16) -> Arc<App> {
        self.port = port;
        Arc::new(self)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The link that signs the browser in, once.
    pub fn sign_in_url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/?token={}",
            self.port,
            self.auth.one_time_token()
        )
    }

    pub fn keystore_name(&self) -> String {
        self.keys.describe()
    }

    /// Today, for "since we last met" (the computer's local date).
    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    pub fn signed_in(&self) -> Option<Session> {
        self.sync.session()
    }

    /// Signs up or in: only therapist accounts use this app.
    pub fn keep_session(&self, session: &Session) -> Result<(), ReviewError> {
        if session.role != Role::Therapist {
            return Err(ReviewError::BadRequest(
                "this is a client's account; Rapport Review is for therapists".into(),
            ));
        }
        if let Some(key) = self.sync.account_key() {
            self.keys
                .set(ACCOUNT_KEY, &hex::encode(&key.to_bytes()[..]))?;
        }
        let json =
            serde_json::to_string(session).map_err(|e| ReviewError::Keystore(e.to_string()))?;
        self.keys.set(SESSION, &json)
    }

    pub async fn sign_out(&self) -> Result<(), ReviewError> {
        let result = self.sync.sign_out().await;
        self.keys.delete(SESSION)?;
        result.map_err(ReviewError::from)
    }

    /// Refreshes the care links, then syncs; the status is kept for the pages.
    pub async fn sync_once(&self) -> Result<(), ReviewError> {
        let result = async {
            let links = self.sync.links().await?;
            self.remember_links(&links)?;
            let report = self.sync.sync_now().await?;
            if report.pulled > 0 || report.removed > 0 {
                self.forget_flags();
            }
            // The caseload's flags are ready before the page is asked for.
            crate::pages::caseload::warm(self)?;
            Ok::<(), ReviewError>(())
        }
        .await;
        if let Ok(mut e) = self.last_error.lock() {
            *e = result.as_ref().err().map(|e| e.to_string());
        }
        result
    }

    /// The care links as last seen (kept on the device, so the caseload
    /// shows offline).
    pub fn links(&self) -> Result<Vec<CareLink>, ReviewError> {
        let me = self.signed_in().map(|s| s.account_id);
        let links: Vec<CareLink> = match self.store.device_setting(LINKS_SETTING)? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(links
            .into_iter()
            .filter(|l| Some(&l.therapist) == me.as_ref())
            .collect())
    }

    pub fn link_of(&self, account_id: &str) -> Result<CareLink, ReviewError> {
        self.links()?
            .into_iter()
            .find(|l| l.client.0 == account_id)
            .ok_or_else(|| ReviewError::NotFound("no linked client with that id".into()))
    }

    pub fn remember_links(&self, links: &[CareLink]) -> Result<(), ReviewError> {
        let json = serde_json::to_string(links).map_err(|e| ReviewError::Render(e.to_string()))?;
        self.store.set_device_setting(LINKS_SETTING, &json)?;
        Ok(())
    }

    /// When a safety flag was marked reviewed on this device, if it was.
    pub fn reviewed_at(&self, check_in_id: &str) -> Result<Option<String>, ReviewError> {
        Ok(self
            .store
            .device_setting(&format!("{REVIEWED_PREFIX}{check_in_id}"))?)
    }

    pub fn mark_reviewed(&self, check_in_id: &str) -> Result<(), ReviewError> {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.store
            .set_device_setting(&format!("{REVIEWED_PREFIX}{check_in_id}"), &now)?;
        Ok(())
    }

    /// One line for the page header: the sync state and the last sync.
    pub fn status_line(&self) -> String {
        if self.signed_in().is_none() {
            return "Not signed in; nothing syncs".to_owned();
        }
        let status = self.sync.status();
        let last = status.last_synced_at.map_or_else(
            || "never synced".to_owned(),
            |at| format!("last synced {}", crate::text::date_time(at)),
        );
        let state = match status.state {
            SyncState::Idle => "Up to date".to_owned(),
            SyncState::Syncing { .. } => "Syncing…".to_owned(),
            SyncState::Offline { .. } => "Offline, will retry".to_owned(),
            SyncState::Error { reason } => format!("Sync failed: {reason}"),
        };
        let error = self
            .last_error
            .lock()
            .ok()
            .and_then(|e| e.clone())
            .filter(|_| matches!(self.sync.status().state, SyncState::Idle));
        match error {
            Some(e) => format!("{state} · {last} · last attempt: {e}"),
            None => format!("{state} · {last}"),
        }
    }

    /// What is known of a check-in's flag: `Some(None)` not a flag.
    pub fn cached_flag(&self, id: &ItemId) -> Option<Option<String>> {
        self.flag_cache.lock().ok()?.get(id).cloned()
    }

    pub fn cache_flag(&self, id: &ItemId, flag: Option<String>) {
        if let Ok(mut cache) = self.flag_cache.lock() {
            cache.insert(id.clone(), flag);
        }
    }

    /// Drops what is known of flags, after a sync brought changes.
    pub fn forget_flags(&self) {
        if let Ok(mut cache) = self.flag_cache.lock() {
            cache.clear();
        }
    }

    pub fn sync_every(&self) -> Duration {
        self.sync_every
    }
}

/// Syncs every `sync_every` while signed in.
pub fn spawn_background_sync(app: Arc<App>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(app.sync_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if app.signed_in().is_some()
                && let Err(err) = app.sync_once().await
            {
                tracing::warn!(error = %err, "background sync failed");
            }
        }
    });
}

fn create_private_dir(dir: &std::path::Path) -> Result<(), ReviewError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| ReviewError::Start(format!("{}: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| ReviewError::Start(format!("{}: {e}", dir.display())))?;
    }
    Ok(())
}
