//! Command-line flags and environment variables: where to listen, where the
//! database lives, TLS, and the limits the server enforces.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::Parser;

/// The Rapport sync server.
#[derive(Clone, Parser)]
#[command(name = "rapport-server", version, about)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port; the chosen address is
    /// printed on stdout).
    #[arg(long, env = "RAPPORT_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,

    /// SQLite database file (its directory is created if missing), or a
    /// PostgreSQL URL (`postgres://user:password@host:port/dbname`, plain TCP:
    /// keep it on loopback or a private network).
    #[arg(
        long,
        env = "RAPPORT_DATABASE",
        default_value = "./rapport-data/rapport.sqlite3"
    )]
    pub database: PathBuf,

    /// Most PostgreSQL connections this process opens (ignored for SQLite).
    #[arg(long, env = "RAPPORT_DB_CONNECTIONS", default_value_t = 8)]
    pub db_connections: usize,

    /// Create the PostgreSQL database `--database` names if it does not
    /// exist (the role needs CREATEDB); a SQLite file is always created.
    #[arg(long, env = "RAPPORT_CREATE_DATABASE")]
    pub create_database: bool,

    /// PEM certificate chain; with --tls-key the server speaks HTTPS.
    #[arg(long, env = "RAPPORT_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key matching --tls-cert.
    #[arg(long, env = "RAPPORT_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Allow plain HTTP on a non-loopback address (behind a TLS-terminating proxy).
    #[arg(long, env = "RAPPORT_ALLOW_INSECURE_HTTP")]
    pub allow_insecure_http: bool,

    /// Largest request body in bytes.
    #[arg(long, env = "RAPPORT_MAX_BODY_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_body_bytes: u64,

    /// Largest bundle or snapshot (its data) in bytes.
    #[arg(long, env = "RAPPORT_MAX_BUNDLE_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_bundle_bytes: u64,

    /// Most bytes of bundles and snapshots one account's record may hold on
    /// the server (its storage quota; 1 GiB by default).
    #[arg(long, env = "RAPPORT_MAX_ACCOUNT_BYTES", default_value_t = 1024 * 1024 * 1024)]
    pub max_account_bytes: u64,

    /// Most bundles in one push.
    #[arg(long, env = "RAPPORT_MAX_BATCH", default_value_t = 500)]
    pub max_batch: u32,

    /// Most changes and removals in one pulled page.
    #[arg(long, env = "RAPPORT_MAX_PAGE", default_value_t = 500)]
    pub max_page: u32,

    /// Sustained requests per second allowed per signed-in device (or per
    /// client address without a valid token).
    #[arg(long, env = "RAPPORT_RATE_PER_SEC", default_value_t = 20.0)]
    pub rate_per_sec: f64,

    /// Requests allowed in a burst per signed-in device (or per client
    /// address without a valid token).
    #[arg(long, env = "RAPPORT_RATE_BURST", default_value_t = 200.0)]
    pub rate_burst: f64,

    /// Longest a request may take, reading its body included, in seconds;
    /// past it the server answers 408 (a slow or stalled client).
    #[arg(long, env = "RAPPORT_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Longest a client may take to send a request's headers, in seconds;
    /// past it the connection is closed (slowloris).
    #[arg(long, env = "RAPPORT_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// How long an invite code stays valid, in seconds.
    #[arg(long, env = "RAPPORT_INVITE_TTL_SECS", default_value_t = 24 * 60 * 60)]
    pub invite_ttl_secs: u64,

    /// How long a device's token stays valid without use, in seconds; every
    /// request renews it (the last-seen time is written at most once a
    /// minute).
    #[arg(long, env = "RAPPORT_TOKEN_IDLE_SECS", default_value_t = 30 * 24 * 60 * 60)]
    pub token_idle_secs: u64,

    /// Who may sign up as a therapist: a comma-separated list of emails and
    /// `@domain`s, or `*` for anyone. Required when listening on a
    /// non-loopback address; on loopback, unset means anyone.
    #[arg(long, env = "RAPPORT_THERAPIST_EMAILS")]
    pub therapist_emails: Option<String>,

    /// Most password hashes computed at once (each holds the Argon2 memory
    /// cost); default: the number of CPUs.
    #[arg(long, env = "RAPPORT_HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,

    /// How long a sign-in or sign-up waits for a hashing turn before it is
    /// answered 429, in milliseconds (0: not at all).
    #[arg(long, env = "RAPPORT_HASH_WAIT_MS", default_value_t = 2000)]
    pub hash_wait_ms: u64,

    /// Wrong passwords for one account, within the window, after which its
    /// password checks are refused (429) until the window ends.
    #[arg(long, env = "RAPPORT_SIGN_IN_MAX_FAILURES", default_value_t = 10)]
    pub sign_in_max_failures: u32,

    /// The window of --sign-in-max-failures, in seconds.
    #[arg(long, env = "RAPPORT_SIGN_IN_FAILURE_WINDOW_SECS", default_value_t = 15 * 60)]
    pub sign_in_failure_window_secs: u64,

    /// Argon2id memory cost in KiB (the OWASP minimum is 19456; lower only for tests).
    #[arg(
        long,
        env = "RAPPORT_ARGON2_MEMORY_KIB",
        default_value_t = 19_456,
        hide = true
    )]
    pub argon2_memory_kib: u32,

    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "RAPPORT_LOG_JSON")]
    pub log_json: bool,
}

/// Never prints a PostgreSQL URL's password (see [`crate::db::describe`]).
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database", &crate::db::describe(&self.database))
            .field("db_connections", &self.db_connections)
            .field("tls", &self.tls_cert.is_some())
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_bundle_bytes", &self.max_bundle_bytes)
            .field("max_batch", &self.max_batch)
            .field("max_account_bytes", &self.max_account_bytes)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("header_timeout_secs", &self.header_timeout_secs)
            .field("max_page", &self.max_page)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn invite_ttl(&self) -> Duration {
        Duration::from_secs(self.invite_ttl_secs)
    }

    /// How long an unused token stays valid.
    pub fn token_idle(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.token_idle_secs).unwrap_or(i64::MAX / 1000))
    }

    /// Whether this (normalised) email may hold the therapist role.
    pub fn may_be_therapist(&self, email: &str) -> bool {
        let Some(list) = &self.therapist_emails else {
            return true;
        };
        let domain = email.rsplit_once('@').map(|(_, d)| d);
        list.split(',')
            .map(|entry| entry.trim().to_lowercase())
            .filter(|entry| !entry.is_empty())
            .any(|entry| {
                entry == "*"
                    || entry == email
                    || entry.strip_prefix('@').is_some_and(|d| Some(d) == domain)
            })
    }

    /// How many password hashes may run at once.
    pub fn hash_concurrency(&self) -> usize {
        self.hash_concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
            .max(1)
    }

    /// Refuses plain HTTP on a non-loopback address unless explicitly allowed.
    pub fn check_transport(&self) -> Result<(), String> {
        let tls = self.tls_cert.is_some() && self.tls_key.is_some();
        if !tls && !self.listen.ip().is_loopback() && !self.allow_insecure_http {
            return Err(format!(
                "refusing to serve plain HTTP on {}: give --tls-cert and --tls-key, \
                 listen on a loopback address, or pass --allow-insecure-http if a \
                 TLS-terminating proxy sits in front",
                self.listen
            ));
        }
        if self.therapist_emails.is_none() && !self.listen.ip().is_loopback() {
            return Err(format!(
                "refusing to serve on {} without --therapist-emails: name the emails or \
                 @domains that may sign up as therapists, or give '*' to let anyone",
                self.listen
            ));
        }
        if self.token_idle_secs == 0 {
            return Err("--token-idle-secs must be positive".into());
        }
        if self.db_connections == 0 {
            return Err("--db-connections must be positive".into());
        }
        if self.request_timeout_secs == 0 || self.header_timeout_secs == 0 {
            return Err(
                "--request-timeout-secs and --header-timeout-secs must be at least 1".into(),
            );
        }
        if self.max_batch == 0 || self.max_page == 0 || self.max_body_bytes == 0 {
            return Err("--max-batch, --max-page and --max-body-bytes must be positive".into());
        }
        if self.hash_concurrency == Some(0) || self.sign_in_max_failures == 0 {
            return Err("--hash-concurrency and --sign-in-max-failures must be positive".into());
        }
        if !(self.rate_per_sec > 0.0 && self.rate_burst >= 1.0) {
            return Err("--rate-per-sec must be positive and --rate-burst at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Config;

    #[test]
    fn the_therapist_list_takes_emails_domains_and_a_star() {
        let config = |list: Option<&str>| {
            let mut args = vec!["rapport-server".to_owned()];
            if let Some(list) = list {
                args.extend(["--therapist-emails".to_owned(), list.to_owned()]);
            }
            Config::parse_from(args)
        };
        let listed = config(Some(" Dr.T@Clinic.example , @practice.example"));
        assert!(listed.may_be_therapist("dr.t@clinic.example"));
        assert!(listed.may_be_therapist("anyone@practice.example"));
        assert!(!listed.may_be_therapist("other@clinic.example"));
        assert!(!listed.may_be_therapist("x@evil-practice.example"));
        assert!(!listed.may_be_therapist("practice.example@x.example"));
        assert!(config(Some("*")).may_be_therapist("a@b.example"));
        assert!(!config(Some("")).may_be_therapist("a@b.example"));
        assert!(config(None).may_be_therapist("a@b.example"));
        let public = Config::parse_from([
            "rapport-server",
            "--listen",
            "0.0.0.0:443",
            "--allow-insecure-http",
        ]);
        assert!(
            public
                .check_transport()
                .is_err_and(|e| e.contains("--therapist-emails"))
        );
    }

    #[test]
    fn debug_never_prints_a_database_password() {
        let config = Config::parse_from([
            "rapport-server",
            "--database",
            "postgres://rapport:hunter2secret@db:5432/rapport?password=hunter2secret",
        ]);
        let text = format!("{config:?}");
        assert!(!text.contains("hunter2secret"), "{text}");
        assert!(
            text.contains("postgres://rapport@db:5432/rapport"),
            "{text}"
        );
    }
}
