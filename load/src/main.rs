//! `rapport-load`: a load generator for the sync server (docs/performance.md).
//!
//! Starts `--servers` real `rapport-server` processes on loopback, all on one
//! database (a fresh SQLite file, or a fresh database on the PostgreSQL server
//! `--database` names), signs `--devices` client accounts up, then for
//! `--seconds` keeps `--connections` requests in flight:
//! - `pull`: an up-to-date device polls (`POST /v1/sync`, empty push);
//! - `push-pull`: a device pushes one 300-byte bundle and pulls.
//!
//! Afterwards a second device of every account pulls everything and counts
//! the acknowledged bundles it finds. Ends with one JSON line.

use std::{
    collections::HashSet,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, ExitCode, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use clap::{Parser, ValueEnum};
use rapport_protocol::{
    Bundle, BundleId, CBOR, DocKind, ItemId, Role, Session, SignInRequest, SignUpRequest,
    SyncRequest, SyncResponse,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Workload {
    Pull,
    PushPull,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Pull => "pull",
            Workload::PushPull => "push-pull",
        }
    }
}

#[derive(Debug, Parser)]
#[command(about = "Load generator for rapport-server (docs/performance.md)")]
struct Args {
    /// Signed-in devices, each its own client account.
    #[arg(long, default_value_t = 1000)]
    devices: usize,
    /// How long to measure.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    #[arg(long, value_enum, default_value_t = Workload::Pull)]
    workload: Workload,
    /// A PostgreSQL server (`postgres://user@host:port/db`) on which to create
    /// a fresh database; without it, a fresh SQLite file.
    #[arg(long)]
    database: Option<String>,
    /// Server processes sharing the database.
    #[arg(long, default_value_t = 1)]
    servers: usize,
    /// Requests in flight at once (one connection each).
    #[arg(long, default_value_t = 100)]
    connections: usize,
    /// Most requests in all, whatever the time.
    #[arg(long, default_value_t = 2_000_000)]
    max_requests: u64,
    /// The server binary (default: `rapport-server` next to this one).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// `--db-connections` for each server (PostgreSQL pool).
    #[arg(long)]
    db_connections: Option<usize>,
}

type Error = Box<dyn std::error::Error + Send + Sync>;
type Result<T, E = Error> = std::result::Result<T, E>;

/// A server process, killed on drop.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(binary: &PathBuf, database: &str, args: &Args) -> Result<Server> {
    let mut command = Command::new(binary);
    command.args([
        "--listen",
        "127.0.0.1:0",
        "--database",
        database,
        // Cheap password hashing and no rate limit: the load is the point.
        "--argon2-memory-kib",
        "1024",
        "--rate-per-sec",
        "1000000",
        "--rate-burst",
        "1000000",
    ]);
    if let Some(n) = args.db_connections {
        command.args(["--db-connections", &n.to_string()]);
    }
    // Warnings only: at the default `info` the server formats a line per
    // request (to stderr, dropped here), which is not what is measured.
    let mut child = command
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .filter(|u| u.starts_with("http"))
        .ok_or_else(|| format!("the server said {line:?}"))?
        .to_owned();
    Ok(Server { child, url })
}

/// A fresh database on the PostgreSQL server, dropped on drop.
struct PgDatabase {
    admin: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(admin: &str) -> Result<PgDatabase> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
        let name = format!("rapport_load_{}_{}", std::process::id(), nanos.as_micros());
        let mut client = postgres::Client::connect(admin, postgres::NoTls)?;
        client.batch_execute(&format!("CREATE DATABASE {name}"))?;
        let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
        Ok(PgDatabase {
            admin: admin.to_owned(),
            url: format!("{base}/{name}"),
            name,
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name));
        }
    }
}

#[derive(Debug)]
struct DeviceState {
    email: String,
    token: String,
    server: usize,
    cursor: Option<String>,
    pushed: u64,
    acked: HashSet<String>,
}

async fn post_json<T: serde::Serialize + ?Sized, R: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    body: &T,
) -> Result<R> {
    let response = http.post(url).json(body).send().await?;
    if !response.status().is_success() {
        return Err(format!("{url}: {}", response.status()).into());
    }
    Ok(response.json().await?)
}

async fn sync(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    request: &SyncRequest,
) -> Result<SyncResponse> {
    let mut body = Vec::new();
    ciborium::into_writer(request, &mut body)?;
    let response = http
        .post(format!("{base}/v1/sync"))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, CBOR)
        .body(body)
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!("sync: {}", response.status()).into());
    }
    let bytes = response.bytes().await?;
    Ok(ciborium::from_reader(bytes.as_ref())?)
}

/// Pulls until no more pages; the last response's cursor.
async fn pull_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    mut cursor: Option<String>,
    mut each: impl FnMut(&SyncResponse),
) -> Result<String> {
    loop {
        let page = sync(
            http,
            base,
            token,
            &SyncRequest {
                wraps: Vec::new(),
                cursor: cursor.clone(),
                push: Vec::new(),
                limit: None,
            },
        )
        .await?;
        each(&page);
        cursor = Some(page.cursor.clone());
        if !page.more {
            return Ok(page.cursor);
        }
    }
}

const PASSWORD: &str = "load-test-password";
const BUNDLE_BYTES: usize = 300;

fn bundle_for(device: usize, n: u64) -> Bundle {
    let id = format!("d{device}-{n}");
    let mut data = id.clone().into_bytes();
    data.push(b'|');
    data.resize(BUNDLE_BYTES, b'x');
    Bundle {
        epoch: 0,
        bundle_id: BundleId(id),
        doc_id: ItemId(format!("load-doc-{device}")),
        kind: DocKind::Reflection,
        tags: Vec::new(),
        data,
    }
}

/// Runs `f` over every index with at most `width` at once.
async fn for_each<F, Fut>(count: usize, width: usize, f: F) -> Result<()>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<()>> + Send,
{
    let f = Arc::new(f);
    let mut tasks = Vec::new();
    for lane in 0..width.min(count).max(1) {
        let f = Arc::clone(&f);
        tasks.push(tokio::spawn(async move {
            let mut i = lane;
            while i < count {
                f(i).await?;
                i += width;
            }
            Ok::<(), Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

#[derive(Debug, Default)]
struct Lane {
    latencies_us: Vec<u32>,
    errors: u64,
}

/// `pg_url`: the fresh PostgreSQL database, made (and dropped) outside the
/// runtime, since the synchronous client runs one of its own.
async fn run(args: Args, pg_url: Option<String>) -> Result<serde_json::Value> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let binary = match &args.server_bin {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .ok_or("no directory for this binary")?
            .join("rapport-server"),
    };
    let dir = tempfile::tempdir()?;
    let database = match pg_url {
        Some(url) => url,
        None => dir.path().join("load.sqlite3").display().to_string(),
    };
    // The first process creates the schema; the others find it.
    let mut servers = vec![start_server(&binary, &database, &args)?];
    for _ in 1..args.servers.max(1) {
        servers.push(start_server(&binary, &database, &args)?);
    }
    let urls: Arc<Vec<String>> = Arc::new(servers.iter().map(|s| s.url.clone()).collect());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .timeout(Duration::from_secs(30))
        .build()?;

    // Sign every device up and bring it up to date.
    let devices: Arc<Vec<tokio::sync::Mutex<Option<DeviceState>>>> = Arc::new(
        (0..args.devices)
            .map(|_| tokio::sync::Mutex::new(None))
            .collect(),
    );
    {
        let (http, urls, devices) = (http.clone(), Arc::clone(&urls), Arc::clone(&devices));
        for_each(args.devices, args.connections, move |i| {
            let (http, urls, devices) = (http.clone(), Arc::clone(&urls), Arc::clone(&devices));
            async move {
                let server = i % urls.len();
                let base = &urls[server];
                let email = format!("load-{i}@example.org");
                let session: Session = post_json(
                    &http,
                    &format!("{base}/v1/accounts"),
                    &SignUpRequest {
                        device_name: None,
                        email: email.clone(),
                        password: PASSWORD.into(),
                        role: Role::Client,
                        display_name: format!("Load {i}"),
                    },
                )
                .await?;
                let cursor = pull_all(&http, base, &session.token, None, |_| {}).await?;
                *devices[i].lock().await = Some(DeviceState {
                    email,
                    token: session.token,
                    server,
                    cursor: Some(cursor),
                    pushed: 0,
                    acked: HashSet::new(),
                });
                Ok(())
            }
        })
        .await?;
    }

    // The measured run: each lane owns the devices i, i + width, ...
    let width = args.connections.min(args.devices).max(1);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let budget = Arc::new(std::sync::atomic::AtomicU64::new(args.max_requests));
    let started = Instant::now();
    let mut lanes = Vec::new();
    for lane in 0..width {
        let (http, urls, devices, budget) = (
            http.clone(),
            Arc::clone(&urls),
            Arc::clone(&devices),
            Arc::clone(&budget),
        );
        let (count, workload) = (args.devices, args.workload);
        lanes.push(tokio::spawn(async move {
            let mut out = Lane::default();
            let mut i = lane;
            while Instant::now() < deadline
                && budget
                    .fetch_update(
                        std::sync::atomic::Ordering::Relaxed,
                        std::sync::atomic::Ordering::Relaxed,
                        |n| n.checked_sub(1),
                    )
                    .is_ok()
            {
                let mut slot = devices[i].lock().await;
                let Some(device) = slot.as_mut() else {
                    out.errors += 1;
                    break;
                };
                let push = match workload {
                    Workload::Pull => Vec::new(),
                    Workload::PushPull => vec![bundle_for(i, device.pushed)],
                };
                let request = SyncRequest {
                    wraps: Vec::new(),
                    cursor: device.cursor.clone(),
                    push,
                    limit: None,
                };
                let sent = Instant::now();
                match sync(&http, &urls[device.server], &device.token, &request).await {
                    Ok(response) => {
                        let micros = sent.elapsed().as_micros();
                        out.latencies_us
                            .push(u32::try_from(micros).unwrap_or(u32::MAX));
                        if !request.push.is_empty() {
                            device.pushed += 1;
                        }
                        device.acked.extend(response.acked.into_iter().map(|b| b.0));
                        device.cursor = Some(response.cursor);
                    }
                    Err(_) => out.errors += 1,
                }
                drop(slot);
                i += width;
                if i >= count {
                    i = lane;
                }
            }
            out
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for lane in lanes {
        let lane = lane.await?;
        latencies.extend(lane.latencies_us);
        errors += lane.errors;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let percentile = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let rank = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        f64::from(latencies[rank]) / 1000.0
    };

    // Every acknowledged bundle must be there: a new device of each account
    // pulls everything.
    let found = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let pushed: u64 = {
        let mut total = 0;
        for device in devices.iter() {
            total += device
                .lock()
                .await
                .as_ref()
                .map_or(0, |d| d.acked.len() as u64);
        }
        total
    };
    {
        let (http, urls, devices, found) = (
            http.clone(),
            Arc::clone(&urls),
            Arc::clone(&devices),
            Arc::clone(&found),
        );
        for_each(args.devices, args.connections, move |i| {
            let (http, urls, devices, found) = (
                http.clone(),
                Arc::clone(&urls),
                Arc::clone(&devices),
                Arc::clone(&found),
            );
            async move {
                let slot = devices[i].lock().await;
                let Some(device) = slot.as_ref() else {
                    return Ok(());
                };
                if device.acked.is_empty() {
                    return Ok(());
                }
                let base = &urls[(device.server + 1) % urls.len()];
                let checker: Session = post_json(
                    &http,
                    &format!("{base}/v1/sessions"),
                    &SignInRequest {
                        email: device.email.clone(),
                        password: PASSWORD.into(),
                        device_name: "checker".into(),
                    },
                )
                .await?;
                let mut seen = HashSet::new();
                pull_all(&http, base, &checker.token, None, |page| {
                    for change in &page.changes {
                        if let Some(id) = change.data.split(|b| *b == b'|').next() {
                            seen.insert(String::from_utf8_lossy(id).into_owned());
                        }
                    }
                })
                .await?;
                let present = device.acked.iter().filter(|id| seen.contains(*id)).count();
                found.fetch_add(present as u64, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            }
        })
        .await?;
    }
    drop(servers);
    let requests = latencies.len() as u64;
    Ok(serde_json::json!({
        "workload": args.workload.name(),
        "database": if args.database.is_some() { "postgres" } else { "sqlite" },
        "servers": args.servers.max(1),
        "devices": args.devices,
        "connections": width,
        "seconds": (elapsed * 100.0).round() / 100.0,
        "requests": requests,
        "requests_per_sec": (requests as f64 / elapsed).round(),
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "errors": errors,
        "bundles_pushed": pushed,
        "bundles_confirmed": found.load(std::sync::atomic::Ordering::Relaxed),
    }))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("rapport-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    let pg = match args.database.as_deref().map(PgDatabase::create).transpose() {
        Ok(pg) => pg,
        Err(e) => {
            eprintln!("rapport-load: creating the database: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(args, pg.as_ref().map(|pg| pg.url.clone())));
    drop(runtime);
    drop(pg);
    match result {
        Ok(report) => {
            println!("{report}");
            let clean =
                report["errors"] == 0 && report["bundles_pushed"] == report["bundles_confirmed"];
            if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("rapport-load: {e}");
            ExitCode::FAILURE
        }
    }
}
