//! Test vectors (tests/vectors.json, reproduced in docs/encryption.md).
//!
//! `cargo test -p rapport-crypto --test vectors -- --ignored generate` writes
//! the file once; it is then data. The checks recompute every deterministic
//! value, open every randomized one (HPKE), and decrypt the owner wrap and the
//! bundles (format 2, written, and format 1, still read) a second time from
//! the spec alone, with the primitive crates and no code of this crate.
//! `... -- --ignored update_deterministic` adds or refreshes the
//! deterministic vectors only, keeping the randomized ones as they are;
//! `... -- --ignored add_shared_grantee_wrap` writes the format 2 grantee
//! wrap alone (it came after the other randomized vectors).

use std::path::PathBuf;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, VerifyingKey};
use rapport_crypto::{
    AccountKey, BackupParams, BundleHeader, BundleLabels, DeviceKey, DocKey, GranteeSealer,
    PairingRequest, RecoveryKit, Wrap, format, open_backup, open_bundle, open_wrap, read_header,
    safety_number, seal_backup_with, seal_bundle_v1_with_nonce, seal_bundle_with_nonce,
    wrap_for_grantee, wrap_for_owner_with_nonce,
};
use serde_json::{Value, json};
use sha2::Sha256;

fn bytes32(start: u8) -> [u8; 32] {
    std::array::from_fn(|i| start.wrapping_add(i as u8))
}

fn bytes24(start: u8) -> [u8; 24] {
    std::array::from_fn(|i| start.wrapping_add(i as u8))
}

fn h(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(bytes)
}

fn unh(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("a hex string")).expect("hex")
}

fn unh32(v: &Value) -> [u8; 32] {
    unh(v).try_into().expect("32 bytes")
}

fn hkdf(ikm: &[u8; 32], label: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(None, ikm)
        .expand(label.as_bytes(), &mut out)
        .expect("hkdf");
    out
}

const ACCOUNT: u8 = 0x00;
const DEVICE: u8 = 0x20;
const DOC_KEYS: [u8; 2] = [0x40, 0x60];
const GRANTEE: u8 = 0x80;
const PEER: u8 = 0xa0;
const PAIRING: u8 = 0xc0;
const NEXT: u8 = 0xe0;

fn bundle_labels() -> BundleLabels {
    BundleLabels {
        doc_id: "doc-1".into(),
        epoch: 2,
        device_id: "dev-1".into(),
        bundle_id: "bundle-1".into(),
        kind: "journal".into(),
    }
}

/// Everything that is deterministic, from the fixed inputs.
fn deterministic() -> Value {
    let account = AccountKey::from_bytes(bytes32(ACCOUNT));
    let public = account.public();
    let device = DeviceKey::from_bytes(bytes32(DEVICE));
    let cert = account.certify_device("acct-1", "dev-1", &device.public());
    let keys: Vec<DocKey> = DOC_KEYS
        .iter()
        .map(|&s| DocKey::from_bytes(bytes32(s)))
        .collect();
    let wrap = wrap_for_owner_with_nonce(
        &account,
        "acct-1",
        "doc-1",
        2,
        &keys[1],
        &keys[..1],
        "dev-1",
        &device,
        bytes24(0xe0),
        bytes24(0xf0),
    )
    .expect("wrap");
    let plaintext = b"Hello, Sam.";
    let sealed = seal_bundle_v1_with_nonce(
        &keys[1],
        &bundle_labels(),
        plaintext,
        &device,
        bytes24(0xd0),
    )
    .expect("seal");
    let sealed_v2 = seal_bundle_with_nonce(
        &keys[1],
        &bundle_labels(),
        plaintext,
        &device,
        bytes24(0xd0),
    )
    .expect("seal");
    let peer = AccountKey::from_bytes(bytes32(PEER)).public();
    json!({
        "account": {
            "key": h(bytes32(ACCOUNT)),
            "x25519_secret": h(hkdf(&bytes32(ACCOUNT), "rapport/v1/account/x25519")),
            "ed25519_seed": h(hkdf(&bytes32(ACCOUNT), "rapport/v1/account/ed25519")),
            "self_seal_key": h(hkdf(&bytes32(ACCOUNT), "rapport/v1/account/self-seal")),
            "tag_key": h(hkdf(&bytes32(ACCOUNT), "rapport/v1/account/tag")),
            "x25519_public": h(public.x25519),
            "ed25519_public": h(public.ed25519),
        },
        "blinded_tag": { "tag": "Sam", "token": account.blind_tag("Sam") },
        "device": { "seed": h(bytes32(DEVICE)), "public": h(device.public().0) },
        "device_certificate": { "account_id": "acct-1", "device_id": "dev-1", "signature": h(cert.signature) },
        "owner_wrap": {
            "owner_id": "acct-1", "doc_id": "doc-1", "epoch": 2, "signer": "dev-1",
            "doc_key": h(bytes32(DOC_KEYS[1])), "older": [h(bytes32(DOC_KEYS[0]))],
            "key_nonce": h(bytes24(0xe0)), "previous_nonce": h(bytes24(0xf0)),
            "sealed_key": h(&wrap.sealed_key), "previous": h(&wrap.previous), "signature": h(&wrap.signature),
        },
        "bundle": {
            "doc_id": "doc-1", "epoch": 2, "device_id": "dev-1", "bundle_id": "bundle-1", "kind": "journal",
            "doc_key": h(bytes32(DOC_KEYS[1])), "nonce": h(bytes24(0xd0)),
            "plaintext": h(plaintext), "sealed": h(&sealed),
        },
        "bundle_v2": {
            "doc_id": "doc-1", "epoch": 2, "device_id": "dev-1", "bundle_id": "bundle-1", "kind": "journal",
            "doc_key": h(bytes32(DOC_KEYS[1])), "nonce": h(bytes24(0xd0)),
            "plaintext": h(plaintext), "sealed": h(&sealed_v2),
        },
        "recovery_kit": { "text": RecoveryKit::new(&account).as_str() },
        "safety_number": {
            "a_id": "acct-1", "b_id": "acct-2", "b_account_key": h(bytes32(PEER)),
            "b_x25519_public": h(peer.x25519), "b_ed25519_public": h(peer.ed25519),
            "number": safety_number("acct-1", &public, "acct-2", &peer),
        },
        "pairing_offer": { "secret": h(bytes32(PAIRING)), "offer": PairingRequest::from_bytes(bytes32(PAIRING)).offer() },
        "key_rotation": key_rotation_vector(&account),
    })
}

/// The account key replaced by `bytes(0xe0)` (a lost device): the statement
/// and the first replacement epoch's key of doc-1.
fn key_rotation_vector(account: &AccountKey) -> Value {
    let next = AccountKey::from_bytes(bytes32(NEXT));
    let rotation = account.rotation_to("acct-1", &next);
    json!({
        "account_id": "acct-1", "next_account_key": h(bytes32(NEXT)),
        "next_x25519_public": h(rotation.next.x25519), "next_ed25519_public": h(rotation.next.ed25519),
        "by_previous": h(rotation.by_previous), "by_next": h(rotation.by_next),
        "replacement_key_doc_1_epoch_2": h(*next.replacement_document_key("doc-1", 2).to_bytes()),
    })
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors.json")
}

#[test]
#[ignore = "writes tests/vectors.json; run once, then commit the file"]
fn generate() {
    let mut v = deterministic();
    let device = DeviceKey::from_bytes(bytes32(DEVICE));
    let keys: Vec<DocKey> = DOC_KEYS
        .iter()
        .map(|&s| DocKey::from_bytes(bytes32(s)))
        .collect();
    let grantee = AccountKey::from_bytes(bytes32(GRANTEE));
    let wrap = wrap_for_grantee(
        "acct-2",
        &grantee.public(),
        "doc-1",
        2,
        &keys[1],
        &keys[..1],
        "dev-1",
        &device,
    )
    .expect("wrap");
    v["grantee_wrap"] = json!({
        "grantee_account_key": h(bytes32(GRANTEE)), "grantee_id": "acct-2", "doc_id": "doc-1", "epoch": 2,
        "signer": "dev-1", "sealed_key": h(&wrap.sealed_key), "previous": h(&wrap.previous),
        "signature": h(&wrap.signature), "doc_key": h(bytes32(DOC_KEYS[1])), "older": [h(bytes32(DOC_KEYS[0]))],
    });
    v["grantee_wrap_shared"] = shared_grantee_wrap();
    let account = AccountKey::from_bytes(bytes32(ACCOUNT));
    let offer = v["pairing_offer"]["offer"]
        .as_str()
        .expect("offer")
        .to_owned();
    let (sealed, code) =
        rapport_crypto::seal_for_pairing(&account, "acct-1", &offer).expect("pairing");
    v["pairing"] = json!({ "account_id": "acct-1", "sealed": h(&sealed), "code": code });
    let blob = seal_backup_with(
        &account,
        "correct horse",
        BackupParams::FLOOR,
        [0x11; 16],
        bytes24(0x30),
    )
    .expect("backup");
    v["backup"] = json!({
        "passphrase": "correct horse", "m_kib": 19456, "t": 2, "p": 1,
        "salt": h([0x11; 16]), "nonce": h(bytes24(0x30)), "blob": h(&blob),
    });
    std::fs::write(
        path(),
        serde_json::to_string_pretty(&v).expect("json") + "\n",
    )
    .expect("write");
}

/// A format 2 grantee wrap of the same keys as `grantee_wrap` (randomized:
/// the encapsulation and the nonces).
fn shared_grantee_wrap() -> Value {
    let device = DeviceKey::from_bytes(bytes32(DEVICE));
    let keys: Vec<DocKey> = DOC_KEYS
        .iter()
        .map(|&s| DocKey::from_bytes(bytes32(s)))
        .collect();
    let grantee = AccountKey::from_bytes(bytes32(GRANTEE));
    let wrap = GranteeSealer::new("acct-2", &grantee.public())
        .expect("sealer")
        .wrap("doc-1", 2, &keys[1], &keys[..1], "dev-1", &device)
        .expect("wrap");
    json!({
        "grantee_account_key": h(bytes32(GRANTEE)), "grantee_id": "acct-2", "doc_id": "doc-1", "epoch": 2,
        "format": 2, "signer": "dev-1", "sealed_key": h(&wrap.sealed_key), "previous": h(&wrap.previous),
        "signature": h(&wrap.signature), "doc_key": h(bytes32(DOC_KEYS[1])), "older": [h(bytes32(DOC_KEYS[0]))],
    })
}

#[test]
#[ignore = "writes the format 2 grantee wrap into tests/vectors.json; then commit it"]
fn add_shared_grantee_wrap() {
    let mut v = stored();
    v["grantee_wrap_shared"] = shared_grantee_wrap();
    std::fs::write(
        path(),
        serde_json::to_string_pretty(&v).expect("json") + "\n",
    )
    .expect("write");
}

#[test]
#[ignore = "adds or refreshes the deterministic vectors in tests/vectors.json; then commit it"]
fn update_deterministic() {
    let mut v = stored();
    for (name, value) in deterministic().as_object().expect("object") {
        v[name] = value.clone();
    }
    std::fs::write(
        path(),
        serde_json::to_string_pretty(&v).expect("json") + "\n",
    )
    .expect("write");
}

fn stored() -> Value {
    serde_json::from_str(include_str!("vectors.json")).expect("vectors.json")
}

#[test]
fn deterministic_vectors_are_reproduced() {
    let stored = stored();
    let fresh = deterministic();
    for (name, value) in fresh.as_object().expect("object") {
        assert_eq!(&stored[name], value, "vector {name}");
    }
}

#[test]
fn the_grantee_wrap_vector_opens() {
    let v = &stored()["grantee_wrap"];
    let wrap = Wrap {
        doc_id: "doc-1".into(),
        epoch: 2,
        recipient: "acct-2".into(),
        to_owner: false,
        sealed_key: unh(&v["sealed_key"]),
        previous: unh(&v["previous"]),
        signer: "dev-1".into(),
        signature: unh(&v["signature"]),
        format: 1,
    };
    let grantee = AccountKey::from_bytes(unh32(&v["grantee_account_key"]));
    let signer = DeviceKey::from_bytes(bytes32(DEVICE)).public();
    let opened = open_wrap(&wrap, &grantee, "acct-2", &signer).expect("open");
    assert_opens_to(v, &opened);
}

#[test]
fn the_pairing_vector_opens_with_the_same_code() {
    let v = stored();
    let request = PairingRequest::from_bytes(unh32(&v["pairing_offer"]["secret"]));
    let (key, code) = request
        .accept("acct-1", &unh(&v["pairing"]["sealed"]))
        .expect("accept");
    assert_eq!(*key.to_bytes(), bytes32(ACCOUNT));
    assert_eq!(code, v["pairing"]["code"].as_str().expect("code"));
}

#[test]
fn the_backup_vector_opens_and_is_reproduced() {
    let v = &stored()["backup"];
    let blob = unh(&v["blob"]);
    let key = open_backup(&blob, v["passphrase"].as_str().expect("passphrase")).expect("open");
    assert_eq!(*key.to_bytes(), bytes32(ACCOUNT));
    let again = seal_backup_with(
        &key,
        "correct horse",
        BackupParams::FLOOR,
        [0x11; 16],
        bytes24(0x30),
    )
    .expect("seal");
    assert_eq!(again, blob);
}

#[test]
fn the_recovery_kit_vector_parses() {
    let v = stored();
    let key = RecoveryKit::parse(v["recovery_kit"]["text"].as_str().expect("text")).expect("parse");
    assert_eq!(*key.to_bytes(), bytes32(ACCOUNT));
}

/// The canonical encoding as docs/encryption.md states it.
fn canonical(fields: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        out.extend_from_slice(&(f.len() as u32).to_be_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// An opened grantee wrap vector holds its `doc_key` and `older` keys.
fn assert_opens_to(v: &Value, opened: &rapport_crypto::OpenedWrap) {
    assert_eq!(
        h(*opened.key.to_bytes()),
        v["doc_key"].as_str().expect("hex")
    );
    assert_eq!(
        h(*opened.older[0].to_bytes()),
        v["older"][0].as_str().expect("hex")
    );
}

fn stored_shared_wrap() -> Wrap {
    let v = &stored()["grantee_wrap_shared"];
    Wrap {
        doc_id: "doc-1".into(),
        epoch: 2,
        recipient: "acct-2".into(),
        to_owner: false,
        sealed_key: unh(&v["sealed_key"]),
        previous: unh(&v["previous"]),
        signer: "dev-1".into(),
        signature: unh(&v["signature"]),
        format: format::WRAP_FORMAT_SHARED,
    }
}

#[test]
fn the_format_2_grantee_wrap_vector_opens() {
    let v = &stored()["grantee_wrap_shared"];
    let grantee = AccountKey::from_bytes(unh32(&v["grantee_account_key"]));
    let signer = DeviceKey::from_bytes(bytes32(DEVICE)).public();
    let opened = open_wrap(&stored_shared_wrap(), &grantee, "acct-2", &signer).expect("open");
    assert_opens_to(v, &opened);
}

#[test]
fn the_format_2_grantee_wrap_decrypts_from_the_spec_alone() {
    use hpke::aead::ChaCha20Poly1305;
    use hpke::kdf::HkdfSha256;
    use hpke::kem::X25519HkdfSha256;
    use hpke::{Deserializable, Kem, OpModeR};

    let v = &stored()["grantee_wrap_shared"];
    let sealed = unh(&v["sealed_key"]);
    assert_eq!(sealed.len(), 104);
    let (enc, rest) = sealed.split_at(32);
    let (nonce, ct) = rest.split_at(24);
    // The grantee's X25519 secret, then HPKE base mode to export the shared secret.
    let x25519 = hkdf(
        &unh32(&v["grantee_account_key"]),
        "rapport/v1/account/x25519",
    );
    let sk = <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(&x25519).expect("secret");
    let enc = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(enc).expect("enc");
    let info = canonical(&[b"rapport/v2/wrap/shared", b"acct-2"]);
    let context = hpke::setup_receiver::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &sk,
        &enc,
        &info,
    )
    .expect("setup");
    let mut secret = [0u8; 32];
    context
        .export(b"rapport/v2/wrap/shared/key", &mut secret)
        .expect("export");
    let ad = canonical(&[b"rapport/v2/wrap", b"doc-1", &2u32.to_be_bytes(), b"acct-2"]);
    let key = XChaCha20Poly1305::new(&secret.into())
        .decrypt(
            &XNonce::try_from(nonce).expect("nonce"),
            Payload { msg: ct, aad: &ad },
        )
        .expect("decrypt key");
    assert_eq!(h(&key), v["doc_key"].as_str().expect("hex"));

    // `previous` is as in format 1; the signature's label names format 2.
    let previous = unh(&v["previous"]);
    let label: &[u8] = b"rapport/v2/wrap/signature";
    let to_owner = false;
    verify_wrap_signature(
        v,
        [label, b"acct-2", &[u8::from(to_owner)], &sealed, &previous],
    );
}

/// A wrap vector's signature over `canonical(label, "doc-1", u32 2,
/// recipient, to_owner, sealed_key, previous, "dev-1")`, by the vector device.
fn verify_wrap_signature(v: &Value, [label, recipient, to_owner, sealed, previous]: [&[u8]; 5]) {
    let signed = canonical(&[
        label,
        b"doc-1",
        &2u32.to_be_bytes(),
        recipient,
        to_owner,
        sealed,
        previous,
        b"dev-1",
    ]);
    let device = VerifyingKey::from_bytes(&unh32(&stored()["device"]["public"])).expect("key");
    let signature: [u8; 64] = unh(&v["signature"]).try_into().expect("64");
    device
        .verify_strict(&signed, &Signature::from_bytes(&signature))
        .expect("signature");
}

#[test]
fn the_owner_wrap_decrypts_from_the_spec_alone() {
    let v = &stored()["owner_wrap"];
    let self_seal = hkdf(&bytes32(ACCOUNT), "rapport/v1/account/self-seal");
    let sealed = unh(&v["sealed_key"]);
    let (nonce, ct) = sealed.split_at(24);
    let ad = canonical(&[b"rapport/v1/wrap", b"doc-1", &2u32.to_be_bytes(), b"acct-1"]);
    let key = XChaCha20Poly1305::new(&self_seal.into())
        .decrypt(
            &XNonce::try_from(nonce).expect("nonce"),
            Payload { msg: ct, aad: &ad },
        )
        .expect("decrypt key");
    assert_eq!(h(&key), v["doc_key"].as_str().expect("hex"));

    let previous = unh(&v["previous"]);
    let (nonce, ct) = previous.split_at(24);
    let ad = canonical(&[b"rapport/v1/wrap/previous", b"doc-1", &2u32.to_be_bytes()]);
    let key: [u8; 32] = key.try_into().expect("32");
    let older = XChaCha20Poly1305::new(&key.into())
        .decrypt(
            &XNonce::try_from(nonce).expect("nonce"),
            Payload { msg: ct, aad: &ad },
        )
        .expect("decrypt older");
    assert_eq!(h(&older), v["older"][0].as_str().expect("hex"));

    let label: &[u8] = b"rapport/v1/wrap/signature";
    verify_wrap_signature(v, [label, b"acct-1", &[1], &sealed, &previous]);
}

#[test]
fn the_format_1_bundle_decrypts_from_the_spec_alone() {
    let v = &stored()["bundle"];
    let sealed = unh(&v["sealed"]);
    // "RPB" | 1 | u16 "doc-1" | u32 2 | u16 "dev-1" | u16 "bundle-1" | u8 "journal"
    let mut header = b"RPB\x01".to_vec();
    header.extend_from_slice(&5u16.to_be_bytes());
    header.extend_from_slice(b"doc-1");
    header.extend_from_slice(&2u32.to_be_bytes());
    header.extend_from_slice(&5u16.to_be_bytes());
    header.extend_from_slice(b"dev-1");
    header.extend_from_slice(&8u16.to_be_bytes());
    header.extend_from_slice(b"bundle-1");
    header.push(7);
    header.extend_from_slice(b"journal");
    assert_eq!(&sealed[..header.len()], &header[..]);
    let nonce = &sealed[header.len()..header.len() + 24];
    let (signed, signature) = sealed.split_at(sealed.len() - 64);
    let device = VerifyingKey::from_bytes(&unh32(&stored()["device"]["public"])).expect("key");
    device
        .verify_strict(
            signed,
            &Signature::from_bytes(&signature.try_into().expect("64")),
        )
        .expect("signature");
    let ad = &sealed[..header.len() + 24];
    let ct = &signed[header.len() + 24..];
    let frame = XChaCha20Poly1305::new(&unh32(&v["doc_key"]).into())
        .decrypt(
            &XNonce::try_from(nonce).expect("nonce"),
            Payload { msg: ct, aad: ad },
        )
        .expect("decrypt");
    // u32 length || data || zeros, padded to max(64, Padmé(4 + length)) = 64 here.
    assert_eq!(frame.len(), 64);
    let len = u32::from_be_bytes(frame[..4].try_into().expect("4")) as usize;
    assert_eq!(h(&frame[4..4 + len]), v["plaintext"].as_str().expect("hex"));
    assert!(frame[4 + len..].iter().all(|&b| b == 0));

    let opened = open_bundle(
        &DocKey::from_bytes(unh32(&v["doc_key"])),
        &sealed,
        &bundle_labels(),
        &DeviceKey::from_bytes(bytes32(DEVICE)).public(),
    )
    .expect("open");
    assert_eq!(h(opened), v["plaintext"].as_str().expect("hex"));
}

#[test]
fn the_format_2_bundle_decrypts_from_the_spec_alone() {
    let v = &stored()["bundle_v2"];
    let sealed = unh(&v["sealed"]);
    // The header is magic and version only; the labels come from the envelope.
    assert_eq!(&sealed[..4], b"RPB\x02");
    let labels = canonical(&[
        b"rapport/v2/bundle",
        b"doc-1",
        &2u32.to_be_bytes(),
        b"dev-1",
        b"bundle-1",
        b"journal",
    ]);
    let nonce = &sealed[4..28];
    assert_eq!(h(nonce), v["nonce"].as_str().expect("hex"));
    let (before_signature, signature) = sealed.split_at(sealed.len() - 64);
    let mut signed = labels.clone();
    signed.extend_from_slice(before_signature);
    let device = VerifyingKey::from_bytes(&unh32(&stored()["device"]["public"])).expect("key");
    let signature = Signature::from_bytes(&signature.try_into().expect("64"));
    device
        .verify_strict(&signed, &signature)
        .expect("signature");
    let mut ad = sealed[..28].to_vec();
    ad.extend_from_slice(&labels);
    let ct = &before_signature[28..];
    let frame = XChaCha20Poly1305::new(&unh32(&v["doc_key"]).into())
        .decrypt(
            &XNonce::try_from(nonce).expect("nonce"),
            Payload { msg: ct, aad: &ad },
        )
        .expect("decrypt");
    assert_eq!(frame.len(), 64);
    let len = u32::from_be_bytes(frame[..4].try_into().expect("4")) as usize;
    assert_eq!(h(&frame[4..4 + len]), v["plaintext"].as_str().expect("hex"));
    assert!(frame[4 + len..].iter().all(|&b| b == 0));
    // 4 header, 24 nonce, 80 ciphertext, 64 signature.
    assert_eq!(sealed.len(), 172);

    // Under another label (each in turn) neither the signature nor the seal holds.
    let moved = [
        ("doc-2", 2u32, "dev-1", "bundle-1", "journal"),
        ("doc-1", 3, "dev-1", "bundle-1", "journal"),
        ("doc-1", 2, "dev-2", "bundle-1", "journal"),
        ("doc-1", 2, "dev-1", "bundle-2", "journal"),
        ("doc-1", 2, "dev-1", "bundle-1", "goal"),
    ];
    for (doc, epoch, dev, bundle, kind) in moved {
        let other = canonical(&[
            b"rapport/v2/bundle",
            doc.as_bytes(),
            &epoch.to_be_bytes(),
            dev.as_bytes(),
            bundle.as_bytes(),
            kind.as_bytes(),
        ]);
        let mut signed = other.clone();
        signed.extend_from_slice(before_signature);
        assert!(device.verify_strict(&signed, &signature).is_err());
        let mut ad = sealed[..28].to_vec();
        ad.extend_from_slice(&other);
        assert!(
            XChaCha20Poly1305::new(&unh32(&v["doc_key"]).into())
                .decrypt(
                    &XNonce::try_from(nonce).expect("nonce"),
                    Payload { msg: ct, aad: &ad },
                )
                .is_err()
        );
    }

    assert_eq!(read_header(&sealed).expect("header"), BundleHeader::V2);
    let opened = open_bundle(
        &DocKey::from_bytes(unh32(&v["doc_key"])),
        &sealed,
        &bundle_labels(),
        &DeviceKey::from_bytes(bytes32(DEVICE)).public(),
    )
    .expect("open");
    assert_eq!(h(opened), v["plaintext"].as_str().expect("hex"));
}

#[test]
fn the_key_rotation_verifies_from_the_spec_alone() {
    let v = &stored()["key_rotation"];
    let account = AccountKey::from_bytes(bytes32(ACCOUNT));
    let previous = account.public();
    let message = canonical(&[
        b"rapport/v1/account/rotation",
        b"acct-1",
        &previous.x25519,
        &previous.ed25519,
        &unh(&v["next_x25519_public"]),
        &unh(&v["next_ed25519_public"]),
    ]);
    for (signer, signature) in [
        (previous.ed25519, "by_previous"),
        (unh32(&v["next_ed25519_public"]), "by_next"),
    ] {
        let key = VerifyingKey::from_bytes(&signer).expect("key");
        let sig: [u8; 64] = unh(&v[signature]).try_into().expect("64 bytes");
        key.verify_strict(&message, &Signature::from_bytes(&sig))
            .expect(signature);
    }
    // The next public keys are those of the next account key's derivations.
    let next = unh32(&v["next_account_key"]);
    let seed = hkdf(&next, "rapport/v1/account/ed25519");
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    assert_eq!(
        h(signing.verifying_key().to_bytes()),
        v["next_ed25519_public"]
    );
    assert_eq!(
        h(hkdf(&next, "rapport/v1/account/replacement/2/doc-1")),
        v["replacement_key_doc_1_epoch_2"]
    );
}

#[test]
fn docs_encryption_md_reproduces_every_vector() {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/encryption.md"),
    )
    .expect("docs/encryption.md");
    let flat: String = doc.split_whitespace().collect();
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    strings(&stored(), &mut all);
    for s in all {
        let s: String = s.split_whitespace().collect();
        assert!(
            flat.contains(&s),
            "docs/encryption.md lacks the vector value {s}"
        );
    }
}
