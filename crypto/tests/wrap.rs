//! Wraps: document keys carried to the owner's devices and to grantees.

#![allow(clippy::unwrap_used)]

use rapport_crypto::{
    AccountKey, CryptoError, DeviceKey, DocKey, GranteeSealer, SharedSecrets, Wrap, format,
    open_wrap, open_wrap_with, resign_wrap, wrap_for_grantee, wrap_for_owner,
};

fn same(a: &DocKey, b: &DocKey) -> bool {
    a.to_bytes() == b.to_bytes()
}

#[test]
fn an_owner_wrap_opens_on_a_second_device_of_the_same_account() {
    let account = AccountKey::generate();
    let phone = DeviceKey::generate();
    let key = DocKey::generate();
    let wrap =
        wrap_for_owner(&account, "acct", "doc-1", 1, &key, &[], "phone", &phone).expect("wrap");
    assert!(wrap.to_owner);
    assert!(wrap.previous.is_empty());

    let laptop_copy = AccountKey::from_bytes(*account.to_bytes());
    let opened = open_wrap(&wrap, &laptop_copy, "acct", &phone.public()).expect("open");
    assert!(same(&opened.key, &key));
    assert!(opened.older.is_empty());
}

#[test]
fn a_grantee_wrap_opens_for_the_grantee_and_for_no_one_else() {
    let therapist = AccountKey::generate();
    let device = DeviceKey::generate();
    let key = DocKey::generate();
    let wrap = wrap_for_grantee(
        "ther",
        &therapist.public(),
        "doc-1",
        1,
        &key,
        &[],
        "phone",
        &device,
    )
    .expect("wrap");
    assert!(!wrap.to_owner);
    let opened = open_wrap(&wrap, &therapist, "ther", &device.public()).expect("open");
    assert!(same(&opened.key, &key));

    let stranger = AccountKey::generate();
    assert_eq!(
        open_wrap(&wrap, &stranger, "stranger", &device.public()).unwrap_err(),
        CryptoError::WrongRecipient {
            expected: "stranger".into(),
            found: "ther".into()
        }
    );
    // Another account that claims the recipient's id still cannot open it.
    assert_eq!(
        open_wrap(&wrap, &stranger, "ther", &device.public()).unwrap_err(),
        CryptoError::Tampered { what: "wrap" }
    );
}

#[test]
fn the_newest_wrap_of_a_three_epoch_chain_recovers_every_older_key() {
    let owner = AccountKey::generate();
    let grantee = AccountKey::generate();
    let device = DeviceKey::generate();
    let keys: Vec<DocKey> = (0..3).map(|_| DocKey::generate()).collect();

    let own =
        wrap_for_owner(&owner, "me", "doc", 3, &keys[2], &keys[..2], "dev", &device).expect("wrap");
    let theirs = wrap_for_grantee(
        "them",
        &grantee.public(),
        "doc",
        3,
        &keys[2],
        &keys[..2],
        "dev",
        &device,
    )
    .expect("wrap");
    for (wrap, account, id) in [(&own, &owner, "me"), (&theirs, &grantee, "them")] {
        let opened = open_wrap(wrap, account, id, &device.public()).expect("open");
        assert!(same(&opened.key, &keys[2]));
        assert_eq!(opened.older.len(), 2);
        assert!(same(&opened.older[0], &keys[0]));
        assert!(same(&opened.older[1], &keys[1]));
    }
}

#[test]
fn a_wrap_needs_exactly_the_older_keys_of_its_epoch() {
    let account = AccountKey::generate();
    let device = DeviceKey::generate();
    let k = DocKey::generate();
    for (epoch, older) in [(0u32, 0usize), (2, 0), (2, 2), (1, 1)] {
        let older: Vec<DocKey> = (0..older).map(|_| DocKey::generate()).collect();
        assert!(matches!(
            wrap_for_owner(&account, "a", "d", epoch, &k, &older, "dev", &device),
            Err(CryptoError::Malformed { .. })
        ));
    }
}

fn sample(to_owner: bool) -> (Wrap, AccountKey, DeviceKey) {
    let account = AccountKey::generate();
    let device = DeviceKey::generate();
    let keys: Vec<DocKey> = (0..2).map(|_| DocKey::generate()).collect();
    let wrap = if to_owner {
        wrap_for_owner(
            &account,
            "acct",
            "doc",
            2,
            &keys[1],
            &keys[..1],
            "dev",
            &device,
        )
    } else {
        wrap_for_grantee(
            "acct",
            &account.public(),
            "doc",
            2,
            &keys[1],
            &keys[..1],
            "dev",
            &device,
        )
    }
    .expect("wrap");
    (wrap, account, device)
}

fn moved_copies(wrap: &Wrap) -> Vec<(&'static str, Wrap)> {
    let mut out = Vec::new();
    let mut w = wrap.clone();
    w.recipient = "other".into();
    out.push(("recipient", w));
    let mut w = wrap.clone();
    w.epoch = 3;
    out.push(("epoch", w));
    let mut w = wrap.clone();
    w.doc_id = "doc-2".into();
    out.push(("doc", w));
    let mut w = wrap.clone();
    w.sealed_key[40] ^= 1;
    out.push(("sealed key", w));
    let mut w = wrap.clone();
    w.previous[30] ^= 1;
    out.push(("previous", w));
    let mut w = wrap.clone();
    w.to_owner = !w.to_owner;
    out.push(("to_owner", w));
    let mut w = wrap.clone();
    w.signer = "dev-2".into();
    out.push(("signer", w));
    out
}

#[test]
fn a_changed_wrap_fails_its_signature() {
    for to_owner in [true, false] {
        let (wrap, account, device) = sample(to_owner);
        for (field, moved) in moved_copies(&wrap) {
            let me = if field == "recipient" {
                "other"
            } else {
                "acct"
            };
            assert_eq!(
                open_wrap(&moved, &account, me, &device.public()).unwrap_err(),
                CryptoError::BadSignature { what: "wrap" },
                "{field}"
            );
        }
    }
}

#[test]
fn a_moved_wrap_signed_again_still_does_not_open() {
    // Even a certified device that re-signs a wrap cannot move it: the sealed
    // context binds doc, epoch and recipient.
    for to_owner in [true, false] {
        let (wrap, account, device) = sample(to_owner);
        for (field, moved) in moved_copies(&wrap) {
            let moved = resign_wrap(moved, &device);
            let me = if field == "recipient" {
                "other"
            } else {
                "acct"
            };
            let result = open_wrap(&moved, &account, me, &device.public());
            if field == "signer" {
                assert!(
                    result.is_ok(),
                    "the signer id is only a hint for finding the key"
                );
                continue;
            }
            assert!(
                matches!(
                    result,
                    Err(CryptoError::Tampered { .. } | CryptoError::Malformed { .. })
                ),
                "{field}: {result:?}"
            );
        }
    }
}

#[test]
fn a_wrap_signed_by_an_uncertified_key_is_refused() {
    let (wrap, account, _device) = sample(true);
    let intruder = DeviceKey::generate();
    let forged = resign_wrap(wrap.clone(), &intruder);
    // The reader checks against the certified device's key, not the intruder's.
    let certified = DeviceKey::generate();
    assert_eq!(
        open_wrap(&forged, &account, "acct", &certified.public()).unwrap_err(),
        CryptoError::BadSignature { what: "wrap" }
    );
    assert_eq!(
        open_wrap(&wrap, &account, "acct", &intruder.public()).unwrap_err(),
        CryptoError::BadSignature { what: "wrap" }
    );
}

#[test]
fn a_wrap_survives_json_and_cbor() {
    let (wrap, account, device) = sample(false);
    let json = serde_json::to_string(&wrap).expect("json");
    let back: Wrap = serde_json::from_str(&json).expect("json back");
    assert_eq!(back, wrap);
    let mut cbor = Vec::new();
    ciborium::into_writer(&wrap, &mut cbor).expect("cbor");
    let back: Wrap = ciborium::from_reader(&cbor[..]).expect("cbor back");
    assert!(open_wrap(&back, &account, "acct", &device.public()).is_ok());
}

#[test]
fn a_grantee_wrap_to_an_invalid_public_key_is_refused() {
    let mut public = AccountKey::generate().public();
    public.x25519 = [0; 32];
    let result = wrap_for_grantee(
        "x",
        &public,
        "d",
        1,
        &DocKey::generate(),
        &[],
        "dev",
        &DeviceKey::generate(),
    );
    assert!(matches!(result, Err(CryptoError::Hpke(_))), "{result:?}");
}

/// A batch of format 2 wraps for one therapist, sealed by one sealer.
fn shared_batch(therapist: &AccountKey, device: &DeviceKey, keys: &[DocKey]) -> Vec<Wrap> {
    let sealer = GranteeSealer::new("ther", &therapist.public()).expect("sealer");
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            sealer
                .wrap(&format!("doc-{i}"), 1, key, &[], "phone", device)
                .expect("wrap")
        })
        .collect()
}

#[test]
fn wraps_from_one_grantee_sealer_share_one_encapsulation_and_open_for_the_grantee_only() {
    let therapist = AccountKey::generate();
    let device = DeviceKey::generate();
    let keys: Vec<DocKey> = (0..3).map(|_| DocKey::generate()).collect();
    let wraps = shared_batch(&therapist, &device, &keys);
    for wrap in &wraps {
        assert_eq!(wrap.format, format::WRAP_FORMAT_SHARED);
        assert!(!wrap.to_owner);
        assert_eq!(wrap.sealed_key.len(), 104);
        assert_eq!(wrap.sealed_key[..32], wraps[0].sealed_key[..32], "one enc");
    }
    assert_ne!(wraps[0].sealed_key[32..56], wraps[1].sealed_key[32..56]);

    let secrets = SharedSecrets::default();
    for (wrap, key) in wraps.iter().zip(&keys) {
        let opened =
            open_wrap_with(wrap, &therapist, "ther", &device.public(), &secrets).expect("open");
        assert!(same(&opened.key, key));
        // Without the cache too.
        let again = open_wrap(wrap, &therapist, "ther", &device.public()).expect("open");
        assert!(same(&again.key, key));
    }

    let stranger = AccountKey::generate();
    assert_eq!(
        open_wrap(&wraps[0], &stranger, "ther", &device.public()).unwrap_err(),
        CryptoError::Tampered { what: "wrap" }
    );
    // The stranger's own cache does not hold the therapist's secret.
    assert_eq!(
        open_wrap_with(
            &wraps[1],
            &stranger,
            "ther",
            &device.public(),
            &SharedSecrets::default()
        )
        .unwrap_err(),
        CryptoError::Tampered { what: "wrap" }
    );
}

#[test]
fn a_format_2_wrap_moved_relabelled_or_cut_is_refused_even_with_its_secret_cached() {
    let therapist = AccountKey::generate();
    let device = DeviceKey::generate();
    let keys: Vec<DocKey> = (0..2).map(|_| DocKey::generate()).collect();
    let wraps = shared_batch(&therapist, &device, &keys);
    let secrets = SharedSecrets::default();
    open_wrap_with(&wraps[0], &therapist, "ther", &device.public(), &secrets).expect("open");
    let open = |w: &Wrap| open_wrap_with(w, &therapist, "ther", &device.public(), &secrets);

    // Relabelled as format 1: the signature's label differs.
    let mut as_one = wraps[1].clone();
    as_one.format = format::WRAP_FORMAT_1;
    assert_eq!(
        open(&as_one).unwrap_err(),
        CryptoError::BadSignature { what: "wrap" }
    );
    // Re-signed as format 1, it is not an HPKE message.
    assert_eq!(
        open(&resign_wrap(as_one, &device)).unwrap_err(),
        CryptoError::Tampered { what: "wrap" }
    );
    // Moved to the other document of the batch and re-signed: the context differs.
    let mut moved = wraps[1].clone();
    moved.doc_id = "doc-0".into();
    assert_eq!(
        open(&resign_wrap(moved, &device)).unwrap_err(),
        CryptoError::Tampered { what: "wrap" }
    );
    // Another epoch.
    let mut later = wraps[1].clone();
    later.epoch = 2;
    later.previous = wraps[0].sealed_key[32..].to_vec();
    assert!(matches!(
        open(&resign_wrap(later, &device)).unwrap_err(),
        CryptoError::Tampered { .. }
    ));
    // A flipped bit of the shared `enc`, re-signed.
    let mut flipped = wraps[1].clone();
    flipped.sealed_key[3] ^= 1;
    assert_eq!(
        open(&flipped).unwrap_err(),
        CryptoError::BadSignature { what: "wrap" }
    );
    assert_eq!(
        open(&resign_wrap(flipped, &device)).unwrap_err(),
        CryptoError::Tampered { what: "wrap" }
    );
    // A small-order `enc` (all zeros) is refused, not a panic.
    let mut zero = wraps[1].clone();
    zero.sealed_key[..32].fill(0);
    assert_eq!(
        open(&resign_wrap(zero, &device)).unwrap_err(),
        CryptoError::Tampered { what: "wrap" }
    );
    // Cut short.
    let mut cut = wraps[1].clone();
    cut.sealed_key.truncate(80);
    assert!(matches!(
        open(&resign_wrap(cut, &device)).unwrap_err(),
        CryptoError::Malformed { .. }
    ));
    // To the owner is never format 2.
    let mut own = wraps[1].clone();
    own.to_owner = true;
    assert!(matches!(
        open(&resign_wrap(own, &device)).unwrap_err(),
        CryptoError::Malformed { .. }
    ));
    // A format this build does not know.
    let mut newer = wraps[1].clone();
    newer.format = 3;
    assert_eq!(
        open(&newer).unwrap_err(),
        CryptoError::UnsupportedVersion { version: 3 }
    );
    // The untouched wrap still opens.
    assert!(same(&open(&wraps[1]).expect("open").key, &keys[1]));
}

#[test]
fn a_format_1_wrap_is_written_without_the_format_field_and_read_back_as_format_1() {
    let account = AccountKey::generate();
    let device = DeviceKey::generate();
    let wrap = wrap_for_owner(
        &account,
        "acct",
        "doc-1",
        1,
        &DocKey::generate(),
        &[],
        "phone",
        &device,
    )
    .expect("wrap");
    let mut bytes = Vec::new();
    ciborium::into_writer(&wrap, &mut bytes).expect("encode");
    let value: ciborium::Value = ciborium::from_reader(bytes.as_slice()).expect("decode");
    let fields = value.as_map().expect("a map");
    assert_eq!(
        fields.len(),
        8,
        "the eight fields of a wrap before format 2"
    );
    assert!(!fields.iter().any(|(k, _)| k.as_text() == Some("format")));
    let back: Wrap = ciborium::from_reader(bytes.as_slice()).expect("decode");
    assert_eq!(back, wrap);
    assert_eq!(back.format, format::WRAP_FORMAT_1);

    let shared = shared_batch(&AccountKey::generate(), &device, &[DocKey::generate()]).remove(0);
    let mut bytes = Vec::new();
    ciborium::into_writer(&shared, &mut bytes).expect("encode");
    let back: Wrap = ciborium::from_reader(bytes.as_slice()).expect("decode");
    assert_eq!(back.format, format::WRAP_FORMAT_SHARED);
}
