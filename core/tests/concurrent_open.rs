//! The first stores of a process opened at the same moment on several
//! threads: SQLCipher's one-time set-up must be complete before any of them
//! is keyed. (Its own test binary, so these are the process's first opens.)
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Barrier};

use rapport_core::Store;
use rapport_core::store::DatabaseKey;

#[test]
fn the_first_stores_of_a_process_open_together() {
    const THREADS: usize = 16;
    let dir = tempfile::tempdir().unwrap();
    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let path = dir.path().join(format!("record-{i}.db"));
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let key = DatabaseKey::random().unwrap();
                start.wait();
                Store::open_encrypted(&path, &key)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), Ok(()));
    }
}
