//! Arbitrary bytes into every parser: a typed error, never a panic.

use proptest::prelude::*;
use rapport_crypto::{
    AccountKey, BundleLabels, CryptoError, DeviceKey, DocKey, PairingRequest, RecoveryKit, Wrap,
    open_backup, open_bundle, open_wrap, read_header, seal_bundle, seal_for_pairing,
};

fn typed(e: &CryptoError) -> bool {
    matches!(
        e,
        CryptoError::Malformed { .. }
            | CryptoError::UnsupportedVersion { .. }
            | CryptoError::BadSignature { .. }
            | CryptoError::Tampered { .. }
            | CryptoError::BadChecksum
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_open_as_a_bundle(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let device = DeviceKey::from_bytes([1; 32]);
        if let Err(e) = read_header(&bytes) {
            prop_assert!(typed(&e), "{e:?}");
        }
        let labels = BundleLabels { doc_id: "d".into(), epoch: 1, device_id: "p".into(), bundle_id: "b".into(), kind: "k".into() };
        let result = open_bundle(&DocKey::from_bytes([2; 32]), &bytes, &labels, &device.public());
        prop_assert!(matches!(&result, Err(e) if typed(e)), "{result:?}");
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_prefix_never_open(cut in 0usize..200, tail in proptest::collection::vec(any::<u8>(), 0..200)) {
        let key = DocKey::from_bytes([2; 32]);
        let device = DeviceKey::from_bytes([1; 32]);
        let header = BundleLabels { doc_id: "d".into(), epoch: 1, device_id: "p".into(), bundle_id: "b".into(), kind: "k".into() };
        let sealed = seal_bundle(&key, &header, b"x", &device).expect("seal");
        let mut bytes = sealed[..cut.min(sealed.len())].to_vec();
        bytes.extend_from_slice(&tail);
        prop_assume!(bytes != sealed);
        let result = open_bundle(&key, &bytes, &header, &device.public());
        prop_assert!(matches!(&result, Err(e) if typed(e)), "{result:?}");
    }

    #[test]
    fn arbitrary_wraps_never_open(
        epoch in 0u32..5,
        to_owner in any::<bool>(),
        format in 0u8..4,
        sealed_key in proptest::collection::vec(any::<u8>(), 0..120),
        previous in proptest::collection::vec(any::<u8>(), 0..200),
        signature in proptest::collection::vec(any::<u8>(), 0..70),
    ) {
        let wrap = Wrap { doc_id: "d".into(), epoch, recipient: "a".into(), to_owner, sealed_key, previous, signer: "p".into(), signature, format };
        let me = AccountKey::from_bytes([3; 32]);
        let result = open_wrap(&wrap, &me, "a", &DeviceKey::from_bytes([1; 32]).public());
        prop_assert!(matches!(&result, Err(e) if typed(e)), "{result:?}");
        // Signed by the expected device, the contents are still checked.
        let signed = rapport_crypto::resign_wrap(wrap, &DeviceKey::from_bytes([1; 32]));
        let result = open_wrap(&signed, &me, "a", &DeviceKey::from_bytes([1; 32]).public());
        prop_assert!(matches!(&result, Err(e) if typed(e)), "{result:?}");
    }

    #[test]
    fn arbitrary_text_never_parses_as_a_kit_or_offer(text in "\\PC{0,80}") {
        if let Err(e) = RecoveryKit::parse(&text) {
            prop_assert!(typed(&e), "{e:?}");
        }
        if let Err(e) = seal_for_pairing(&AccountKey::from_bytes([3; 32]), "a", &text) {
            prop_assert!(typed(&e), "{e:?}");
        }
    }

    #[test]
    fn base32_text_of_the_right_length_is_a_checksum_error(text in "[A-Z2-7]{58}") {
        let result = RecoveryKit::parse(&text);
        prop_assert!(matches!(result, Err(CryptoError::BadChecksum)), "{result:?}");
    }

    #[test]
    fn arbitrary_pairing_payloads_never_open(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        let result = PairingRequest::from_bytes([5; 32]).accept("a", &bytes);
        prop_assert!(matches!(&result, Err(e) if typed(e)), "{result:?}");
    }

    #[test]
    fn arbitrary_bytes_never_open_as_a_backup(mut bytes in proptest::collection::vec(any::<u8>(), 0..100), magic in any::<bool>()) {
        if magic && bytes.len() >= 4 {
            bytes[..4].copy_from_slice(b"RPK\x01");
        }
        // Keep m above 1 GiB, so that no case spends seconds in Argon2 (the
        // in-bounds path is covered by tests/backup.rs).
        if bytes.len() > 4 {
            bytes[4] |= 0x80;
        }
        let result = open_backup(&bytes, "pw");
        prop_assert!(matches!(&result, Err(e) if typed(e)), "{result:?}");
    }
}
