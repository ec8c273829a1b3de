//! Shared helpers for the integration tests: stores in real SQLite files in
//! temporary directories, sample records, and in-process exchange.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use rapport_core::goal::Goal;
use rapport_core::inventory::{Person, Ring};
use rapport_core::journal::{Channel, GoalLink, Interaction, Reflection, Win};
use rapport_core::observer::{ItemChange, StoreObserver};
use rapport_core::store::{IncomingChange, ListQuery};
use rapport_core::{ItemId, Store};
use tempfile::TempDir;

/// A store in its own temporary directory; the directory lives as long as this.
pub struct TestStore {
    pub dir: TempDir,
    pub store: Store,
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl TestStore {
    pub fn new() -> TestStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("record.db")).expect("open store");
        TestStore { dir, store }
    }

    /// A store on tmpfs when the machine has one (/dev/shm): a real SQLite
    /// file, but without the cost of fsync, for tests that open hundreds.
    pub fn on_tmpfs() -> TestStore {
        let shm = std::path::Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::tempdir_in(shm).expect("temp dir")
        } else {
            tempfile::tempdir().expect("temp dir")
        };
        let store = Store::open(dir.path().join("record.db")).expect("open store");
        TestStore { dir, store }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("record.db")
    }

    /// Closes the store and opens the same file again.
    pub fn reopen(self) -> TestStore {
        let TestStore { dir, store } = self;
        drop(store);
        let store = Store::open(dir.path().join("record.db")).expect("reopen store");
        TestStore { dir, store }
    }
}

/// A UTC time on a day of 2025, at whole seconds (stored as milliseconds).
pub fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, month, day, hour, 0, 0)
        .single()
        .expect("valid time")
}

pub fn person(nickname: &str) -> Person {
    Person::new(nickname, "friend", Ring::Middle)
}

pub fn interaction(person_id: &ItemId, when: DateTime<Utc>, wanted: &str) -> Interaction {
    let mut i = Interaction::new(person_id.clone(), when, Channel::InPerson);
    i.what_i_wanted = wanted.to_owned();
    i
}

pub fn win(title: &str, when: DateTime<Utc>) -> Win {
    Win {
        occurred_at: when,
        title: title.to_owned(),
        details: String::new(),
        goal: None,
    }
}

pub fn reflection(text: &str, when: DateTime<Utc>) -> Reflection {
    Reflection {
        written_at: when,
        text: text.to_owned(),
        person_id: None,
        goal: None,
    }
}

pub fn goal(title: &str) -> Goal {
    Goal::new(title, at(1, 1, 9))
}

pub fn link(goal_id: &ItemId) -> Option<GoalLink> {
    Some(GoalLink {
        goal_id: goal_id.clone(),
        milestone_id: None,
    })
}

/// The ids of a list query, in order.
pub fn ids(store: &Store, query: &ListQuery) -> Vec<ItemId> {
    store
        .list(query)
        .expect("list")
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// Everything in `from`'s outbox, as pieces for another replica.
pub fn outbox_of(from: &Store) -> Vec<IncomingChange> {
    from.pending_changes(0, usize::MAX >> 1)
        .expect("pending changes")
        .into_iter()
        .map(|c| IncomingChange {
            doc_id: c.doc_id,
            kind: c.kind,
            data: c.data,
        })
        .collect()
}

/// Delivers every pending change of `from` to `to` in one batch.
pub fn deliver(from: &Store, to: &Store) {
    let applied = to.apply_batch(&outbox_of(from)).expect("apply batch");
    assert!(
        applied.rejected.is_empty(),
        "rejected: {:?}",
        applied.rejected
    );
}

/// Both directions: afterwards both replicas hold every change of both.
pub fn exchange(a: &Store, b: &Store) {
    deliver(a, b);
    deliver(b, a);
}

/// An observer that records every batch it is given.
#[derive(Default)]
pub struct Recorder {
    pub batches: Mutex<Vec<Vec<ItemChange>>>,
}

impl Recorder {
    pub fn new() -> Arc<Recorder> {
        Arc::new(Recorder::default())
    }

    pub fn batches(&self) -> Vec<Vec<ItemChange>> {
        self.batches.lock().unwrap().clone()
    }
}

impl StoreObserver for Recorder {
    fn on_change(&self, changes: &[ItemChange]) {
        self.batches.lock().unwrap().push(changes.to_vec());
    }
}
