//! The committed inputs of a fuzz target, for the stable tests that replay
//! them through the target's body (`#[path]`-included by `crypto/tests`,
//! `core/tests` and `server/tests`): `fuzz/corpus/<target>/` (minimized
//! with `cargo fuzz cmin`) and `fuzz/regressions/<target>/` (every crash
//! found, kept after its fix).

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Every committed input of `target`, with its file name, in name order.
pub fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for folder in ["corpus", "regressions"] {
        let dir = fuzz_dir().join(folder).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a corpus entry").path();
            let bytes = std::fs::read(&path).expect("a corpus file reads");
            found.push((
                format!(
                    "{folder}/{target}/{}",
                    path.file_name().expect("a name").to_string_lossy()
                ),
                bytes,
            ));
        }
    }
    found.sort();
    found
}

/// Runs `body` on every committed input of `target` and on `seeds`; the
/// name of the input that panicked is printed before the panic goes on.
pub fn replay(target: &str, seeds: &[Vec<u8>], body: impl Fn(&[u8])) {
    let committed = inputs(target);
    assert!(
        !committed.is_empty(),
        "no committed corpus for {target} under {}",
        fuzz_dir().display()
    );
    let seeds = seeds
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("seed {i}"), s.clone()));
    for (name, bytes) in committed.into_iter().chain(seeds) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&bytes)));
        if let Err(panic) = outcome {
            eprintln!("{target}: input {name} panicked");
            std::panic::resume_unwind(panic);
        }
    }
}

/// Writes `seeds` into `fuzz/corpus/<target>/` as `seed-<n>`, for a first
/// fuzzing run (the ignored `write_seeds` tests call this).
pub fn write_seeds(target: &str, seeds: &[Vec<u8>]) {
    let dir = fuzz_dir().join("corpus").join(target);
    std::fs::create_dir_all(&dir).expect("the corpus folder");
    for (i, seed) in seeds.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:02}")), seed).expect("a seed writes");
    }
}
