//! Sealed bundles: round trips, tampering, re-labelling, padding; format 2
//! (written: the labels come from the envelope) and format 1 (still read:
//! the labels in the header).

#![allow(clippy::unwrap_used)]

use rapport_crypto::padding::padded_len;
use rapport_crypto::{
    BundleHeader, BundleLabels, CryptoError, DeviceKey, DocKey, is_sealed, open_bundle,
    read_header, relabel_bundle, seal_bundle, seal_bundle_v1_with_nonce,
};

fn labels() -> BundleLabels {
    BundleLabels {
        doc_id: "doc-1".into(),
        epoch: 2,
        device_id: "phone".into(),
        bundle_id: "b-17".into(),
        kind: "journal".into(),
    }
}

fn seal_v1(key: &DocKey, labels: &BundleLabels, plaintext: &[u8], device: &DeviceKey) -> Vec<u8> {
    seal_bundle_v1_with_nonce(key, labels, plaintext, device, [0x31; 24]).expect("seal v1")
}

const BAD_SIGNATURE: CryptoError = CryptoError::BadSignature {
    what: "sealed bundle",
};
const TAMPERED: CryptoError = CryptoError::Tampered {
    what: "sealed bundle",
};

#[test]
fn a_sealed_bundle_opens_with_its_key_and_its_header_holds_no_label() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let plaintext = b"automerge change bytes: Sam said hello".to_vec();
    let sealed = seal_bundle(&key, &labels(), &plaintext, &device).expect("seal");
    assert!(is_sealed(&sealed));
    assert!(!is_sealed(b"automerge"));
    assert_eq!(&sealed[..4], b"RPB\x02");
    assert_eq!(read_header(&sealed).expect("header"), BundleHeader::V2);
    for label in ["doc-1", "phone", "b-17", "journal", "Sam"] {
        let found = sealed.windows(label.len()).any(|w| w == label.as_bytes());
        assert!(!found, "{label} shows through");
    }
    let opened = open_bundle(&key, &sealed, &labels(), &device.public()).expect("open");
    assert_eq!(opened, plaintext);
    // Magic, version, nonce, the padded frame and its tag, the signature.
    assert_eq!(sealed.len(), 4 + 24 + padded_len(plaintext.len()) + 16 + 64);
}

#[test]
fn a_format_1_bundle_still_opens_and_reads_its_labels_without_a_key() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let sealed = seal_v1(&key, &labels(), b"old bytes", &device);
    assert_eq!(&sealed[..4], b"RPB\x01");
    let header = read_header(&sealed).expect("header");
    assert_eq!(header, BundleHeader::V1(labels()));
    assert_eq!(header.labels(), Some(&labels()));
    assert_eq!(
        open_bundle(&key, &sealed, &labels(), &device.public()).expect("open"),
        b"old bytes"
    );
}

#[test]
fn empty_and_large_plaintexts_round_trip() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    for len in [0usize, 1, 59, 60, 61, 1000, 100_000] {
        let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let sealed = seal_bundle(&key, &labels(), &plaintext, &device).expect("seal");
        assert_eq!(
            open_bundle(&key, &sealed, &labels(), &device.public()).expect("open"),
            plaintext
        );
        let old = seal_v1(&key, &labels(), &plaintext, &device);
        assert_eq!(
            open_bundle(&key, &old, &labels(), &device.public()).expect("open"),
            plaintext
        );
    }
}

#[test]
fn a_bundle_reveals_only_its_padme_bucket() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let overhead = seal_bundle(&key, &labels(), b"", &device)
        .expect("seal")
        .len()
        - padded_len(0);
    assert_eq!(overhead, 4 + 24 + 16 + 64);
    for len in [0usize, 10, 60, 61, 100, 1000, 1001, 5000, 65_000] {
        let sealed = seal_bundle(&key, &labels(), &vec![1; len], &device).expect("seal");
        assert_eq!(sealed.len() - overhead, padded_len(len), "len {len}");
    }
    // Nearby sizes share a bucket.
    let a = seal_bundle(&key, &labels(), &[1; 1000], &device).expect("seal");
    let b = seal_bundle(&key, &labels(), &[1; 1010], &device).expect("seal");
    assert_eq!(a.len(), b.len());
}

#[test]
fn every_single_bit_flip_is_refused_in_either_format() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    for sealed in [
        seal_bundle(&key, &labels(), b"hi", &device).expect("seal"),
        seal_v1(&key, &labels(), b"hi", &device),
    ] {
        for bit in 0..sealed.len() * 8 {
            let mut flipped = sealed.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let result = open_bundle(&key, &flipped, &labels(), &device.public());
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
}

/// Each label changed in turn.
fn moved_labels() -> Vec<BundleLabels> {
    vec![
        BundleLabels {
            doc_id: "doc-2".into(),
            ..labels()
        },
        BundleLabels {
            epoch: 3,
            ..labels()
        },
        BundleLabels {
            bundle_id: "b-18".into(),
            ..labels()
        },
        BundleLabels {
            kind: "goal".into(),
            ..labels()
        },
        BundleLabels {
            device_id: "laptop".into(),
            ..labels()
        },
    ]
}

#[test]
fn a_format_2_bundle_presented_under_other_labels_fails_its_signature() {
    // The server moves a bundle to another document, epoch, bundle id, kind
    // or device by changing the envelope: the labels the reader checks.
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let sealed = seal_bundle(&key, &labels(), b"note", &device).expect("seal");
    for other in moved_labels() {
        assert_eq!(
            open_bundle(&key, &sealed, &other, &device.public()).unwrap_err(),
            BAD_SIGNATURE,
            "{other:?}"
        );
    }
}

#[test]
fn a_bundle_relabelled_without_resigning_fails_its_signature() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let mut other = labels();
    other.epoch = 3;
    for sealed in [
        seal_bundle(&key, &labels(), b"note", &device).expect("seal"),
        seal_v1(&key, &labels(), b"note", &device),
    ] {
        // The new labels with the old ciphertext and old signature.
        let relabelled = relabel_bundle(&sealed, &other, &device).expect("relabel");
        let mut spliced = relabelled[..relabelled.len() - 64].to_vec();
        spliced.extend_from_slice(&sealed[sealed.len() - 64..]);
        assert_eq!(
            open_bundle(&key, &spliced, &other, &device.public()).unwrap_err(),
            BAD_SIGNATURE
        );
    }
}

#[test]
fn a_bundle_relabelled_and_resigned_by_a_device_still_does_not_open() {
    // A certified device (or a bug) that re-signs a moved bundle is stopped by
    // the associated data, in either format.
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    for sealed in [
        seal_bundle(&key, &labels(), b"note", &device).expect("seal"),
        seal_v1(&key, &labels(), b"note", &device),
    ] {
        for other in moved_labels() {
            let moved = relabel_bundle(&sealed, &other, &device).expect("relabel");
            assert_eq!(
                open_bundle(&key, &moved, &other, &device.public()).unwrap_err(),
                TAMPERED,
                "{other:?}"
            );
        }
    }
}

#[test]
fn a_format_1_bundle_opened_as_another_document_or_kind_is_refused() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let sealed = seal_v1(&key, &labels(), b"note", &device);
    let as_doc_2 = BundleLabels {
        doc_id: "doc-2".into(),
        ..labels()
    };
    assert_eq!(
        open_bundle(&key, &sealed, &as_doc_2, &device.public()).unwrap_err(),
        CryptoError::WrongDocument {
            expected: "doc-2".into(),
            found: "doc-1".into()
        }
    );
    let as_goal = BundleLabels {
        kind: "goal".into(),
        ..labels()
    };
    assert_eq!(
        open_bundle(&key, &sealed, &as_goal, &device.public()).unwrap_err(),
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
    let other = DeviceKey::generate();
    for sealed in [
        seal_bundle(&key, &labels(), b"note", &device).expect("seal"),
        seal_v1(&key, &labels(), b"note", &device),
    ] {
        assert_eq!(
            open_bundle(&key, &sealed, &labels(), &other.public()).unwrap_err(),
            BAD_SIGNATURE
        );
        let forged = relabel_bundle(&sealed, &labels(), &other).expect("relabel");
        assert_eq!(
            open_bundle(&key, &forged, &labels(), &device.public()).unwrap_err(),
            BAD_SIGNATURE
        );
        assert_eq!(
            open_bundle(&DocKey::generate(), &sealed, &labels(), &device.public()).unwrap_err(),
            TAMPERED
        );
    }
}

#[test]
fn truncated_empty_and_foreign_bytes_are_malformed() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    for sealed in [
        seal_bundle(&key, &labels(), b"note", &device).expect("seal"),
        seal_v1(&key, &labels(), b"note", &device),
    ] {
        for len in 0..sealed.len() {
            let result = open_bundle(&key, &sealed[..len], &labels(), &device.public());
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
        let mut future = sealed.clone();
        future[3] = 3;
        assert_eq!(
            read_header(&future).unwrap_err(),
            CryptoError::UnsupportedVersion { version: 3 }
        );
    }
    assert!(matches!(
        read_header(b"PK\x03\x04zipfile"),
        Err(CryptoError::Malformed { .. })
    ));
    // A format 1 doc id length of 65535 with nothing behind it.
    let mut huge = b"RPB\x01".to_vec();
    huge.extend_from_slice(&[0xff, 0xff]);
    huge.extend_from_slice(&[b'a'; 100]);
    assert!(matches!(
        read_header(&huge),
        Err(CryptoError::Malformed { .. })
    ));
}

#[test]
fn over_long_labels_are_refused_when_sealing() {
    let key = DocKey::generate();
    let device = DeviceKey::generate();
    let long_kind = BundleLabels {
        kind: "k".repeat(256),
        ..labels()
    };
    assert!(matches!(
        seal_bundle(&key, &long_kind, b"", &device),
        Err(CryptoError::Malformed { .. })
    ));
    let long_id = BundleLabels {
        doc_id: "d".repeat(65_536),
        ..labels()
    };
    assert!(matches!(
        seal_bundle(&key, &long_id, b"", &device),
        Err(CryptoError::Malformed { .. })
    ));
    let just_fits = BundleLabels {
        kind: "k".repeat(255),
        ..labels()
    };
    let sealed = seal_bundle(&key, &just_fits, b"x", &device).expect("seal");
    assert_eq!(
        open_bundle(&key, &sealed, &just_fits, &device.public()).expect("open"),
        b"x"
    );
    let old = seal_v1(&key, &just_fits, b"x", &device);
    assert_eq!(
        read_header(&old).expect("header"),
        BundleHeader::V1(just_fits)
    );
}
