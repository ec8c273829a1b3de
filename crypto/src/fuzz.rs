//! The body of the `open_bundle` fuzz target (`fuzz/`, see its README): a
//! plain function, so that a stable test replays the committed corpus and
//! every crash found through exactly what the fuzzer ran. Not part of the API.

use crate::padding::{pad, padded_len, unpad};
use crate::{
    BundleHeader, CryptoError, DeviceKey, DocKey, open_bundle as open, read_header, relabel_bundle,
    seal_bundle_with_nonce,
};

/// The document and kind every fuzzed bundle is opened as.
pub const DOC: &str = "doc-1";
pub const KIND: &str = "journal";
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

    let header = read_header(data);
    let opened = open(&key, data, DOC, KIND, &public);
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
        let again = seal_bundle_with_nonce(&key, header, plain, &device, nonce)
            .expect("what opened seals again");
        assert_eq!(again, data, "an opened bundle does not seal back to itself");
    }

    if let Ok(header) = &header {
        // The header that parsed encodes to the same bytes (one encoding).
        let resigned = relabel_bundle(data, header, &device).expect("a parsed header encodes");
        let signed = data.len() - SIGNATURE_LEN;
        assert_eq!(resigned.len(), data.len(), "re-signing changed the length");
        assert_eq!(
            resigned[..signed],
            data[..signed],
            "the header does not encode back to its bytes"
        );
        match open(&key, &resigned, DOC, KIND, &public) {
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

    // Any bytes seal, take their Padmé bucket, and open to themselves.
    let header = BundleHeader {
        doc_id: DOC.to_owned(),
        epoch: 1,
        device_id: "dev-1".to_owned(),
        bundle_id: "bundle-1".to_owned(),
        kind: KIND.to_owned(),
    };
    let sealed = seal_bundle_with_nonce(&key, &header, data, &device, [7; NONCE_LEN])
        .expect("a short plaintext seals");
    assert_eq!(
        sealed.len(),
        header_len(&header) + NONCE_LEN + padded_len(data.len()) + TAG_LEN + SIGNATURE_LEN
    );
    assert_eq!(
        open(&key, &sealed, DOC, KIND, &public).expect("our seal opens"),
        data
    );
}
