//! Render times of the review app's two heaviest pages, on a therapist's
//! record holding 30 clients' 12-session courses: the caseload (every
//! client's profile, flags and what is new) and one client's "since we last
//! met" (the core's summary, both charts, the closeness circle). Prints the
//! median of 25 renders each; the target is 50 ms each in release.
//!
//! `cargo bench -p rapport-review --bench render`
#![allow(clippy::unwrap_used)]

#[path = "../../core/tests/course/mod.rs"]
mod course;

use std::time::{Duration, Instant};

use askama::Template;
use clap::Parser;
use rapport_core::store::{ListQuery, MAX_PAGE};
use rapport_core::{ItemId, Store};
use rapport_protocol::{AccountId, CareLink, DeviceId, LinkId, Role, Session};
use rapport_review::guard::BrowserSession;
use rapport_review::pages::{caseload, summary};
use rapport_review::{App, Config};

const CLIENTS: usize = 30;
const RUNS: usize = 25;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::parse_from([
        "rapport-review",
        "--server",
        "http://127.0.0.1:9",
        "--key-file-fallback",
        "--today",
        "2026-03-30",
        "--data-dir",
        dir.path().join("review").to_str().unwrap(),
    ]);
    let app = App::open(&config).unwrap();
    app.sync
        .resume(Session {
            account_id: AccountId("therapist-bench".into()),
            role: Role::Therapist,
            device_id: DeviceId("desk".into()),
            token: "unused".into(),
        })
        .unwrap();

    // Thirty clients, each a whole course, delivered as a sync would.
    let scratch = tempfile::tempdir_in(if std::path::Path::new("/dev/shm").is_dir() {
        "/dev/shm"
    } else {
        "/tmp"
    })
    .unwrap();
    let mut links = Vec::new();
    for n in 0..CLIENTS {
        let client = Store::open(scratch.path().join(format!("client-{n}.db"))).unwrap();
        course::build(&client);
        let ids: Vec<ItemId> = client
            .list(&ListQuery {
                limit: MAX_PAGE,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        let account = format!("client-{n:02}");
        course::share(&client, &app.store, &account, &ids);
        links.push(CareLink {
            link_id: LinkId(format!("link-{n}")),
            client: AccountId(account),
            client_name: format!("Client {n:02}"),
            therapist: AccountId("therapist-bench".into()),
            therapist_name: "Dr. Bench".into(),
            linked_at: chrono::Utc::now(),
        });
    }
    app.remember_links(&links).unwrap();
    let app = app.started(0);
    let session = BrowserSession {
        csrf: "0".repeat(64),
    };

    // The first render reads every check-in to find the flags; a sync
    // does that itself (`caseload::warm`) before any page asks.
    let start = Instant::now();
    caseload::caseload(&app, &session, None)
        .unwrap()
        .render()
        .unwrap();
    let cold = start.elapsed();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let page = caseload::caseload(&app, &session, None)
            .unwrap()
            .render()
            .unwrap();
        times.push(start.elapsed());
        size = page.len();
    }
    let caseload = median(times);
    println!(
        "caseload, {CLIENTS} clients with 12-session courses: median {:.1} ms over {RUNS} renders ({} KiB of HTML; target 50 ms); \
         the first, finding the flags (done by each sync before any page): {:.1} ms",
        caseload.as_secs_f64() * 1000.0,
        size / 1024,
        cold.as_secs_f64() * 1000.0
    );

    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let page = summary::summary(&app, &session, "client-00", None)
            .unwrap()
            .render()
            .unwrap();
        times.push(start.elapsed());
        size = page.len();
    }
    let summary = median(times);
    println!(
        "since we last met, one 12-session course (weeks 6 to 12): median {:.1} ms over {RUNS} renders ({} KiB of HTML; target 50 ms)",
        summary.as_secs_f64() * 1000.0,
        size / 1024
    );
}
