//! The `open_bundle` fuzz target on stable: its committed corpus, every crash
//! it found, and the seeds it started from go through the target's body
//! (`rapport_crypto::fuzz::open_bundle`), which panics on anything but a
//! clean result or a clean error.

#[path = "../../fuzz/replay.rs"]
mod replay;

use rapport_crypto::fuzz::{DOC, KIND, device_key, doc_key, labels, open_bundle};
use rapport_crypto::padding::pad;
use rapport_crypto::{BundleLabels, seal_bundle_v1_with_nonce, seal_bundle_with_nonce};

const TARGET: &str = "open_bundle";

/// A format 1 bundle (the labels in its header).
fn sealed(doc: &str, kind: &str, epoch: u32, plaintext: &[u8]) -> Vec<u8> {
    let header = BundleLabels {
        doc_id: doc.to_owned(),
        epoch,
        device_id: "dev-1".to_owned(),
        bundle_id: "bundle-1".to_owned(),
        kind: kind.to_owned(),
    };
    seal_bundle_v1_with_nonce(&doc_key(), &header, plaintext, &device_key(), [0xd0; 24])
        .expect("a seed seals")
}

/// A format 2 bundle bound to `labels`.
fn sealed_v2(labels: &BundleLabels, plaintext: &[u8]) -> Vec<u8> {
    seal_bundle_with_nonce(&doc_key(), labels, plaintext, &device_key(), [0xd1; 24])
        .expect("a seed seals")
}

/// Bundles of both formats that open, bundles for another document, kind,
/// epoch, device or bundle id, padded frames, truncated bundles and one of a
/// future version.
fn seeds() -> Vec<Vec<u8>> {
    let moved = |f: fn(&mut BundleLabels)| {
        let mut l = labels();
        f(&mut l);
        sealed_v2(&l, b"moved")
    };
    let mut seeds = vec![
        sealed_v2(&labels(), b""),
        sealed_v2(&labels(), b"Hello, Sam."),
        sealed_v2(&labels(), &[0x42; 300]),
        moved(|l| l.doc_id = "doc-2".into()),
        moved(|l| l.epoch = 2),
        moved(|l| l.device_id = "dev-2".into()),
        moved(|l| l.bundle_id = "bundle-2".into()),
        moved(|l| l.kind = "win".into()),
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
    future[3] = 3;
    seeds.push(future);
    let whole = sealed_v2(&labels(), b"truncated");
    seeds.push(whole[..whole.len() - 70].to_vec());
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
