//! The `open_bundle` fuzz target on stable: its committed corpus, every crash
//! it found, and the seeds it started from go through the target's body
//! (`rapport_crypto::fuzz::open_bundle`), which panics on anything but a
//! clean result or a clean error.

#[path = "../../fuzz/replay.rs"]
mod replay;

use rapport_crypto::fuzz::{DOC, KIND, device_key, doc_key, open_bundle};
use rapport_crypto::padding::pad;
use rapport_crypto::{BundleHeader, seal_bundle_with_nonce};

const TARGET: &str = "open_bundle";

fn sealed(doc: &str, kind: &str, epoch: u32, plaintext: &[u8]) -> Vec<u8> {
    let header = BundleHeader {
        doc_id: doc.to_owned(),
        epoch,
        device_id: "dev-1".to_owned(),
        bundle_id: "bundle-1".to_owned(),
        kind: kind.to_owned(),
    };
    seal_bundle_with_nonce(&doc_key(), &header, plaintext, &device_key(), [0xd0; 24])
        .expect("a seed seals")
}

/// Bundles that open, bundles for another document or kind, padded frames,
/// a truncated bundle and one of a future version.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = vec![
        sealed(DOC, KIND, 1, b""),
        sealed(DOC, KIND, 2, b"Hello, Sam."),
        sealed(DOC, KIND, 1, &[0x85; 61]),
        sealed(DOC, KIND, 7, &[0x42; 300]),
        sealed("doc-2", KIND, 1, b"moved"),
        sealed(DOC, "win", 1, b"relabelled"),
        pad(b"hello").expect("pad"),
        pad(&[9; 100]).expect("pad"),
    ];
    let whole = sealed(DOC, KIND, 1, b"truncated");
    seeds.push(whole[..whole.len() - 70].to_vec());
    let mut future = whole.clone();
    future[3] = 2;
    seeds.push(future);
    seeds
}

#[test]
fn the_open_bundle_corpus_and_regressions_pass_the_target() {
    replay::replay(TARGET, &seeds(), open_bundle);
}

#[test]
#[ignore = "writes the seeds into fuzz/corpus for a first fuzzing run"]
fn write_seeds() {
    replay::write_seeds(TARGET, &seeds());
}
