//! The body of the `open_bundle` fuzz target (`fuzz/`, see its README): a
//! plain function, so that a stable test replays the committed corpus and
//! every crash found through exactly what the fuzzer ran. Not part of the API.

use crate::padding::{pad, padded_len, unpad};
use crate::{
    BundleHeader, BundleLabels, CryptoError, DeviceKey, DocKey, open_bundle as open, read_header,
    relabel_bundle, seal_bundle_v1_with_nonce, seal_bundle_with_nonce,
};

/// The document and kind every fuzzed bundle is opened as.
pub const DOC: &str = "doc-1";
pub const KIND: &str = "journal";
/// The epoch, device and bundle id a format 2 bundle is opened as (format
/// 1 carries its own).
pub const EPOCH: u32 = 1;
pub const DEVICE: &str = "dev-1";
pub const BUNDLE: &str = "bundle-1";

/// The labels every fuzzed bundle is opened with, as an envelope gives them.
pub fn labels() -> BundleLabels {
    BundleLabels {
        doc_id: DOC.to_owned(),
        epoch: EPOCH,
        device_id: DEVICE.to_owned(),
        bundle_id: BUNDLE.to_owned(),
        kind: KIND.to_owned(),
    }
}
const SIGNATURE_LEN: usize = 64;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// The document key the fuzzed bundles are opened with (the seeds are sealed
/// with it, so that unchanged seeds open).
pub fn doc_key() -> DocKey {
    DocKey::from_bytes([0x60; 32])
}

/// The device key the fuzzed bundles are verified (and seeds signed) with.
pub fn device_key() -> DeviceKey {
    DeviceKey::from_bytes([0x20; 32])
}

/// Bytes of the header as the format writes it (magic to kind, no nonce).
fn header_len(header: &BundleHeader) -> usize {
    match header {
        BundleHeader::V2 => 3 + 1,
        BundleHeader::V1(header) => {
            3 + 1
                + 2
                + header.doc_id.len()
                + 4
                + 2
                + header.device_id.len()
                + 2
                + header.bundle_id.len()
                + 1
                + header.kind.len()
        }
    }
}

/// Opens `data` as a device opens a pulled bundle; then again re-signed, so
/// that the checks behind the signature (document, kind, seal) see the
/// fuzzed bytes; then reads it as a padded frame, and seals it as a
/// plaintext and opens that. Panics when any of them answers other than a
/// clean result or a clean [`CryptoError`], or when what opens does not
/// seal back to the same bytes.
pub fn open_bundle(data: &[u8]) {
    let key = doc_key();
    let device = device_key();
    let public = device.public();

    let expected = labels();
    let header = read_header(data);
    let opened = open(&key, data, &expected, &public);
    if let Err(err) = &header {
        assert_eq!(
            opened.as_ref().err(),
            Some(err),
            "open and read_header disagree"
        );
    }
    if let (Ok(header), Ok(plain)) = (&header, &opened) {
        // Only our own seals verify; sealing again must give the same bytes.
        let at = header_len(header);
        let nonce: [u8; NONCE_LEN] = data[at..at + NONCE_LEN]
            .try_into()
            .expect("a bundle that opened holds its nonce");
        let again = match header {
            BundleHeader::V1(labels) => {
                seal_bundle_v1_with_nonce(&key, labels, plain, &device, nonce)
            }
            BundleHeader::V2 => seal_bundle_with_nonce(&key, &expected, plain, &device, nonce),
        }
        .expect("what opened seals again");
        assert_eq!(again, data, "an opened bundle does not seal back to itself");
    }

    if let Ok(header) = &header {
        // The header that parsed encodes to the same bytes (one encoding).
        let labels = header.labels().unwrap_or(&expected);
        let resigned = relabel_bundle(data, labels, &device).expect("a parsed header encodes");
        let signed = data.len() - SIGNATURE_LEN;
        assert_eq!(resigned.len(), data.len(), "re-signing changed the length");
        assert_eq!(
            resigned[..signed],
            data[..signed],
            "the header does not encode back to its bytes"
        );
        match open(&key, &resigned, &expected, &public) {
            Ok(plain) => assert!(plain.len() <= data.len(), "more plaintext than ciphertext"),
            Err(CryptoError::BadSignature { .. }) => panic!("our own signature was refused"),
            Err(_) => {}
        }
    }

    if let Ok(plain) = unpad(data) {
        assert_eq!(
            pad(&plain).expect("what unpads pads"),
            data,
            "one frame per plaintext"
        );
    }

    // Any bytes seal, take their Padmé bucket, and open to themselves, in
    // either format.
    let sealed = seal_bundle_with_nonce(&key, &expected, data, &device, [7; NONCE_LEN])
        .expect("a short plaintext seals");
    assert_eq!(
        sealed.len(),
        header_len(&BundleHeader::V2)
            + NONCE_LEN
            + padded_len(data.len())
            + TAG_LEN
            + SIGNATURE_LEN
    );
    assert_eq!(
        open(&key, &sealed, &expected, &public).expect("our seal opens"),
        data
    );
    let v1 = seal_bundle_v1_with_nonce(&key, &expected, data, &device, [7; NONCE_LEN])
        .expect("a short plaintext seals");
    assert_eq!(
        v1.len(),
        header_len(&BundleHeader::V1(expected.clone()))
            + NONCE_LEN
            + padded_len(data.len())
            + TAG_LEN
            + SIGNATURE_LEN
    );
    assert_eq!(
        open(&key, &v1, &expected, &public).expect("our seal opens"),
        data
    );
}
