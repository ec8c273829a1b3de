//! The crash trials (`scripts/crash-trials N`, docs/proof.md). Starts the
//! real server and signs a client device up; then N times runs a writer
//! (`crash-writer`) on the device's record and kills it with SIGKILL after a
//! random time; every other trial kills the server too, at a random moment
//! after the writer's first acknowledged write, and starts it again on its
//! database. Then
//! it checks that every write the store acknowledged is on the device
//! exactly once; syncs; checks that the server stored each change once; and
//! checks every entry of the device on a second device of the account,
//! signed in with the recovery kit (the server holds ciphertext only).
//!
//! ```text
//! crash-trials N [--seed S]
//! ```
//!
//! Ends with `crash-trials: N trials, L lost, D duplicated` and fails
//! unless L and D are 0. The trial folder is kept when it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use rapport_core::sync::SyncClient;
use rapport_tests::crash::{AckLog, Failure, Keystore, Rng, Tally, count_markers};
use rapport_tests::{Device, Server, binary_beside};

const EMAIL: &str = "crash-trials@example.org";
/// How long a writer lives before its kill: from before its record is open
/// to a few hundred writes and syncs.
const SHORTEST_LIFE: Duration = Duration::from_millis(10);
const LONGEST_LIFE: Duration = Duration::from_millis(400);
/// A series kills the server in every other trial.
const SERVER_KILL_EVERY: u32 = 2;

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(err) => {
            eprintln!("crash-trials: {err}\nusage: crash-trials N [--seed S]");
            return ExitCode::from(2);
        }
    };
    let dir = match tempfile::Builder::new()
        .prefix("rapport-crash-trials-")
        .tempdir()
    {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("crash-trials: no folder for the trial: {err}");
            return ExitCode::FAILURE;
        }
    };
    let passed = match run(&args, &Folder(dir.path().to_owned())) {
        Ok(passed) => passed,
        Err(err) => {
            eprintln!("crash-trials: {err}");
            false
        }
    };
    if passed {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "crash-trials: the trial folder is kept: {}",
            dir.keep().display()
        );
        ExitCode::FAILURE
    }
}

#[derive(Debug)]
struct Args {
    trials: u32,
    seed: u64,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let (mut trials, mut seed) = (None, None);
        while let Some(arg) = args.next() {
            if arg == "--seed" {
                let value = args.next().ok_or("--seed needs a number")?;
                seed = Some(
                    value
                        .parse::<u64>()
                        .map_err(|e| format!("--seed {value}: {e}"))?,
                );
            } else if trials.is_none() {
                trials = Some(arg.parse::<u32>().map_err(|e| format!("N {arg}: {e}"))?);
            } else {
                return Err(format!("unexpected argument {arg}"));
            }
        }
        match trials {
            Some(trials) if trials > 0 => Ok(Args {
                trials,
                seed: seed.unwrap_or_else(Rng::seed_from_clock),
            }),
            _ => Err("N, the number of trials (at least 1), is missing".into()),
        }
    }
}

/// The trial's folder: the device's record and keystore, the writers'
/// acknowledgement logs and their output.
#[derive(Debug)]
struct Folder(PathBuf);

impl Folder {
    fn keystore(&self) -> PathBuf {
        self.0.join("keystore.cbor")
    }
    fn store(&self) -> PathBuf {
        self.0.join("device.sqlite3")
    }
    fn acks(&self) -> PathBuf {
        self.0.join("acks")
    }
    fn writer_log(&self) -> PathBuf {
        self.0.join("writer.log")
    }
}

fn run(args: &Args, folder: &Folder) -> Result<bool, Failure> {
    let started = Instant::now();
    println!(
        "crash-trials: seed {}, {} trials, in {}",
        args.seed,
        args.trials,
        folder.0.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut server = Server::start();
    let keystore = runtime.block_on(Keystore::sign_up(&folder.store(), &server.url, EMAIL))?;
    keystore.save(&folder.keystore())?;

    let server_killed_in = run_trials(args, folder, &mut server)?;
    println!(
        "killed: {} writers, {} servers, in {:.1} s",
        args.trials,
        server_killed_in.len(),
        started.elapsed().as_secs_f64()
    );
    report_writers_output(&folder.writer_log(), &server_killed_in);
    let (lost, duplicated) = runtime.block_on(check(folder, &keystore, &server))?;
    println!("took {:.1} s in all", started.elapsed().as_secs_f64());
    println!(
        "crash-trials: {} trials, {lost} lost, {duplicated} duplicated",
        args.trials
    );
    Ok(lost == 0 && duplicated == 0)
}

/// Runs the writers and kills them, and the server every other trial;
/// answers the trials that killed the server.
fn run_trials(args: &Args, folder: &Folder, server: &mut Server) -> Result<BTreeSet<u32>, Failure> {
    let writer = binary_beside("crash-writer", "cargo build -p rapport-tests --bins");
    let mut rng = Rng::new(args.seed);
    let mut server_killed_in = BTreeSet::new();
    for trial in 0..args.trials {
        let output = OpenOptions::new()
            .create(true)
            .append(true)
            .open(folder.writer_log())?;
        let mut child = Command::new(&writer)
            .arg(folder.keystore())
            .arg(folder.store())
            .arg(&server.url)
            .arg(folder.acks())
            .arg(trial.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(output)
            .spawn()?;
        let death = Instant::now() + rng.between(SHORTEST_LIFE, LONGEST_LIFE);
        if trial % SERVER_KILL_EVERY == 0 {
            // While the writer works: once its record is open and its first
            // write acknowledged (its first sync is under way by then), at
            // a random moment of the rest of its life.
            wait_for_a_write(&AckLog::path(&folder.acks(), trial), death);
            let rest = death.saturating_duration_since(Instant::now());
            std::thread::sleep(rng.between(Duration::ZERO, rest));
            // SIGKILL, then the same database on the same port again.
            server.restart();
            server_killed_in.insert(trial);
        }
        std::thread::sleep(death.saturating_duration_since(Instant::now()));
        if let Some(status) = child.try_wait()? {
            return Err(format!(
                "trial {trial}: the writer stopped before it was killed ({status}); see {}",
                folder.writer_log().display()
            )
            .into());
        }
        child.kill()?; // SIGKILL
        child.wait()?;
    }
    Ok(server_killed_in)
}

/// Waits until the writer's acknowledgement log has a line, or `deadline`.
fn wait_for_a_write(log: &Path, deadline: Instant) {
    while Instant::now() < deadline && std::fs::metadata(log).map_or(true, |m| m.len() == 0) {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Prints what the writers said, by message, and how many of the trials
/// that killed the server had a writer's sync fail (one ran into the kill
/// or the restart). Syncs fail while the server is down; nothing else
/// should make a writer say anything.
fn report_writers_output(log: &Path, server_killed_in: &BTreeSet<u32>) {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut messages: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failed_runs = BTreeSet::new();
    for line in text.lines() {
        let failed_sync = line
            .strip_prefix("crash-writer: run ")
            .and_then(|rest| rest.split_once(": sync failed: "));
        let message = match failed_sync {
            Some((run, message)) => {
                failed_runs.insert(run.parse::<u32>().unwrap_or(u32::MAX));
                message
            }
            None => line,
        };
        *messages.entry(message).or_insert(0) += 1;
    }
    println!(
        "server kills a writer's sync ran into: {} of {}; writers' output, {} lines:",
        failed_runs.intersection(server_killed_in).count(),
        server_killed_in.len(),
        text.lines().count()
    );
    for (message, n) in messages {
        println!("  {n} × {message}");
    }
}

/// Checks the device, the server and a second device; answers how many
/// writes were lost and how many duplicated, counted over all three.
async fn check(
    folder: &Folder,
    keystore: &Keystore,
    server: &Server,
) -> Result<(usize, usize), Failure> {
    let acked = AckLog::read_all(&folder.acks())?;
    let device = keystore.launch(&folder.store(), &server.url)?;
    let on_device = count_markers(device.store())?;
    let device_tally = Tally::of(&acked, &on_device);
    let unacknowledged = on_device.keys().filter(|m| !acked.contains(*m)).count();
    println!(
        "device: {} acknowledged writes, {} entries ({unacknowledged} committed but killed \
         before their acknowledgement), lost {}, duplicated {}",
        acked.len(),
        on_device.values().sum::<usize>(),
        device_tally.lost.len(),
        device_tally.duplicated.len()
    );

    push_everything(&device).await?;
    let twice_on_server = server.count(
        "SELECT count(*) FROM (SELECT doc_id FROM bundles GROUP BY doc_id HAVING count(*) > 1)",
    );
    println!(
        "server: {} documents, {} bundles, {twice_on_server} documents with a change stored twice",
        server.count("SELECT count(*) FROM documents"),
        server.count("SELECT count(*) FROM bundles")
    );

    // The second device must see every entry of the first, acknowledged or not.
    let kit = device.recovery_kit()?;
    let second = Device::sign_in_with_kit(&server.url, EMAIL, kit.as_str()).await;
    second.sync().await;
    let on_second = count_markers(&second.store)?;
    let expected: BTreeSet<String> = acked.iter().chain(on_device.keys()).cloned().collect();
    let second_tally = Tally::of(&expected, &on_second);
    println!(
        "second device: {} entries, lost {}, duplicated {}",
        on_second.values().sum::<usize>(),
        second_tally.lost.len(),
        second_tally.duplicated.len()
    );

    let lost: BTreeSet<&String> = device_tally.lost.iter().chain(&second_tally.lost).collect();
    let duplicated: BTreeSet<&String> = device_tally
        .duplicated
        .iter()
        .chain(&second_tally.duplicated)
        .collect();
    for marker in lost.iter().take(20) {
        println!("lost: {marker}");
    }
    for marker in duplicated.iter().take(20) {
        println!("duplicated: {marker}");
    }
    Ok((lost.len(), duplicated.len() + twice_on_server as usize))
}

/// Syncs the device until its outbox is empty (a few tries: the server may
/// have been killed a moment ago).
async fn push_everything(device: &SyncClient) -> Result<(), Failure> {
    let mut last = String::new();
    for _ in 0..5 {
        match device.sync_now().await {
            Ok(_) if device.store().outbox_len()? == 0 => return Ok(()),
            Ok(_) => last = format!("{} changes still unpushed", device.store().outbox_len()?),
            Err(err) => last = err.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!("the device's last changes do not reach the server: {last}").into())
}
