//! Test support: the real `rapport-server` on a free loopback port with a
//! fresh database, and a minimal executor with no tokio in it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// Polls `future` on this thread, parking between wake-ups: the way a
/// foreign executor drives a uniffi future, with no tokio runtime around.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

/// `RAPPORT_SERVER_BIN`, or the `rapport-server` binary of the same profile
/// (`cargo build -p rapport-server` first).
pub fn server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("RAPPORT_SERVER_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile dir");
    let bin = dir.join("rapport-server");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p rapport-server` first",
        bin.display()
    );
    bin
}

/// A running server with its own database; killed on drop.
pub struct Server {
    child: Child,
    _dir: tempfile::TempDir,
    /// `http://127.0.0.1:<port>`
    pub url: String,
}

impl Server {
    pub fn start() -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(server_binary())
            .args(["--listen", "127.0.0.1:0", "--database"])
            .arg(dir.path().join("server.sqlite3"))
            .args(["--argon2-memory-kib", "1024", "--rate-per-sec", "10000"])
            .args(["--rate-burst", "10000"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rapport-server");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            let mut sink = String::new();
            while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server announces its address");
        let url = line
            .trim()
            .strip_prefix("rapport-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Server {
            child,
            _dir: dir,
            url,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
