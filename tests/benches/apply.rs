//! The local apply path of a bootstrap, alone (no server): the record of the
//! sync bench (5,000 journal entries and 40 people) is written to a store,
//! every document exported whole (`Store::export_document`, what a new
//! device receives), then applied to a fresh store in pages of 500
//! (`Store::apply_batch`, as the sync engine does), several times.
//!
//! It uses only API that commit 169139b already had, so `scripts/apply-figures`
//! can build the same file there and run both builds in turn on one machine.
//!
//! Run: `cargo bench -p rapport-tests --bench apply [-- --runs N --store plain|encrypted|both]`.
//! One line per timed run (`apply-run store=… ms=… cpu_ms=…`: wall time, and
//! the process's time on a CPU, all threads), then the medians per store.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use rapport_core::Store;
use rapport_core::inventory::{Person, Ring};
use rapport_core::journal::{Channel, Interaction, Reflection, Win};
use rapport_core::store::{DatabaseKey, IncomingChange};

const ENTRIES: usize = 5_000;
const PAGE: usize = 500;

const WORDS: &[&str] = &[
    "calm", "phone", "dinner", "argument", "listened", "boundary", "work", "sister", "tired",
    "hopeful", "walk", "message", "apology", "weekend", "plans", "felt", "heard", "angry",
];

/// The sync bench's prose: `n` words picked from `WORDS` by `i`.
fn text(i: usize, n: usize) -> String {
    (0..n)
        .map(|k| WORDS[(i * 7 + k * 3) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Time this process (every thread, those ended included) has spent on a
/// CPU, in ms, from `/proc/self/stat` (utime + stime, in clock ticks of
/// 10 ms); `NaN` elsewhere. Steadier than wall time when other builds share
/// the cores: waiting for a core is not counted (nor waiting for fsync, of
/// which the apply path does little: one commit per page).
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised command name; utime and stime
            // are fields 14 and 15 of the whole line.
            let rest = s.get(s.rfind(')')? + 2..)?;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
        })
        .map_or(f64::NAN, |ticks| ticks * 10.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Writes the sync bench's record into `store`.
fn seed(store: &Store) {
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    let people: Vec<_> = (0..40)
        .map(|i| {
            store
                .create(Person::new(format!("P{i}"), "friend", Ring::Middle))
                .unwrap()
                .id
                .clone()
        })
        .collect();
    for i in 0..ENTRIES {
        let at = start + Duration::minutes(i as i64 * 37);
        match i % 3 {
            0 => {
                let mut x = Interaction::new(people[i % 40].clone(), at, Channel::InPerson);
                x.what_i_wanted = text(i, 8);
                x.what_i_said = text(i + 1, 12);
                x.mood_before = Some((i % 11) as _);
                store.create(x).unwrap();
            }
            1 => {
                store
                    .create(Win {
                        occurred_at: at,
                        title: text(i, 4),
                        details: text(i, 10),
                        goal: None,
                    })
                    .unwrap();
            }
            _ => {
                store
                    .create(Reflection {
                        written_at: at,
                        text: text(i, 20),
                        person_id: None,
                        goal: None,
                    })
                    .unwrap();
            }
        }
    }
}

fn main() {
    let mut runs = 5;
    let mut stores = vec!["plain"];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs),
            "--store" => match args.next().as_deref() {
                Some("plain") => stores = vec!["plain"],
                Some("encrypted") => stores = vec!["encrypted"],
                Some("both") => stores = vec!["plain", "encrypted"],
                other => panic!("--store plain|encrypted|both, not {other:?}"),
            },
            // `cargo bench` passes `--bench`; a filter may follow.
            _ => {}
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let source = Store::open(dir.path().join("source.sqlite3")).unwrap();
    let t = Instant::now();
    seed(&source);
    let incoming: Vec<_> = source
        .document_ids()
        .unwrap()
        .into_iter()
        .map(|id| {
            let (kind, data) = source.export_document(&id).unwrap();
            IncomingChange {
                doc_id: id,
                kind,
                data,
            }
        })
        .collect();
    let bytes: usize = incoming.iter().map(|c| c.data.len()).sum();
    println!(
        "apply bench: {} documents, {} KiB exported (seeded in {:.1} s); pages of {PAGE}",
        incoming.len(),
        bytes / 1024,
        t.elapsed().as_secs_f64()
    );

    for store_kind in stores {
        let mut times = Vec::new();
        let mut cpu_times = Vec::new();
        for run in 0..runs {
            let path = dir.path().join(format!("{store_kind}-{run}.sqlite3"));
            let store = match store_kind {
                "plain" => Store::open(&path).unwrap(),
                _ => Store::open_encrypted(&path, &DatabaseKey::random().unwrap()).unwrap(),
            };
            let t = Instant::now();
            let cpu = cpu_ms();
            let mut changed = 0;
            for page in incoming.chunks(PAGE) {
                let applied = store.apply_batch(page).unwrap();
                assert!(applied.rejected.is_empty());
                changed += applied.changed.len();
            }
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            let cpu = cpu_ms() - cpu;
            assert_eq!(changed, incoming.len());
            println!("apply-run store={store_kind} ms={ms:.1} cpu_ms={cpu:.1}");
            times.push(ms);
            cpu_times.push(cpu);
            drop(store);
            std::fs::remove_file(&path).ok();
        }
        println!(
            "applying {} documents locally in pages of {PAGE} ({store_kind} store): median {:.0} ms over {runs} runs ({:.0} ms on the CPU)",
            incoming.len(),
            median(times),
            median(cpu_times)
        );
    }
}
