//! End-to-end test support: the real `rapport-server` binary on a free
//! loopback port with a fresh database, and devices (a real store file plus
//! a sync client) that talk to it.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

pub mod fault_proxy;
pub mod server_copy;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use rapport_core::Store;
use rapport_core::sync::{SyncClient, SyncConfig};
use rapport_protocol::Role;

pub mod crash;

/// The first line a child process prints on its piped stdout (where our
/// binaries announce their address), waiting at most a minute; the rest is
/// drained so the child never blocks on a full pipe.
pub fn first_line(child: &mut Child) -> Option<String> {
    let stdout = child.stdout.take()?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        let mut sink = String::new();
        while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    rx.recv_timeout(Duration::from_secs(60)).ok()
}

/// The `rapport-server` binary of the same build (profile) as the running
/// test or program, or `RAPPORT_SERVER_BIN`.
pub fn server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("RAPPORT_SERVER_BIN") {
        return PathBuf::from(path);
    }
    binary_beside("rapport-server", "cargo build -p rapport-server")
}

/// A binary of the workspace built with the same profile as the running
/// test (`target/<profile>/deps/<test>`) or program (`target/<profile>/<bin>`).
pub fn binary_beside(name: &str, build_it: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join(name))
        .find(|bin| bin.exists())
        .unwrap_or_else(|| {
            panic!(
                "{name} is missing beside {}: run `{build_it}` (with the same profile) first",
                exe.display()
            )
        })
}

/// A running server process with its own database; killed on drop.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    dir: tempfile::TempDir,
    extra: Vec<String>,
    /// A PostgreSQL database instead of the SQLite file, if given.
    postgres: Option<PgDatabase>,
    /// `http://127.0.0.1:<port>`
    pub url: String,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// Starts with extra flags (limits, TTLs): on SQLite, or on a fresh
    /// PostgreSQL database when `RAPPORT_E2E_POSTGRES=1` and
    /// `RAPPORT_TEST_POSTGRES_URL` are set (`scripts/test-server-postgres`
    /// runs the whole suite that way).
    pub fn start_with(extra: &[&str]) -> Server {
        let on_postgres = std::env::var("RAPPORT_E2E_POSTGRES").is_ok_and(|v| v == "1");
        Server::start_on(extra, PgDatabase::create().filter(|_| on_postgres))
    }

    /// Starts on a SQLite file whatever the environment: for tests that read
    /// the server's files themselves.
    pub fn start_sqlite() -> Server {
        Server::start_on(&[], None)
    }

    /// Starts on a fresh PostgreSQL database of the server named by
    /// `RAPPORT_TEST_POSTGRES_URL` (`scripts/test-server-postgres` sets it);
    /// `None` when it is not set.
    pub fn start_postgres() -> Option<Server> {
        PgDatabase::create().map(|db| Server::start_on(&[], Some(db)))
    }

    fn start_on(extra: &[&str], postgres: Option<PgDatabase>) -> Server {
        let mut server = Server {
            child: None,
            dir: tempfile::tempdir().expect("temp dir"),
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
            postgres,
            url: String::new(),
        };
        server.spawn("127.0.0.1:0");
        server
    }

    /// The PostgreSQL URL of this server's database, if it runs on one.
    pub fn postgres_url(&self) -> Option<&str> {
        self.postgres.as_ref().map(|db| db.url.as_str())
    }

    /// The server's log (stderr, at `info`), kept beside its database.
    pub fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    pub fn database(&self) -> PathBuf {
        self.dir.path().join("server.sqlite3")
    }

    fn spawn(&mut self, listen: &str) {
        let database = match &self.postgres {
            Some(db) => std::ffi::OsString::from(&db.url),
            None => self.database().into_os_string(),
        };
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log())
            .expect("open the server log");
        let mut child = Command::new(server_binary())
            .args(["--listen", listen, "--database"])
            .arg(database)
            // Cheap password hashing and generous rates keep the suite fast.
            .args(["--argon2-memory-kib", "1024", "--rate-per-sec", "10000"])
            .args(["--rate-burst", "10000"])
            .args(&self.extra)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start rapport-server");
        let line = first_line(&mut child).expect("the server announces its address");
        self.url = line
            .trim()
            .strip_prefix("rapport-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        self.child = Some(child);
    }

    /// Kills the process (SIGKILL) without a chance to clean up.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the process again on the same database and port.
    pub fn restart(&mut self) {
        self.kill();
        let listen = self
            .url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .to_owned();
        // The port may linger for a moment after the kill.
        for _ in 0..100 {
            if std::net::TcpListener::bind(&listen).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.spawn(&listen);
    }

    /// Counts rows of a server table (for exactly-once checks), on either
    /// database.
    pub fn count(&self, sql: &str) -> i64 {
        if let Some(url) = self.postgres_url() {
            let (url, sql) = (url.to_owned(), sql.to_owned());
            // The blocking client runs a runtime of its own: not on a tokio thread.
            return std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
                client.query_one(&sql, &[]).expect("count").get::<_, i64>(0)
            })
            .join()
            .expect("count on PostgreSQL");
        }
        let conn = rusqlite::Connection::open(self.database()).expect("open server db");
        conn.query_row(sql, [], |r| r.get(0)).expect("count")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fresh PostgreSQL database for one server, dropped with it.
#[derive(Debug)]
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create() -> Option<PgDatabase> {
        let admin_url = std::env::var("RAPPORT_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        // `rapport_test_` so that scripts/test-server-postgres drops leftovers.
        let name = format!("rapport_test_e2e_{}_{nanos}", std::process::id());
        // The blocking client runs a runtime of its own: not on a tokio thread.
        let (admin, create) = (admin_url.clone(), format!("CREATE DATABASE {name}"));
        std::thread::spawn(move || {
            postgres::Client::connect(&admin, postgres::NoTls)
                .expect("connect to RAPPORT_TEST_POSTGRES_URL")
                .batch_execute(&create)
                .expect("create a test database");
        })
        .join()
        .expect("create the database");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        Some(PgDatabase {
            admin_url,
            name,
            url,
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin = self.admin_url.clone();
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = std::thread::spawn(move || {
            if let Ok(mut admin) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = admin.batch_execute(&drop);
            }
        })
        .join();
    }
}

/// One phone: an encrypted store file of its own and a sync client.
#[derive(Debug)]
pub struct Device {
    _dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub sync: SyncClient,
}

impl Device {
    pub fn new(server_url: &str, name: &str) -> Device {
        Device::with_sealing(server_url, name, true)
    }

    /// A device that seals end to end (`true`, as every Rust client does) or
    /// syncs plaintext like a shell that hands over no account key.
    pub fn with_sealing(server_url: &str, name: &str, end_to_end: bool) -> Device {
        let dir = tempfile::tempdir().expect("temp dir");
        // Encrypted, as the apps open it (ADR 0006).
        let key = rapport_core::store::DatabaseKey::random().expect("key");
        let store = Arc::new(
            Store::open_encrypted(dir.path().join("rapport.sqlite3"), &key).expect("open store"),
        );
        let mut config = sync_config(server_url, name);
        config.end_to_end = end_to_end;
        let sync = SyncClient::new(Arc::clone(&store), config).expect("sync client");
        Device {
            _dir: dir,
            store,
            sync,
        }
    }

    /// A new account on this device.
    pub async fn sign_up(server_url: &str, email: &str, role: Role) -> Device {
        let device = Device::new(server_url, &format!("{email}'s phone"));
        device
            .sync
            .sign_up(email, PASSWORD, role, email)
            .await
            .expect("sign up");
        device
    }

    /// Another device of an existing account, given the account key with
    /// the recovery kit of one of its devices (as a person types it in).
    pub async fn sign_in(server_url: &str, email: &str, kit_from: &Device) -> Device {
        let kit = kit_from.sync.recovery_kit().expect("recovery kit");
        Device::sign_in_with_kit(server_url, email, kit.as_str()).await
    }

    /// Another device of an existing account, given its recovery kit.
    pub async fn sign_in_with_kit(server_url: &str, email: &str, kit: &str) -> Device {
        let device = Device::new(server_url, &format!("{email}'s tablet"));
        device.sync.sign_in(email, PASSWORD).await.expect("sign in");
        device
            .sync
            .use_recovery_kit(kit)
            .await
            .expect("use the recovery kit");
        device
    }

    pub async fn sync(&self) -> rapport_core::sync::SyncReport {
        self.sync.sync_now().await.expect("sync")
    }
}

/// A test device's sync settings: sealing end to end, as the apps do, and
/// few, quick retries, so that a server that is down fails a sync fast.
pub fn sync_config(server_url: &str, device_name: &str) -> SyncConfig {
    let mut config = SyncConfig::new(server_url, device_name);
    config.max_attempts = 2;
    config.retry_backoff = Duration::from_millis(20);
    config.end_to_end = true;
    config
}

pub const PASSWORD: &str = "correct horse battery staple";

/// Links a therapist to a client through an invite code.
pub async fn link(client: &Device, therapist: &Device) -> rapport_protocol::CareLink {
    let invite = client.sync.create_invite().await.expect("invite");
    therapist
        .sync
        .redeem_invite(&invite.code)
        .await
        .expect("redeem")
}
