//! Wraps: document keys carried to the owner's devices and to grantees.

#![allow(clippy::unwrap_used)]

use rapport_crypto::{
    AccountKey, CryptoError, DeviceKey, DocKey, Wrap, open_wrap, resign_wrap, wrap_for_grantee,
    wrap_for_owner,
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
