//! Shared test harness: starts the real `rapport-server` binary on a free
//! loopback port with a fresh database, and talks to it over HTTP.
//!
//! The database is a SQLite file in a temporary directory, or, when
//! `RAPPORT_TEST_POSTGRES_URL` names a PostgreSQL server (an account that may
//! create databases, e.g. `postgres://rapport@127.0.0.1:55432/postgres`), a
//! fresh database `rapport_test_<random>` on it, dropped at the end
//! (`scripts/test-server-postgres` sets this up).
//!
//! Reusable from other crates' tests: copy or `#[path]`-include this module
//! and pass the binary path to [`TestServer::start_binary`].
#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    time::Duration,
};

use rapport_protocol::{
    Bundle, BundleId, CBOR, DocKind, ErrorBody, ErrorCode, ItemId, Role, Session, SignInRequest,
    SignUpRequest, SyncRequest, SyncResponse, Tag,
};
use reqwest::{
    StatusCode,
    blocking::{Client, RequestBuilder, Response},
};
use serde::{Serialize, de::DeserializeOwned};

/// Flags that keep the tests fast: cheap password hashing.
const FAST: &[&str] = &["--argon2-memory-kib", "1024"];

/// A running server process; killed on drop.
#[derive(Debug)]
pub struct TestServer {
    child: Option<Child>,
    binary: PathBuf,
    /// Holds the database directory when the server made its own.
    _dir: Option<Arc<tempfile::TempDir>>,
    /// Holds the PostgreSQL database (dropped with its last server).
    pg: Option<Arc<PgDatabase>>,
    pub database: PathBuf,
    pub args: Vec<String>,
    /// `http://127.0.0.1:<port>` (or https).
    pub base: String,
    pub http: Client,
}

pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl TestServer {
    /// A server with a fresh database and default limits.
    pub fn start() -> TestServer {
        Self::start_with(&[])
    }

    /// A server with a fresh database and extra flags.
    pub fn start_with(args: &[&str]) -> TestServer {
        let binary = Path::new(env!("CARGO_BIN_EXE_rapport-server"));
        if let Some(pg) = PgDatabase::create() {
            let pg = Arc::new(pg);
            let mut server = Self::start_binary(binary, Path::new(&pg.url), args);
            server.pg = Some(pg);
            return server;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("data").join("rapport.sqlite3");
        let mut server = Self::start_binary(binary, &database, args);
        server._dir = Some(Arc::new(dir));
        server
    }

    /// A second server process on the same database, with the same flags.
    pub fn start_sharing(&self) -> TestServer {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let mut server = Self::start_binary(&self.binary, &self.database, &args);
        server._dir = self._dir.clone();
        server.pg = self.pg.clone();
        server
    }

    /// "postgres" or "sqlite": which backend the tests run against.
    pub fn backend() -> &'static str {
        if postgres_admin_url().is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// Starts `binary` on 127.0.0.1 with a free port and the given database.
    pub fn start_binary(binary: &Path, database: &Path, args: &[&str]) -> TestServer {
        install_crypto_provider();
        let mut server = TestServer {
            child: None,
            binary: binary.to_owned(),
            _dir: None,
            pg: None,
            database: database.to_owned(),
            args: args.iter().map(|s| (*s).to_owned()).collect(),
            base: String::new(),
            http: Client::builder()
                .timeout(Duration::from_secs(30))
                .danger_accept_invalid_certs(true)
                .build()
                .expect("http client"),
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let mut child = Command::new(&self.binary)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--database")
            .arg(&self.database)
            .args(if self.args.iter().any(|a| a == FAST[0]) {
                &[][..]
            } else {
                FAST
            })
            .args(&self.args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rapport-server");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server announces its address");
        let base = line
            .trim()
            .strip_prefix("rapport-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        assert!(
            base.starts_with("http://127.0.0.1:") || base.starts_with("https://127.0.0.1:"),
            "{base}"
        );
        self.base = base;
        self.child = Some(child);
        self.wait_healthy();
    }

    fn wait_healthy(&self) {
        for _ in 0..200 {
            if let Ok(response) = self.http.get(self.url("/health")).send()
                && response.status() == StatusCode::OK
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server never became healthy at {}", self.base);
    }

    /// Stops the process (SIGKILL: nothing acknowledged may be lost) and starts
    /// it again on the same database.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server process's id (to read its memory use in /proc).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn with_token(builder: RequestBuilder, token: Option<&str>) -> RequestBuilder {
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub fn get(&self, token: Option<&str>, path: &str) -> Response {
        Self::with_token(self.http.get(self.url(path)), token)
            .send()
            .expect("GET")
    }

    pub fn delete(&self, token: Option<&str>, path: &str) -> Response {
        Self::with_token(self.http.delete(self.url(path)), token)
            .send()
            .expect("DELETE")
    }

    pub fn post_json<T: Serialize>(&self, token: Option<&str>, path: &str, body: &T) -> Response {
        Self::with_token(self.http.post(self.url(path)), token)
            .json(body)
            .send()
            .expect("POST")
    }

    /// Sends a JSON body with any method (PUT, DELETE).
    pub fn send_json<T: Serialize>(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: &T,
    ) -> Response {
        Self::with_token(self.http.request(method, self.url(path)), token)
            .json(body)
            .send()
            .expect("request")
    }

    /// Posts raw bytes with a content type (for malformed-input tests).
    pub fn post_raw(
        &self,
        token: Option<&str>,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Response {
        Self::with_token(self.http.post(self.url(path)), token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .expect("POST")
    }

    pub fn put_cbor<T: Serialize>(&self, token: Option<&str>, path: &str, body: &T) -> Response {
        Self::with_token(self.http.put(self.url(path)), token)
            .header("content-type", CBOR)
            .body(cbor(body))
            .send()
            .expect("PUT")
    }

    /// Signs up a new account (its first device signed in).
    pub fn sign_up(&self, email: &str, role: Role) -> Session {
        let response = self.post_json(
            None,
            "/v1/accounts",
            &SignUpRequest {
                device_name: None,
                email: email.into(),
                password: "correct horse battery".into(),
                role,
                display_name: email.split('@').next().unwrap_or(email).into(),
            },
        );
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().expect("session")
    }

    /// Tries to sign a device in; the raw answer.
    pub fn try_sign_in(&self, email: &str, password: &str, device_name: &str) -> Response {
        self.post_json(
            None,
            "/v1/sessions",
            &SignInRequest {
                email: email.into(),
                password: password.into(),
                device_name: device_name.into(),
            },
        )
    }

    /// Signs another device in to an existing account.
    pub fn sign_in(&self, email: &str, device_name: &str) -> Session {
        let response = self.try_sign_in(email, "correct horse battery", device_name);
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().expect("session")
    }

    pub fn sync_response(&self, token: &str, request: &SyncRequest) -> Response {
        self.post_raw(Some(token), "/v1/sync", CBOR, cbor(request))
    }

    /// Pushes and pulls once; asserts success.
    pub fn sync(&self, token: &str, request: &SyncRequest) -> SyncResponse {
        let response = self.sync_response(token, request);
        assert_eq!(response.status(), StatusCode::OK, "{:?}", response.text());
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some(CBOR)
        );
        let bytes = response.bytes().expect("body");
        ciborium::from_reader(bytes.as_ref()).expect("CBOR sync response")
    }

    /// Pulls every page from `cursor`; returns the responses in order.
    pub fn pull_all(&self, token: &str, cursor: Option<String>) -> Vec<SyncResponse> {
        let mut cursor = cursor;
        let mut pages = Vec::new();
        for _ in 0..1000 {
            let page = self.sync(
                token,
                &SyncRequest {
                    wraps: Vec::new(),
                    cursor: cursor.clone(),
                    push: vec![],
                    limit: None,
                },
            );
            cursor = Some(page.cursor.clone());
            let more = page.more;
            pages.push(page);
            if !more {
                return pages;
            }
        }
        panic!("pull never finished");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The PostgreSQL server the tests use, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("RAPPORT_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// A fresh PostgreSQL database for one test, dropped with the last server
/// using it.
#[derive(Debug)]
pub struct PgDatabase {
    admin_url: String,
    name: String,
    /// The URL the server is given.
    pub url: String,
}

impl PgDatabase {
    /// Creates `rapport_test_<random>` when `RAPPORT_TEST_POSTGRES_URL` is set.
    pub fn create() -> Option<PgDatabase> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let admin_url = postgres_admin_url()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "rapport_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls)
            .expect("connect to RAPPORT_TEST_POSTGRES_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        // The admin URL with its database replaced.
        let (base, _) = admin_url
            .rsplit_once('/')
            .filter(|(base, _)| base.contains("://") && !base.ends_with('/'))
            .unwrap_or((admin_url.as_str(), ""));
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
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

pub fn cbor<T: Serialize>(value: &T) -> Vec<u8> {
    let mut buf = Vec::new();
    ciborium::into_writer(value, &mut buf).expect("encode CBOR");
    buf
}

/// Reads the JSON error body, asserting status and code.
pub fn expect_error(response: Response, status: StatusCode, code: ErrorCode) -> ErrorBody {
    assert_eq!(response.status(), status);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let body: ErrorBody = response.json().expect("JSON error body");
    assert_eq!(body.error, code, "{}", body.message);
    assert!(!body.message.is_empty());
    body
}

pub fn json<T: DeserializeOwned>(response: Response, status: StatusCode) -> T {
    assert_eq!(response.status(), status);
    response.json().expect("JSON body")
}

pub fn bundle(doc: &str, id: &str, kind: DocKind, tags: &[&str], data: &[u8]) -> Bundle {
    Bundle {
        epoch: 0,
        bundle_id: BundleId(id.into()),
        doc_id: ItemId(doc.into()),
        kind,
        tags: tags.iter().map(|t| Tag((*t).into())).collect(),
        data: data.to_vec(),
    }
}

pub fn push(bundles: Vec<Bundle>) -> SyncRequest {
    SyncRequest {
        wraps: Vec::new(),
        cursor: None,
        push: bundles,
        limit: None,
    }
}

/// The client invites, the therapist redeems: the two are linked.
pub fn link(
    server: &TestServer,
    client: &Session,
    therapist: &Session,
) -> rapport_protocol::CareLink {
    let invite: rapport_protocol::Invite = json(
        server.post_json(Some(&client.token), "/v1/invites", &serde_json::json!({})),
        StatusCode::CREATED,
    );
    json(
        server.post_json(
            Some(&therapist.token),
            "/v1/invites/redeem",
            &rapport_protocol::RedeemInviteRequest { code: invite.code },
        ),
        StatusCode::OK,
    )
}

/// `owner` grants `grantee` access; asserts success.
pub fn grant(
    server: &TestServer,
    owner: &Session,
    grantee: &Session,
    scope: rapport_protocol::GrantScope,
    access: rapport_protocol::Access,
) -> rapport_protocol::Grant {
    json(
        server.post_json(
            Some(&owner.token),
            "/v1/grants",
            &rapport_protocol::GrantRequest {
                grantee: grantee.account_id.clone(),
                scope,
                access,
            },
        ),
        StatusCode::CREATED,
    )
}

/// All changes of a set of pages, as (doc id, data).
pub fn changes(pages: &[SyncResponse]) -> Vec<(String, Vec<u8>)> {
    pages
        .iter()
        .flat_map(|p| {
            p.changes
                .iter()
                .map(|c| (c.doc_id.0.clone(), c.data.clone()))
        })
        .collect()
}

/// A client and a therapist, linked, and a note the therapist wrote
/// (`note-1`, "well done"), not yet shared.
pub fn linked_with_a_note(server: &TestServer) -> (Session, Session) {
    let client = server.sign_up("ada@example.org", Role::Client);
    let therapist = server.sign_up("dr.t@example.org", Role::Therapist);
    link(server, &client, &therapist);
    server.sync(
        &therapist.token,
        &push(vec![bundle(
            "note-1",
            "n1",
            DocKind::Note,
            &[],
            b"well done",
        )]),
    );
    (client, therapist)
}
