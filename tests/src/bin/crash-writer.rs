//! One writer run of the crash trials (`scripts/crash-trials`, docs/proof.md):
//! launches the trial device as the app does, adds journal entries as fast
//! as the store takes them, and syncs beside the writes, until it is
//! killed. Each entry's marker goes to the acknowledgement log only after
//! the store's call for it returned.
//!
//! ```text
//! crash-writer KEYSTORE STORE SERVER_URL ACK_DIR RUN
//! ```

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rapport_core::Store;
use rapport_core::journal::Reflection;
use rapport_core::sync::SyncClient;
use rapport_tests::crash::{self, AckLog, Failure, Keystore, Rng};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("crash-writer: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [keystore, store, server_url, acks, run] = args.as_slice() else {
        return Err("usage: crash-writer KEYSTORE STORE SERVER_URL ACK_DIR RUN".into());
    };
    let run: u32 = run.parse()?;
    let sync = Keystore::load(Path::new(keystore))?.launch(Path::new(store), server_url)?;
    let acks = AckLog::create(Path::new(acks), run)?;

    let store = Arc::clone(sync.store());
    std::thread::spawn(move || {
        if let Err(err) = write_until_killed(&store, acks, run) {
            // A write that fails is a finding: the driver sees this exit.
            eprintln!("crash-writer: run {run}: a write failed: {err}");
            std::process::exit(2);
        }
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(sync_until_killed(&sync, run))
}

/// Syncs beside the writes, as the app does in the background. A server
/// that is down (killed) fails a sync; a later one catches up.
async fn sync_until_killed(sync: &SyncClient, run: u32) -> Result<(), Failure> {
    let mut rng = Rng::new(u64::from(run));
    loop {
        if let Err(err) = sync.sync_now().await {
            eprintln!("crash-writer: run {run}: sync failed: {err}");
        }
        let pause = rng.between(Duration::ZERO, Duration::from_millis(20));
        tokio::time::sleep(pause).await;
    }
}

/// Writes entries until the process is killed; returns only on a failure.
fn write_until_killed(store: &Store, mut acks: AckLog, run: u32) -> Result<(), Failure> {
    for n in 0.. {
        let marker = crash::marker(run, n);
        store.create(Reflection {
            written_at: Utc::now(),
            text: crash::entry_text(&marker),
            person_id: None,
            goal: None,
        })?;
        // The store acknowledged the write: only now is it logged.
        acks.acknowledge(&marker)?;
    }
    Ok(())
}
