//! One request through the server's router in process, on a SQLite database
//! in a temporary folder kept for the whole run
//! (`rapport_server::fuzz::Harness`).
#![no_main]

use std::sync::LazyLock;

use rapport_server::fuzz::Harness;

static DIR: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().expect("a temporary folder"));
static HARNESS: LazyLock<Harness> = LazyLock::new(|| Harness::new(DIR.path()));

libfuzzer_sys::fuzz_target!(|data: &[u8]| HARNESS.request(data));
