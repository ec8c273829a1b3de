//! Account and device keys: derivations, certificates, blinded tags, safety numbers.

use rapport_crypto::{AccountKey, AccountPublic, CryptoError, DeviceKey, safety_number};

#[test]
fn an_account_key_restored_from_its_bytes_has_the_same_public_keys() {
    let key = AccountKey::generate();
    let again = AccountKey::from_bytes(*key.to_bytes());
    assert_eq!(key.public(), again.public());
    assert_ne!(key.public(), AccountKey::generate().public());
    assert_ne!(key.public().x25519, key.public().ed25519);
}

#[test]
fn secrets_print_redacted() {
    let key = AccountKey::from_bytes([7; 32]);
    let device = DeviceKey::from_bytes([7; 32]);
    let doc = rapport_crypto::DocKey::from_bytes([7; 32]);
    let kit = rapport_crypto::RecoveryKit::new(&key);
    for shown in [
        format!("{key:?}"),
        format!("{device:?}"),
        format!("{doc:?}"),
        format!("{kit:?}"),
        format!("{:?}", rapport_crypto::PairingRequest::new()),
    ] {
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(!shown.contains("7, 7"), "{shown}");
    }
}

#[test]
fn a_device_certificate_verifies_under_its_account_only() {
    let account = AccountKey::generate();
    let device = DeviceKey::generate();
    let cert = account.certify_device("acct-1", "dev-1", &device.public());
    assert_eq!(cert.verify(&account.public()), Ok(()));

    let other = AccountKey::generate();
    assert_eq!(
        cert.verify(&other.public()),
        Err(CryptoError::BadSignature {
            what: "device certificate"
        })
    );

    let mut moved = cert.clone();
    moved.account_id = "acct-2".into();
    assert!(matches!(
        moved.verify(&account.public()),
        Err(CryptoError::BadSignature { .. })
    ));
    let mut renamed = cert.clone();
    renamed.device_id = "dev-2".into();
    assert!(matches!(
        renamed.verify(&account.public()),
        Err(CryptoError::BadSignature { .. })
    ));
    let mut swapped = cert;
    swapped.device_public = DeviceKey::generate().public();
    assert!(matches!(
        swapped.verify(&account.public()),
        Err(CryptoError::BadSignature { .. })
    ));
}

#[test]
fn public_keys_serialize_as_hex_in_json_and_cbor() {
    let account = AccountKey::from_bytes([1; 32]);
    let public = account.public();
    let json = serde_json::to_string(&public).expect("json");
    assert!(json.contains(&hex::encode(public.x25519)), "{json}");
    let back: AccountPublic = serde_json::from_str(&json).expect("json back");
    assert_eq!(back, public);

    let mut cbor = Vec::new();
    ciborium::into_writer(&public, &mut cbor).expect("cbor");
    let back: AccountPublic = ciborium::from_reader(&cbor[..]).expect("cbor back");
    assert_eq!(back, public);

    let device = DeviceKey::from_bytes([2; 32]);
    let cert = account.certify_device("a", "d", &device.public());
    let json = serde_json::to_string(&cert).expect("json");
    assert_eq!(
        serde_json::from_str::<rapport_crypto::DeviceCertificate>(&json).expect("back"),
        cert
    );
    let mut cbor = Vec::new();
    ciborium::into_writer(&cert, &mut cbor).expect("cbor");
    assert_eq!(
        ciborium::from_reader::<rapport_crypto::DeviceCertificate, _>(&cbor[..]).expect("back"),
        cert
    );

    assert!(serde_json::from_str::<AccountPublic>(r#"{"x25519":"00","ed25519":"00"}"#).is_err());
}

#[test]
fn blinded_tags_are_stable_per_account_and_differ_between_accounts() {
    let a = AccountKey::generate();
    let b = AccountKey::generate();
    let sam = a.blind_tag("Sam");
    assert!(sam.starts_with("t1."));
    assert_eq!(sam.len(), 3 + 43);
    assert!(!sam.contains("Sam"));
    assert_eq!(sam, a.blind_tag("Sam"));
    assert_eq!(sam, AccountKey::from_bytes(*a.to_bytes()).blind_tag("Sam"));
    assert_ne!(sam, a.blind_tag("sam"));
    assert_ne!(sam, b.blind_tag("Sam"));
}

#[test]
fn the_safety_number_is_symmetric_and_twenty_digits() {
    let a = AccountKey::generate().public();
    let b = AccountKey::generate().public();
    let n = safety_number("alice", &a, "bob", &b);
    assert_eq!(n, safety_number("bob", &b, "alice", &a));
    let groups: Vec<&str> = n.split(' ').collect();
    assert_eq!(groups.len(), 4, "{n}");
    assert!(
        groups
            .iter()
            .all(|g| g.len() == 5 && g.bytes().all(|c| c.is_ascii_digit())),
        "{n}"
    );
}

#[test]
fn the_safety_number_changes_when_any_key_or_id_changes() {
    let a = AccountKey::generate().public();
    let b = AccountKey::generate().public();
    let n = safety_number("alice", &a, "bob", &b);
    let mut variants = Vec::new();
    for i in 0..32 {
        let mut x = a.clone();
        x.x25519[i] ^= 1;
        variants.push(safety_number("alice", &x, "bob", &b));
        let mut e = b.clone();
        e.ed25519[i] ^= 0x80;
        variants.push(safety_number("alice", &a, "bob", &e));
    }
    variants.push(safety_number("alice2", &a, "bob", &b));
    variants.push(safety_number("alice", &a, "bob2", &b));
    variants.push(safety_number("alice", &b, "bob", &a));
    for v in variants {
        assert_ne!(v, n);
    }
}

#[test]
fn a_derived_device_key_is_fixed_by_account_and_device_id() {
    use sha2::Sha256;
    let account = AccountKey::from_bytes([9; 32]);
    let phone = account.device_key("phone");
    assert_eq!(
        phone.public(),
        AccountKey::from_bytes([9; 32]).device_key("phone").public()
    );
    assert_ne!(phone.public(), account.device_key("laptop").public());
    assert_ne!(
        phone.public(),
        AccountKey::from_bytes([8; 32]).device_key("phone").public()
    );
    assert_ne!(phone.public().0, account.public().ed25519);
    // As docs/encryption.md states it: HKDF-SHA256, info "rapport/v1/account/device/" + id.
    let mut seed = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(None, &[9; 32])
        .expand(b"rapport/v1/account/device/phone", &mut seed)
        .expect("hkdf");
    assert_eq!(*phone.to_bytes(), seed);
}
