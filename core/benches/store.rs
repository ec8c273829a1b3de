//! The record store on a realistic record: 5,000 journal entries, 50 goals,
//! 40 people. Targets (release, 2 cores): open + first page <= 30 ms, add one
//! entry <= 2 ms, full-text search <= 10 ms. See docs/performance.md.
//!
//! Run: `cargo bench -p rapport-core`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rapport_core::goal::Goal;
use rapport_core::inventory::{Person, Ring};
use rapport_core::journal::{Channel, Feeling, GoalLink, Interaction, Reflection, Win};
use rapport_core::store::{DatabaseKey, ListQuery};
use rapport_core::{ItemId, Store};

const ENTRIES: usize = 5_000;
const GOALS: usize = 50;
const PEOPLE: usize = 40;

const WORDS: &[&str] = &[
    "talked",
    "dinner",
    "sister",
    "brother",
    "mother",
    "father",
    "partner",
    "manager",
    "friend",
    "argument",
    "apology",
    "walk",
    "coffee",
    "phone",
    "message",
    "weekend",
    "work",
    "meeting",
    "angry",
    "calm",
    "nervous",
    "relieved",
    "tired",
    "hopeful",
    "listened",
    "interrupted",
    "boundary",
    "asked",
    "refused",
    "agreed",
    "plans",
    "holiday",
    "birthday",
    "money",
    "chores",
    "children",
    "school",
    "doctor",
    "lonely",
    "together",
    "later",
    "again",
    "honest",
    "quiet",
    "loud",
    "texted",
    "visited",
    "cancelled",
    "laughed",
    "cried",
    "promised",
    "forgot",
    "helped",
    "waited",
    "explained",
    "understood",
    "ignored",
    "thanked",
    "invited",
    "moved",
    "job",
    "interview",
    "neighbour",
    "gym",
    "music",
    "garden",
    "train",
    "late",
    "early",
    "morning",
    "evening",
    "night",
    "lunch",
    "breakfast",
    "film",
    "book",
    "park",
    "rain",
    "sunny",
    "tea",
];

/// A deterministic word stream.
struct Words(u64);

impl Words {
    fn next(&mut self) -> &'static str {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        WORDS[(self.0 >> 33) as usize % WORDS.len()]
    }

    fn sentence(&mut self, n: usize) -> String {
        (0..n).map(|_| self.next()).collect::<Vec<_>>().join(" ")
    }
}

fn day(i: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 8, 0, 0).single().unwrap() + Days::minutes(i as i64 * 97)
}

/// Builds the record in `path`; returns the ids of people and goals.
fn build(path: &Path, key: Option<&DatabaseKey>) -> (Vec<ItemId>, Vec<ItemId>) {
    let store = open(path, key);
    let mut w = Words(7);
    let people: Vec<ItemId> = (0..PEOPLE)
        .map(|i| {
            let mut p = Person::new(format!("P{i}"), w.next(), Ring::Middle);
            p.gives = w.sentence(8);
            p.goes_wrong = w.sentence(8);
            store.create(p).unwrap().meta.id
        })
        .collect();
    let goals: Vec<ItemId> = (0..GOALS)
        .map(|i| {
            let mut g = Goal::new(w.sentence(4), day(i));
            g.description = w.sentence(15);
            g.person_ids = vec![people[i % PEOPLE].clone()];
            let id = store.create(g).unwrap().meta.id;
            for _ in 0..3 {
                store.add_milestone(&id, &w.sentence(3)).unwrap();
            }
            id
        })
        .collect();
    for i in 0..ENTRIES {
        let link = (i % 3 == 0).then(|| GoalLink {
            goal_id: goals[i % GOALS].clone(),
            milestone_id: None,
        });
        match i % 4 {
            0 | 1 => {
                let mut x = Interaction::new(people[i % PEOPLE].clone(), day(i), Channel::Phone);
                x.what_i_wanted = w.sentence(10);
                x.what_they_wanted = w.sentence(8);
                x.what_i_said = w.sentence(20);
                x.what_they_said = w.sentence(20);
                x.feelings = vec![Feeling {
                    label: w.next().into(),
                    intensity: (i % 11) as i32,
                }];
                x.mood_before = Some((i % 11) as i32);
                x.mood_after = Some(((i + 3) % 11) as i32);
                x.goal = link;
                store.create(x).unwrap();
            }
            2 => {
                store
                    .create(Win {
                        occurred_at: day(i),
                        title: w.sentence(5),
                        details: w.sentence(25),
                        goal: link,
                    })
                    .unwrap();
            }
            _ => {
                store
                    .create(Reflection {
                        written_at: day(i),
                        text: w.sentence(60),
                        person_id: Some(people[i % PEOPLE].clone()),
                        goal: link,
                    })
                    .unwrap();
            }
        }
    }
    (people, goals)
}

/// Opens plain (tools, tests) or encrypted (what the apps open).
fn open(path: &Path, key: Option<&DatabaseKey>) -> Store {
    match key {
        Some(key) => Store::open_encrypted(path, key).unwrap(),
        None => Store::open(path).unwrap(),
    }
}

fn benches(c: &mut Criterion) {
    bench_record(c, "store", None);
    // The apps' configuration: SQLCipher, every page encrypted (ADR 0006).
    let key = DatabaseKey::from_bytes(&[42; 32]).unwrap();
    bench_record(c, "store-encrypted", Some(&key));
}

fn bench_record(c: &mut Criterion, name: &str, key: Option<&DatabaseKey>) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = dir.path().join("record.db");
    let started = std::time::Instant::now();
    let (people, _goals) = build(&path, key);
    eprintln!(
        "{name}: built {ENTRIES} entries, {GOALS} goals, {PEOPLE} people in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut group = c.benchmark_group(name);
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(8));

    group.bench_function("open + first page of 50", |b| {
        b.iter(|| {
            let store = open(&path, key);
            let page = store
                .list(&ListQuery {
                    limit: 50,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(page.len(), 50);
            black_box(page);
        })
    });

    let store = open(&path, key);
    let mut w = Words(99);
    let mut n = 0usize;
    group.bench_function("add one entry (durable)", |b| {
        b.iter(|| {
            n += 1;
            let mut x =
                Interaction::new(people[n % PEOPLE].clone(), day(ENTRIES + n), Channel::Text);
            x.what_i_wanted = w.sentence(10);
            x.what_they_said = w.sentence(20);
            black_box(store.create(x).unwrap());
        })
    });

    // The same write on a copy of the record on tmpfs, where fsync is free:
    // what the core itself costs, apart from the disk's flush.
    let shm = std::path::Path::new("/dev/shm");
    let tmpfs = shm.is_dir().then(|| tempfile::tempdir_in(shm).unwrap());
    if let Some(tmpfs) = &tmpfs {
        let copy = tmpfs.path().join("record.db");
        {
            let _checkpointed = open(&path, key);
        }
        drop(store);
        std::fs::copy(&path, &copy).unwrap();
        let on_tmpfs = open(&copy, key);
        group.bench_function("add one entry (tmpfs: no flush cost)", |b| {
            b.iter(|| {
                n += 1;
                let mut x =
                    Interaction::new(people[n % PEOPLE].clone(), day(ENTRIES + n), Channel::Text);
                x.what_i_wanted = w.sentence(10);
                x.what_they_said = w.sentence(20);
                black_box(on_tmpfs.create(x).unwrap());
            })
        });
    }
    let store = open(&path, key);

    group.bench_function("full-text search of a word", |b| {
        b.iter(|| black_box(store.search("birthday", 50).unwrap()))
    });

    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("rebuild the index", |b| {
        b.iter(|| store.rebuild_index().unwrap())
    });
    group.finish();
}

criterion_group!(store_benches, benches);
criterion_main!(store_benches);
