//! Sealed bundles: round trips, tampering, re-labelling, padding.

#![allow(clippy::unwrap_used)]

use rapport_crypto::padding::padded_len;
use rapport_crypto::{
    BundleHeader, CryptoError, DeviceKey, DocKey, is_sealed, open_bundle, read_header,
    relabel_bundle, seal_bundle,
};

fn header() -> BundleHeader {
    BundleHeader {
        doc_id: "doc-1".into(),
        epoch: 2,
        device_id: "phone".into(),
        bundle_id: "b-17".into(),
        kind: "journal".into(),
    }
}

#[test]
fn a_sealed_bundle_opens_with_its_key_and_reads_its_header_without() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let plaintext = b"automerge change bytes: Sam said hello".to_vec();
    let sealed = seal_bundle(&key, &header(), &plaintext, &device).expect("seal");
    assert!(is_sealed(&sealed));
    assert!(!is_sealed(b"automerge"));
    assert_eq!(read_header(&sealed).expect("header"), header());
    let found = sealed.windows(3).any(|w| w == b"Sam");
    assert!(!found, "the plaintext shows through");
    let opened = open_bundle(&key, &sealed, "doc-1", "journal", &device.public()).expect("open");
    assert_eq!(opened, plaintext);
}

#[test]
fn empty_and_large_plaintexts_round_trip() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    for len in [0usize, 1, 59, 60, 61, 1000, 100_000] {
        let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let sealed = seal_bundle(&key, &header(), &plaintext, &device).expect("seal");
        assert_eq!(
            open_bundle(&key, &sealed, "doc-1", "journal", &device.public()).expect("open"),
            plaintext
        );
    }
}

#[test]
fn a_bundle_reveals_only_its_padme_bucket() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let overhead = seal_bundle(&key, &header(), b"", &device)
        .expect("seal")
        .len()
        - padded_len(0);
    for len in [0usize, 10, 60, 61, 100, 1000, 1001, 5000, 65_000] {
        let sealed = seal_bundle(&key, &header(), &vec![1; len], &device).expect("seal");
        assert_eq!(sealed.len() - overhead, padded_len(len), "len {len}");
    }
    // Nearby sizes share a bucket.
    let a = seal_bundle(&key, &header(), &[1; 1000], &device).expect("seal");
    let b = seal_bundle(&key, &header(), &[1; 1010], &device).expect("seal");
    assert_eq!(a.len(), b.len());
}

#[test]
fn every_single_bit_flip_is_refused() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let sealed = seal_bundle(&key, &header(), b"hi", &device).expect("seal");
    for bit in 0..sealed.len() * 8 {
        let mut flipped = sealed.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let result = open_bundle(&key, &flipped, "doc-1", "journal", &device.public());
        assert!(
            matches!(
                result,
                Err(CryptoError::BadSignature { .. }
                    | CryptoError::Malformed { .. }
                    | CryptoError::UnsupportedVersion { .. })
            ),
            "bit {bit}: {result:?}"
        );
    }
}

#[test]
fn a_bundle_relabelled_without_resigning_fails_its_signature() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let sealed = seal_bundle(&key, &header(), b"note", &device).expect("seal");
    let mut other = header();
    other.epoch = 3;
    // Splice the new header onto the old ciphertext and old signature.
    let relabelled = relabel_bundle(&sealed, &other, &device).expect("relabel");
    let mut spliced = relabelled[..relabelled.len() - 64].to_vec();
    spliced.extend_from_slice(&sealed[sealed.len() - 64..]);
    assert_eq!(
        open_bundle(&key, &spliced, "doc-1", "journal", &device.public()).unwrap_err(),
        CryptoError::BadSignature {
            what: "sealed bundle"
        }
    );
}

#[test]
fn a_bundle_relabelled_and_resigned_by_a_device_still_does_not_open() {
    // A certified device (or a bug) that re-signs a moved bundle is stopped by
    // the associated data.
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let sealed = seal_bundle(&key, &header(), b"note", &device).expect("seal");
    let cases: Vec<(BundleHeader, &str, &str)> = vec![
        (
            BundleHeader {
                doc_id: "doc-2".into(),
                ..header()
            },
            "doc-2",
            "journal",
        ),
        (
            BundleHeader {
                epoch: 3,
                ..header()
            },
            "doc-1",
            "journal",
        ),
        (
            BundleHeader {
                bundle_id: "b-18".into(),
                ..header()
            },
            "doc-1",
            "journal",
        ),
        (
            BundleHeader {
                kind: "goal".into(),
                ..header()
            },
            "doc-1",
            "goal",
        ),
        (
            BundleHeader {
                device_id: "laptop".into(),
                ..header()
            },
            "doc-1",
            "journal",
        ),
    ];
    for (label, doc, kind) in cases {
        let moved = relabel_bundle(&sealed, &label, &device).expect("relabel");
        assert_eq!(
            open_bundle(&key, &moved, doc, kind, &device.public()).unwrap_err(),
            CryptoError::Tampered {
                what: "sealed bundle"
            },
            "{label:?}"
        );
    }
}

#[test]
fn a_bundle_opened_as_another_document_or_kind_is_refused() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let sealed = seal_bundle(&key, &header(), b"note", &device).expect("seal");
    assert_eq!(
        open_bundle(&key, &sealed, "doc-2", "journal", &device.public()).unwrap_err(),
        CryptoError::WrongDocument {
            expected: "doc-2".into(),
            found: "doc-1".into()
        }
    );
    assert_eq!(
        open_bundle(&key, &sealed, "doc-1", "goal", &device.public()).unwrap_err(),
        CryptoError::WrongKind {
            expected: "goal".into(),
            found: "journal".into()
        }
    );
}

#[test]
fn a_bundle_signed_by_another_device_or_opened_with_another_key_is_refused() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let sealed = seal_bundle(&key, &header(), b"note", &device).expect("seal");
    let other = DeviceKey::generate();
    assert_eq!(
        open_bundle(&key, &sealed, "doc-1", "journal", &other.public()).unwrap_err(),
        CryptoError::BadSignature {
            what: "sealed bundle"
        }
    );
    let forged = relabel_bundle(&sealed, &header(), &other).expect("relabel");
    assert_eq!(
        open_bundle(&key, &forged, "doc-1", "journal", &device.public()).unwrap_err(),
        CryptoError::BadSignature {
            what: "sealed bundle"
        }
    );
    assert_eq!(
        open_bundle(
            &DocKey::generate(),
            &sealed,
            "doc-1",
            "journal",
            &device.public()
        )
        .unwrap_err(),
        CryptoError::Tampered {
            what: "sealed bundle"
        }
    );
}

#[test]
fn truncated_empty_and_foreign_bytes_are_malformed() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let sealed = seal_bundle(&key, &header(), b"note", &device).expect("seal");
    for len in 0..sealed.len() {
        let result = open_bundle(&key, &sealed[..len], "doc-1", "journal", &device.public());
        assert!(
            matches!(
                result,
                Err(CryptoError::Malformed { .. } | CryptoError::BadSignature { .. })
            ),
            "len {len}: {result:?}"
        );
        // A header that parses from a prefix is fine; anything else is Malformed.
        if let Err(e) = read_header(&sealed[..len]) {
            assert!(
                matches!(e, CryptoError::Malformed { .. }),
                "len {len}: {e:?}"
            );
        }
    }
    assert!(matches!(
        read_header(b"PK\x03\x04zipfile"),
        Err(CryptoError::Malformed { .. })
    ));

    let mut future = sealed.clone();
    future[3] = 2;
    assert_eq!(
        read_header(&future).unwrap_err(),
        CryptoError::UnsupportedVersion { version: 2 }
    );

    // A doc id length of 65535 with nothing behind it.
    let mut huge = b"RPB\x01".to_vec();
    huge.extend_from_slice(&[0xff, 0xff]);
    huge.extend_from_slice(&[b'a'; 100]);
    assert!(matches!(
        read_header(&huge),
        Err(CryptoError::Malformed { .. })
    ));
}

#[test]
fn over_long_header_fields_are_refused_when_sealing() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let long_kind = BundleHeader {
        kind: "k".repeat(256),
        ..header()
    };
    assert!(matches!(
        seal_bundle(&key, &long_kind, b"", &device),
        Err(CryptoError::Malformed { .. })
    ));
    let long_id = BundleHeader {
        doc_id: "d".repeat(65_536),
        ..header()
    };
    assert!(matches!(
        seal_bundle(&key, &long_id, b"", &device),
        Err(CryptoError::Malformed { .. })
    ));
    let just_fits = BundleHeader {
        kind: "k".repeat(255),
        ..header()
    };
    let sealed = seal_bundle(&key, &just_fits, b"x", &device).expect("seal");
    assert_eq!(read_header(&sealed).expect("header"), just_fits);
}
